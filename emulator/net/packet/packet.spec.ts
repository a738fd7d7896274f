import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP } from '../../netfilter/hook-api';
import { emitDns, dnsWireLength, parseDns, dnsSummary, dnsMessage, queryMessage, formatIpv6, parseIpv6, type DnsRecord, type DnsMessage } from './dns';
import { emitEthernet, parseEthernet, type EthernetFrame } from './ethernet';
import { httpRequest, httpResponse, emitStreamData, parseStreamData, httpText as httpTextOf } from './http';
import { emitIpv4Bytes, makePacket, parseIpv4, type Ipv4Packet } from './ipv4';
import { internetChecksum } from './bytes';
import type { TcpOption } from './tcp';

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const name = fc.array(label, { minLength: 0, maxLength: 5 }).map((ls) => ls.join('.'));
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const ipText = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join('.'));

const rdata = fc.oneof(
  ipText.map((address) => ({ type: 'A' as const, address })),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ({ type: 'AAAA' as const, address: formatIpv6(b) })),
  name.map((target) => ({ type: 'CNAME' as const, target })),
  name.map((target) => ({ type: 'PTR' as const, target })),
  fc.record({ priority: u16, weight: u16, port: u16, target: name }).map((r) => ({ type: 'SRV' as const, ...r })),
  fc.record({ mname: name, rname: name, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 }).map((r) => ({ type: 'SOA' as const, ...r })),
);
const record: fc.Arbitrary<DnsRecord> = fc.record({ name, class: fc.constant(1), ttl: u32, rdata });
const dns: fc.Arbitrary<DnsMessage> = fc
  .record({
    id: u16,
    qr: fc.boolean(),
    aa: fc.boolean(),
    rd: fc.boolean(),
    ra: fc.boolean(),
    rcode: fc.constantFrom(0, 2, 3, 5),
    questions: fc.array(fc.record({ name, type: fc.constantFrom('A' as const, 'AAAA' as const, 'SRV' as const, 'PTR' as const), class: fc.constant(1) }), { maxLength: 2 }),
    answers: fc.array(record, { maxLength: 4 }),
    authority: fc.array(record, { maxLength: 2 }),
  })
  .map((m) => dnsMessage(m));

const tcpOptions: fc.Arbitrary<TcpOption[]> = fc.oneof(
  fc.record({ val: u32, ecr: u32 }).map(({ val, ecr }) => [{ kind: 'mss', value: 1460 }, { kind: 'sackOK' }, { kind: 'ts', val, ecr }, { kind: 'nop' }, { kind: 'wscale', shift: 10 }] as TcpOption[]),
  fc.record({ val: u32, ecr: u32 }).map(({ val, ecr }) => [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'ts', val, ecr }] as TcpOption[]),
  fc.constant([] as TcpOption[]),
);

const streamData = fc.oneof(
  fc.constant(null),
  fc.record({ target: fc.stringMatching(/^\/[a-z0-9/]{0,20}$/), host: label }).map(({ target, host }) => httpRequest('GET', target, [['Host', host], ['User-Agent', 'curl/7.88.1'], ['Accept', '*/*']])),
  fc.record({ status: fc.constantFrom(200, 404, 503), body: fc.string({ maxLength: 40 }) }).map(({ status, body }) =>
    httpResponse(status, status === 200 ? 'OK' : 'Error', [['Content-Length', String(new TextEncoder().encode(body).length)]], body),
  ),
);

const base = { src: u32, dst: u32, ttl: fc.integer({ min: 1, max: 255 }), id: u16, df: fc.boolean() };
const tcpPacket = fc
  .record({ ...base, sport: u16, dport: u16, flags: fc.integer({ min: 0, max: 0x3f }), seq: u32, ack: u32, window: u16, options: tcpOptions, data: streamData })
  .map((r) => makePacket({ src: r.src, dst: r.dst, proto: IPPROTO_TCP, sport: r.sport, dport: r.dport, tcpFlags: r.flags, ttl: r.ttl, id: r.id, df: r.df, l4: { kind: 'tcp', seq: r.seq, ack: r.ack, window: r.window, urgent: 0, options: r.options, data: r.data } }));
const udpPacket = fc
  .record({ ...base, sport: u16, msg: dns })
  .map((r) => makePacket({ src: r.src, dst: r.dst, proto: IPPROTO_UDP, sport: r.sport, dport: 53, ttl: r.ttl, id: r.id, df: r.df, l4: { kind: 'udp', data: r.msg } }));
