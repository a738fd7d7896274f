/**
 * The "internet" resolver the cluster's upstream points at (8.8.8.8 in our topology), and the cloud's VPC
 * resolver (AmazonProvidedDNS at the VPC base + 2). Both are recursive resolvers: answers carry RA and no AA,
 * NXDOMAIN comes with the root zone's SOA, as a public resolver returns it.
 */
import type { DnsMessage, DnsRecord } from '../net/packet/dns';
import { reply } from './coredns';
import { aRecord, ipFromReverseName, rcodeOf, rr } from './message';

export const PUBLIC_DNS_IP = '8.8.8.8';

/** The public names our labs use; the topology puts servers behind some of these addresses. */
export const PUBLIC_RECORDS: Readonly<Record<string, string>> = {
  'api.external.com': '203.0.113.10',
  'example.com': '93.184.215.14',
  'www.example.com': '93.184.215.14',
  'api.example.com': '203.0.113.20',
  'frontend.example.com': '203.0.113.21',
  'login.api.example.com': '203.0.113.22',
  'registry.k8s.io': '34.96.108.209',
  'dns.google': '8.8.8.8',
};

/** Public CNAMEs (a name that is an alias, as many SaaS endpoints are). */
export const PUBLIC_CNAMES: Readonly<Record<string, string>> = {
  'www.external.com': 'api.external.com',
};

const ROOT_SOA: DnsRecord = rr('', 86400, {
  type: 'SOA', mname: 'a.root-servers.net', rname: 'nstld.verisign-grs.com', serial: 2026112800, refresh: 1800, retry: 900, expire: 604800, minimum: 86400,
});

export interface PublicZoneOptions {
  /** Extra A records (e.g. `ip-10-0-1-23.ec2.internal` in a VPC resolver). */
  readonly extra?: ReadonlyMap<string, string>;
  /** PTR names for addresses (reverse of `extra`, and public servers). */
  readonly reverse?: ReadonlyMap<string, string>;
  readonly ttl?: number;
}

/** A recursive resolver's answer from its (static) view of the internet. */
export function answerPublic(query: DnsMessage, opts: PublicZoneOptions = {}): DnsMessage {
  const q = query.questions[0];
  if (!q) return reply(query, { ra: true, rcode: rcodeOf('FORMERR') });
  const ttl = opts.ttl ?? 300;
  const name = q.name.toLowerCase();
  const lookupA = (n: string): string | undefined => opts.extra?.get(n) ?? PUBLIC_RECORDS[n];
  const answers: DnsRecord[] = [];
  let target = name;
  let shown = q.name;
  for (let hops = 0; hops < 8 && PUBLIC_CNAMES[target]; hops++) {
    const next = PUBLIC_CNAMES[target]!;
    answers.push(rr(shown, ttl, { type: 'CNAME', target: next }));
    target = next;
    shown = next;
  }
  const ptrIp = ipFromReverseName(name);
  if (ptrIp) {
    const host = opts.reverse?.get(ptrIp) ?? Object.entries(PUBLIC_RECORDS).find(([, ip]) => ip === ptrIp)?.[0];
    if (!host) return reply(query, { ra: true, rcode: rcodeOf('NXDOMAIN'), authority: [ROOT_SOA] });
    return reply(query, { ra: true, answers: q.type === 'PTR' ? [rr(q.name, ttl, { type: 'PTR', target: host })] : [], authority: q.type === 'PTR' ? [] : [ROOT_SOA] });
  }
  const ip = lookupA(target);
  if (ip === undefined) {
    if (answers.length) return reply(query, { ra: true, answers });
    return reply(query, { ra: true, rcode: rcodeOf('NXDOMAIN'), authority: [ROOT_SOA] });
  }
  if (q.type === 'A' || q.type === 'ANY') answers.push(aRecord(shown, ttl, ip));
  return reply(query, { ra: true, answers, authority: answers.length ? [] : [ROOT_SOA] });
}
