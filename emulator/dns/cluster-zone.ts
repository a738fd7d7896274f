/**
 * The `kubernetes` plugin of CoreDNS: answers for `cluster.local` and the reverse zones from the Services and
 * EndpointSlices it watches, per the Kubernetes DNS specification (v1.0.1) with kubeadm's Corefile options
 * (`pods insecure`, `fallthrough in-addr.arpa ip6.arpa`, `ttl 30`).
 *
 * Pure: given a question and a view of the cluster, return the records. The server (coredns.ts) decides what to do
 * with a fall-through (forward upstream) and chases ExternalName targets.
 */
import type { DnsQuestion, DnsRecord, DnsRcodeName } from './message';
import { aRecord, ipFromReverseName, isIPv4, rr } from './message';

export const CLUSTER_DOMAIN = 'cluster.local';
/** kubeadm's Corefile: `ttl 30`. */
export const CLUSTER_TTL = 30;

export interface DnsServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: string;
}

export interface DnsService {
  readonly namespace: string;
  readonly name: string;
  readonly type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  /** `None` for headless Services. */
  readonly clusterIP?: string;
  readonly externalName?: string;
  readonly ports: readonly DnsServicePort[];
}

export interface DnsEndpoint {
  readonly ip: string;
  /** EndpointSlice `hostname` (pod spec.hostname with a matching subdomain), when set. */
  readonly hostname?: string;
  readonly ports: readonly DnsServicePort[];
}

/** What the plugin reads from the API (through its informers). */
export interface ClusterDnsView {
  service(namespace: string, name: string): DnsService | undefined;
  /** Ready endpoints of a Service, in EndpointSlice order. */
  readyEndpoints(namespace: string, name: string): readonly DnsEndpoint[];
  namespaceExists(namespace: string): boolean;
  serviceByClusterIP(ip: string): DnsService | undefined;
  /** The first Service whose ready endpoints include `ip`, with that endpoint. */
  endpointByIP(ip: string): { service: DnsService; endpoint: DnsEndpoint } | undefined;
  /** Unix seconds of the last change the informers saw: the SOA serial. */
  serial(): number;
}

export type ZoneResult =
  /** Authoritative answer (NOERROR with records, NODATA, or NXDOMAIN; SOA in authority when no answer). */
  | { readonly kind: 'answer'; readonly rcode: DnsRcodeName; readonly answer: DnsRecord[]; readonly authority: DnsRecord[]; readonly additional: DnsRecord[] }
  /** ExternalName: the CNAME, whose target the server resolves upstream and appends. */
  | { readonly kind: 'cname'; readonly answer: DnsRecord[]; readonly target: string }
  /** Not ours (or reverse name not found: `fallthrough in-addr.arpa`): forward to the upstream resolvers. */
  | { readonly kind: 'forward' };

export function clusterSoa(serial: number, zone = CLUSTER_DOMAIN, ttl = CLUSTER_TTL): DnsRecord {
  return rr(zone, Math.min(ttl, 300), {
    type: 'SOA', mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl,
  });
}

/** `10.244.1.5` → `10-244-1-5` (CoreDNS's endpoint name when the endpoint has no hostname). */
export function dashedIP(ip: string): string {
  return ip.replace(/\./g, '-');
}

function endpointHost(ep: DnsEndpoint): string {
  return ep.hostname ?? dashedIP(ep.ip);
}

function isHeadless(svc: DnsService): boolean {
  return svc.clusterIP === 'None';
}

export interface ClusterZoneOptions {
  readonly zone?: string;
  readonly ttl?: number;
  /** `kube-dns` ClusterIP, answered for `ns.dns.<zone>`. */
  readonly dnsServiceIP?: string;
}

/** Names derived from the zone, built once per zone (every query used to build them again). */
interface ZoneNames {
  readonly dotZone: string;
  readonly dnsVersion: string;
  readonly nsName: string;
}
const zoneNames = new Map<string, ZoneNames>();

function namesOf(zone: string): ZoneNames {
  let z = zoneNames.get(zone);
  if (z === undefined) {
    z = { dotZone: '.' + zone, dnsVersion: `dns-version.${zone}`, nsName: `ns.dns.${zone}` };
    if (zoneNames.size < 64) zoneNames.set(zone, z);
  }
  return z;
}

function nxdomainOf(view: ClusterDnsView, zone: string, ttl: number): ZoneResult {
  return { kind: 'answer', rcode: 'NXDOMAIN', answer: [], authority: [clusterSoa(view.serial(), zone, ttl)], additional: [] };
}