const echoPacket = fc
  .record({ ...base, echoId: u16, seq: u16, request: fc.boolean() })
  .map((r) => {
    const p = makePacket({ src: r.src, dst: r.dst, proto: IPPROTO_ICMP, sport: r.echoId, dport: r.echoId, ttl: r.ttl, id: r.id, df: r.df, l4: { kind: 'icmp', id: r.echoId, seq: r.seq, dataLength: 56, original: null, quotedLength: 0 } });
    p.icmpType = r.request ? 8 : 0;
    return p;
  });
const icmpError = fc.record({ ...base, code: fc.constantFrom(0, 1, 3, 13), quoted: tcpPacket }).map((r) => {
  const original = r.quoted;
  (original.l4 as { data: unknown }).data = null;
  original.length = 20 + 20 + (original.l4.kind === 'tcp' ? [20, 12, 0][[5, 3, 0].indexOf(original.l4.options.length)]! : 0);
  const p = makePacket({ src: r.src, dst: r.dst, proto: IPPROTO_ICMP, ttl: r.ttl, id: r.id, df: r.df, icmpType: 3, icmpCode: r.code, l4: { kind: 'icmp', id: 0, seq: 0, dataLength: 0, original, quotedLength: original.length } });
  return p;
});

/** The fields that go on the wire (the record's bookkeeping — pid, reqId, hook state — does not). */
function wire(p: Ipv4Packet): unknown {
  const { pid: _pid, reqId: _reqId, mark: _m, inIface: _i, outIface: _o, nfct: _n, ctinfo: _c, embedded: _e, ...rest } = p;
  if (rest.l4.kind === 'icmp' && rest.l4.original) return { ...rest, l4: { ...rest.l4, original: wire(rest.l4.original) } };
  return rest;
}

