/**
 * kube-proxy's service health-check server: for every LoadBalancer Service with `externalTrafficPolicy: Local`,
 * each node's kube-proxy answers HTTP on the Service's `healthCheckNodePort` (`/healthz` or any path) with 200
 * when the node has a ready local endpoint and 503 when it has none. Cloud load balancers health-check that port,
 * so only nodes that run a backend pod receive traffic — and the client's source IP survives (no SNAT hop to
 * another node). Rules do not carry this: it is a listening socket in the node's root namespace, as on Linux
 * (`ss -ltn` on a node shows it).
 */
import type { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';
import type { Disposable } from '../core/events';
import type { Scheduler } from '../core/scheduler';
import type { NetNamespace, TcpListener } from '../net/netns';
import { httpResponse, type HttpRequest as WireRequest } from '../net/packet/http';
import type { TcpConnection } from '../net/tcp-socket';

export interface HealthCheckServerDeps {
  readonly store: ApiStore;
  readonly scheduler: Scheduler;
  readonly nodeName: string;
  readonly ns: NetNamespace;
}

/** Local ready endpoints of a Service on a node, from its EndpointSlices. */
export function localEndpointCount(store: ApiStore, namespace: string, service: string, nodeName: string): number {
  let n = 0;
  for (const s of store.peekList('endpointslices', namespace)) {
    if (s.metadata.labels?.['kubernetes.io/service-name'] !== service) continue;
    for (const ep of (s as KubeObject).endpoints ?? []) if (ep.nodeName === nodeName && ep.conditions?.ready !== false) n += ep.addresses?.length ?? 0;
  }
  return n;
}

/** The JSON body kube-proxy writes (tab-indented, as Go's json.MarshalIndent with "\t"). */
export function healthCheckBody(namespace: string, name: string, localEndpoints: number): string {
  return `{\n\t"service": {\n\t\t"namespace": "${namespace}",\n\t\t"name": "${name}"\n\t},\n\t"localEndpoints": ${localEndpoints},\n\t"serviceProxyHealthy": true\n}`;
}

export class HealthCheckServer implements Disposable {
  /** healthCheckNodePort → `namespace/name`. */
  readonly #ports = new Map<number, { key: string; listener: TcpListener }>();
  readonly #sub: Disposable;

  constructor(private readonly d: HealthCheckServerDeps) {
    this.#sub = d.store.watch('services', {}, () => this.#sync());
    this.#sync();
  }

  dispose(): void {
    this.#sub.dispose();
    for (const p of this.#ports.values()) p.listener.close();
    this.#ports.clear();
  }

  #sync(): void {
    const want = new Map<number, string>();
    for (const svc of this.d.store.peekList('services')) {
      const hc = svc.spec?.healthCheckNodePort;
      if (svc.spec?.type === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local' && hc) want.set(hc, `${svc.metadata.namespace}/${svc.metadata.name}`);
    }
    for (const [port, e] of this.#ports) {
      if (want.get(port) !== e.key) {
        e.listener.close();
        this.#ports.delete(port);
      }
    }
    for (const [port, key] of want) {
      if (this.#ports.has(port) || this.d.ns.tcpListeners.has(port)) continue;
      const listener = this.d.ns.listenTcp(port, () => ({
        onData: (conn: TcpConnection, data: { kind: string }) => {
          if (data.kind === 'http-request') this.#answer(conn, data as WireRequest, key);
        },
        onPeerClose: (conn: TcpConnection) => conn.close(),
      }), { process: 'kube-proxy' });
      this.#ports.set(port, { key, listener });
    }
  }

  #answer(conn: TcpConnection, req: WireRequest, key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const local = localEndpointCount(this.d.store, namespace, name, this.d.nodeName);
    const body = healthCheckBody(namespace, name, local);
    const date = new Date(this.d.scheduler.now()).toUTCString();
    const status = local > 0 ? 200 : 503;
    conn.send(
      httpResponse(status, status === 200 ? 'OK' : 'Service Unavailable', [
        ['Content-Type', 'application/json'],
        ['X-Content-Type-Options', 'nosniff'],
        ['X-Load-Balancing-Endpoint-Weight', String(local)],
        ['Date', date],
        ['Content-Length', String(body.length)],
      ], req.method === 'HEAD' ? '' : body),
    );
  }
}

/** One server per node (next to that node's kube-proxy). */
export function installHealthCheckServers(world: { store: ApiStore; scheduler: Scheduler; topology: { nodeSpecs: readonly { name: string }[] }; network: { ns(id: string): NetNamespace | undefined } }): HealthCheckServer[] {
  const out: HealthCheckServer[] = [];
  for (const spec of world.topology.nodeSpecs) {
    const ns = world.network.ns(`node/${spec.name}`);
    if (ns) out.push(new HealthCheckServer({ store: world.store, scheduler: world.scheduler, nodeName: spec.name, ns }));
  }
  return out;
}
