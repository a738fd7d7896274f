/**
 * Containers on the network: when the container runtime starts a container whose image serves HTTP, listen on
 * its TCP ports in the pod's network namespace and hand each request record to the image's pure handler; when
 * it is CoreDNS, serve DNS on UDP 53. Stopping the container closes the listeners, so a connection to the old
 * port gets an RST (Connection refused) — and deleting the pod removes the netns altogether.
 *
 * Outbound calls of an app (currency-conversion → currency-exchange) go through `httpFetch` from the pod's
 * namespace: a DNS lookup via the pod's resolv.conf, then TCP through kube-proxy's DNAT, all traced under the
 * request that caused them.
 */
import type { Disposable } from '../core/events';
import type { Rng } from '../core/rng';
import type { Scheduler } from '../core/scheduler';
import type { HttpRequest as AppRequest, HttpResponse as AppResponse, Outbound } from '../apps/types';
import { REASONS } from '../apps/types';
import type { RunningContainer, RuntimeChange } from '../apps/runtime';
import { formatIpv4 } from '../net/addr';
import type { Network } from '../net/network';
import type { NetNamespace, TcpListener } from '../net/netns';
import type { HttpRequest as WireRequest } from '../net/packet/http';
import { httpResponse } from '../net/packet/http';
import type { TcpConnection } from '../net/tcp-socket';
import type { ResolverHost } from '../dns/resolver';
import { parseHostsFile, parseResolvConf } from '../dns/resolver';
import type { DnsServerHandle } from '../dns/udp';
import { httpFetch, parseUrl } from './http-client';

/** What the servers need from the container runtime (emulator/apps/runtime.ts). */
export interface RuntimeLike {
  readonly onChange: (listener: (c: RuntimeChange) => void) => Disposable;
  containersOf(podKey: string): RunningContainer[];
  readonly logs: { append(podKey: string, container: string, text: string, t: number): void };
}

export interface WorkloadServerDeps {
  readonly network: Network;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly runtime: RuntimeLike;
  /** The resolver files of a pod (its /etc/resolv.conf and /etc/hosts). */
  readonly podResolver: (podKey: string, podIP: string, podName: string) => ResolverHost;
  /** Start CoreDNS in a pod namespace (dns/coredns-pod.ts); absent = CoreDNS images serve nothing. */
  readonly startCoreDns?: (ns: NetNamespace, c: RunningContainer) => DnsServerHandle;
  /** Processing time of one request in an app (virtual ms). */
  readonly serviceTimeMs?: number;
}

export function podNetnsId(podKey: string): string {
  return `pod/${podKey}`;
}

const COREDNS_REPO = 'registry.k8s.io/coredns/coredns';

export class WorkloadServers {
  readonly #d: WorkloadServerDeps;
  readonly #running = new Map<string, { listeners: TcpListener[]; dns?: DnsServerHandle; ns: NetNamespace }>();
  readonly #sub: Disposable;
  /** Requests served, for tests and the bench. */
  served = 0;

  constructor(deps: WorkloadServerDeps) {
    this.#d = deps;
    this.#sub = deps.runtime.onChange((ch) => (ch.type === 'started' ? this.#start(ch.container) : this.#stop(ch.container)));
  }

