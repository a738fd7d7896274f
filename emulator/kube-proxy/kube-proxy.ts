/**
 * kube-proxy in iptables mode, one per node: it watches Services and EndpointSlices and, a short virtual delay
 * after a change (bounded by its minimum sync period), writes the whole ruleset through iptables-restore text
 * into its node's netfilter namespace. It never touches packets (STYLE habit 6): the interpreter does.
 */
import type { Disposable } from '../core/events';
import { Emitter } from '../core/events';
import type { TaskHandle } from '../core/scheduler';
import type { EndpointSlice, KubeObject, Service } from '../api/types';
import type { NetfilterNamespaceImpl } from '../netfilter/namespace';
import { parseIptablesArgs } from '../netfilter/parse';
import { ruleSaveBody } from '../netfilter/render';
import { ip } from '../netfilter/ip';
import { KUBE_PROXY_JUMPS, kubeProxyRules, servicePortsFrom, type ProxyServicePort } from './rules';

/** The part of the API store kube-proxy uses (emulator/api/store.ts ApiStore satisfies it). */
export interface ProxyStore {
  list(resource: 'services' | 'endpointslices'): { items: KubeObject[] };
  watch(resource: 'services' | 'endpointslices', opts: object, handler: (ev: { type: string; object: KubeObject }) => void): Disposable;
}

export interface ProxyScheduler {
  now(): number;
  after(delayMs: number, fn: () => void, opts?: { background?: boolean; label?: string }): TaskHandle;
  cancel(handle: TaskHandle | undefined): void;
}

export interface KubeProxyOptions {
  readonly nodeName: string;
  readonly nodeIPs: readonly string[];
  readonly netfilter: NetfilterNamespaceImpl;
  readonly store: ProxyStore;
  readonly scheduler: ProxyScheduler;
  /** `--cluster-cidr` (ClusterCIDR local-traffic detector). Default 10.244.0.0/16. */
  readonly clusterCIDR?: string;
  /** `--iptables-min-sync-period`, ms. Default 1000. */
  readonly minSyncPeriodMs?: number;
  /**
   * Delay between a change and the sync it triggers, ms. Default 0: like kube-proxy's bounded-frequency runner, a
   * change syncs at once unless the last sync was less than the min sync period ago. (A 500 ms default made a curl
   * typed right after `kubectl rollout status` meet a NodePort with no rules yet.)
   */
  readonly syncDelayMs?: number;
}

export interface SyncResult {
  readonly time: number;
  readonly servicePorts: number;
  /** The iptables-restore input that was applied. */
  readonly restoreText: string;
}

export class KubeProxy {
  readonly nodeName: string;
  readonly #o: KubeProxyOptions;
  #watches: Disposable[] = [];
  #pending: TaskHandle | undefined;
  #lastSync = -Infinity;
  #natChains = new Set<string>();
  #last: SyncResult | undefined;
  #prevUdp = new Map<string, Set<string>>();
  readonly #synced = new Emitter<SyncResult>();
  readonly onSynced = this.#synced.event;

  constructor(opts: KubeProxyOptions) {
    this.nodeName = opts.nodeName;
    this.#o = opts;
  }

  get lastSync(): SyncResult | undefined {
    return this.#last;
  }

