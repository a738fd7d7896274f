/**
 * CoreDNS's informers: watches Services, EndpointSlices and Namespaces and keeps the indexes the kubernetes
 * plugin reads on every query (by name, by ClusterIP, by endpoint IP). Like real informers it sees changes
 * shortly after the API server commits them (watch events arrive on the next scheduler turn).
 */
import type { ApiStore } from '../api/store';
import type { EndpointSlice, KubeObject, Service } from '../api/types';
import type { Disposable } from '../core/events';
import type { ClusterDnsView, DnsEndpoint, DnsService, DnsServicePort } from './cluster-zone';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export class StoreDnsView implements ClusterDnsView {
  readonly #services = new Map<string, DnsService>();
  /** namespace → name → Service: the per-query lookup reads the two labels as they are (no key built per query), and a namespace's map says whether it holds any Service. */
  readonly #byNamespace = new Map<string, Map<string, DnsService>>();
  readonly #byClusterIP = new Map<string, DnsService>();
  /** service key → slice name → endpoints */
  readonly #slices = new Map<string, Map<string, DnsEndpoint[]>>();
  readonly #namespaces = new Set<string>();
  readonly #subs: Disposable[] = [];
  readonly #now: () => number;
  #serial: number;
  #endpointIndex: Map<string, { service: DnsService; endpoint: DnsEndpoint }> | undefined;

  constructor(store: ApiStore, now: () => number) {
    this.#now = now;
    this.#serial = Math.floor(now() / 1000);
    // Prime synchronously from the cache (an informer's initial LIST), then follow the watch.
    for (const o of store.peekList<Service>('services')) this.#onService('ADDED', o);
    for (const o of store.peekList<EndpointSlice>('endpointslices')) this.#onSlice('ADDED', o);
    for (const o of store.peekList('namespaces')) this.#namespaces.add(o.metadata.name!);
    const rv = store.resourceVersion;
    this.#subs.push(store.watch('services', { resourceVersion: rv }, (ev) => this.#onService(ev.type, ev.object as Service)));
    this.#subs.push(store.watch('endpointslices', { resourceVersion: rv }, (ev) => this.#onSlice(ev.type, ev.object as EndpointSlice)));
    this.#subs.push(store.watch('namespaces', { resourceVersion: rv }, (ev) => {
      if (ev.type === 'DELETED') this.#namespaces.delete(ev.object.metadata.name!);
      else this.#namespaces.add(ev.object.metadata.name!);
    }));
  }

  dispose(): void {
    for (const s of this.#subs) s.dispose();
  }

  #touch(): void {
    this.#serial = Math.floor(this.#now() / 1000);
    this.#endpointIndex = undefined;
  }

  #onService(type: string, o: Service): void {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    const old = this.#services.get(key);
    if (old?.clusterIP && this.#byClusterIP.get(old.clusterIP) === old) this.#byClusterIP.delete(old.clusterIP);
    const namespace = o.metadata.namespace!;
    if (type === 'DELETED') {
      this.#services.delete(key);
      const names = this.#byNamespace.get(namespace);
      names?.delete(o.metadata.name!);
      if (names?.size === 0) this.#byNamespace.delete(namespace);
    } else {
      const svc: DnsService = {
        namespace: o.metadata.namespace!, name: o.metadata.name!, type: o.spec.type ?? 'ClusterIP',
        clusterIP: o.spec.clusterIP, externalName: o.spec.externalName,
        ports: (o.spec.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })),
      };
      this.#services.set(key, svc);
      let names = this.#byNamespace.get(namespace);
      if (!names) this.#byNamespace.set(namespace, (names = new Map()));
      names.set(svc.name, svc);
      if (svc.clusterIP && svc.clusterIP !== 'None') this.#byClusterIP.set(svc.clusterIP, svc);
    }
    this.#touch();
  }

  #onSlice(type: string, o: EndpointSlice): void {
    const svcName = o.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svcName || o.addressType !== 'IPv4') return;
    const key = `${o.metadata.namespace}/${svcName}`;
    let slices = this.#slices.get(key);
    if (type === 'DELETED') {
      slices?.delete(o.metadata.name!);
    } else {
      if (!slices) this.#slices.set(key, (slices = new Map()));
      const ports: DnsServicePort[] = (o.ports ?? []).map((p) => ({ name: p.name || undefined, port: p.port, protocol: p.protocol ?? 'TCP' }));
      const eps: DnsEndpoint[] = [];
      for (const e of o.endpoints ?? []) {
        // ready: nil means ready (EndpointSlice API semantics).
        if (e.conditions?.ready === false) continue;
        const hostname = (e as { hostname?: string }).hostname;
        for (const ip of e.addresses) eps.push(hostname ? { ip, hostname, ports } : { ip, ports });
      }
      slices.set(o.metadata.name!, eps);
    }
    this.#touch();
  }

  service(namespace: string, name: string): DnsService | undefined {
    return this.#byNamespace.get(namespace)?.get(name);
  }

  readyEndpoints(namespace: string, name: string): readonly DnsEndpoint[] {
    const slices = this.#slices.get(`${namespace}/${name}`);
    if (!slices) return [];
    if (slices.size === 1) return slices.values().next().value!;
    return [...slices.keys()].sort().flatMap((k) => slices.get(k)!);
  }

  namespaceExists(namespace: string): boolean {
    // A Service's namespace exists as a name even before the informer saw the Namespace (no scan of every Service).
    return this.#namespaces.has(namespace) || this.#byNamespace.has(namespace);
  }

  serviceByClusterIP(ip: string): DnsService | undefined {
    return this.#byClusterIP.get(ip);
  }

  endpointByIP(ip: string): { service: DnsService; endpoint: DnsEndpoint } | undefined {
    if (!this.#endpointIndex) {
      const idx = new Map<string, { service: DnsService; endpoint: DnsEndpoint }>();
      for (const key of [...this.#slices.keys()].sort()) {
        const svc = this.#services.get(key);
        if (!svc) continue;
        const [ns, name] = key.split('/') as [string, string];
        for (const ep of this.readyEndpoints(ns, name)) if (!idx.has(ep.ip)) idx.set(ep.ip, { service: svc, endpoint: ep });
      }
      this.#endpointIndex = idx;
    }
    return this.#endpointIndex.get(ip);
  }

  serial(): number {
    return this.#serial;
  }
}

export type { KubeObject };