describe('wire formats: parse(emit(x)) = x', () => {
  it('DNS messages (with name compression)', () => {
    fc.assert(fc.property(dns, (m) => { expect(parseDns(emitDns(m))).toEqual(m); }), { numRuns: 300 });
  });

  it('DNS wire length without encoding equals the encoded length (compression, TXT, OPT, bad labels)', () => {
    // Names from a few shared labels, so suffixes repeat and the compressor points often.
    const shared = fc.array(fc.constantFrom('a', 'b', 'ab', 'svc', 'cluster', 'local', 'default', 'web', 'x-1'), { minLength: 0, maxLength: 6 }).map((ls) => ls.join('.'));
    const anyName = fc.oneof(shared, shared, name, fc.constantFrom('a..b', 'a.', '.a', 'x'.repeat(64), 'B.Svc.cluster.local'));
    const rd = fc.oneof(
      ipText.map((address) => ({ type: 'A' as const, address })),
      anyName.map((target) => ({ type: 'CNAME' as const, target })),
      fc.record({ priority: u16, weight: u16, port: u16, target: anyName }).map((r) => ({ type: 'SRV' as const, ...r })),
      fc.record({ mname: anyName, rname: anyName, serial: u32, refresh: u32, retry: u32, expire: u32, minimum: u32 }).map((r) => ({ type: 'SOA' as const, ...r })),
      fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }).map((texts) => ({ type: 'TXT' as const, texts })),
      fc.uint8Array({ maxLength: 12 }).map((options) => ({ type: 'OPT' as const, options })),
      fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => ({ type: 'AAAA' as const, address: formatIpv6(b) })),
    );
    const rec = fc.record({ name: anyName, class: fc.constant(1), ttl: u32, rdata: rd });
    const msg = fc.record({
      id: u16,
      questions: fc.array(fc.record({ name: anyName, type: fc.constant('A' as const), class: fc.constant(1) }), { maxLength: 2 }),
      answers: fc.array(rec, { maxLength: 6 }),
      authority: fc.array(rec, { maxLength: 2 }),
      additional: fc.array(rec, { maxLength: 2 }),
    }).map((m) => dnsMessage(m));
    const encoded = (m: DnsMessage): number | string => { try { return emitDns(m).length; } catch (e) { return String(e); } };
    const counted = (m: DnsMessage): number | string => { try { return dnsWireLength(m); } catch (e) { return String(e); } };
    fc.assert(fc.property(msg, (m) => { expect(counted(m)).toEqual(encoded(m)); }), { numRuns: 2000 });
    fc.assert(fc.property(dns, (m) => { expect(dnsWireLength(m)).toBe(emitDns(m).length); }), { numRuns: 300 });
    // Past 0x4000 bytes names are no longer entered in the compression table.
    const big = dnsMessage({ id: 1, answers: Array.from({ length: 700 }, (_, i) => ({ name: i % 2 ? 'web.default.svc.cluster.local' : `n${i}.svc.cluster.local`, class: 1, ttl: 30, rdata: { type: 'TXT' as const, texts: ['x'.repeat(12)] } })) });
    expect(dnsWireLength(big)).toBe(emitDns(big).length);
  });

  it('DNS wire length of records measured again in later messages (a zone\'s SOA record, a ClusterIP address)', () => {
    // Negative answers share their SOA record object, and an A record's address text is read again by whoever
    // measured it last: the second and later counts take what was found the first time. They must still match the
    // encoder, whatever the names before the record share with the record's own names.
    const labels = fc.array(fc.constantFrom('a', 'ns', 'dns', 'hostmaster', 'cluster', 'local', 'svc', 'x-1'), { minLength: 0, maxLength: 5 });
    const shared = labels.map((ls) => ls.join('.'));
    const soas: DnsRecord[] = [
      ['cluster.local', 'ns.dns.cluster.local', 'hostmaster.cluster.local'], ['local', 'ns.dns.cluster.local', 'dns.cluster.local'],
      ['a.ns.dns', 'ns.dns', 'a.ns.dns'], ['', 'ns', 'ns'], ['x-1', 'x-1', 'hostmaster.x-1'], ['cluster.local', 'svc', 'cluster.local'],
    ].map(([owner, mname, rname]) => ({ name: owner!, class: 1, ttl: 30, rdata: { type: 'SOA' as const, mname: mname!, rname: rname!, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 } }));
    const addresses = ['10.96.0.10', '1.2.3', '1.2.3.4.5', '10.96.1.7', 'a.b.c.d'];
    const msg = fc.record({
      id: u16,
      questions: fc.array(fc.record({ name: shared, type: fc.constant('AAAA' as const), class: fc.constant(1) }), { maxLength: 2 }),
      answers: fc.array(fc.record({ name: shared, class: fc.constant(1), ttl: fc.constant(30), rdata: fc.constantFrom(...addresses).map((address) => ({ type: 'A' as const, address })) }), { maxLength: 2 }),
      authority: fc.array(fc.constantFrom(...soas), { minLength: 1, maxLength: 2 }),
    }).map((m) => dnsMessage(m));
    const encoded = (m: DnsMessage): number | string => { try { return emitDns(m).length; } catch (e) { return String(e); } };
    const counted = (m: DnsMessage): number | string => { try { return dnsWireLength(m); } catch (e) { return String(e); } };
    fc.assert(fc.property(msg, (m) => {
      expect(counted(m)).toEqual(encoded(m));
      expect(counted(m)).toEqual(encoded(m));
    }), { numRuns: 3000 });
  });

  it('IPv6 text for AAAA: format(parse(format(b))) is stable and round-trips the bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => { expect(parseIpv6(formatIpv6(b))).toEqual(b); }));
    expect(formatIpv6(parseIpv6('fe80::7018:31ff:fe16:304a')!)).toBe('fe80::7018:31ff:fe16:304a');
    expect(formatIpv6(parseIpv6('2001:db8::1')!)).toBe('2001:db8::1');
  });

  it('HTTP messages', () => {
    fc.assert(fc.property(streamData, (d) => {
      if (!d) return;
      const bytes = emitStreamData(d);
      expect(bytes.length).toBe(d.byteLength);
      expect(parseStreamData(bytes)).toEqual(d);
    }));
  });

  it('HTTP head lengths when the strings at a place change between heads (ASCII and not, equal but not the same)', () => {
    // Head lengths keep the last head's strings by place: a string that differs from the kept one must be measured.
    const text = fc.constantFrom('GET', 'HEAD', 'Host', 'hôst', 'curl/7.88.1', 'curl/7.88.1 ünïcode', '*/*', '', 'x'.repeat(20), 'é'.repeat(20));
    const head = fc.tuple(text, text, fc.array(fc.tuple(text, text), { maxLength: 9 }), fc.boolean());
    fc.assert(fc.property(fc.array(head, { minLength: 2, maxLength: 6 }), (heads) => {
      for (const [a, b, headers, isRequest] of heads) {
        // Copies as well as the literals: an equal string that is another object.
        const fresh = headers.map(([k, v]) => [k, v.split('').join('')] as const);
        const m = isRequest ? httpRequest(a, b || '/', fresh, '', 'HTTP/1.1') : httpResponse(200, a, fresh, b);
        expect(new TextEncoder().encode(httpTextOf(m)).length).toBe(m.byteLength);
      }
    }), { numRuns: 500 });
  });

  it('HTTP head lengths of long Host values, each met again after more distinct ones than the lengths kept', () => {
    // Long strings' lengths are kept by string, cleared when full: a value met again, before or after, is right.
    const hosts = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? `sérvice-${i}` : `service-${i}`) + '.default.svc.cluster.local.');
    for (let round = 0; round < 2; round++) {
      for (const h of hosts) {
        const m = httpRequest('GET', '/', [['Host', h], ['User-Agent', 'curl/7.88.1'], ['Accept', '*/*']]);
        expect(m.byteLength).toBe(new TextEncoder().encode(httpTextOf(m)).length);
      }
    }
  });

  it('IPv4 packets: TCP, UDP/DNS, ICMP echo and errors', () => {
    fc.assert(
      fc.property(fc.oneof(tcpPacket, udpPacket, echoPacket, icmpError), (p) => {
        const bytes = emitIpv4Bytes(p);
        expect(bytes.length).toBe(p.length);
        expect(internetChecksum(bytes.subarray(0, 20))).toBe(0);
        expect(wire(parseIpv4(bytes))).toEqual(wire(p));
      }),
      { numRuns: 300 },
    );
  });

  it('Ethernet frames carrying ARP and IPv4', () => {
    const arp = fc.record({ op: fc.constantFrom(1, 2), senderMac: fc.integer({ min: 0, max: 2 ** 48 - 1 }), senderIp: u32, targetMac: fc.integer({ min: 0, max: 2 ** 48 - 1 }), targetIp: u32 }).map((a) => ({ kind: 'arp' as const, ...a }));
    const frame = fc.record({ dst: fc.integer({ min: 0, max: 2 ** 48 - 1 }), src: fc.integer({ min: 0, max: 2 ** 48 - 1 }), payload: fc.oneof(arp, tcpPacket) });
    fc.assert(fc.property(frame, (f: EthernetFrame) => {
      const back = parseEthernet(emitEthernet(f));
      expect(back.dst).toBe(f.dst);
      expect(back.src).toBe(f.src);
      if ('kind' in f.payload) expect(back.payload).toEqual(f.payload);
      else expect(wire(back.payload as Ipv4Packet)).toEqual(wire(f.payload as Ipv4Packet));
    }));
  });
});

