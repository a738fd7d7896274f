import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseHostsFile, parseResolvConf, resolveHost, searchCandidates, type DnsTransport, type LookupResult } from './resolver';
import type { DnsMessage } from './message';
import { aRecord, dnsQuery } from './message';
import { dnsMessage } from '../net/packet/dns';

const pod = parseResolvConf('search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n');

describe('resolv.conf', () => {
  it('parses the kubelet file, defaults and limits', () => {
    expect(pod).toEqual({ nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5, timeoutSec: 5, attempts: 2 });
    expect(parseResolvConf('').nameservers).toEqual(['127.0.0.1']);
    expect(parseResolvConf('nameserver 172.18.0.1\noptions edns0 trust-ad ndots:0\n')).toMatchObject({ ndots: 0, search: [] });
    expect(parseResolvConf('options ndots:99 timeout:0 attempts:9\nnameserver 1.1.1.1')).toMatchObject({ ndots: 15, timeoutSec: 1, attempts: 5 });
  });

  it('gives one unchangeable parse per file text', () => {
    const text = 'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';
    const a = parseResolvConf(text);
    expect(parseResolvConf(text)).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.search) && Object.isFrozen(a.nameservers)).toBe(true);
    const edited = parseResolvConf(text.replace('ndots:5', 'ndots:2'));
    expect(edited).not.toBe(a);
    expect(edited.ndots).toBe(2);
    expect(a.ndots).toBe(5);
  });

  it('reads the hosts file (first address per name wins)', () => {
    const h = parseHostsFile('# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n10.244.1.5\tweb-7c9d8b6f5d-x2k4p\n10.0.0.1 web-7c9d8b6f5d-x2k4p\n');
    expect(h.get('localhost')).toBe('127.0.0.1');
    expect(h.get('web-7c9d8b6f5d-x2k4p')).toBe('10.244.1.5');
  });
});

describe('search list and ndots (glibc res_search)', () => {
  it('expands the seed\'s four name forms as a pod does', () => {
    expect(searchCandidates('currency-exchange', pod)).toEqual([
      'currency-exchange.default.svc.cluster.local.', 'currency-exchange.svc.cluster.local.', 'currency-exchange.cluster.local.', 'currency-exchange.',
    ]);
    expect(searchCandidates('currency-exchange.default', pod)[1]).toBe('currency-exchange.default.svc.cluster.local.');
    expect(searchCandidates('currency-exchange.default.svc.cluster.local', pod)).toHaveLength(4);
    expect(searchCandidates('currency-exchange.default.svc.cluster.local.', pod)).toEqual(['currency-exchange.default.svc.cluster.local.']);
  });

  it('tries the name as is first once it has ndots dots', () => {
    expect(searchCandidates('a.b.c.d.e', pod)[0]).toBe('a.b.c.d.e.default.svc.cluster.local.');
    expect(searchCandidates('a.b.c.d.e.f', pod)[0]).toBe('a.b.c.d.e.f.');
    expect(searchCandidates('api.external.com', { search: [], ndots: 1 })).toEqual(['api.external.com.']);
  });

  it('always tries every search domain once and the bare name once (property)', () => {
    const label = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/);
    fc.assert(fc.property(fc.array(label, { minLength: 1, maxLength: 6 }), fc.array(label, { maxLength: 4 }), fc.integer({ min: 0, max: 15 }), (labels, search, ndots) => {
      const name = labels.join('.');
      const c = searchCandidates(name, { search, ndots });
      expect(c).toHaveLength(search.length + 1);
      expect(new Set(c).size).toBe(new Set([`${name}.`, ...search.map((d) => `${name}.${d}.`)]).size);
      const dots = labels.length - 1;
      expect(c[dots >= ndots ? 0 : c.length - 1]).toBe(`${name}.`);
      expect(searchCandidates(`${name}.`, { search, ndots })).toEqual([`${name}.`]);
    }));
  });
});

/** A transport answering from a table, recording the queries. */
function fakeTransport(answers: Record<string, string | 'NXDOMAIN' | 'REFUSED' | 'NODATA'>, mode: 'ok' | 'timeout' | 'refused' = 'ok') {
  const asked: string[] = [];
  let id = 0;
  const t: DnsTransport = {
    nextId: () => ++id,
    exchange(_server, queries, _timeout, done) {
      if (mode !== 'ok') { asked.push(`${mode}`); done(queries.map(() => undefined), mode === 'timeout' ? 'timeout' : 'refused'); return; }
      done(queries.map((q): DnsMessage => {
        const name = q.questions[0]!.name;
        const type = q.questions[0]!.type;
        asked.push(`${type} ${name}`);
        const a = answers[name] ?? 'NXDOMAIN';
        const rcode = a === 'NXDOMAIN' ? 3 : a === 'REFUSED' ? 5 : 0;
        return dnsMessage({ id: q.id, qr: true, rcode, questions: q.questions, answers: type === 'A' && rcode === 0 && a !== 'NODATA' ? [aRecord(name, 30, a)] : [] });
      }));
    },
  };
  return { t, asked };
}

