import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { TraceHopInfo } from '../../../main/contract';
import HopInspector from './HopInspector.svelte';

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').replaceAll('&gt;', '>').replaceAll('&quot;', '"').trim();

const dnat: TraceHopInfo = {
  seq: 3,
  at: 0,
  reqId: 1,
  pid: 2,
  where: 'node/worker-1',
  kind: 'hook',
  hook: 'PREROUTING',
  packet: 'IP 172.18.0.1.41426 > 10.244.2.3.80: Flags [S], seq 1, win 64240, length 0',
  protocol: 'TCP',
  natBefore: '172.18.0.1:41426 > 172.18.0.3:30080',
  natAfter: '172.18.0.1:41426 > 10.244.2.3:80',
  verdict: 'accept',
  conntrack: { line: 'tcp 6 120 SYN_SENT src=172.18.0.1 dst=172.18.0.3 sport=41426 dport=30080 [UNREPLIED] src=10.244.2.3 dst=172.18.0.1 sport=80 dport=41426', state: 'NEW' },
  steps: [
    { hook: 'PREROUTING', table: 'nat', chain: 'KUBE-SEP-ONE', ruleNum: 2, ruleText: '-A KUBE-SEP-ONE -p tcp -m tcp -j DNAT --to-destination 10.244.2.3:80', verdict: 'DNAT 10.244.2.3:80' },
  ],
};

describe('HopInspector', () => {
  it('with nothing selected it says what to do', () => {
    const { body } = render(HopInspector, { props: { hop: null, hops: [], originHost: '' } });
    expect(body).toContain('aria-label="Hop inspector"');
    expect(text(body)).toContain('Select a packet in the event list');
  });

  it('a DNAT hop: labelled sections with the rule text, the rewrite, conntrack, changed fields marked', () => {
    const { body } = render(HopInspector, { props: { hop: dnat, hops: [dnat], originHost: 'workstation' } });
    for (const region of ['Headers by layer', 'Netfilter path', 'Conntrack entry', 'NAT rewrite']) expect(body).toContain(`aria-label="${region}"`);
    const t = text(body);
    expect(t).toContain('-A KUBE-SEP-ONE -p tcp -m tcp -j DNAT --to-destination 10.244.2.3:80 → DNAT 10.244.2.3:80');
    expect(t).toContain('Conntrack (NEW)');
    expect(body.match(/class="[^"]*changed/g)?.length).toBe(2);
    expect(body).not.toContain('role="alert"');
  });

  it('a drop is announced with its reason', () => {
    const drop: TraceHopInfo = { ...dnat, kind: 'drop', steps: undefined, natBefore: undefined, natAfter: undefined, detail: 'no route to host' };
    const { body } = render(HopInspector, { props: { hop: drop, hops: [drop], originHost: 'workstation' } });
    expect(body).toMatch(/role="alert"[^>]*>Dropped: no route to host/);
  });

  it("an Ingress proxy hop: the rule chosen, the upstream pod, the place named as the topology names it", () => {
    const proxy: TraceHopInfo = {
      seq: 40, at: 0, reqId: 1, pid: 0, where: 'pod/ingress-nginx/ingress-nginx-controller-1', kind: 'proxy', protocol: 'HTTP',
      packet: 'GET / HTTP/1.1 Host: web.example.com',
      verdict: 'proxy to 10.244.1.3:80',
      detail: 'host web.example.com, Prefix path / is the longest match for / (Ingress default/web); upstream default-web-80: chose pod endpoint 10.244.1.3:80 of [10.244.1.3:80] (round robin), new TCP connection from 10.244.2.4',
    };
    const names = new Map([[proxy.where, 'ingress-nginx-controller-1']]);
    const { body } = render(HopInspector, { props: { hop: proxy, hops: [proxy], originHost: 'workstation', names } });
    expect(body).toContain('aria-label="Ingress routing decision"');
    const t = text(body);
    expect(t).toContain('Rule chosenhost web.example.com, Prefix path / of Ingress default/web');
    expect(t).toContain('Upstreamdefault-web-80 → pod 10.244.1.3:80');
    expect(t).not.toContain('(ingress-nginx-controller-1)'); // the id already ends with the label
    const lb = render(HopInspector, { props: { hop: { ...dnat, where: 'lb/a1b2' }, hops: [dnat], originHost: 'laptop', names: new Map([['lb/a1b2', 'ELB web']]) } });
    expect(text(lb.body)).toContain('lb/a1b2 (ELB web)');
  });

  it('a DNS hop lists the search-list expansion, answers tied to their questions', () => {
    const mk = (seq: number, kind: TraceHopInfo['kind'], packet: string): TraceHopInfo => ({ seq, at: 0, reqId: 1, pid: seq, where: 'pod/default/c', kind, packet, protocol: 'DNS' });
    const hops = [
      mk(1, 'xmit', 'IP 10.244.1.4.5000 > 10.96.0.10.53: 7+ A? web.default.svc.cluster.local. (47)'),
      mk(2, 'deliver', 'IP 10.96.0.10.53 > 10.244.1.4.5000: 7*- 1/0/0 A 10.96.3.4 (63)'),
    ];
    const { body } = render(HopInspector, { props: { hop: hops[0]!, hops, originHost: 'pod/default/c' } });
    expect(body).toContain('aria-label="DNS search-list expansion"');
    const t = text(body);
    expect(t).toContain('Query A? web.default.svc.cluster.local.');
    expect(t).toContain('Answer A? web.default.svc.cluster.local. → 1 answer(s): A 10.96.3.4');
  });
});
