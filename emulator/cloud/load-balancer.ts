/**
 * The data path of a LoadBalancer Service's load balancer, as an AWS Classic ELB (the in-tree provider's default)
 * or the local tunnel's proxy (cloud-provider-kind runs an Envoy container on the kind network) both behave: a
 * host of its own holding the LB address, one TCP listener per Service port, and for each client connection a new
 * connection from the LB's own address to `nodeIP:nodePort` on a healthy node — a proxy, so the node sees the LB
 * as the source (source NAT), and the trace shows client → LB, then LB → NodePort → KUBE-EXT/SVC → pod under the
 * same request id. Health checks probe every node's NodePort (TCP), or the health-check node port over HTTP with
 * externalTrafficPolicy Local, every 10 s.
 */
import type { Disposable } from '../core/events';
import type { Scheduler, TaskHandle } from '../core/scheduler';
import { formatIpv4, ipv4 } from '../net/addr';
import type { Network } from '../net/network';
import type { NetNamespace, TcpListener } from '../net/netns';
import { httpRequest, type StreamData } from '../net/packet/http';
import type { TcpConnection, TcpError, TcpEvents } from '../net/tcp-socket';
import type { LoadBalancerRecord } from '../controllers/load-balancers';

export interface LbAttachment {
  /** Plug a new LB namespace into the network with `addr` (cloud: a VPC subnet + IGW mapping; local: the kind network). */
  attach(ns: NetNamespace, lb: LoadBalancerRecord): string;
  detach?(ns: NetNamespace, lb: LoadBalancerRecord): void;
}

export interface TargetHealth {
  readonly nodeName: string;
  readonly ip: string;
  healthy: boolean;
  successes: number;
  failures: number;
  lastDetail: string;
}

export const HEALTH_INTERVAL_MS = 10_000;
export const HEALTH_TIMEOUT_MS = 5_000;
const HEALTHY_THRESHOLD = 2;
const UNHEALTHY_THRESHOLD = 2;

interface RunningLb {
  rec: LoadBalancerRecord;
  readonly ns: NetNamespace;
  readonly listeners: TcpListener[];
  readonly health: Map<string, TargetHealth>;
  rr: number;
  timer: TaskHandle | undefined;
  /** Proxied connections (for tests and the inspector). */
  proxied: number;
}

export class LoadBalancerDataPath {
  readonly #lbs = new Map<string, RunningLb>();

  constructor(
    readonly network: Network,
    readonly scheduler: Scheduler,
    readonly attachment: LbAttachment,
    readonly opts: { healthChecks?: boolean } = {},
  ) {}

  get(serviceKey: string): { ns: NetNamespace; health: readonly TargetHealth[]; proxied: number; address: string } | undefined {
    const r = this.#lbs.get(serviceKey);
    return r ? { ns: r.ns, health: [...r.health.values()], proxied: r.proxied, address: formatIpv4(r.ns.primaryAddr() ?? 0) } : undefined;
  }

  /** Create or update the LB for a record (listeners follow the record's ports, targets its nodes). */
  apply(rec: LoadBalancerRecord): void {
    let lb = this.#lbs.get(rec.serviceKey);
    if (!lb) {
      const ns = this.network.createNamespace(`lb/${rec.name}`, `lb-${rec.name.slice(0, 12)}`);
      this.attachment.attach(ns, rec);
      lb = { rec, ns, listeners: [], health: new Map(), rr: 0, timer: undefined, proxied: 0 };
      this.#lbs.set(rec.serviceKey, lb);
    }
    lb.rec = rec;
    for (const l of lb.listeners) l.close();
    lb.listeners.length = 0;
    const running = lb;
    for (const l of rec.listeners) {
      if (l.protocol !== 'TCP' || l.nodePort === undefined) continue;
      const nodePort = l.nodePort;
      running.listeners.push(running.ns.listenTcp(l.port, (client) => this.#proxy(running, client, nodePort), { process: 'elb' }));
    }
    for (const t of rec.targets) {
      if (!lb.health.has(t.nodeName)) lb.health.set(t.nodeName, { nodeName: t.nodeName, ip: t.ip, healthy: true, successes: 0, failures: 0, lastDetail: 'initial' });
    }
    for (const k of [...lb.health.keys()]) if (!rec.targets.some((t) => t.nodeName === k)) lb.health.delete(k);
    if (this.opts.healthChecks !== false && lb.timer === undefined) this.#scheduleChecks(lb, 0);
  }

  remove(serviceKey: string): void {
    const lb = this.#lbs.get(serviceKey);
    if (!lb) return;
    this.scheduler.cancel(lb.timer);
    for (const l of lb.listeners) l.close();
    this.attachment.detach?.(lb.ns, lb.rec);
    this.network.removeNamespace(lb.ns.id);
    this.#lbs.delete(serviceKey);
  }

  /**
   * Pick the next healthy target, round robin (Classic ELB's TCP listeners use least outstanding requests; RR is
   * close enough here): the (rr mod healthy count)-th healthy target in the map's order.
   */
  #pick(lb: RunningLb): TargetHealth | undefined {
    let healthy = 0;
    for (const h of lb.health.values()) if (h.healthy) healthy++;
    if (healthy === 0) return undefined;
    let k = lb.rr % healthy;
    lb.rr++;
    for (const h of lb.health.values()) if (h.healthy && k-- === 0) return h;
    return undefined;
  }

  #proxy(lb: RunningLb, client: TcpConnection, nodePort: number): TcpEvents {
    const target = this.#pick(lb);
    if (!target) {
      // No InService instance: the ELB accepts and closes (clients see an empty reply).
      this.scheduler.after(0, () => client.close());
      return NO_TARGET_EVENTS;
    }
    lb.proxied++;
    const proxy = new ProxiedConnection(client);
    // The backend's callbacks may run inside connectTcp (no route): the proxy knows its backend only after.
    proxy.backend = lb.ns.connectTcp({ dst: ipv4(target.ip), dport: nodePort, reqId: client.reqId, events: proxy });
    return proxy;
  }

