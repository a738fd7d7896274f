import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { ClusterDnsView, DnsEndpoint, DnsService } from './cluster-zone';
import { answerClusterQuestion, answerInZone, clusterZone } from './cluster-zone';
import type { DnsType } from './message';
import { DNS_CLASS_IN } from '../net/packet/dns';

function view(services: DnsService[], endpoints: Record<string, DnsEndpoint[]> = {}, namespaces = ['default', 'kube-system']): ClusterDnsView {
  return {
    service: (ns, name) => services.find((s) => s.namespace === ns && s.name === name),
    readyEndpoints: (ns, name) => endpoints[`${ns}/${name}`] ?? [],
    namespaceExists: (ns) => namespaces.includes(ns),
    serviceByClusterIP: (ip) => services.find((s) => s.clusterIP === ip),
    endpointByIP: (ip) => {
      for (const [key, eps] of Object.entries(endpoints)) {
        const ep = eps.find((e) => e.ip === ip);
        if (ep) {
          const [ns, name] = key.split('/');
          return { service: services.find((s) => s.namespace === ns && s.name === name)!, endpoint: ep };
        }
      }
      return undefined;
    },
    serial: () => 1767225600,
  };
}

const web: DnsService = { namespace: 'default', name: 'web', type: 'ClusterIP', clusterIP: '10.96.45.12', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] };
const db: DnsService = { namespace: 'default', name: 'db', type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] };
const ext: DnsService = { namespace: 'default', name: 'external-api', type: 'ExternalName', externalName: 'api.external.com', ports: [] };
const dbEps: DnsEndpoint[] = [
  { ip: '10.244.1.5', hostname: 'db-0', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
  { ip: '10.244.2.7', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] },
];
const v = view([web, db, ext], { 'default/db': dbEps, 'default/web': [{ ip: '10.244.1.9', ports: [{ name: 'http', port: 8000, protocol: 'TCP' }] }] });
const ask = (name: string, type: DnsType = 'A') => answerClusterQuestion({ name, type, class: DNS_CLASS_IN }, v, { dnsServiceIP: '10.96.0.10' });