describe('tcpdump DNS summaries (§3.6)', () => {
  it('query and replies', () => {
    const q = dnsMessage({ id: 5080, rd: true, questions: [{ name: 'web.default.svc.cluster.local', type: 'A', class: 1 }], additional: [{ name: '', class: 1232, ttl: 0, rdata: { type: 'OPT', options: new Uint8Array() } }] });
    expect(dnsSummary(q)).toBe('5080+ [1au] A? web.default.svc.cluster.local.');
    const a = dnsMessage({ id: 5080, qr: true, aa: true, rd: true, questions: q.questions, answers: [{ name: 'web.default.svc.cluster.local', class: 1, ttl: 30, rdata: { type: 'A', address: '10.96.45.12' } }] });
    expect(dnsSummary(a)).toBe('5080*- 1/0/0 A 10.96.45.12');
    const nx = dnsMessage({ id: 25824, qr: true, aa: true, rcode: 3, authority: [{ name: 'cluster.local', class: 1, ttl: 30, rdata: { type: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 } }] });
    expect(dnsSummary(nx)).toBe('25824 NXDomain*- 0/1/0');
    // the query's UDP payload length as tcpdump prints it: 12 header + name + 4 + 11 OPT
    expect(emitDns(q).length).toBe(12 + 31 + 4 + 11);
  });
});

describe('queryMessage', () => {
  it("is dnsMessage's query: the same fields in the same key order (its JSON shows the order)", () => {
    const q = [{ name: 'web.default.svc.cluster.local', type: 'A' as const, class: 1 }];
    const opt: DnsRecord[] = [{ name: '', class: 1232, ttl: 0, rdata: { type: 'OPT', options: new Uint8Array(0) } }];
    for (const [rd, additional] of [[true, undefined], [false, opt]] as const) {
      const made = queryMessage(7, rd, q, additional);
      const reference = dnsMessage({ id: 7, rd, questions: q, ...(additional ? { additional } : {}) });
      expect(JSON.stringify(made)).toBe(JSON.stringify(reference));
      expect(Object.keys(made)).toEqual(Object.keys(reference));
    }
  });
});