  dispose(): void {
    this.#sub.dispose();
    for (const key of [...this.#running.keys()]) this.#stopKey(key);
  }

  /** Containers already running when the servers were installed. */
  adopt(containers: Iterable<RunningContainer>): void {
    for (const c of containers) this.#start(c);
  }

  #key(c: RunningContainer): string {
    return `${c.podKey}/${c.name}`;
  }

  #start(c: RunningContainer): void {
    const key = this.#key(c);
    if (this.#running.has(key)) return;
    const nsId = c.hostNetwork ? `node/${c.pod.nodeName}` : podNetnsId(c.podKey);
    const ns = this.#d.network.ns(nsId);
    if (!ns) return;
    const entry: { listeners: TcpListener[]; dns?: DnsServerHandle; ns: NetNamespace } = { listeners: [], ns };
    if (c.image.repository === COREDNS_REPO && this.#d.startCoreDns) {
      entry.dns = this.#d.startCoreDns(ns, c);
    }
    if (c.image.serveHttp) {
      for (const p of c.ports) {
        if (p.protocol !== 'TCP' || ns.tcpListeners.has(p.containerPort)) continue;
        entry.listeners.push(ns.listenTcp(p.containerPort, (conn) => this.#connection(c, conn, ns), { process: c.image.entrypoint[0]?.replace(/^.*\//, '') ?? c.name }));
      }
    }
    this.#running.set(key, entry);
  }

  #stop(c: RunningContainer): void {
    this.#stopKey(this.#key(c));
  }

  #stopKey(key: string): void {
    const e = this.#running.get(key);
    if (!e) return;
    for (const l of e.listeners) l.close();
    e.dns?.stop();
    this.#running.delete(key);
  }

  #connection(c: RunningContainer, conn: TcpConnection, ns: NetNamespace) {
    return {
      onData: (cn: TcpConnection, data: { kind: string }) => {
        if (data.kind !== 'http-request') return;
        const req = data as WireRequest;
        const headers: Record<string, string> = {};
        for (const [k, v] of req.headers) headers[k.toLowerCase()] = v;
        const appReq: AppRequest = {
          method: req.method, path: req.target, headers, body: req.body, httpVersion: req.version,
          remoteAddr: formatIpv4(cn.remoteAddr),
        };
        this.served++;
        const ctx = {
          pod: c.pod,
          argv: c.argv,
          now: this.#d.scheduler.now(),
          log: (line: string) => this.#d.runtime.logs.append(c.podKey, c.name, line, this.#d.scheduler.now()),
        };
        const outbound = this.#outbound(c, ns, cn.reqId);
        let result: AppResponse | Promise<AppResponse>;
        try {
          result = c.image.serveHttp!(appReq, ctx, outbound);
        } catch {
          result = { status: 500, headers: {}, body: '' };
        }
        const send = (r: AppResponse): void => {
          const reply = (): void => {
            if (cn.state !== 'ESTAB' && cn.state !== 'CLOSE-WAIT') return;
            const hdrs = Object.entries(r.headers) as [string, string][];
            cn.send(httpResponse(r.status, r.reason ?? REASONS[r.status] ?? '', hdrs, req.method === 'HEAD' ? '' : r.body));
          };
          const delay = this.#d.serviceTimeMs ?? 0;
          if (delay > 0) this.#d.scheduler.after(delay, reply, { label: 'app-response' });
          else reply();
        };
        if (result instanceof Promise) result.then(send, () => send({ status: 500, headers: {}, body: '' }));
        else send(result);
      },
      onPeerClose: (cn: TcpConnection) => cn.close(),
    };
  }

  #outbound(c: RunningContainer, ns: NetNamespace, reqId: number): Outbound {
    const d = this.#d;
    return {
      httpGet: (url: string, headers?: Record<string, string>) => new Promise<AppResponse>((resolve, reject) => {
        const u = parseUrl(url);
        if (!u) { reject(new Error(`URI is not absolute`)); return; }
        const resolver = d.podResolver(c.podKey, c.pod.podIP, c.pod.name);
        httpFetch({ ns, resolver }, { scheduler: d.scheduler, rng: d.rng }, {
          method: 'GET', url: u, headers: Object.entries(headers ?? {}), userAgent: 'Java-http-client/17.0.11', reqId,
          connectTimeoutMs: 10_000, maxTimeMs: 60_000,
        }, (o) => {
          if (o.kind === 'response') {
            const h: Record<string, string> = {};
            for (const [k, v] of o.response.headers) h[k] = v;
            resolve({ status: o.response.status, reason: o.response.reason, headers: h, body: o.response.body });
            return;
          }
          const why = o.kind === 'resolve-failed' ? `${u.host}: Name or service not known`
            : o.kind === 'connect-failed' ? (o.error === 'ECONNREFUSED' ? 'Connection refused' : o.error === 'EHOSTUNREACH' ? 'No route to host' : 'Connect timed out')
              : o.kind === 'connect-timeout' ? 'Connect timed out' : 'Read timed out';
          reject(new Error(why));
        });
      }),
    };
  }
}

/** A pod's resolver files as the kubelet writes them (ClusterFirst). */
export function clusterFirstResolver(namespace: string, dnsIP: string, extraSearch: readonly string[], podIP: string, podName: string): ResolverHost {
  return {
    resolvConf: parseResolvConf(podResolvConf(namespace, dnsIP, extraSearch)),
    hosts: parseHostsFile(podHostsFile(podIP, podName)),
  };
}

/** `/etc/resolv.conf` of a pod with dnsPolicy ClusterFirst (kubelet's order: search, nameserver, options). */
export function podResolvConf(namespace: string, dnsIP = '10.96.0.10', extraSearch: readonly string[] = [], domain = 'cluster.local'): string {
  const search = [`${namespace}.svc.${domain}`, `svc.${domain}`, domain, ...extraSearch];
  return `search ${search.join(' ')}\nnameserver ${dnsIP}\noptions ndots:5\n`;
}

/** The kubelet-managed `/etc/hosts` of a pod. */
export function podHostsFile(podIP: string, hostname: string, fqdn?: string): string {
  return '# Kubernetes-managed hosts file.\n' +
    '127.0.0.1\tlocalhost\n' +
    '::1\tlocalhost ip6-localhost ip6-loopback\n' +
    'fe00::0\tip6-localnet\n' +
    'fe00::0\tip6-mcastprefix\n' +
    'fe00::1\tip6-allnodes\n' +
    'fe00::2\tip6-allrouters\n' +
    `${podIP}\t${fqdn ? `${fqdn}\t` : ''}${hostname}\n`;
}
