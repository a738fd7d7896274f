import { describe, expect, it } from 'vitest';
import { dnsMessage } from '../../net/packet/dns';
import type { DnsMessage } from '../../dns/message';
import { aRecord, rr } from '../../dns/message';
import { busyboxCandidates, formatBindNslookup, formatBindTimeout, formatBusyboxNslookup, formatHost } from './nslookup-format';

const soa = rr('cluster.local', 30, { type: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 });
const ok = (name: string, ip: string, extra: Partial<DnsMessage> = {}): DnsMessage => dnsMessage({ id: 1, qr: true, aa: true, rd: true, answers: [aRecord(name, 30, ip)], ...extra });
const nx = (): DnsMessage => dnsMessage({ id: 1, qr: true, aa: true, rd: true, rcode: 3, authority: [soa] });
const nodata = (): DnsMessage => dnsMessage({ id: 1, qr: true, aa: true, rd: true, authority: [soa] });

describe('busybox nslookup (reference §7.1, verbatim)', () => {
  it('`nslookup web`: hit, then NXDOMAIN for the other suffixes, A round then AAAA round', () => {
    const names = busyboxCandidates('web', ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
    expect(names).toEqual(['web.default.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local']);
    const out = formatBusyboxNslookup('10.96.0.10', [
      { name: names[0]!, reply: ok('web.default.svc.cluster.local', '10.96.45.12') },
      { name: names[1]!, reply: nx() }, { name: names[2]!, reply: nx() },
      { name: names[0]!, reply: nodata() }, { name: names[1]!, reply: nx() }, { name: names[2]!, reply: nx() },
    ]);
    expect(out).toEqual({
      exitCode: 1,
      stdout: 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.45.12\n\n' +
        "** server can't find web.svc.cluster.local: NXDOMAIN\n\n** server can't find web.cluster.local: NXDOMAIN\n\n\n" +
        "** server can't find web.svc.cluster.local: NXDOMAIN\n\n** server can't find web.cluster.local: NXDOMAIN\n\n",
    });
  });

  it('`nslookup web.default.svc.cluster.local`: exit 0, a blank line for the AAAA NODATA', () => {
    expect(busyboxCandidates('web.default.svc.cluster.local', ['default.svc.cluster.local'])).toEqual(['web.default.svc.cluster.local']);
    const out = formatBusyboxNslookup('10.96.0.10', [
      { name: 'web.default.svc.cluster.local', reply: ok('web.default.svc.cluster.local', '10.96.45.12') },
      { name: 'web.default.svc.cluster.local', reply: nodata() },
    ]);
    expect(out).toEqual({ exitCode: 0, stdout: 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.45.12\n\n\n' });
  });

  it('no reply at all: the one-line timeout', () => {
    expect(formatBusyboxNslookup('10.96.0.11', [{ name: 'x', reply: undefined }])).toEqual({ exitCode: 1, stdout: ';; connection timed out; no servers could be reached\n\n' });
  });
});

describe('bind nslookup and host (reference §7.2)', () => {
  it('`nslookup web` in a pod: the warning before the Server block and after the AAAA reply', () => {
    const out = formatBindNslookup('10.96.0.10', [
      { name: 'web.default.svc.cluster.local', type: 'A', reply: ok('web.default.svc.cluster.local', '10.96.45.12') },
      { name: 'web.default.svc.cluster.local', type: 'AAAA', reply: nodata() },
    ]);
    expect(out.interleaved).toBe(';; Got recursion not available from 10.96.0.10\nServer:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tweb.default.svc.cluster.local\nAddress: 10.96.45.12\n;; Got recursion not available from 10.96.0.10\n\n');
    expect(out.exitCode).toBe(0);
  });

  it('reports the last candidate when the walk fails; PTR answers', () => {
    const fail = formatBindNslookup('10.96.0.10', [
      { name: 'nosuch.default.svc.cluster.local', type: 'A', reply: nx() },
      { name: 'nosuch', type: 'A', reply: dnsMessage({ id: 1, qr: true, rd: true, ra: true, rcode: 3 }) },
    ]);
    expect(fail.stdout).toBe("Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n** server can't find nosuch: NXDOMAIN\n\n");
    expect(fail.stderr).toBe(';; Got recursion not available from 10.96.0.10\n');
    const ptr = formatBindNslookup('10.96.0.10', [{ name: '12.45.96.10.in-addr.arpa', type: 'PTR', reply: dnsMessage({ id: 1, qr: true, aa: true, rd: true, answers: [rr('12.45.96.10.in-addr.arpa', 30, { type: 'PTR', target: 'web.default.svc.cluster.local' })] }) }]);
    expect(ptr.interleaved).toBe(';; Got recursion not available from 10.96.0.10\n12.45.96.10.in-addr.arpa\tname = web.default.svc.cluster.local.\n\n');
    expect(formatBindTimeout('10.96.0.11')).toBe(';; communications error to 10.96.0.11#53: timed out\n'.repeat(3) + ';; no servers could be reached\n\n');
  });

  it('host: has address / not found', () => {
    expect(formatHost('web', ok('web.default.svc.cluster.local', '10.96.45.12'), nodata(), 'web.default.svc.cluster.local')).toEqual({ exitCode: 0, stdout: 'web.default.svc.cluster.local has address 10.96.45.12\n' });
    expect(formatHost('nosuch.default.svc.cluster.local', nx(), undefined, 'x')).toEqual({ exitCode: 1, stdout: 'Host nosuch.default.svc.cluster.local not found: 3(NXDOMAIN)\n' });
  });
});
