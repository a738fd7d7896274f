/** Helpers for tests and benches: a network on its own scheduler, pods, a tiny HTTP server and client. */
import { Rng } from '../core/rng';
import { Scheduler } from '../core/scheduler';
import { ipv4, type Ipv4 } from './addr';
import { buildNetworkForProfile, type NetworkInstall } from './install';
import type { NetNamespace } from './netns';
import { httpRequest, httpResponse, type HttpResponse } from './packet/http';
import type { TcpError, TcpEvents } from './tcp-socket';

export interface TestNet extends NetworkInstall {
  readonly scheduler: Scheduler;
}

export function testNet(profile: 'local' | 'cloud' = 'local', seed = 7): TestNet {
  const scheduler = new Scheduler();
  const rng = new Rng(seed);
  return { scheduler, ...buildNetworkForProfile({ profile, scheduler, rng }) };
}

export function addPod(t: TestNet, name: string, node: string, ip: string, podCIDR: string): NetNamespace {
  const r = t.cni.addPod({ podKey: `default/${name}`, nodeName: node, podIP: ip, podCIDR, hostname: name });
  return t.network.ns(r.netns)!;
}

/**
 * An HTTP server answering `hello from NAME` and closing after the client does (like Node's http server). Every
 * answer is the same immutable record and every connection the same (stateless) handlers.
 */
export function serveHello(ns: NetNamespace, port: number, name: string, delayMs = 1): void {
  const body = `hello from ${name}\n`;
  const response = httpResponse(200, 'OK', [['Content-Type', 'text/plain'], ['Content-Length', String(body.length)]], body);
  const handlers: TcpEvents = {
    onData(conn) {
      ns.net.scheduler.after(delayMs, () => conn.send(response));
    },
    onPeerClose(conn) {
      conn.close();
    },
  };
  ns.listenTcp(port, () => handlers, { process: 'node' });
}

export interface HttpOutcome {
  response?: HttpResponse;
  error?: TcpError;
  done: boolean;
  connectedAt?: number;
}

/** One HTTP GET on a new connection; the client closes once the response arrives (curl's behaviour). */
export function httpGet(ns: NetNamespace, dst: Ipv4 | string, port: number, reqId = 0): HttpOutcome {
  const out: HttpOutcome = { done: false };
  const target = typeof dst === 'string' ? ipv4(dst) : dst;
  ns.connectTcp({
    dst: target,
    dport: port,
    reqId,
    events: {
      onConnect(conn) {
        out.connectedAt = ns.net.scheduler.now();
        conn.send(httpRequest('GET', '/', [['Host', `${typeof dst === 'string' ? dst : ''}`], ['User-Agent', 'curl/7.88.1'], ['Accept', '*/*']]));
      },
      onData(conn, data) {
        if (data.kind === 'http-response') {
          out.response = data;
          conn.close();
        }
      },
      onClose(_conn, error) {
        if (error) out.error = error;
        out.done = true;
      },
    },
  });
  return out;
}
