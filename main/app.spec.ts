import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeServiceLabApp, PROGRESS_DB_FILE } from './app';
import type { PushEvent } from './contract';
import { echoWorldSession } from './testing/echo-session';
import { lazyLabRuntime } from './testing/lazy-lab-runtime';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-app-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function makeApp() {
  const sessions: ReturnType<typeof echoWorldSession>[] = [];
  const opened: unknown[] = [];
  const app = new KubeServiceLabApp({
    dataDir: dir,
    labRuntime: lazyLabRuntime,
    labs: [],
    version: '9.9.9',
    openWorldSession: (req) => {
      opened.push(req);
      const s = echoWorldSession();
      sessions.push(s);
      return s;
    },
  });
  const pushes: { clientId: string | null; event: PushEvent; payload: unknown }[] = [];
  app.onPush((clientId, event, payload) => pushes.push({ clientId, event, payload }));
  return { app, sessions, opened, pushes };
}

const A = { clientId: 'a' };
const B = { clientId: 'b' };

describe('KubeServiceLabApp', () => {
  it('opens a terminal session, routes its output to the opening client and saves finished commands', async () => {
    const { app, pushes, opened, sessions } = makeApp();
    const t = (await app.dispatch('terminal:open', { profile: 'local', cols: 80, rows: 24 }, A)) as { sessionId: string; seed: number };
    expect(t.seed).toBe(1); // the settings' default seed
    expect(opened).toEqual([{ profile: 'local', seed: 1, labId: null, cols: 80, rows: 24 }]);
    expect(sessions[0]?.sizes).toEqual([[80, 24]]);
    await app.dispatch('terminal:input', { sessionId: t.sessionId, data: 'abc\r' }, A);
    const outputs = pushes.filter((p) => p.event === 'terminal:output');
    expect(outputs.every((p) => p.clientId === 'a')).toBe(true);
    expect(outputs.map((p) => (p.payload as { data: string }).data).join('')).toBe('abc\r\ncba\r\n$ ');
    expect(pushes.find((p) => p.event === 'terminal:command')?.payload).toMatchObject({ sessionId: t.sessionId, entry: { command: 'abc', output: 'cba\n' } });
    const rows = (await app.dispatch('transcript:list', { labId: null }, A)) as { command: string }[];
    expect(rows.map((r) => r.command)).toEqual(['abc']);
    app.dispose();
  });

  it('does not let one client drive or read another client’s session, and closes sessions when a client goes', async () => {
    const { app, sessions } = makeApp();
    const t = (await app.dispatch('terminal:open', { profile: 'cloud', seed: 7, cols: 80, rows: 24 }, A)) as { sessionId: string };
    await expect(app.dispatch('terminal:input', { sessionId: t.sessionId, data: 'x' }, B)).rejects.toThrow(/no terminal session/);
    await expect(app.dispatch('topology:snapshot', { sessionId: t.sessionId }, B)).rejects.toThrow(/no terminal session/);
    const topo = await app.dispatch('topology:snapshot', { sessionId: t.sessionId }, A);
    expect(topo).toMatchObject({ profile: 'cloud', seed: 7, hosts: [{ id: 'workstation', kind: 'workstation', netns: null }] });
    expect(await app.dispatch('traces:list', { sessionId: t.sessionId }, A)).toEqual([]);
    app.clientGone('a');
    expect(sessions[0]?.disposed).toBe(true);
    await expect(app.dispatch('terminal:input', { sessionId: t.sessionId, data: 'x' }, A)).rejects.toThrow(/no terminal session/);
    app.dispose();
  });

  it('rejects malformed requests and unknown channels before any service runs', async () => {
    const { app, opened } = makeApp();
    await expect(app.dispatch('terminal:open', { profile: 'mars', cols: 80, rows: 24 }, A)).rejects.toThrow(/profile: expected one of local, cloud/);
    await expect(app.dispatch('terminal:open', { profile: 'local', cols: 1e9, rows: 24 }, A)).rejects.toThrow(/cols/);
    await expect(app.dispatch('fs:readFile', { path: '/etc/passwd' }, A)).rejects.toThrow(/unknown channel/);
    await expect(app.dispatch('settings:update', { theme: 'dark', shell: '/bin/sh' }, A)).rejects.toThrow(/shell: unknown setting/);
    await expect(app.dispatch('labs:get', { labId: '../../etc' }, A)).rejects.toThrow(/labId/);
    await expect(app.dispatch('labs:list', 'extra', A)).rejects.toThrow(/no argument/);
    expect(opened).toEqual([]);
    app.dispose();
  });

  it('keeps settings and step progress across restarts and broadcasts changes', async () => {
    let { app, pushes } = makeApp();
    await app.dispatch('settings:update', { theme: 'dark', fontSize: 16 }, A);
    expect(pushes.find((p) => p.event === 'settings:changed')).toMatchObject({ clientId: null, payload: { theme: 'dark' } });
    await app.dispatch('progress:record-step', { labId: '01-x', stepId: 's1', kind: 'complete', seed: 3 }, A);
    app.dispose();
    ({ app } = makeApp());
    expect(await app.dispatch('settings:get', undefined, A)).toMatchObject({ theme: 'dark', fontSize: 16 });
    expect(await app.dispatch('progress:get', { labId: '01-x' }, A)).toMatchObject({ seed: 3, steps: [{ stepId: 's1', status: 'completed' }] });
    app.dispose();
  });

  it('tells the learner in plain words when the progress file was damaged, until dismissed', async () => {
    fs.writeFileSync(path.join(dir, PROGRESS_DB_FILE), Buffer.alloc(8192, 0xab));
    const { app } = makeApp();
    const notices = (await app.dispatch('notices:list', undefined, A)) as { id: string; message: string }[];
    expect(notices).toHaveLength(1);
    expect(notices[0]?.message).toMatch(/could not be read.*fresh progress file/);
    await app.dispatch('notices:dismiss', { id: notices[0]!.id }, A);
    expect(await app.dispatch('notices:list', undefined, A)).toEqual([]);
    expect(fs.readdirSync(dir).some((f) => f.startsWith(`${PROGRESS_DB_FILE}.corrupt-`))).toBe(true);
    app.dispose();
  });
});

