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
  | { readonly kind: 'answer'; readonly rcode: DnsRcodeName; readonly answer: readonly DnsRecord[]; readonly authority: readonly DnsRecord[]; readonly additional: readonly DnsRecord[] }
  /** ExternalName: the CNAME, whose target the server resolves upstream and appends. */
  | { readonly kind: 'cname'; readonly answer: readonly DnsRecord[]; readonly target: string }
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

/**
 * What every query of one server reads: the view, the zone with the names derived from it, the TTL. A server builds
 * it once (`clusterZone`) and passes it to `answerInZone`, instead of each query building names and options again.
 */
export interface ClusterZone {
  readonly view: ClusterDnsView;
  readonly zone: string;
  readonly ttl: number;
  readonly dnsServiceIP: string | undefined;
  readonly dotZone: string;
  readonly dnsVersion: string;
  readonly nsName: string;
  /** Whether a name can end both in the zone and in `.in-addr.arpa` (only for zones like `arpa`): see `answerInZone`. */
  readonly overlapsReverse: boolean;
  /** The zone is written in lower-case ASCII (what `readQuestionName` needs to take a lower-case name as it is). */
  readonly lowerAsciiZone: boolean;
  /** Question names read against this zone, by the name as asked (`readQuestionName`). */
  readonly names: Map<string, QuestionName>;
}

const REVERSE_SUFFIX = '.in-addr.arpa';

export function clusterZone(view: ClusterDnsView, opts: ClusterZoneOptions = {}): ClusterZone {
  const zone = opts.zone ?? CLUSTER_DOMAIN;
  return {
    view, zone, ttl: opts.ttl ?? CLUSTER_TTL, dnsServiceIP: opts.dnsServiceIP,
    dotZone: '.' + zone, dnsVersion: `dns-version.${zone}`, nsName: `ns.dns.${zone}`,
    overlapsReverse: REVERSE_SUFFIX.endsWith('.' + zone) || ('.' + zone).endsWith(REVERSE_SUFFIX),
    lowerAsciiZone: !MAYBE_UPPER.test(zone),
    names: new Map(),
  };
}

/** Records of an answer are never mutated (replies copy before changing TTLs), so empty lists can be shared. */
const NO_RECORDS: readonly DnsRecord[] = Object.freeze([]);
const FORWARD: ZoneResult = Object.freeze({ kind: 'forward' });

/**
 * The SOA of the last serial asked for, with the NODATA and NXDOMAIN results that carry it: every negative answer
 * between two changes of the view is the same (results and their lists are never mutated, so they are shared).
 */
interface NegativeAnswers {
  readonly serial: number;
  readonly zone: string;
  readonly ttl: number;
  readonly soa: DnsRecord;
  readonly nodata: ZoneResult;
  readonly nxdomain: ZoneResult;
}
let lastNegative: NegativeAnswers | undefined;

function negativeAnswers(z: ClusterZone): NegativeAnswers {
  const serial = z.view.serial();
  const last = lastNegative;
  if (last !== undefined && last.serial === serial && last.zone === z.zone && last.ttl === z.ttl) return last;
  const soa = clusterSoa(serial, z.zone, z.ttl);
  // Not frozen (like an answer's list, it is never mutated): the reply's wire length reads each section's records
  // by index at one site, and V8's optimized code does not inline an element load from a frozen array (Node 20: a
  // keyed-load stub call, about 90 instructions, for the SOA of every NODATA reply, with both kinds at that site).
  const authority: readonly DnsRecord[] = [soa];
  lastNegative = {
    serial, zone: z.zone, ttl: z.ttl, soa,
    nodata: Object.freeze({ kind: 'answer', rcode: 'NOERROR', answer: NO_RECORDS, authority, additional: NO_RECORDS }),
    nxdomain: Object.freeze({ kind: 'answer', rcode: 'NXDOMAIN', answer: NO_RECORDS, authority, additional: NO_RECORDS }),
  };
  return lastNegative;
}

function nxdomain(z: ClusterZone): ZoneResult {
  return negativeAnswers(z).nxdomain;
}

function nodata(z: ClusterZone): ZoneResult {
  return negativeAnswers(z).nodata;
}

function records(z: ClusterZone, answer: readonly DnsRecord[], additional: readonly DnsRecord[] = NO_RECORDS): ZoneResult {
  return answer.length === 0 ? nodata(z) : { kind: 'answer', rcode: 'NOERROR', answer, authority: NO_RECORDS, additional };
}

