import { describe, expect, it } from 'vitest';
import type { TraceHopInfo } from '../../../main/contract';
import { dnsSequence, dropReason, headerDiff, ingressDecision, netfilterPath, packetBefore, parseLayers } from './inspector-model';

const dnat: TraceHopInfo = {
  seq: 10,
  at: 0,
  reqId: 1,
  pid: 7,
  where: 'node/worker-1',
  kind: 'hook',
  hook: 'PREROUTING',
  packet: 'IP 172.18.0.1.41426 > 10.244.2.3.80: Flags [S], seq 1, win 64240, length 0',
  protocol: 'TCP',
  natBefore: '172.18.0.1:41426 > 172.18.0.3:30080',
  natAfter: '172.18.0.1:41426 > 10.244.2.3:80',
  verdict: 'accept',
  steps: [
    { hook: 'PREROUTING', table: 'nat', chain: 'PREROUTING', ruleNum: 1, ruleText: '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', verdict: 'jump KUBE-SERVICES' },
    { hook: 'PREROUTING', table: 'nat', chain: 'KUBE-SERVICES', ruleNum: 3, ruleText: '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS', verdict: 'jump KUBE-NODEPORTS' },
    { hook: 'PREROUTING', table: 'nat', chain: 'KUBE-SVC-ABC', ruleNum: 1, ruleText: '-A KUBE-SVC-ABC -m statistic --mode random --probability 0.5 -j KUBE-SEP-ONE', verdict: 'jump KUBE-SEP-ONE' },
    { hook: 'PREROUTING', table: 'nat', chain: 'KUBE-SEP-ONE', ruleNum: 2, ruleText: '-A KUBE-SEP-ONE -p tcp -m tcp -j DNAT --to-destination 10.244.2.3:80', verdict: 'DNAT 10.244.2.3:80' },
    { hook: 'PREROUTING', table: 'mangle', chain: 'PREROUTING', ruleNum: 0, ruleText: ':PREROUTING ACCEPT', verdict: 'policy ACCEPT' },
  ],
};