  /** Startup: canary chains, conntrack sysctls, the jump rules, the watches, and a first sync. */
  start(): void {
    const nf = this.#o.netfilter;
    // kube-proxy's conntrack defaults: nf_conntrack_tcp_timeout_established 86400, close_wait 3600.
    nf.conntrack.timeouts.tcp.ESTABLISHED = 86400;
    nf.conntrack.timeouts.tcp.CLOSE_WAIT = 3600;
    nf.change((rs) => {
      for (const t of ['mangle', 'nat', 'filter'] as const) {
        if (!rs.table(t).chains.has('KUBE-PROXY-CANARY')) rs.apply(parseIptablesArgs(['-t', t, '-N', 'KUBE-PROXY-CANARY']));
      }
      for (const j of KUBE_PROXY_JUMPS) {
        const table = rs.table(j.table);
        if (!table.chains.has(j.chain)) rs.apply(parseIptablesArgs(['-t', j.table, '-N', j.chain]));
        const args = [...(j.extra ? j.extra.split(' ') : []), '-m', 'comment', '--comment', j.comment, '-j', j.chain];
        const spec = parseIptablesArgs(['-t', j.table, '-A', j.from, ...args]).spec!;
        const want = ruleSaveBody(spec);
        if (!table.chains.get(j.from)!.rules.some((r) => ruleSaveBody(r) === want)) {
          rs.apply(parseIptablesArgs(['-t', j.table, '-I', j.from, '1', ...args]));
        }
      }
    });
    const onChange = () => this.#schedule();
    this.#watches.push(this.#o.store.watch('services', {}, onChange));
    this.#watches.push(this.#o.store.watch('endpointslices', {}, onChange));
    this.#schedule();
  }

  stop(): void {
    for (const w of this.#watches) w.dispose();
    this.#watches = [];
    this.#o.scheduler.cancel(this.#pending);
    this.#pending = undefined;
  }

  #schedule(): void {
    if (this.#pending) return;
    const s = this.#o.scheduler;
    const now = s.now();
    const due = Math.max(now + (this.#o.syncDelayMs ?? 0), this.#lastSync + (this.#o.minSyncPeriodMs ?? 1000));
    this.#pending = s.after(due - now, () => {
      this.#pending = undefined;
      this.syncNow();
    }, { label: `kube-proxy/${this.nodeName}` });
  }

  /** One full syncProxyRules pass. */
  syncNow(): SyncResult {
    const store = this.#o.store;
    const services = store.list('services').items as Service[];
    const slices = store.list('endpointslices').items as EndpointSlice[];
    const ports = servicePortsFrom(services, slices);
    const nf = this.#o.netfilter;
    const existing = [...nf.ruleset.table('nat').chains.keys()];
    const { text, natChains } = kubeProxyRules(ports, {
      nodeName: this.nodeName,
      nodeIPs: this.#o.nodeIPs,
      clusterCIDR: this.#o.clusterCIDR ?? '10.244.0.0/16',
    }, existing);
    nf.restore(text, { noflush: true });
    this.#natChains = new Set(natChains);
    const now = this.#o.scheduler.now();
    this.#lastSync = now;
    this.#clearStaleUdp(ports, now);
    this.#last = { time: now, servicePorts: ports.length, restoreText: text };
    this.#synced.fire(this.#last);
    return this.#last;
  }

  /** kube-proxy deletes UDP conntrack entries that still point at removed endpoints (else DNS would stick). */
  #clearStaleUdp(ports: readonly ProxyServicePort[], now: number): void {
    const current = new Map<string, Set<string>>();
    for (const sp of ports) {
      if (sp.protocol !== 'udp') continue;
      current.set(`${sp.clusterIP}:${sp.port}`, new Set(sp.endpoints.filter((e) => e.ready).map((e) => `${e.ip}:${e.port}`)));
    }
    const ct = this.#o.netfilter.conntrack;
    for (const [vip, before] of this.#prevUdp) {
      const after = current.get(vip) ?? new Set<string>();
      const gone = [...before].filter((e) => !after.has(e));
      if (gone.length === 0) continue;
      const [vipIp, vipPort] = vip.split(':');
      const goneSet = new Set(gone);
      for (const e of ct.list(now)) {
        if (e.proto !== 17 || e.orig.dst !== ip(vipIp!) || e.orig.dport !== Number(vipPort)) continue;
        const target = `${formatIp(e.reply.src)}:${e.reply.sport}`;
        if (goneSet.has(target)) ct.delete(e, now);
      }
    }
    this.#prevUdp = current;
  }
}

function formatIp(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