export function answerClusterQuestion(q: DnsQuestion, view: ClusterDnsView, opts: ClusterZoneOptions = {}): ZoneResult {
  return answerInZone(q, clusterZone(view, opts));
}

/**
 * A question name read against a zone: its lower-case form, whether it is under the zone, and its labels before the
 * zone found in one backward pass (no array of labels, no native search per label): `kind` is the last of them,
 * `nparts` counts the labels before it; the dots that end the three labels before `kind` (namespace, service, and
 * the one before) and the first two labels are kept (-1: no such dot), and for the `svc` kind the namespace and
 * service labels are cut.
 *
 * The record depends on the name's characters and the zone only, never on the view, so each zone keeps the names it
 * read (`ClusterZone.names`, by the name as asked): clients ask the same few names again and again (a stub resolver
 * builds one question string per name it looks up, resolver.ts), and a name read before is found by its string
 * (whose hash is then computed already) instead of being read again: the suffix test, the pass over its labels, and
 * the namespace and service labels cut as new strings, which the view's maps then hashed character by character.
 * On the HTTP bench (a cycle through 999 names) that was about 1,900 instructions per lookup. The last name read is
 * also kept (one record): a stub resolver asks A and AAAA for the same name back to back (glibc's parallel queries),
 * so the second question needs no table lookup.
 */
class QuestionName {
  constructor(
    readonly name: string,
    readonly dotZone: string,
    readonly lower: string,
    readonly underZone: boolean,
    readonly kind: number,
    readonly nparts: number,
    readonly firstDot: number,
    readonly secondDot: number,
    /** `svc` kind: the namespace label (nparts ≥ 1) and the service label (nparts ≥ 2), else ''. */
    readonly namespace: string,
    readonly svcName: string,
  ) {}
}

const KIND_OTHER = 0;
const KIND_SVC = 1;
const KIND_POD = 2;

let lastQuestion = new QuestionName('', '', '', false, KIND_OTHER, 0, -1, -1, '', '');

/** Names a zone keeps read (`ClusterZone.names`); a full table starts over. */
const MAX_QUESTION_NAMES = 4096;

/** A character `toLowerCase` may change: A-Z, or any beyond ASCII. */
const MAYBE_UPPER = /[A-Z\u0080-\uffff]/;

function readQuestionName(qname: string, z: ClusterZone): QuestionName {
  const last = lastQuestion;
  if (last.name === qname && last.dotZone === z.dotZone) return last;
  const names = z.names;
  let n = names.get(qname);
  if (n === undefined) {
    if (names.size >= MAX_QUESTION_NAMES) names.clear();
    names.set(qname, (n = readName(qname, z)));
  }
  return (lastQuestion = n);
}

/** `readQuestionName` of a name not read before. */
function readName(qname: string, z: ClusterZone): QuestionName {
  // A stub resolver asks in lower case. When the name ends with a lower-case ASCII zone as asked, the pass over its
  // labels before the zone (which reads their characters anyway) also looks for a character lower-casing changes:
  // without one the name is its own lower-case form, and the regular expression test (about 550 instructions for a
  // Service's name) is not needed.
  if (z.lowerAsciiZone && qname.endsWith(z.dotZone)) {
    const n = readUnderZone(qname, qname, z, true);
    if (n !== null) return n;
  }
  // Otherwise one regular expression test for a character that lower-casing changes (A-Z, or anything beyond ASCII)
  // costs less than the runtime call of `toLowerCase` (which also allocates a copy before finding nothing to change).
  const lower = MAYBE_UPPER.test(qname) ? qname.toLowerCase() : qname;
  return lower.endsWith(z.dotZone)
    ? readUnderZone(qname, lower, z, false)!
    : new QuestionName(qname, z.dotZone, lower, false, KIND_OTHER, 0, -1, -1, '', '');
}

/**
 * `readQuestionName` for a name under the zone (`lower` ends with its dot and the zone). `asAsked`: `lower` is the
 * name as asked, not yet known to be lower-case; null when one of the labels before the zone has a character that
 * lower-casing changes.
 */
