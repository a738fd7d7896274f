import { describe, expect, it } from 'vitest';
import type { ServerFrame } from '../../../main/contract';
import { CONNECTION_LOST, createSocketApi, type SocketLike } from './web-adapter';

function fakeSocket() {
  const sent: { id: number; channel: string; arg?: unknown }[] = [];
  const handlers: Record<string, ((e: { data: unknown }) => void)[]> = {};
  const socket: SocketLike = {
    send: (d) => sent.push(JSON.parse(d)),
    addEventListener: (type: string, fn: (e: { data: unknown }) => void) => {
      (handlers[type] ??= []).push(fn);
    },
  };
  return {
    socket,
    sent,
    serverSends: (f: ServerFrame) => handlers['message']?.forEach((h) => h({ data: JSON.stringify(f) })),
    close: () => handlers['close']?.forEach((h) => h({ data: undefined })),
  };
}

describe('web adapter', () => {
  it('matches results to requests by id, whatever their order', async () => {
    const s = fakeSocket();
    const api = createSocketApi(s.socket);
    const info = api.invoke('app:info');
    const labs = api.invoke('labs:get', { labId: '01-a' });
    expect(s.sent.map((f) => f.channel)).toEqual(['app:info', 'labs:get']);
    expect(s.sent[1]?.arg).toEqual({ labId: '01-a' });
    s.serverSends({ kind: 'result', id: s.sent[1]!.id, ok: false, error: 'no such lab' });
    s.serverSends({ kind: 'result', id: s.sent[0]!.id, ok: true, value: { name: 'KSL', version: '1', dataDir: '/d' } });
    await expect(labs).rejects.toThrow('no such lab');
    await expect(info).resolves.toEqual({ name: 'KSL', version: '1', dataDir: '/d' });
  });

  it('delivers push events to subscribers until they unsubscribe', () => {
    const s = fakeSocket();
    const api = createSocketApi(s.socket);
    const got: string[] = [];
    const off = api.on('terminal:output', (e) => got.push(e.data));
    s.serverSends({ kind: 'push', event: 'terminal:output', payload: { sessionId: 't1', data: 'a' } });
    off();
    s.serverSends({ kind: 'push', event: 'terminal:output', payload: { sessionId: 't1', data: 'b' } });
    expect(got).toEqual(['a']);
  });

  it('fails pending and later requests and raises a notice when the connection drops', async () => {
    const s = fakeSocket();
    const api = createSocketApi(s.socket);
    const notices: string[] = [];
    api.on('notice', (n) => notices.push(n.id));
    const p = api.invoke('labs:list');
    s.close();
    await expect(p).rejects.toThrow(/connection .* was lost/);
    await expect(api.invoke('labs:list')).rejects.toThrow(/was lost/);
    expect(notices).toEqual([CONNECTION_LOST.id]);
  });
});