describe('CoreDNS kubernetes plugin answers', () => {
  it('answers A for a ClusterIP Service with TTL 30 and no authority', () => {
    const r = ask('web.default.svc.cluster.local');
    expect(r).toMatchObject({ kind: 'answer', rcode: 'NOERROR', authority: [] });
    if (r.kind !== 'answer') throw new Error();
    expect(r.answer).toEqual([{ name: 'web.default.svc.cluster.local', class: 1, ttl: 30, rdata: { type: 'A', address: '10.96.45.12' } }]);
  });

  it('matches names case-insensitively and keeps the case asked', () => {
    const r = ask('WEB.Default.SVC.cluster.local');
    if (r.kind !== 'answer') throw new Error();
    expect(r.answer[0]!.name).toBe('WEB.Default.SVC.cluster.local');
    expect(r.answer[0]!.rdata).toEqual({ type: 'A', address: '10.96.45.12' });
  });

  it('lower-cases labels beyond ASCII too, and only the labels of a name asked in lower case are taken as they are', () => {
    // A name under the zone as asked is read without lower-casing when no label before the zone has a character that
    // lower-casing changes: A-Z, and also letters beyond ASCII (Σ -> σ); an unchanged non-ASCII letter reads the same.
    const sigma: DnsService = { ...web, name: 'σa', clusterIP: '10.96.45.13' };
    const z = view([web, sigma]);
    const a = (name: string) => answerClusterQuestion({ name, type: 'A', class: DNS_CLASS_IN }, z, {});
    for (const name of ['Σa.default.svc.cluster.local', 'σa.default.svc.cluster.local', 'σA.default.svc.cluster.local', 'Σa.default.svc.CLUSTER.local']) {
      const r = a(name);
      if (r.kind !== 'answer') throw new Error(name);
      expect(r.answer.map((x) => [x.name, x.rdata])).toEqual([[name, { type: 'A', address: '10.96.45.13' }]]);
    }
    expect(a('web.default.svc.cluster.local')).toMatchObject({ kind: 'answer', rcode: 'NOERROR' });
  });

  it('gives NODATA (NOERROR, SOA in authority) for AAAA of an existing name', () => {
    const r = ask('web.default.svc.cluster.local', 'AAAA');
    expect(r).toMatchObject({ kind: 'answer', rcode: 'NOERROR', answer: [] });
    if (r.kind !== 'answer') throw new Error();
    expect(r.authority[0]!.rdata).toMatchObject({ type: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', refresh: 7200, retry: 1800, expire: 86400, minimum: 30 });
    expect(r.authority[0]!.name).toBe('cluster.local');
    expect(r.authority[0]!.ttl).toBe(30);
  });

  it('gives NXDOMAIN with the SOA for unknown services, namespaces and the search-walk misses', () => {
    for (const n of ['nosuch.default.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web.nons.svc.cluster.local']) {
      const r = ask(n);
      expect(r, n).toMatchObject({ kind: 'answer', rcode: 'NXDOMAIN', answer: [] });
      if (r.kind === 'answer') expect(r.authority[0]!.rdata.type).toBe('SOA');
    }
  });

  it('answers every ready endpoint for a headless Service, and per-endpoint hostnames', () => {
    const r = ask('db.default.svc.cluster.local');
    if (r.kind !== 'answer') throw new Error();
    expect(r.answer.map((a) => (a.rdata as { address: string }).address)).toEqual(['10.244.1.5', '10.244.2.7']);
    const h = ask('db-0.db.default.svc.cluster.local');
    if (h.kind !== 'answer') throw new Error();
    expect(h.answer[0]!.rdata).toEqual({ type: 'A', address: '10.244.1.5' });
    const dashed = ask('10-244-2-7.db.default.svc.cluster.local');
    if (dashed.kind !== 'answer') throw new Error();
    expect(dashed.answer[0]!.rdata).toEqual({ type: 'A', address: '10.244.2.7' });
  });

  it('gives NXDOMAIN for a headless Service with no ready endpoints', () => {
    const empty = view([db]);
    const r = answerClusterQuestion({ name: 'db.default.svc.cluster.local', type: 'A', class: 1 }, empty);
    expect(r).toMatchObject({ kind: 'answer', rcode: 'NXDOMAIN' });
  });

  it('answers SRV for named ports with weight floor(100/n) and targets in ADDITIONAL', () => {
    const r = ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
    if (r.kind !== 'answer') throw new Error();
    expect(r.answer[0]!.rdata).toEqual({ type: 'SRV', priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' });
    expect(r.additional[0]!.rdata).toEqual({ type: 'A', address: '10.96.45.12' });
    const h = ask('_pg._tcp.db.default.svc.cluster.local', 'SRV');
    if (h.kind !== 'answer') throw new Error();
    expect(h.answer.map((a) => a.rdata)).toEqual([
      { type: 'SRV', priority: 0, weight: 50, port: 5432, target: 'db-0.db.default.svc.cluster.local' },
      { type: 'SRV', priority: 0, weight: 50, port: 5432, target: '10-244-2-7.db.default.svc.cluster.local' },
    ]);
    expect(ask('_nope._tcp.web.default.svc.cluster.local', 'SRV')).toMatchObject({ rcode: 'NXDOMAIN' });
    expect(ask('_http._udp.web.default.svc.cluster.local', 'SRV')).toMatchObject({ rcode: 'NXDOMAIN' });
  });

  it('answers PTR for ClusterIPs and endpoint IPs, and falls through for unknown addresses', () => {
    const r = ask('12.45.96.10.in-addr.arpa', 'PTR');
    if (r.kind !== 'answer') throw new Error();
    expect(r.answer[0]!.rdata).toEqual({ type: 'PTR', target: 'web.default.svc.cluster.local' });
    const e = ask('5.1.244.10.in-addr.arpa', 'PTR');
    if (e.kind !== 'answer') throw new Error();
    expect(e.answer[0]!.rdata).toEqual({ type: 'PTR', target: 'db-0.db.default.svc.cluster.local' });
    const p = ask('9.1.244.10.in-addr.arpa', 'PTR');
    if (p.kind !== 'answer') throw new Error();
    expect(p.answer[0]!.rdata).toEqual({ type: 'PTR', target: '10-244-1-9.web.default.svc.cluster.local' });
    expect(ask('8.8.8.8.in-addr.arpa', 'PTR')).toEqual({ kind: 'forward' });
  });

  it('answers ExternalName with a CNAME the server chases', () => {
    expect(ask('external-api.default.svc.cluster.local')).toMatchObject({
      kind: 'cname', target: 'api.external.com',
      answer: [{ name: 'external-api.default.svc.cluster.local', ttl: 30, rdata: { type: 'CNAME', target: 'api.external.com' } }],
    });
    expect(ask('external-api.default.svc.cluster.local', 'CNAME')).toMatchObject({ kind: 'answer', rcode: 'NOERROR' });
  });

  it('serves pods insecure records and forwards names outside the zone', () => {
    const r = ask('10-244-1-5.default.pod.cluster.local');
    if (r.kind !== 'answer') throw new Error();
    expect(r.answer[0]!.rdata).toEqual({ type: 'A', address: '10.244.1.5' });
    expect(ask('10-244-1.default.pod.cluster.local')).toMatchObject({ rcode: 'NXDOMAIN' });
    expect(ask('api.external.com')).toEqual({ kind: 'forward' });
    expect(ask('kubernetes.default')).toEqual({ kind: 'forward' });
  });

  it('reads service and namespace as the two labels before svc; empty or extra labels are NXDOMAIN', () => {
    for (const n of ['web..svc.cluster.local', '.web.default.svc.cluster.local', 'a.b.web.default.svc.cluster.local', 'default..svc.cluster.local', 'web.default.svc..cluster.local']) {
      expect(ask(n), n).toMatchObject({ kind: 'answer', rcode: 'NXDOMAIN', answer: [] });
    }
    expect(ask('db-0.db.default.svc.cluster.local')).toMatchObject({ rcode: 'NOERROR', answer: [{ rdata: { type: 'A', address: '10.244.1.5' } }] });
    expect(ask('_pg._tcp.db.default.svc.cluster.local', 'SRV')).toMatchObject({ rcode: 'NOERROR', answer: [{ rdata: { type: 'SRV', port: 5432, target: 'db-0.db.default.svc.cluster.local' } }, { rdata: { type: 'SRV', target: '10-244-2-7.db.default.svc.cluster.local' } }] });
    expect(ask('default.svc.cluster.local')).toMatchObject({ rcode: 'NOERROR', answer: [] });
    expect(ask('nosuch.svc.cluster.local')).toMatchObject({ rcode: 'NXDOMAIN' });
    expect(ask('web.default.svc.corp.local', 'A')).toEqual({ kind: 'forward' });
    const other = answerClusterQuestion({ name: 'web.default.svc.corp.local', type: 'A', class: 1 }, v, { zone: 'corp.local' });
    expect(other).toMatchObject({ rcode: 'NOERROR', answer: [{ name: 'web.default.svc.corp.local', rdata: { address: '10.96.45.12' } }] });
  });

  it('NODATA and NXDOMAIN carry the SOA of the serial at the time of the query', () => {
    let serial = 1767225600;
    const changing: ClusterDnsView = { ...v, serial: () => serial };
    const soaSerial = (name: string) => {
      const r = answerClusterQuestion({ name, type: 'AAAA', class: 1 }, changing);
      if (r.kind !== 'answer') throw new Error();
      return (r.authority[0]!.rdata as { serial: number }).serial;
    };
    expect(soaSerial('web.default.svc.cluster.local')).toBe(1767225600);
    expect(soaSerial('nosuch.default.svc.cluster.local')).toBe(1767225600);
    serial = 1767225661;
    expect(soaSerial('web.default.svc.cluster.local')).toBe(1767225661);
    expect(answerClusterQuestion({ name: 'web.default.svc.cluster.local', type: 'AAAA', class: 1 }, changing, { zone: 'cluster.local', ttl: 5 }))
      .toMatchObject({ authority: [{ ttl: 5, rdata: { serial: 1767225661, minimum: 5 } }] });
  });

  it('answers a name it read before from the view as it is at the time of the query', () => {
    const services: DnsService[] = [web];
    const z = clusterZone(view(services));
    const a = (name: string, type: DnsType = 'A') => answerInZone({ name, type, class: DNS_CLASS_IN }, z);
    expect(a('web.default.svc.cluster.local')).toMatchObject({ rcode: 'NOERROR', answer: [{ name: 'web.default.svc.cluster.local', rdata: { address: '10.96.45.12' } }] });
    services.length = 0;
    expect(a('web.default.svc.cluster.local')).toMatchObject({ rcode: 'NXDOMAIN' });
    services.push({ ...web, clusterIP: '10.96.7.7' });
    expect(a('web.default.svc.cluster.local')).toMatchObject({ rcode: 'NOERROR', answer: [{ rdata: { address: '10.96.7.7' } }] });
    expect(a('Web.Default.svc.cluster.local')).toMatchObject({ rcode: 'NOERROR', answer: [{ name: 'Web.Default.svc.cluster.local', rdata: { address: '10.96.7.7' } }] });
    // More names than a zone keeps read: it starts over, and answers stay the view's.
    for (let i = 0; i < 5000; i++) expect(a(`s${i}.default.svc.cluster.local`)).toMatchObject({ rcode: 'NXDOMAIN' });
    expect(a('web.default.svc.cluster.local', 'AAAA')).toMatchObject({ rcode: 'NOERROR', answer: [] });
    expect(a('web.default.svc.cluster.local')).toMatchObject({ rcode: 'NOERROR', answer: [{ rdata: { address: '10.96.7.7' } }] });
  });

  it('answers the schema version TXT', () => {
    const r = ask('dns-version.cluster.local', 'TXT');
    if (r.kind !== 'answer') throw new Error();
    expect(r.answer[0]!.rdata).toEqual({ type: 'TXT', texts: ['1.0.1'] });
  });

  it('never answers a name outside cluster.local / in-addr.arpa authoritatively (property)', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/);
    fc.assert(fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.constantFrom('com', 'org', 'io', 'net'), (labels, tld) => {
      const r = ask([...labels, tld].join('.'));
      expect(r).toEqual({ kind: 'forward' });
    }));
  });

  it('every in-zone answer is NOERROR with records, or carries the SOA (property)', () => {
    const label = fc.constantFrom('web', 'db', 'nosuch', 'default', 'svc', 'pod', '_http', '_tcp', 'db-0', 'external-api');
    fc.assert(fc.property(fc.array(label, { maxLength: 5 }), fc.constantFrom<DnsType>('A', 'AAAA', 'SRV', 'TXT'), (labels, type) => {
      const r = answerClusterQuestion({ name: [...labels, 'cluster.local'].join('.'), type, class: 1 }, v);
      if (r.kind === 'answer' && r.answer.length === 0) expect(r.authority.map((a) => a.rdata.type)).toEqual(['SOA']);
      expect(r.kind).not.toBe('forward');
    }));
  });
});