function readUnderZone(qname: string, lower: string, z: ClusterZone, asAsked: boolean): QuestionName | null {
  let nparts = 0, kindDot = -1, nsDot = -1, svcDot = -1, firstDot = -1, secondDot = -1;
  let kind = KIND_OTHER, namespace = '', svcName = '';
  const rest = lower.length - z.zone.length - 1; // the dot before the zone
  for (let i = rest - 1; i >= 0; i--) {
    const c = lower.charCodeAt(i);
    if (c !== 46) {
      if (asAsked && ((c >= 65 && c <= 90) || c > 127)) return null;
      continue;
    }
    if (nparts === 0) kindDot = i;
    else if (nparts === 1) nsDot = i;
    else if (nparts === 2) svcDot = i;
    secondDot = firstDot;
    firstDot = i;
    nparts++;
  }
  const kindAt = kindDot + 1;
  // The kind label compared in place (no string cut for it).
  if (rest - kindAt === 3) {
    if (lower.startsWith('pod', kindAt)) kind = KIND_POD;
    else if (lower.startsWith('svc', kindAt)) {
      kind = KIND_SVC;
      const nsAt = nsDot + 1;
      if (nparts >= 1) namespace = lower.slice(nsAt, kindAt - 1);
      if (nparts >= 2) svcName = lower.slice(svcDot + 1, nsAt - 1);
    }
  }
  return new QuestionName(qname, z.dotZone, lower, true, kind, nparts, firstDot, secondDot, namespace, svcName);
}

/** `answerClusterQuestion` for a zone built once by its server. */
export function answerInZone(q: DnsQuestion, z: ClusterZone): ZoneResult {
  const { view, zone, ttl } = z;
  const qname = q.name; // answers carry the name as asked (case preserved)
  const n = readQuestionName(qname, z);
  const lower = n.lower;

  // Reverse names first, as the plugin matches its zones; a name under the cluster zone is not one (unless the two
  // zones overlap), so the common query makes one suffix test, not two.
  const underZone = n.underZone;
  if ((!underZone || z.overlapsReverse) && lower.endsWith(REVERSE_SUFFIX)) return reverse(q, z);
  if (lower !== zone && !underZone) return FORWARD;

  // The zone apex: SOA/NS as an authoritative server.
  if (lower === zone) {
    if (q.type === 'SOA') return records(z, [negativeAnswers(z).soa]);
    if (q.type === 'NS') return records(z, [rr(qname, ttl, { type: 'NS', target: z.nsName })]);
    return nodata(z);
  }
  if (lower === z.dnsVersion) {
    return q.type === 'TXT' ? records(z, [rr(qname, ttl, { type: 'TXT', texts: ['1.0.1'] })]) : nodata(z);
  }
  if (lower === z.nsName) {
    return q.type === 'A' && z.dnsServiceIP ? records(z, [aRecord(qname, ttl, z.dnsServiceIP)]) : nodata(z);
  }

  const nparts = n.nparts, firstDot = n.firstDot, secondDot = n.secondDot;
  if (n.kind === KIND_POD) return podRecord(q, z, nparts, nparts > 0 ? lower.slice(0, firstDot) : '');
  if (n.kind !== KIND_SVC) return nxdomain(z);

  // parts: [namespace] | [service, namespace] | [endpoint, service, namespace] | [_port, _proto, service, namespace]
  if (nparts === 0) return nodata(z); // svc.cluster.local exists as a name
  const namespace = n.namespace;
  if (nparts === 1) return view.namespaceExists(namespace) ? nodata(z) : nxdomain(z);

  const svcName = n.svcName;
  const svc = view.service(namespace, svcName);
  if (!svc) return nxdomain(z);

  if (nparts === 2) {
    if (svc.type === 'ExternalName') {
      const target = (svc.externalName ?? '').replace(/\.$/, '');
      if (q.type === 'CNAME' || q.type === 'A' || q.type === 'AAAA' || q.type === 'ANY') {
        const cname = rr(qname, ttl, { type: 'CNAME', target });
        return q.type === 'CNAME' ? records(z, [cname]) : { kind: 'cname', answer: [cname], target };
      }
      return nodata(z);
    }
    if (isHeadless(svc)) {
      const eps = view.readyEndpoints(namespace, svcName);
      if (eps.length === 0) return nxdomain(z);
      if (q.type === 'A' || q.type === 'ANY') return records(z, eps.map((ep) => aRecord(qname, ttl, ep.ip)));
      if (q.type === 'SRV') return srvHeadless(z, qname, `${svcName}.${namespace}.svc.${zone}`, eps, undefined, undefined);
      return nodata(z);
    }
    if (q.type === 'A' || q.type === 'ANY') {
      return svc.clusterIP && isIPv4(svc.clusterIP) ? records(z, [aRecord(qname, ttl, svc.clusterIP)]) : nodata(z);
    }
    if (q.type === 'SRV') {
      const svcFqdn = `${svcName}.${namespace}.svc.${zone}`;
      const ports = svc.ports;
      const weight = Math.floor(100 / Math.max(1, ports.length));
      return records(z,
        ports.map((p) => rr(qname, ttl, { type: 'SRV', priority: 0, weight, port: p.port, target: svcFqdn })),
        svc.clusterIP && isIPv4(svc.clusterIP) ? [aRecord(svcFqdn, ttl, svc.clusterIP)] : NO_RECORDS,
      );
    }
    return nodata(z);
  }
  const svcFqdn = `${svcName}.${namespace}.svc.${zone}`;
  const first = lower.slice(0, firstDot);

  if (nparts === 3) {
    // <endpoint>.<svc>.<ns>.svc: the endpoint's hostname or dashed IP.
    const ep = view.readyEndpoints(namespace, svcName).find((e) => endpointHost(e).toLowerCase() === first);
    if (!ep) return nxdomain(z);
    return q.type === 'A' || q.type === 'ANY' ? records(z, [aRecord(qname, ttl, ep.ip)]) : nodata(z);
  }

  const second = lower.slice(firstDot + 1, secondDot);
  if (nparts === 4 && first.startsWith('_') && second.startsWith('_')) {
    const portName = first.slice(1);
    const proto = second.slice(1);
    const ports = svc.ports.filter((p) => p.name && p.name.toLowerCase() === portName && p.protocol.toLowerCase() === proto);
    if (ports.length === 0) return nxdomain(z);
    if (q.type !== 'SRV') return nodata(z);
    if (isHeadless(svc)) return srvHeadless(z, qname, svcFqdn, view.readyEndpoints(namespace, svcName), portName, proto);
    const weight = Math.floor(100 / ports.length);
    return records(z,
      ports.map((p) => rr(qname, ttl, { type: 'SRV', priority: 0, weight, port: p.port, target: svcFqdn })),
      svc.clusterIP && isIPv4(svc.clusterIP) ? [aRecord(svcFqdn, ttl, svc.clusterIP)] : NO_RECORDS,
    );
  }
  return nxdomain(z);
}

