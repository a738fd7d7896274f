/**
 * The public API the seed's ExternalName example points at (`api.external.com`, on the internet side of the
 * topology): a small JSON service behind nginx, so `curl http://external-api/` from a pod follows
 * Service name → CNAME → public A record → the internet, and gets an answer.
 */
import type { NetNamespace } from '../net/netns';
import { httpResponse } from '../net/packet/http';

function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

export function serveExternalApi(ns: NetNamespace, now: () => number): void {
  if (ns.tcpListeners.has(80)) return;
  ns.listenTcp(80, () => ({
    onData(conn, data) {
      if (data.kind !== 'http-request') return;
      const path = data.target.split('?')[0]!;
      const known = path === '/' || path.startsWith('/v1/');
      const body = known
        ? JSON.stringify({ service: 'api.external.com', path, status: 'ok', servedBy: 'api-external-1', clientIp: `${(conn.remoteAddr >>> 24) & 255}.${(conn.remoteAddr >>> 16) & 255}.${(conn.remoteAddr >>> 8) & 255}.${conn.remoteAddr & 255}` }) + '\n'
        : '{"error":"not found"}\n';
      conn.send(httpResponse(known ? 200 : 404, known ? 'OK' : 'Not Found', [
        ['Server', 'nginx/1.27.3'], ['Date', httpDate(now())], ['Content-Type', 'application/json'],
        ['Content-Length', String(body.length)], ['Connection', 'keep-alive'],
      ], data.method === 'HEAD' ? '' : body));
    },
    onPeerClose(conn) { conn.close(); },
  }), { process: 'nginx' });
}
