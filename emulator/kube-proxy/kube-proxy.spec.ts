import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { Scheduler } from '../core/scheduler';
import { createNetfilterNamespace } from '../netfilter';
import { TCP_SYN, type NfPacket } from '../netfilter/hook-api';
import { ip } from '../netfilter/ip';
import { KubeProxy } from './kube-proxy';
import { nodeBaselineRules } from './node-baseline';
import { kubeProxyRules, probability, servicePortsFrom } from './rules';
import { FakeProxyStore, endpointSlice, service, type SvcSpec } from './testing';

const CURRENCY: SvcSpec = {
  name: 'currency-exchange', clusterIP: '10.96.45.12', ports: [{ name: 'http', port: 80, targetPort: 8080 }],
  endpoints: [{ ip: '10.244.2.7', nodeName: 'worker2' }, { ip: '10.244.1.5', nodeName: 'worker' }],
};
const WEB: SvcSpec = {
  name: 'web', type: 'NodePort', clusterIP: '10.101.7.20', ports: [{ port: 80, targetPort: 80, nodePort: 31234 }],
  externalTrafficPolicy: 'Cluster', endpoints: [{ ip: '10.244.1.9', nodeName: 'worker' }],
};

function setup(specs: SvcSpec[]) {
  const scheduler = new Scheduler();
  const store = new FakeProxyStore();
  for (const s of specs) store.add(s);
  const nf = createNetfilterNamespace({ name: 'node/worker', rng: new Rng(1) });
  const proxy = new KubeProxy({ nodeName: 'worker', nodeIPs: ['172.18.0.3'], netfilter: nf, store, scheduler });
  return { scheduler, store, nf, proxy };
}

