/** Builders for Services and EndpointSlices as the API server stores them (tests, benches, the kernel suite). */
import type { EndpointSlice, KubeObject, Service } from '../api/types';
import type { Disposable } from '../core/events';
import type { ProxyStore } from './kube-proxy';

export interface SvcSpec {
  namespace?: string;
  name: string;
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  clusterIP: string;
  ports: { name?: string; port: number; targetPort: number; protocol?: 'TCP' | 'UDP'; nodePort?: number }[];
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  sessionAffinity?: 'ClientIP' | 'None';
  affinitySeconds?: number;
  healthCheckNodePort?: number;
  externalIPs?: string[];
  lbIPs?: string[];
  loadBalancerSourceRanges?: string[];
  endpoints?: { ip: string; nodeName?: string; ready?: boolean; serving?: boolean; terminating?: boolean }[];
}

export function service(s: SvcSpec): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.name, namespace: s.namespace ?? 'default' },
    spec: {
      type: s.type ?? 'ClusterIP',
      clusterIP: s.clusterIP,
      clusterIPs: [s.clusterIP],
      ports: s.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}), port: p.port, targetPort: p.targetPort, protocol: p.protocol ?? 'TCP',
        ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      })),
      ...(s.externalTrafficPolicy ? { externalTrafficPolicy: s.externalTrafficPolicy } : {}),
      internalTrafficPolicy: s.internalTrafficPolicy ?? 'Cluster',
      sessionAffinity: s.sessionAffinity ?? 'None',
      ...(s.sessionAffinity === 'ClientIP' ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: s.affinitySeconds ?? 10800 } } } : {}),
      ...(s.healthCheckNodePort ? { healthCheckNodePort: s.healthCheckNodePort } : {}),
      ...(s.externalIPs ? { externalIPs: s.externalIPs } : {}),
      ...(s.loadBalancerSourceRanges ? { loadBalancerSourceRanges: s.loadBalancerSourceRanges } : {}),
    },
    ...(s.lbIPs ? { status: { loadBalancer: { ingress: s.lbIPs.map((ip) => ({ ip, ipMode: 'VIP' })) } } } : {}),
  };
}

export function endpointSlice(s: SvcSpec): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${s.name}-abcde`,
      namespace: s.namespace ?? 'default',
      labels: { 'kubernetes.io/service-name': s.name, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    },
    addressType: 'IPv4',
    endpoints: (s.endpoints ?? []).map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    })),
    ports: s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.targetPort, protocol: p.protocol ?? 'TCP' })),
  };
}

/** An in-memory store with list + watch, for kube-proxy tests without the API server. */
export class FakeProxyStore implements ProxyStore {
  readonly objects = { services: new Map<string, KubeObject>(), endpointslices: new Map<string, KubeObject>() };
  readonly #handlers = { services: new Set<(ev: { type: string; object: KubeObject }) => void>(), endpointslices: new Set<(ev: { type: string; object: KubeObject }) => void>() };

  list(resource: 'services' | 'endpointslices'): { items: KubeObject[] } {
    return { items: [...this.objects[resource].values()] };
  }
  watch(resource: 'services' | 'endpointslices', _opts: object, handler: (ev: { type: string; object: KubeObject }) => void): Disposable {
    this.#handlers[resource].add(handler);
    return { dispose: () => this.#handlers[resource].delete(handler) };
  }
  put(resource: 'services' | 'endpointslices', o: KubeObject): void {
    const key = `${o.metadata.namespace}/${o.metadata.name}`;
    const type = this.objects[resource].has(key) ? 'MODIFIED' : 'ADDED';
    this.objects[resource].set(key, o);
    for (const h of this.#handlers[resource]) h({ type, object: o });
  }
  remove(resource: 'services' | 'endpointslices', namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const o = this.objects[resource].get(key);
    if (!o) return;
    this.objects[resource].delete(key);
    for (const h of this.#handlers[resource]) h({ type: 'DELETED', object: o });
  }
  /** Service plus its EndpointSlice. */
  add(s: SvcSpec): void {
    this.put('services', service(s));
    this.put('endpointslices', endpointSlice(s));
  }
}