function nodataOf(view: ClusterDnsView, zone: string, ttl: number): ZoneResult {
  return { kind: 'answer', rcode: 'NOERROR', answer: [], authority: [clusterSoa(view.serial(), zone, ttl)], additional: [] };
}

export function answerClusterQuestion(q: DnsQuestion, view: ClusterDnsView, opts: ClusterZoneOptions = {}): ZoneResult {
  const zone = opts.zone ?? CLUSTER_DOMAIN;
  const ttl = opts.ttl ?? CLUSTER_TTL;
  const qname = q.name; // answers carry the name as asked (case preserved)
  const lower = qname.toLowerCase();

  if (lower.endsWith('.in-addr.arpa')) return reverse(q, view, zone, ttl);
  const zn = namesOf(zone);
  if (lower !== zone && !lower.endsWith(zn.dotZone)) return { kind: 'forward' };

  const nxdomain = (): ZoneResult => nxdomainOf(view, zone, ttl);
  const nodata = (): ZoneResult => nodataOf(view, zone, ttl);
  const records = (answer: DnsRecord[], additional: DnsRecord[] = []): ZoneResult =>
    answer.length === 0 ? nodataOf(view, zone, ttl) : { kind: 'answer', rcode: 'NOERROR', answer, authority: [], additional };

  const labels = lower === zone ? [] : lower.slice(0, -(zone.length + 1)).split('.');
  // The zone apex: SOA/NS as an authoritative server.
  if (labels.length === 0) {
    if (q.type === 'SOA') return records([clusterSoa(view.serial(), zone, ttl)]);
    if (q.type === 'NS') return records([rr(qname, ttl, { type: 'NS', target: zn.nsName })]);
    return nodata();
  }
  if (lower === zn.dnsVersion) {
    return q.type === 'TXT' ? records([rr(qname, ttl, { type: 'TXT', texts: ['1.0.1'] })]) : nodata();
  }
  if (lower === zn.nsName) {
    return q.type === 'A' && opts.dnsServiceIP ? records([aRecord(qname, ttl, opts.dnsServiceIP)]) : nodata();
  }

  const kind = labels[labels.length - 1];
  if (kind === 'pod') return podRecord(q, labels.slice(0, -1), ttl, nxdomain, nodata, records);
  if (kind !== 'svc') return nxdomain();

  // labels before `svc`: [namespace] | [service, namespace] | [endpoint, service, namespace] | [_port, _proto, service, namespace]
  const parts = labels.slice(0, -1);
  if (parts.length === 0) return nodata(); // svc.cluster.local exists as a name
  const namespace = parts[parts.length - 1]!;
  if (parts.length === 1) return view.namespaceExists(namespace) ? nodata() : nxdomain();

  const svcName = parts[parts.length - 2]!;
  const svc = view.service(namespace, svcName);
  if (!svc) return nxdomain();

  if (parts.length === 2) {
    if (svc.type === 'ExternalName') {
      const target = (svc.externalName ?? '').replace(/\.$/, '');
      if (q.type === 'CNAME' || q.type === 'A' || q.type === 'AAAA' || q.type === 'ANY') {
        const cname = rr(qname, ttl, { type: 'CNAME', target });
        return q.type === 'CNAME' ? records([cname]) : { kind: 'cname', answer: [cname], target };
      }
      return nodata();
    }
    if (isHeadless(svc)) {
      const eps = view.readyEndpoints(namespace, svcName);
      if (eps.length === 0) return nxdomain();
      if (q.type === 'A' || q.type === 'ANY') return records(eps.map((ep) => aRecord(qname, ttl, ep.ip)));
      if (q.type === 'SRV') return srvHeadless(qname, `${svcName}.${namespace}.svc.${zone}`, eps, undefined, undefined, ttl, records);
      return nodata();
    }
    if (q.type === 'A' || q.type === 'ANY') {
      return svc.clusterIP && isIPv4(svc.clusterIP) ? records([aRecord(qname, ttl, svc.clusterIP)]) : nodata();
    }
    if (q.type === 'SRV') {
      const svcFqdn = `${svcName}.${namespace}.svc.${zone}`;
      const ports = svc.ports;
      const weight = Math.floor(100 / Math.max(1, ports.length));
      return records(
        ports.map((p) => rr(qname, ttl, { type: 'SRV', priority: 0, weight, port: p.port, target: svcFqdn })),
        svc.clusterIP && isIPv4(svc.clusterIP) ? [aRecord(svcFqdn, ttl, svc.clusterIP)] : [],
      );
    }
    return nodata();
  }
  const svcFqdn = `${svcName}.${namespace}.svc.${zone}`;

  if (parts.length === 3) {
    // <endpoint>.<svc>.<ns>.svc: the endpoint's hostname or dashed IP.
    const host = parts[0]!;
    const ep = view.readyEndpoints(namespace, svcName).find((e) => endpointHost(e).toLowerCase() === host);
    if (!ep) return nxdomain();
    return q.type === 'A' || q.type === 'ANY' ? records([aRecord(qname, ttl, ep.ip)]) : nodata();
  }

  if (parts.length === 4 && parts[0]!.startsWith('_') && parts[1]!.startsWith('_')) {
    const portName = parts[0]!.slice(1);
    const proto = parts[1]!.slice(1);
    const ports = svc.ports.filter((p) => p.name && p.name.toLowerCase() === portName && p.protocol.toLowerCase() === proto);
    if (ports.length === 0) return nxdomain();
    if (q.type !== 'SRV') return nodata();
    if (isHeadless(svc)) return srvHeadless(qname, svcFqdn, view.readyEndpoints(namespace, svcName), portName, proto, ttl, records);
    const weight = Math.floor(100 / ports.length);
    return records(
      ports.map((p) => rr(qname, ttl, { type: 'SRV', priority: 0, weight, port: p.port, target: svcFqdn })),
      svc.clusterIP && isIPv4(svc.clusterIP) ? [aRecord(svcFqdn, ttl, svc.clusterIP)] : [],
    );
  }
  return nxdomain();
}