function srvHeadless(
  z: ClusterZone, qname: string, svcFqdn: string, eps: readonly DnsEndpoint[], portName: string | undefined, proto: string | undefined,
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
    answer.push(rr(qname, z.ttl, { type: 'SRV', priority: 0, weight, port: t.port, target }));
    additional.push(aRecord(target, z.ttl, t.ep.ip));
  }
  return records(z, answer, additional);
}

/** `<a-b-c-d>.<ns>.pod.<zone>`: `nparts` labels before `pod`, the first of them `first`. */
function podRecord(q: DnsQuestion, z: ClusterZone, nparts: number, first: string): ZoneResult {
  // `pods insecure`: a-b-c-d.<ns>.pod.<zone> answers a.b.c.d without checking that such a pod exists.
  if (nparts !== 2) return nparts === 1 ? nodata(z) : nxdomain(z);
  const ip = first.replace(/-/g, '.');
  if (!isIPv4(ip)) return nxdomain(z);
  return q.type === 'A' || q.type === 'ANY' ? records(z, [aRecord(q.name, z.ttl, ip)]) : nodata(z);
}

function reverse(q: DnsQuestion, z: ClusterZone): ZoneResult {
  const { view, zone, ttl } = z;
  const ip = ipFromReverseName(q.name);
  if (!ip) return FORWARD;
  const svc = view.serviceByClusterIP(ip);
  let target: string | undefined;
  if (svc) target = `${svc.name}.${svc.namespace}.svc.${zone}`;
  else {
    const hit = view.endpointByIP(ip);
    if (hit) target = `${endpointHost(hit.endpoint)}.${hit.service.name}.${hit.service.namespace}.svc.${zone}`;
  }
  // `fallthrough in-addr.arpa`: addresses the plugin does not know go to the next plugin (forward).
  if (!target) return FORWARD;
  if (q.type !== 'PTR' && q.type !== 'ANY') return nodata(z);
  return { kind: 'answer', rcode: 'NOERROR', answer: [rr(q.name, ttl, { type: 'PTR', target })], authority: NO_RECORDS, additional: NO_RECORDS };
}
