import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { KubeServiceLabApp } from '../app';
import type { ServerFrame } from '../contract';
import { echoWorldSession } from '../testing/echo-session';
import { startWebShell, type WebShell } from './server';
import { lazyLabRuntime } from '../testing/lazy-lab-runtime';

let dir: string;
let app: KubeServiceLabApp;
let shell: WebShell;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-web-'));
  fs.mkdirSync(path.join(dir, 'renderer/assets'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'renderer/index.html'), '<!doctype html><title>KSL</title>');
  fs.writeFileSync(path.join(dir, 'renderer/assets/app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'secret');
  app = new KubeServiceLabApp({ labRuntime: lazyLabRuntime, dataDir: path.join(dir, 'data'), labs: [], version: '0', openWorldSession: () => echoWorldSession() });
  shell = await startWebShell({ app, rendererDir: path.join(dir, 'renderer') });
});
afterEach(async () => {
  await shell.close();
  app.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: shell.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
  });
}

function connect(query: string, headers: Record<string, string> = { Origin: `http://127.0.0.1:${shell.port}` }): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/ws${query}`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

class Client {
  frames: ServerFrame[] = [];
  #id = 0;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => this.frames.push(JSON.parse(String(d)) as ServerFrame));
  }
  invoke(channel: string, arg?: unknown): Promise<ServerFrame> {
    const id = ++this.#id;
    this.ws.send(JSON.stringify({ kind: 'invoke', id, channel, arg }));
    return new Promise((resolve) => {
      const check = () => {
        const f = this.frames.find((x) => x.kind === 'result' && x.id === id);
        if (f) resolve(f);
        else setTimeout(check, 5);
      };
      check();
    });
  }
}

describe('web shell', () => {
  it('listens on 127.0.0.1 only and prints a URL with a long random token', () => {
    expect(shell.url).toBe(`http://127.0.0.1:${shell.port}/?token=${shell.token}`);
    expect(shell.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('serves the page only with the token, with a strict CSP', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get('/?token=wrong')).status).toBe(403);
    expect((await get(`/?token=${shell.token.slice(0, -1)}`)).status).toBe(403);
    const ok = await get(`/?token=${shell.token}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<title>KSL</title>');
    const csp = String(ok.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(ok.headers['referrer-policy']).toBe('no-referrer');
  });

  it('rejects a foreign Host header (DNS rebinding) and paths outside the renderer', async () => {
    expect((await get(`/?token=${shell.token}`, { Host: `evil.example:${shell.port}` })).status).toBe(403);
    expect((await get('/assets/app.js')).body).toBe('console.log(1)');
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404);
    expect((await get('/..%2fsecret.txt')).status).toBe(404);
  });

  it('refuses WebSockets without the token, from another origin or with another Host', async () => {
    await expect(connect('')).rejects.toThrow(/403/);
    await expect(connect('?token=nope')).rejects.toThrow(/403/);
    await expect(connect(`?token=${shell.token}`, { Origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(connect(`?token=${shell.token}`, {})).rejects.toThrow(/403/);
    await expect(connect(`?token=${shell.token}`, { Origin: `http://127.0.0.1:${shell.port}`, Host: 'evil.example' })).rejects.toThrow(/403/);
  });

  it('carries the contract: invoke results, validation errors and push events to the right client', async () => {
    const a = new Client(await connect(`?token=${shell.token}`));
    const b = new Client(await connect(`?token=${shell.token}`, { Origin: `http://localhost:${shell.port}` }));
    const opened = await a.invoke('terminal:open', { profile: 'local', cols: 80, rows: 24 });
    expect(opened).toMatchObject({ kind: 'result', ok: true, value: { profile: 'local', prompt: '$ ' } });
    const sessionId = (opened as { value: { sessionId: string } }).value.sessionId;
    await a.invoke('terminal:input', { sessionId, data: 'hi\r' });
    const out = a.frames.filter((f) => f.kind === 'push' && f.event === 'terminal:output').map((f) => (f as { payload: { data: string } }).payload.data);
    expect(out.join('')).toBe('hi\r\nih\r\n$ ');
    expect(b.frames.some((f) => f.kind === 'push' && f.event === 'terminal:output')).toBe(false);
    expect(await b.invoke('terminal:input', { sessionId, data: 'x' })).toMatchObject({ ok: false, error: `no terminal session ${sessionId}` });
    expect(await a.invoke('settings:update', { theme: 42 })).toMatchObject({ ok: false, error: expect.stringMatching(/theme/) });
    await a.invoke('settings:update', { theme: 'dark' });
    await expect.poll(() => b.frames.some((f) => f.kind === 'push' && f.event === 'settings:changed')).toBe(true);
    a.ws.close();
    b.ws.close();
    await expect.poll(() => shell.clients()).toBe(0);
  });

  it('closes a connection that sends a malformed frame', async () => {
    const ws = await connect(`?token=${shell.token}`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.send('{not json');
    expect(await closed).toBe(1008);
  });
});

describe('the moment to build the emulator', () => {
  it('is announced once, after the first script was sent — not for the page itself', async () => {
    const token = 'fixed-token-for-this-test';
    let calls = 0;
    const own = await startWebShell({ app, rendererDir: path.join(dir, 'renderer'), token, onScriptSent: () => calls++ });
    try {
      const page = await new Promise<number>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port: own.port, path: `/?token=${token}` }, (res) => (res.resume(), res.on('end', () => resolve(res.statusCode ?? 0)))).on('error', reject);
      });
      expect(page).toBe(200);
      expect(calls).toBe(0);
      for (let i = 0; i < 2; i++) {
        await new Promise<void>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port: own.port, path: '/assets/app.js' }, (res) => (res.resume(), res.on('end', () => resolve()))).on('error', reject);
        });
      }
      expect(calls).toBe(1);
    } finally {
      await own.close();
    }
  });
});