describe('inspector model', () => {
  it('parses tcpdump text into layers', () => {
    expect(parseLayers(dnat.packet)).toEqual({
      'L3 IPv4': { source: '172.18.0.1', destination: '10.244.2.3' },
      'L4 TCP': { 'source port': '41426', 'destination port': '80', flags: 'S', seq: '1' },
    });
    expect(parseLayers('IP 10.244.1.5.38782 > 10.96.0.10.53: 4660+ A? web.default.svc.cluster.local. (48)')['L7 DNS']).toEqual({
      message: '4660+ A? web.default.svc.cluster.local. (48)',
    });
    expect(parseLayers('ARP, Request who-has 172.18.0.3 tell 172.18.0.1, length 28')['L2 ARP']).toEqual({ op: 'request', 'target IP': '172.18.0.3', 'sender IP': '172.18.0.1' });
  });

  it('a DNAT hop: before is the pre-NAT tuple, and exactly the destination address and port changed', () => {
    const before = packetBefore([dnat], dnat);
    expect(before).toBe('IP 172.18.0.1.41426 > 172.18.0.3.30080: Flags [S], seq 1, win 64240, length 0');
    const changed = headerDiff(before, dnat.packet).flatMap((l) => l.fields.filter((f) => f.changed).map((f) => `${f.name}: ${f.before} → ${f.after}`));
    expect(changed).toEqual(['destination: 172.18.0.3 → 10.244.2.3', 'destination port: 30080 → 80']);
  });

  it('without NAT, before is the same packet at its previous hop', () => {
    const prev = { ...dnat, seq: 5, kind: 'xmit' as const, natBefore: undefined, natAfter: undefined, packet: 'IP 1.1.1.1.1 > 2.2.2.2.2: Flags [S], seq 1, length 0' };
    const other = { ...prev, seq: 6, pid: 99, packet: 'other' };
    const h = { ...dnat, natBefore: undefined, natAfter: undefined };
    expect(packetBefore([prev, other, h], h)).toBe(prev.packet);
  });

  it('the netfilter path names each chain once in order and marks the decisive rules', () => {
    const p = netfilterPath(dnat.steps!);
    expect(p.chains).toEqual(['PREROUTING', 'KUBE-SERVICES', 'KUBE-SVC-ABC', 'KUBE-SEP-ONE', 'PREROUTING']);
    expect(p.steps.map((s) => s.decisive)).toEqual([true, true, true, true, false]);
  });

  it('DNS: the search-list expansion as queries and answers at the origin host, one per packet', () => {
    const mk = (seq: number, pid: number, where: string, kind: TraceHopInfo['kind'], packet: string): TraceHopInfo => ({ seq, at: seq, reqId: 1, pid, where, kind, packet, protocol: 'DNS' });
    const hops = [
      mk(1, 1, 'pod/default/c', 'xmit', 'IP 10.244.1.5.3000 > 10.96.0.10.53: 1+ A? api.external.com.default.svc.cluster.local. (60)'),
      mk(2, 1, 'node/worker-1', 'recv', 'IP 10.244.1.5.3000 > 10.96.0.10.53: 1+ A? api.external.com.default.svc.cluster.local. (60)'),
      mk(3, 2, 'pod/default/c', 'deliver', 'IP 10.96.0.10.53 > 10.244.1.5.3000: 1 NXDomain* 0/1/0 (153)'),
      mk(4, 3, 'pod/default/c', 'xmit', 'IP 10.244.1.5.3001 > 10.96.0.10.53: 2+ A? api.external.com.svc.cluster.local. (52)'),
      mk(5, 3, 'pod/default/c', 'xmit', 'IP 10.244.1.5.3001 > 10.96.0.10.53: 2+ A? api.external.com.svc.cluster.local. (52)'),
    ];
    const seq = dnsSequence(hops, 'pod/default/c');
    expect(seq.map((d) => `${d.kind} ${d.name}`)).toEqual([
      'query api.external.com.default.svc.cluster.local.',
      'answer NXDOMAIN',
      'query api.external.com.svc.cluster.local.',
    ]);
  });

  it('DNS: each answer is tied to its question by id and said in words', () => {
    const mk = (seq: number, kind: TraceHopInfo['kind'], packet: string): TraceHopInfo => ({ seq, at: seq, reqId: 1, pid: seq, where: 'pod/default/c', kind, packet, protocol: 'DNS' });
    const seq = dnsSequence(
      [
        mk(1, 'xmit', 'IP 10.244.1.4.5000 > 10.96.0.10.53: 11+ A? web.default.default.svc.cluster.local. (55)'),
        mk(2, 'xmit', 'IP 10.244.1.4.5000 > 10.96.0.10.53: 12+ [1au] A? web.default.svc.cluster.local. (47)'),
        mk(3, 'deliver', 'IP 10.96.0.10.53 > 10.244.1.4.5000: 12*- 1/0/0 A 10.101.21.241 (63)'),
        mk(4, 'deliver', 'IP 10.96.0.10.53 > 10.244.1.4.5000: 11 NXDomain*- 0/1/0 (101)'),
        mk(5, 'deliver', 'IP 10.96.0.10.53 > 10.244.1.4.5000: 13*- 0/1/0 (101)'),
      ],
      'pod/default/c',
    );
    expect(seq.map((d) => `${d.kind} ${d.type} ${d.question} ${d.result}`)).toEqual([
      'query A? web.default.default.svc.cluster.local. A?',
      'query A? web.default.svc.cluster.local. A?',
      'answer A? web.default.svc.cluster.local. 1 answer(s): A 10.101.21.241',
      'answer A? web.default.default.svc.cluster.local. NXDOMAIN: no such name',
      'answer   no records of that type (NOERROR)',
    ]);
  });

  it("an Ingress proxy hop: the Host/path rule chosen, the Ingress, and the pod endpoint; its HTTP headers by layer", () => {
    const proxy: TraceHopInfo = {
      seq: 40, at: 0, reqId: 1, pid: 0, where: 'pod/ingress-nginx/ingress-nginx-controller-1', kind: 'proxy', protocol: 'HTTP',
      packet: 'GET /api HTTP/1.1 Host: web.example.com',
      verdict: 'proxy to 10.244.1.3:80',
      detail: 'host web.example.com, Prefix path /api is the longest match for /api (Ingress default/web); upstream default-web-80: chose pod endpoint 10.244.1.3:80 of [10.244.1.3:80, 10.244.2.3:80] (round robin), new TCP connection from 10.244.2.4',
    };
    expect(ingressDecision(proxy)).toMatchObject({ host: 'host web.example.com', pathType: 'Prefix', path: '/api', ingress: 'default/web', upstream: 'default-web-80', endpoint: '10.244.1.3:80', verdict: 'proxy to 10.244.1.3:80' });
    expect(ingressDecision({ ...dnat })).toBeUndefined();
    expect(ingressDecision({ ...proxy, verdict: 'respond 404', detail: 'no rule matches x/y and no defaultBackend' })).toMatchObject({ ingress: undefined, verdict: 'respond 404' });
    expect(parseLayers(proxy.packet)).toEqual({ 'L7 HTTP': { method: 'GET', path: '/api', version: 'HTTP/1.1', Host: 'web.example.com' } });
    // The proxy hop has no packet id (0): an ARP hop recorded before it with pid 0 is not its "before".
    const arp: TraceHopInfo = { ...dnat, seq: 39, pid: 0, kind: 'arp', packet: 'ARP, Request who-has 10.244.2.1 tell 10.244.2.3, length 28' };
    expect(packetBefore([arp, proxy], proxy)).toBe(proxy.packet);
  });

  it('a drop says why in plain words', () => {
    expect(dropReason({ ...dnat, kind: 'drop', detail: 'no route to host 10.96.0.1' })).toBe('no route to host 10.96.0.1');
    const fw = { ...dnat, kind: 'hook' as const, verdict: 'drop', steps: [{ ...dnat.steps![0]!, ruleText: '-A INPUT -p tcp --dport 30080 -j DROP', verdict: 'DROP' }] };
    expect(dropReason(fw)).toBe('a firewall rule dropped it: -A INPUT -p tcp --dport 30080 -j DROP');
    expect(dropReason(dnat)).toBeUndefined();
  });
});