describe('prewarming', () => {
  it('hands the prewarmed world to the first matching open, and builds a new one otherwise', async () => {
    const { app, opened, sessions } = makeApp();
    await app.prewarm();
    expect(opened).toEqual([{ profile: 'local', seed: 1, labId: null, cols: 80, rows: 24 }]);
    const warmWorld = sessions[0]!.world;
    await app.dispatch('terminal:open', { profile: 'local', cols: 100, rows: 30 }, A);
    expect(opened).toHaveLength(1);
    expect(sessions[0]?.sizes).toEqual([[100, 30]]);
    // The world did not move while it waited.
    expect(warmWorld.scheduler.now()).toBe(Date.UTC(2026, 0, 1));
    await app.dispatch('terminal:open', { profile: 'local', cols: 80, rows: 24 }, A);
    expect(opened).toHaveLength(2);
    await app.prewarm();
    await app.dispatch('terminal:open', { profile: 'cloud', cols: 80, rows: 24 }, A);
    expect(opened.map((o) => (o as { profile: string }).profile)).toEqual(['local', 'local', 'local', 'cloud']);
    app.dispose();
    expect(sessions[2]?.disposed).toBe(true);
  });
});

describe('an emulator that is still loading', () => {
  it('holds terminal:open until it is there, while the rest of the app already answers', async () => {
    let resolve!: (open: import('./services/terminal-service').OpenWorldSession) => void;
    const loading = new Promise<import('./services/terminal-service').OpenWorldSession>((r) => (resolve = r));
    const app = new KubeServiceLabApp({ labRuntime: lazyLabRuntime, dataDir: dir, labs: [], version: '1', openWorldSession: loading });
    expect(await app.dispatch('settings:get', undefined, A)).toMatchObject({ profile: 'local' });
    let opened = false;
    const open = app.dispatch('terminal:open', { profile: 'local', cols: 80, rows: 24 }, A).then((v) => ((opened = true), v));
    await new Promise((r) => setTimeout(r, 10));
    expect(opened).toBe(false);
    resolve(() => echoWorldSession());
    await expect(open).resolves.toMatchObject({ prompt: '$ ' });
    app.dispose();
  });
});
