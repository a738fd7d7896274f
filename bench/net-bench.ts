/**
 * Packet-network bench: full HTTP requests through the whole stack — a new TCP connection per request (SYN,
 * SYN-ACK, ACK), request, response, FIN teardown (10 packets), each packet crossing veths, the cni0 bridge,
 * node routing and every netfilter hook of every namespace on the path, on the virtual clock with tracing off.
 *
 *  - pass-through: pod on worker-1 → pod IP on worker-2, netfilter accepting everything (the stack's own cost);
 *  - kube-proxy N: pod on worker-1 → ClusterIP of one of N Services (endpoint: the pod on worker-2), with the
 *    real netfilter interpreter and kube-proxy's ruleset for N Services in both nodes.
 * Run with `node bench/net.mjs`.
 */
import { Rng } from '../emulator/core/rng';
import { formatIpv4, ipv4 } from '../emulator/net/addr';
import { addPod, httpGet, serveHello, testNet, type TestNet } from '../emulator/net/testkit';
import { createNetfilterNamespace } from '../emulator/netfilter';
import { KubeProxy } from '../emulator/kube-proxy/kube-proxy';
import { nodeBaselineRules } from '../emulator/kube-proxy/node-baseline';
import { FakeProxyStore, type SvcSpec } from '../emulator/kube-proxy/testing';

export interface NetBenchResult {
  readonly label: string;
  readonly requests: number;
  readonly packets: number;
  readonly seconds: number;
  readonly heapMB: number;
  readonly failures: number;
}

const SERVER_IP = '10.244.2.6';

function installKubeProxy(t: TestNet, services: number): string[] {
  const specs: SvcSpec[] = [];
  for (let i = 0; i < services; i++) {
    specs.push({
      namespace: `ns${i % 50}`,
      name: `svc-${i}`,
      clusterIP: formatIpv4((ipv4('10.96.0.0') + 10 + i * 7) >>> 0),
      ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      endpoints: [{ ip: SERVER_IP, nodeName: 'worker-2' }],
    });
  }
  for (const [name, ns] of t.topology.nodes) {
    const nf = createNetfilterNamespace({ name: ns.id, rng: new Rng(1).fork(name) });
    nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
    const store = new FakeProxyStore();
    for (const s of specs) store.add(s);
    const proxy = new KubeProxy({ nodeName: name, nodeIPs: [], netfilter: nf, store, scheduler: t.scheduler });
    // One full sync now, then stop watching: start() queues another full sync that would land in the measured run.
    proxy.start();
    proxy.syncNow();
    proxy.stop();
    ns.netfilter = nf;
  }
  return specs.map((s) => s.clusterIP);
}

export function runNetBench(services: number | 'pass-through', durationMs = 1500): NetBenchResult {
  const t = testNet('local', 5);
  t.network.traces.enabled = false;
  const client = addPod(t, 'client', 'worker-1', '10.244.1.9', '10.244.1.0/24');
  const server = addPod(t, 'server', 'worker-2', SERVER_IP, '10.244.2.0/24');
  serveHello(server, 8080, 'server', 0);
  const targets = services === 'pass-through' ? [SERVER_IP] : installKubeProxy(t, services);
  const dsts = targets.map((x) => ipv4(x));
  const port = services === 'pass-through' ? 8080 : 80;
  let requests = 0, failures = 0;
  const s = t.scheduler;
  // warm-up (ARP, JIT) before any figure is taken: the first configuration would otherwise carry the JIT
  for (let i = 0; i < 2000; i++) {
    const r = httpGet(client, dsts[i % dsts.length]!, port);
    s.runUntil(() => r.done, s.now() + 1000);
    s.advance(1);
  }
  // CPU time of this process (user + system), not wall time: the figures stay meaningful on a loaded machine.
  const cpu0 = process.cpuUsage();
  const cpuMs = () => {
    const d = process.cpuUsage(cpu0);
    return (d.user + d.system) / 1000;
  };
  while (cpuMs() < durationMs) {
    for (let b = 0; b < 100; b++) {
      const r = httpGet(client, dsts[(requests * 7919) % dsts.length]!, port);
      s.runUntil(() => r.done, s.now() + 1000);
      if (!r.response) failures++;
      requests++;
      s.advance(1); // 1 ms of virtual time between requests: TIME-WAIT and conntrack entries age out
    }
  }
  const seconds = cpuMs() / 1000;
  return {
    label: services === 'pass-through' ? 'pod→pod, pass-through netfilter' : `pod→ClusterIP, ${services} Services`,
    requests,
    packets: requests * 10,
    seconds,
    heapMB: process.memoryUsage().heapUsed / 1048576,
    failures,
  };
}

export function formatNetBench(r: NetBenchResult): string {
  const rps = r.requests / r.seconds;
  return `${r.label.padEnd(36)} ${Math.round(rps).toLocaleString('en-US').padStart(7)} req/s, ${((r.seconds * 1e6) / r.packets).toFixed(2)} µs/packet, ${((r.seconds * 1e6) / r.requests).toFixed(1)} µs/request, heap ${r.heapMB.toFixed(0)} MB${r.failures ? `, ${r.failures} FAILED` : ''}`;
}

export async function main(args: string[]): Promise<void> {
  const ms = Number(args.find((a) => a.startsWith('--ms='))?.slice(5) ?? 1500);
  console.log('Full HTTP requests through the packet stack (new connection each: 10 packets, 2 nodes, tracing off; CPU time)');
  const results: NetBenchResult[] = [];
  for (const n of ['pass-through', 10, 1000, 10000] as const) {
    const r = runNetBench(n, ms);
    results.push(r);
    console.log(formatNetBench(r));
  }
  const at10 = results[1]!, at10k = results[3]!;
  const ratio = (at10k.seconds / at10k.requests) / (at10.seconds / at10.requests);
  console.log(`per-request cost at 10,000 Services / at 10: ${ratio.toFixed(2)}×`);
}