function lookup(name: string, t: DnsTransport, hosts = ''): LookupResult {
  let r: LookupResult | undefined;
  resolveHost(name, { resolvConf: pod, hosts: parseHostsFile(hosts) }, t, (x) => { r = x; });
  return r!;
}

describe('resolveHost', () => {
  it('stops at the first candidate with an address; NODATA keeps walking', () => {
    const { t, asked } = fakeTransport({ 'web.svc.cluster.local': 'NODATA', 'web.cluster.local': '10.1.2.3' });
    expect(lookup('web', t)).toEqual({ ok: true, name: 'web.cluster.local.', addresses: ['10.1.2.3'], source: 'dns' });
    expect(asked).toEqual(['A web.default.svc.cluster.local', 'AAAA web.default.svc.cluster.local', 'A web.svc.cluster.local', 'AAAA web.svc.cluster.local', 'A web.cluster.local', 'AAAA web.cluster.local']);
  });

  it('walks the same candidates for a name looked up again, also after many other names', () => {
    const first = fakeTransport({ 'web.cluster.local': '10.1.2.3' });
    expect(lookup('web', first.t)).toMatchObject({ ok: true, name: 'web.cluster.local.' });
    for (let i = 0; i < 1100; i++) lookup(`n${i}`, fakeTransport({}).t);
    const again = fakeTransport({ 'web.cluster.local': '10.1.2.3' });
    expect(lookup('web', again.t)).toMatchObject({ ok: true, name: 'web.cluster.local.' });
    expect(again.asked).toEqual(first.asked);
    const absolute = fakeTransport({ 'web.default.svc.cluster.local': '10.1.2.4' });
    expect(lookup('web.default.svc.cluster.local.', absolute.t)).toMatchObject({ ok: true, addresses: ['10.1.2.4'] });
    expect(absolute.asked).toEqual(['A web.default.svc.cluster.local', 'AAAA web.default.svc.cluster.local']);
  });

  it('asks a name with the queries dnsQuery builds, sharing its question lists lookup after lookup', () => {
    const sent: DnsMessage[] = [];
    let id = 0;
    const t: DnsTransport = {
      nextId: () => ++id,
      exchange(_server, queries, _timeout, done) {
        sent.push(...queries);
        done(queries.map((q) => dnsMessage({ id: q.id, qr: true, rcode: 3, questions: q.questions })));
      },
    };
    const ask = (name: string) => resolveHost(name, { resolvConf: pod, hosts: new Map() }, t, () => {});
    ask('web.shop.svc.cluster.local.');
    ask('web.shop.svc.cluster.local.');
    expect(sent).toEqual([
      dnsQuery(1, 'web.shop.svc.cluster.local.', 'A'), dnsQuery(2, 'web.shop.svc.cluster.local.', 'AAAA'),
      dnsQuery(3, 'web.shop.svc.cluster.local.', 'A'), dnsQuery(4, 'web.shop.svc.cluster.local.', 'AAAA'),
    ]);
    expect(sent[2]!.questions).toBe(sent[0]!.questions);
    expect(sent[3]!.questions).toBe(sent[1]!.questions);
    sent.length = 0;
    ask('web');
    ask('web');
    const names = searchCandidates('web', pod);
    expect(sent.map((q) => `${q.questions[0]!.type} ${q.questions[0]!.name}.`)).toEqual([...names, ...names].flatMap((n) => [`A ${n}`, `AAAA ${n}`]));
    for (let i = 0; i < sent.length / 2; i++) expect(sent[i + sent.length / 2]!.questions).toBe(sent[i]!.questions);
  });

  it('answers literals and /etc/hosts without any query', () => {
    const { t, asked } = fakeTransport({});
    expect(lookup('10.96.0.1', t)).toMatchObject({ ok: true, source: 'literal' });
    expect(lookup('client', t, '10.244.1.5\tclient\n')).toMatchObject({ ok: true, addresses: ['10.244.1.5'], source: 'hosts' });
    expect(asked).toEqual([]);
  });

  it('reports NXDOMAIN after the walk, stops on REFUSED, and gives up after two attempts on timeouts', () => {
    expect(lookup('nosuch', fakeTransport({}).t)).toEqual({ ok: false, error: 'NXDOMAIN' });
    const refused = fakeTransport({ 'x.default.svc.cluster.local': 'REFUSED' });
    expect(lookup('x', refused.t)).toEqual({ ok: false, error: 'REFUSED' });
    expect(refused.asked).toHaveLength(2);
    const silent = fakeTransport({}, 'timeout');
    expect(lookup('web', silent.t)).toEqual({ ok: false, error: 'TIMEOUT' });
    expect(silent.asked).toEqual(['timeout', 'timeout']);
    expect(lookup('web', fakeTransport({}, 'refused').t)).toEqual({ ok: false, error: 'CONNREFUSED' });
  });
});
