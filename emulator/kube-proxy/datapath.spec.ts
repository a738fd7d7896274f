/**
 * kube-proxy's rules carrying real packets through the emulator's IP stack (emulator/net): pod → ClusterIP,
 * workstation → NodePort, no endpoints (refused), ClientIP affinity, and what conntrack and the counters show.
 */
import { describe, expect, it } from 'vitest';
import { addPod, httpGet, serveHello, testNet, type TestNet } from '../net/testkit';
import { netfilterFor } from '../netfilter';
import { formatEntry } from '../netfilter/conntrack';
import { installNetfilter } from '../netfilter/install';
import { KubeProxy } from './kube-proxy';
import { nodeBaselineRules } from './node-baseline';
import { FakeProxyStore, type SvcSpec } from './testing';

const NODES = ['control-plane', 'worker-1', 'worker-2'];

function cluster(specs: SvcSpec[]) {
  const t: TestNet = testNet('local', 11);
  const world = { network: t.network, rng: t.network.rng };
  installNetfilter(world);
  const store = new FakeProxyStore();
  for (const s of specs) store.add(s);
  for (const node of NODES) {
    const nf = netfilterFor(world, `node/${node}`)!;
    nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
    const proxy = new KubeProxy({ nodeName: node, nodeIPs: [], netfilter: nf, store, scheduler: t.scheduler });
    proxy.start();
    proxy.syncNow();
  }
  return { t, world };
}

const WEB: SvcSpec = {
  name: 'web', type: 'NodePort', clusterIP: '10.96.45.12', ports: [{ port: 80, targetPort: 8000, nodePort: 31234 }],
  endpoints: [{ ip: '10.244.1.5', nodeName: 'worker-1' }, { ip: '10.244.2.6', nodeName: 'worker-2' }],
};
const EMPTY: SvcSpec = { name: 'empty', clusterIP: '10.96.99.99', ports: [{ port: 80, targetPort: 80 }], endpoints: [] };

function get(t: TestNet, from: ReturnType<typeof addPod>, dst: string, port: number) {
  const r = httpGet(from, dst, port);
  t.scheduler.runUntil(() => r.done, t.scheduler.now() + 30_000);
  return r;
}

describe('kube-proxy rules on the emulated network', () => {
  it('pod → ClusterIP reaches both endpoints, and conntrack on the node shows the DNAT', () => {
    const { t, world } = cluster([WEB]);
    const a = addPod(t, 'web-a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'web-b', 'worker-2', '10.244.2.6', '10.244.2.0/24');
    // The client sits on a node without endpoints: its packets are routed (not bridged) at every hop. A client on
    // an endpoint's own bridge needs br_netfilter in the stack (bridged frames through the node's hooks).
    const client = addPod(t, 'client', 'control-plane', '10.244.0.9', '10.244.0.0/24');
    serveHello(a, 8000, 'web-a');
    serveHello(b, 8000, 'web-b');
    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) {
      const r = get(t, client, '10.96.45.12', 80);
      expect(r.error).toBeUndefined();
      seen.add(r.response!.body);
    }
    expect(seen).toEqual(new Set(['hello from web-a\n', 'hello from web-b\n']));
    const nf = netfilterFor(world, 'node/control-plane')!;
    const lines = nf.conntrack.list(t.scheduler.now()).map((e) => formatEntry(e, t.scheduler.now()));
    expect(lines.some((l) => /^tcp {6}6 \d+ TIME_WAIT src=10\.244\.0\.9 dst=10\.96\.45\.12 sport=\d+ dport=80 src=10\.244\.(1\.5|2\.6) dst=10\.244\.0\.9 sport=8000 dport=\d+ \[ASSURED\] mark=0 use=1$/.test(l))).toBe(true);
    // nat counters: one packet per connection through the cluster IP rule
    const svcRule = nf.ruleset.table('nat').chains.get('KUBE-SERVICES')!.rules.find((r) => r.dst?.addr === 0x0a602d0c)!;
    expect(svcRule.packets).toBe(16);
  });

  it('workstation → NodePort is masqueraded to the node and answered', () => {
    const { t } = cluster([WEB]);
    const a = addPod(t, 'web-a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'web-b', 'worker-2', '10.244.2.6', '10.244.2.0/24');
    serveHello(a, 8000, 'web-a');
    serveHello(b, 8000, 'web-b');
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const r = get(t, t.topology.loginNs, '172.18.0.3', 31234);
      expect(r.error).toBeUndefined();
      seen.add(r.response!.body);
    }
    expect(seen.size).toBe(2);
  });

  it('a Service without endpoints is refused (REJECT → ICMP port unreachable)', () => {
    const { t } = cluster([WEB, EMPTY]);
    const client = addPod(t, 'client', 'worker-1', '10.244.1.9', '10.244.1.0/24');
    const start = t.scheduler.now();
    const r = get(t, client, '10.96.99.99', 80);
    expect(r.error).toBe('ECONNREFUSED');
    expect(t.scheduler.now() - start).toBeLessThan(100);
  });

  it('ClientIP affinity keeps a client on one endpoint', () => {
    const { t } = cluster([{ ...WEB, sessionAffinity: 'ClientIP' }]);
    const a = addPod(t, 'web-a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'web-b', 'worker-2', '10.244.2.6', '10.244.2.0/24');
    const client = addPod(t, 'client', 'control-plane', '10.244.0.9', '10.244.0.0/24');
    serveHello(a, 8000, 'web-a');
    serveHello(b, 8000, 'web-b');
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) seen.add(get(t, client, '10.96.45.12', 80).response!.body);
    expect(seen.size).toBe(1);
  });
});