// kubernetes-networking-facts.md §1.7, verbatim.
const FACTS_1_7 = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-EXT-LOLE4ISW44XBNF3G - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:KUBE-SEP-C3IAUT4UL2MRNDDG - [0:0]
:KUBE-SEP-JLDC3FBP3UN7J24B - [0:0]
:KUBE-SEP-XHF3CBAYJCIWRWAI - [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-SVC-CT6I6UCS6RCC5RND - [0:0]
:KUBE-SVC-LOLE4ISW44XBNF3G - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-EXT-LOLE4ISW44XBNF3G -m comment --comment "masquerade traffic for default/web external destinations" -j KUBE-MARK-MASQ
-A KUBE-EXT-LOLE4ISW44XBNF3G -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web" -m tcp --dport 31234 -j KUBE-EXT-LOLE4ISW44XBNF3G
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SEP-C3IAUT4UL2MRNDDG -s 10.244.1.9/32 -m comment --comment "default/web" -j KUBE-MARK-MASQ
-A KUBE-SEP-C3IAUT4UL2MRNDDG -p tcp -m comment --comment "default/web" -m tcp -j DNAT --to-destination 10.244.1.9:80
-A KUBE-SEP-JLDC3FBP3UN7J24B -s 10.244.1.5/32 -m comment --comment "default/currency-exchange:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-JLDC3FBP3UN7J24B -p tcp -m comment --comment "default/currency-exchange:http" -m tcp -j DNAT --to-destination 10.244.1.5:8080
-A KUBE-SEP-XHF3CBAYJCIWRWAI -s 10.244.2.7/32 -m comment --comment "default/currency-exchange:http" -j KUBE-MARK-MASQ
-A KUBE-SEP-XHF3CBAYJCIWRWAI -p tcp -m comment --comment "default/currency-exchange:http" -m tcp -j DNAT --to-destination 10.244.2.7:8080
-A KUBE-SERVICES -d 10.96.45.12/32 -p tcp -m comment --comment "default/currency-exchange:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-CT6I6UCS6RCC5RND
-A KUBE-SERVICES -d 10.101.7.20/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 80 -j KUBE-SVC-LOLE4ISW44XBNF3G
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-SVC-CT6I6UCS6RCC5RND ! -s 10.244.0.0/16 -d 10.96.45.12/32 -p tcp -m comment --comment "default/currency-exchange:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-CT6I6UCS6RCC5RND -m comment --comment "default/currency-exchange:http -> 10.244.1.5:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-JLDC3FBP3UN7J24B
-A KUBE-SVC-CT6I6UCS6RCC5RND -m comment --comment "default/currency-exchange:http -> 10.244.2.7:8080" -j KUBE-SEP-XHF3CBAYJCIWRWAI
-A KUBE-SVC-LOLE4ISW44XBNF3G ! -s 10.244.0.0/16 -d 10.101.7.20/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
-A KUBE-SVC-LOLE4ISW44XBNF3G -m comment --comment "default/web -> 10.244.1.9:80" -j KUBE-SEP-C3IAUT4UL2MRNDDG
COMMIT
`;

describe('kube-proxy rules (facts §1.7 golden)', () => {
  it('writes exactly the nat table of the facts example', () => {
    const { nf, proxy } = setup([CURRENCY, WEB]);
    proxy.start();
    proxy.syncNow();
    expect(nf.save({ table: 'nat' })).toBe(FACTS_1_7);
  });

  it('rejects a Service without endpoints in filter, with no nat chains (facts §1.7 tail)', () => {
    const { nf, proxy } = setup([{ ...WEB, endpoints: [] }]);
    proxy.start();
    proxy.syncNow();
    const filter = nf.save({ table: 'filter' });
    expect(filter).toContain('-A KUBE-SERVICES -d 10.101.7.20/32 -p tcp -m comment --comment "default/web has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable\n');
    expect(filter).toContain('-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/web has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 31234 -j REJECT --reject-with icmp-port-unreachable\n');
    expect(nf.save({ table: 'nat' })).not.toContain('LOLE4ISW44XBNF3G');
  });

  it('orders the filter jumps as ensure-prepend leaves them and writes KUBE-FORWARD', () => {
    const { nf, proxy } = setup([]);
    nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
    proxy.start();
    proxy.syncNow();
    const f = nf.save({ table: 'filter' });
    const lines = f.split('\n');
    expect(lines.filter((l) => l.startsWith('-A INPUT'))).toEqual([
      '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
      '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
      '-A INPUT -j KUBE-FIREWALL',
    ]);
    expect(lines.filter((l) => l.startsWith('-A FORWARD'))).toEqual([
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
      '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    ]);
    expect(lines.filter((l) => l.startsWith('-A KUBE-FORWARD'))).toEqual([
      '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ]);
    expect(f).toContain('-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');
    // starting again does not duplicate the jumps
    proxy.start();
    expect(nf.save({ table: 'filter' })).toBe(f);
  });

  it('formats probabilities 1/(n-i) with 10 decimals (kube-proxy) and the kernel shows 11', () => {
    expect([5, 4, 3, 2].map(probability)).toEqual(['0.2000000000', '0.2500000000', '0.3333333333', '0.5000000000']);
    const eps = ['10.244.1.2', '10.244.1.3', '10.244.1.4', '10.244.1.5', '10.244.1.10'].map((i) => ({ ip: i }));
    const { nf, proxy } = setup([{ name: 'five', clusterIP: '10.96.0.55', ports: [{ port: 80, targetPort: 80 }], endpoints: eps }]);
    proxy.start();
    proxy.syncNow();
    const probs = nf.save({ table: 'nat' }).split('\n').filter((l) => l.includes('--probability')).map((l) => /--probability (\S+)/.exec(l)![1]);
    expect(probs).toEqual(['0.20000000019', '0.25000000000', '0.33333333349', '0.50000000000']);
    // endpoints sorted by the "ip:port" string: 10.244.1.10 sorts before 10.244.1.2
    expect(nf.save({ table: 'nat' })).toMatch(/default\/five -> 10\.244\.1\.10:80" -m statistic --mode random --probability 0\.20000000019/);
  });

  it('writes Local externalTrafficPolicy: EXT short-circuits, SVL chain, health check node port, DROP without local endpoints', () => {
    const lb: SvcSpec = {
      name: 'lb', type: 'LoadBalancer', clusterIP: '10.96.10.10', ports: [{ port: 80, targetPort: 8080, nodePort: 30080 }],
      externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, lbIPs: ['203.0.113.10'],
      endpoints: [{ ip: '10.244.1.5', nodeName: 'worker' }, { ip: '10.244.2.5', nodeName: 'worker2' }],
    };
    const { nf, proxy } = setup([lb]);
    proxy.start();
    proxy.syncNow();
    const nat = nf.save({ table: 'nat' });
    const ext = nat.split('\n').filter((l) => l.startsWith('-A KUBE-EXT-'));
    const h = ext[0]!.slice(12, 28);
    expect(ext).toEqual([
      `-A KUBE-EXT-${h} -s 10.244.0.0/16 -m comment --comment "pod traffic for default/lb external destinations" -j KUBE-SVC-${h}`,
      `-A KUBE-EXT-${h} -m comment --comment "masquerade LOCAL traffic for default/lb external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
      `-A KUBE-EXT-${h} -m comment --comment "route LOCAL traffic for default/lb external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-${h}`,
      `-A KUBE-EXT-${h} -j KUBE-SVL-${h}`,
    ]);
    expect(nat).toContain(`-A KUBE-SVL-${h} -m comment --comment "default/lb -> 10.244.1.5:8080" -j KUBE-SEP-`);
    expect(nat).toContain(`-A KUBE-SERVICES -d 203.0.113.10/32 -p tcp -m comment --comment "default/lb loadbalancer IP" -m tcp --dport 80 -j KUBE-EXT-${h}`);
    expect(nf.save({ table: 'filter' })).toContain('-A KUBE-NODEPORTS -p tcp -m comment --comment "default/lb health check node port" -m tcp --dport 32000 -j ACCEPT');

    // On a node without a local endpoint: DROP for the external destinations.
    const ports = servicePortsFrom([service(lb)], [endpointSlice({ ...lb, endpoints: [{ ip: '10.244.2.5', nodeName: 'worker2' }] })]);
    const r = kubeProxyRules(ports, { nodeName: 'worker', clusterCIDR: '10.244.0.0/16' });
    expect(r.text).toContain('-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/lb has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP');
    expect(r.text).toContain('-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/lb has no local endpoints" -m tcp -p tcp -d 203.0.113.10 --dport 80 -j DROP');
  });

  it('writes ClientIP affinity with -m recent', () => {
    const { nf, proxy } = setup([{ ...CURRENCY, sessionAffinity: 'ClientIP' }]);
    proxy.start();
    proxy.syncNow();
    const nat = nf.save({ table: 'nat' });
    expect(nat).toContain('-A KUBE-SVC-CT6I6UCS6RCC5RND -m comment --comment "default/currency-exchange:http -> 10.244.1.5:8080" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-JLDC3FBP3UN7J24B --mask 255.255.255.255 --rsource -j KUBE-SEP-JLDC3FBP3UN7J24B');
    expect(nat).toContain('-A KUBE-SEP-JLDC3FBP3UN7J24B -p tcp -m comment --comment "default/currency-exchange:http" -m recent --set --name KUBE-SEP-JLDC3FBP3UN7J24B --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.244.1.5:8080');
  });

  it('gives headless and ExternalName Services no rules', () => {
    const { nf, proxy } = setup([
      { name: 'headless', clusterIP: 'None', ports: [{ port: 80, targetPort: 80 }], endpoints: [{ ip: '10.244.1.5' }] },
      { name: 'ext', type: 'ExternalName', clusterIP: '', ports: [{ port: 80, targetPort: 80 }] },
    ]);
    proxy.start();
    proxy.syncNow();
    const all = nf.save();
    expect(all).not.toMatch(/headless|default\/ext/);
  });
});