  #scheduleChecks(lb: RunningLb, delay: number): void {
    lb.timer = this.scheduler.after(delay, () => {
      if (!this.#lbs.has(lb.rec.serviceKey)) return;
      for (const h of lb.health.values()) this.#check(lb, h);
      this.#scheduleChecks(lb, HEALTH_INTERVAL_MS);
    }, { background: true, label: `elb-health ${lb.rec.name}` });
  }

  #check(lb: RunningLb, h: TargetHealth): void {
    const local = lb.rec.externalTrafficPolicy === 'Local' && lb.rec.healthCheckNodePort !== undefined;
    const port = local ? lb.rec.healthCheckNodePort! : lb.rec.listeners.find((l) => l.nodePort !== undefined)?.nodePort;
    if (port === undefined) return;
    let done = false;
    const result = (ok: boolean, detail: string): void => {
      if (done) return;
      done = true;
      this.scheduler.cancel(timeout);
      h.lastDetail = detail;
      if (ok) { h.successes++; h.failures = 0; if (!h.healthy && h.successes >= HEALTHY_THRESHOLD) h.healthy = true; }
      else { h.failures++; h.successes = 0; if (h.healthy && h.failures >= UNHEALTHY_THRESHOLD) h.healthy = false; }
    };
    const conn = lb.ns.connectTcp({
      dst: ipv4(h.ip), dport: port, reqId: 0,
      events: {
        onConnect: (c) => {
          if (!local) { result(true, `TCP:${port} connected`); c.close(); return; }
          c.send(httpRequest('GET', '/healthz', [['Host', `${h.ip}:${port}`], ['User-Agent', 'ELB-HealthChecker/1.0'], ['Accept', '*/*']]));
        },
        onData: (c, d) => {
          if (d.kind === 'http-response') { result(d.status === 200, `HTTP:${port}/healthz ${d.status}`); c.close(); }
        },
        onPeerClose: (c) => c.close(),
        onClose: (_c, err) => { if (err) result(false, `${local ? 'HTTP' : 'TCP'}:${port} ${err}`); },
      },
    });
    const timeout = this.scheduler.after(HEALTH_TIMEOUT_MS, () => { conn.abort(); result(false, `${local ? 'HTTP' : 'TCP'}:${port} timed out`); }, { background: true, label: 'elb-health-timeout' });
  }

  dispose(): Disposable {
    return { dispose: () => { for (const k of [...this.#lbs.keys()]) this.remove(k); } };
  }
}

const NO_TARGET_EVENTS: TcpEvents = { onPeerClose: () => undefined };

/**
 * One proxied client connection: the client's connection to the LB and the LB's own connection to a node, one
 * object handling the events of both (told apart by which connection calls), so a connection through the LB
 * allocates no closures. Data from the client waits until the backend's handshake is done.
 */
class ProxiedConnection implements TcpEvents {
  backend: TcpConnection | undefined = undefined;
  #backendUp = false;
  #clientClosed = false;
  #pending: StreamData[] | null = null;

  constructor(readonly client: TcpConnection) {}

  onConnect(c: TcpConnection): void {
    if (c === this.client) return; // the client side: nothing to do until it sends
    this.#backendUp = true;
    const pending = this.#pending;
    this.#pending = null;
    if (pending !== null) for (let i = 0; i < pending.length; i++) c.send(pending[i]!);
    if (this.#clientClosed) c.close();
  }

  onData(c: TcpConnection, d: StreamData): void {
    if (c !== this.client) this.client.send(d);
    else if (this.#backendUp) this.backend!.send(d);
    else (this.#pending ??= []).push(d);
  }

  onPeerClose(c: TcpConnection): void {
    if (c !== this.client) {
      this.client.close();
      c.close();
      return;
    }
    this.#clientClosed = true;
    if (this.#backendUp) this.backend!.close();
    c.close();
  }

  onClose(c: TcpConnection, err?: TcpError): void {
    if (!err) return;
    if (c !== this.client) this.client.abort();
    else this.backend?.abort();
  }
}
