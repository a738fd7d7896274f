/**
 * The web shell: the same app, served to a browser tab on this machine only. It listens on 127.0.0.1, serves the
 * built renderer and carries the contract over one WebSocket. Each launch makes a random token; the page and the
 * WebSocket need it, and the Host and Origin headers must name this server, so neither another local user's page
 * nor a DNS-rebinding site can drive the learner's shell.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KubeServiceLabApp } from '../app';
import type { ClientFrame, ServerFrame } from '../contract';

export const WS_PATH = '/ws';
const MAX_FRAME = 1024 * 1024;

export interface WebShellOptions {
  readonly app: KubeServiceLabApp;
  /** The built renderer (index.html + assets/). */
  readonly rendererDir: string;
  /** 0 = a random free port. */
  readonly port?: number;
  /** Fixed token for tests; default: 32 random bytes. */
  readonly token?: string;
  /**
   * Called once, when the first script of the renderer has been sent: the browser now parses it for a while, which
   * is the moment to do heavy synchronous work (building the emulator) without delaying the page's own requests.
   */
  readonly onScriptSent?: () => void;
}

export interface WebShell {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Connected WebSocket clients. */
  readonly clients: () => number;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/**
 * Scripts only from this origin, no eval. Inline styles are allowed because xterm.js writes its theme into a
 * <style> element at run time; nothing else inline is.
 */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ws://127.0.0.1:${port} ws://localhost:${port}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function tokenMatches(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export async function startWebShell(opts: WebShellOptions): Promise<WebShell> {
  const token = opts.token ?? crypto.randomBytes(32).toString('base64url');
  const rendererDir = path.resolve(opts.rendererDir);
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const send = (res: http.ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}) => {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Security-Policy': contentSecurityPolicy(port),
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Frame-Options': 'DENY',
      ...extra,
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };

  const server = http.createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return send(res, 403, 'Forbidden: unexpected Host header\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed\n', undefined, { Allow: 'GET, HEAD' });
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!tokenMatches(url.searchParams.get('token'), token)) {
        return send(res, 403, 'Forbidden: open Kube Service Lab with the link it printed when it started (it carries a token).\n');
      }
      return serveFile(res, path.join(rendererDir, 'index.html'), { 'Cache-Control': 'no-store' });
    }
    // Static assets carry nothing secret; they are served without the token but only from the renderer folder.
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'Bad request\n');
    }
    const file = path.resolve(rendererDir, '.' + rel);
    if (!file.startsWith(rendererDir + path.sep)) return send(res, 404, 'Not found\n');
    return serveFile(res, file, { 'Cache-Control': 'no-cache' });
  });

  let scriptSent = false;
  function serveFile(res: http.ServerResponse, file: string, headers: Record<string, string>): void {
    fs.readFile(file, (err, data) => {
      if (err) return send(res, 404, 'Not found\n');
      const ext = path.extname(file);
      if (ext === '.js' && !scriptSent && opts.onScriptSent) {
        scriptSent = true;
        res.once('finish', opts.onScriptSent);
      }
      send(res, 200, data, CONTENT_TYPES[ext] ?? 'application/octet-stream', headers);
    });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });
  let nextClient = 0;

  server.on('upgrade', (req, socket, head) => {
    const reject = (status: number, text: string) => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (!allowedHosts().has(req.headers.host ?? '')) return reject(403, 'Forbidden');
    if (!allowedOrigins().has(req.headers.origin ?? '')) return reject(403, 'Forbidden');
    if (url.pathname !== WS_PATH || !tokenMatches(url.searchParams.get('token'), token)) return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const clientId = `ws${++nextClient}`;
    const frame = (f: ServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(f));
    };
    const unsubscribe = opts.app.onPush((target, event, payload) => {
      if (target === null || target === clientId) frame({ kind: 'push', event, payload });
    });
    ws.on('message', (raw, isBinary) => {
      let msg: ClientFrame;
      try {
        if (isBinary) throw new Error('binary frame');
        msg = JSON.parse(String(raw)) as ClientFrame;
        if (msg?.kind !== 'invoke' || !Number.isSafeInteger(msg.id)) throw new Error('not an invoke frame');
      } catch {
        ws.close(1008, 'malformed frame');
        return;
      }
      opts.app.dispatch(msg.channel, msg.arg, { clientId }).then(
        (value) => frame({ kind: 'result', id: msg.id, ok: true, value: value ?? null }),
        (err: unknown) => frame({ kind: 'result', id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
    });
    ws.on('close', () => {
      unsubscribe();
      opts.app.clientGone(clientId);
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    clients: () => wss.clients.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