describe('kube-proxy as a controller', () => {
  it('syncs at once after a change, at most once per min sync period, then deletes stale chains', () => {
    const { scheduler, store, nf, proxy } = setup([CURRENCY]);
    proxy.start();
    expect(nf.save({ table: 'nat' })).not.toContain('KUBE-SVC-CT6I6UCS6RCC5RND');
    scheduler.advance(0);
    expect(nf.save({ table: 'nat' })).toContain(':KUBE-SVC-CT6I6UCS6RCC5RND - [0:0]');
    // scale to one endpoint within the min sync period: the removed endpoint's SEP chain stays until 1 s after the last sync
    store.add({ ...CURRENCY, endpoints: [{ ip: '10.244.1.5' }] });
    scheduler.advance(999);
    expect(nf.save({ table: 'nat' })).toContain('KUBE-SEP-XHF3CBAYJCIWRWAI');
    scheduler.advance(1);
    expect(nf.save({ table: 'nat' })).not.toContain('KUBE-SEP-XHF3CBAYJCIWRWAI');
    // a change long after the last sync is applied in the same virtual instant
    scheduler.advance(5000);
    store.remove('services', 'default', 'currency-exchange');
    scheduler.advance(0);
    expect(nf.save({ table: 'nat' })).not.toMatch(/KUBE-(SVC|SEP)-/);
  });

  it('the written rules carry traffic: pod → ClusterIP is DNATed to an endpoint', () => {
    const { nf, proxy } = setup([CURRENCY]);
    proxy.start();
    proxy.syncNow();
    const p: NfPacket = {
      src: ip('10.244.3.3'), dst: ip('10.96.45.12'), proto: 6, sport: 33333, dport: 80, tcpFlags: TCP_SYN,
      icmpType: 0, icmpCode: 0, length: 60, mark: 0, inIface: 'veth1', outIface: '',
    };
    const ctx = { now: 0, trace: false, isLocalAddress: (a: number) => a === ip('172.18.0.3') };
    expect(nf.hook('PREROUTING', p, ctx).verdict.kind).toBe('accept');
    expect(['10.244.1.5', '10.244.2.7'].map(ip)).toContain(p.dst);
    expect(p.dport).toBe(8080);
  });
});