function srvHeadless(
  qname: string, svcFqdn: string, eps: readonly DnsEndpoint[], portName: string | undefined, proto: string | undefined,
  ttl: number, records: (a: DnsRecord[], b?: DnsRecord[]) => ZoneResult,
): ZoneResult {
  const targets: { ep: DnsEndpoint; port: number }[] = [];
  for (const ep of eps) {
    for (const p of ep.ports) {
      if (portName !== undefined && (p.name ?? '').toLowerCase() !== portName) continue;
      if (proto !== undefined && p.protocol.toLowerCase() !== proto) continue;
      targets.push({ ep, port: p.port });
    }
  }
  const weight = Math.floor(100 / Math.max(1, targets.length));
  const answer: DnsRecord[] = [];
  const additional: DnsRecord[] = [];
  for (const t of targets) {
    const target = `${endpointHost(t.ep)}.${svcFqdn}`;
    answer.push(rr(qname, ttl, { type: 'SRV', priority: 0, weight, port: t.port, target }));
    additional.push(aRecord(target, ttl, t.ep.ip));
  }
  return records(answer, additional);
}

function podRecord(
  q: DnsQuestion, parts: string[], ttl: number,
  nxdomain: () => ZoneResult, nodata: () => ZoneResult, records: (a: DnsRecord[]) => ZoneResult,
): ZoneResult {
  // `pods insecure`: a-b-c-d.<ns>.pod.<zone> answers a.b.c.d without checking that such a pod exists.
  if (parts.length !== 2) return parts.length === 1 ? nodata() : nxdomain();
  const ip = parts[0]!.replace(/-/g, '.');
  if (!isIPv4(ip)) return nxdomain();
  return q.type === 'A' || q.type === 'ANY' ? records([aRecord(q.name, ttl, ip)]) : nodata();
}

function reverse(q: DnsQuestion, view: ClusterDnsView, zone: string, ttl: number): ZoneResult {
  const ip = ipFromReverseName(q.name);
  if (!ip) return { kind: 'forward' };
  const svc = view.serviceByClusterIP(ip);
  let target: string | undefined;
  if (svc) target = `${svc.name}.${svc.namespace}.svc.${zone}`;
  else {
    const hit = view.endpointByIP(ip);
    if (hit) target = `${endpointHost(hit.endpoint)}.${hit.service.name}.${hit.service.namespace}.svc.${zone}`;
  }
  // `fallthrough in-addr.arpa`: addresses the plugin does not know go to the next plugin (forward).
  if (!target) return { kind: 'forward' };
  if (q.type !== 'PTR' && q.type !== 'ANY') {
    return { kind: 'answer', rcode: 'NOERROR', answer: [], authority: [clusterSoa(view.serial(), zone, ttl)], additional: [] };
  }
  return { kind: 'answer', rcode: 'NOERROR', answer: [rr(q.name, ttl, { type: 'PTR', target })], authority: [], additional: [] };
}