describe('kube-proxy output round-trips', () => {
  it('iptables-save of any generated Service set restores to the same text (save ∘ restore = id)', async () => {
    const fc = (await import('fast-check')).default;
    const epArb = fc.record({ host: fc.integer({ min: 2, max: 250 }), local: fc.boolean(), ready: fc.boolean() });
    const svcArb = fc.record({
      type: fc.constantFrom('ClusterIP' as const, 'NodePort' as const, 'LoadBalancer' as const),
      eps: fc.array(epArb, { maxLength: 4 }),
      etp: fc.constantFrom('Cluster' as const, 'Local' as const),
      itp: fc.constantFrom('Cluster' as const, 'Local' as const),
      affinity: fc.boolean(),
      udp: fc.boolean(),
      ranges: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(svcArb, { minLength: 1, maxLength: 6 }), (svcs) => {
      const specs: SvcSpec[] = svcs.map((s, i) => ({
        name: `s${i}`, type: s.type, clusterIP: `10.96.1.${i + 1}`,
        ports: [{ name: 'p', port: 80 + i, targetPort: 8080, protocol: s.udp ? 'UDP' : 'TCP', ...(s.type !== 'ClusterIP' ? { nodePort: 30000 + i } : {}) }],
        ...(s.type !== 'ClusterIP' ? { externalTrafficPolicy: s.etp } : {}),
        internalTrafficPolicy: s.itp,
        ...(s.affinity ? { sessionAffinity: 'ClientIP' as const } : {}),
        ...(s.type === 'LoadBalancer' ? { lbIPs: [`203.0.113.${i + 1}`], healthCheckNodePort: s.etp === 'Local' ? 32000 + i : undefined } : {}),
        ...(s.type === 'LoadBalancer' && s.ranges ? { loadBalancerSourceRanges: ['192.0.2.0/24', '172.18.0.0/16'] } : {}),
        endpoints: s.eps.map((e) => ({ ip: `10.244.1.${e.host}`, nodeName: e.local ? 'worker' : 'worker2', ready: e.ready })),
      }));
      const { nf, proxy } = setup(specs);
      proxy.start();
      proxy.syncNow();
      const saved = nf.save();
      const copy = createNetfilterNamespace({ name: 'copy', rng: new Rng(2) });
      copy.restore(saved);
      expect(copy.save()).toBe(saved);
      // a second sync over the same objects changes nothing
      proxy.syncNow();
      expect(nf.save()).toBe(saved);
    }), { numRuns: 60 });
  });
});
