/**
 * Netfilter hot-path bench: the packets of full HTTP requests (handshake, request, response, teardown: 10 packets)
 * from a pod on node A to a ClusterIP whose endpoint is on node B, through every hook of both nodes
 * (PREROUTING, FORWARD, POSTROUTING, in each direction), with kube-proxy's real ruleset for N Services installed.
 * Run with `node bench/netfilter.mjs`.
 */
import { Rng } from '../emulator/core/rng';
import { createNetfilterNamespace, type NetfilterNamespaceImpl } from '../emulator/netfilter';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type NfHook, type NfHookContext, type NfPacket } from '../emulator/netfilter/hook-api';
import { formatIpv4, ip } from '../emulator/netfilter/ip';
import { KubeProxy } from '../emulator/kube-proxy/kube-proxy';
import { nodeBaselineRules } from '../emulator/kube-proxy/node-baseline';
import { FakeProxyStore, type SvcSpec } from '../emulator/kube-proxy/testing';
import { Scheduler } from '../emulator/core/scheduler';

export interface BenchResult {
  readonly services: number;
  readonly requests: number;
  readonly packets: number;
  readonly hookCalls: number;
  readonly seconds: number;
  readonly syncMs: number;
  readonly heapMB: number;
}

const NODE_A = ip('172.18.0.3');
const NODE_B = ip('172.18.0.4');

function svcSpecs(n: number): SvcSpec[] {
  const out: SvcSpec[] = [];
  for (let i = 0; i < n; i++) {
    // ClusterIPs spread over 10.96.0.0/12; endpoints on worker-2 (10.244.2.0/24), 2 or 3 per Service.
    const vip = formatIpv4((ip('10.96.0.0') + 10 + i * 7) >>> 0);
    const eps = 2 + (i % 2);
    out.push({
      namespace: `ns${i % 50}`, name: `svc-${i}`, clusterIP: vip, ports: [{ name: 'http', port: 80, targetPort: 8080 }],
      endpoints: Array.from({ length: eps }, (_, k) => ({ ip: formatIpv4((ip('10.244.2.2') + ((i * 3 + k) % 250)) >>> 0), nodeName: 'worker-2' })),
    });
  }
  return out;
}

function node(name: string, specs: SvcSpec[], scheduler: Scheduler): { nf: NetfilterNamespaceImpl; syncMs: number } {
  const nf = createNetfilterNamespace({ name: `node/${name}`, rng: new Rng(1).fork(name) });
  nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
  const store = new FakeProxyStore();
  for (const s of specs) store.add(s);
  const proxy = new KubeProxy({ nodeName: name, nodeIPs: [], netfilter: nf, store, scheduler });
  proxy.start();
  const t0 = performance.now();
  proxy.syncNow();
  return { nf, syncMs: performance.now() - t0 };
}

const FWD: readonly NfHook[] = ['PREROUTING', 'FORWARD', 'POSTROUTING'];

export function runNetfilterBench(services: number, durationMs = 1500): BenchResult {
  const scheduler = new Scheduler();
  const specs = svcSpecs(services);
  const a = node('worker-1', specs, scheduler);
  const b = node('worker-2', specs, scheduler);
  const ctxA: NfHookContext & { now: number } = {
    now: 0, trace: false, isLocalAddress: (x) => x === NODE_A, ifaceAddress: () => NODE_A,
  };
  const ctxB: NfHookContext & { now: number } = {
    now: 0, trace: false, isLocalAddress: (x) => x === NODE_B, ifaceAddress: () => NODE_B,
  };
  const client = ip('10.244.1.9');
  let hookCalls = 0;
  let packets = 0;
  let drops = 0;
  const pass = (nf: NetfilterNamespaceImpl, ctx: NfHookContext, p: NfPacket, inIf: string, outIf: string) => {
    p.inIface = inIf;
    p.outIface = outIf;
    for (let h = 0; h < 3; h++) {
      hookCalls++;
      if (nf.hook(FWD[h]!, p, ctx).verdict.kind !== 'accept') {
        drops++;
        return;
      }
    }
  };
  const mk = (src: number, dst: number, sport: number, dport: number, flags: number, len: number): NfPacket => ({
    src, dst, proto: 6, sport, dport, tcpFlags: flags, icmpType: 0, icmpCode: 0, length: len, mark: 0, inIface: '', outIface: '',
  });

  const vips = specs.map((sp) => ip(sp.clusterIP));
  let requests = 0;
  let sport = 32768;
  let now = Date.UTC(2026, 0, 1);
  let t0 = 0, cpu0 = process.cpuUsage(), deadline = 0;
  // Warm-up (JIT, the first major GC of the freshly built ruleset), then the measured run.
  const gc = (globalThis as { gc?: () => void }).gc;
  // Phase 0 warms up; phases 1..ROUNDS are measured and the best one is kept (the least disturbed by whatever
  // else shares the machine: on a contended host even CPU time grows with cache and scheduler interference).
  const ROUNDS = 3;
  let best: { requests: number; packets: number; hookCalls: number; seconds: number } | undefined;
  const closeRound = () => {
    const cpu = process.cpuUsage(cpu0);
    const seconds = (cpu.user + cpu.system) / 1e6;
    if (!best || requests / seconds > best.requests / best.seconds) best = { requests, packets, hookCalls, seconds };
  };
  for (let phase = 0; phase <= ROUNDS; phase++) {
    if (phase >= 1) {
      if (phase >= 2) closeRound();
      gc?.();
      requests = 0;
      packets = 0;
      hookCalls = 0;
      t0 = performance.now();
      cpu0 = process.cpuUsage();
    }
    deadline = performance.now() + (phase === 0 ? Math.min(1500, durationMs) : durationMs / ROUNDS);
  while (performance.now() < deadline) {
    for (let batch = 0; batch < 200; batch++) {
      const vip = vips[(requests * 7919) % vips.length]!;
      sport = sport >= 60999 ? 32768 : sport + 1;
      now += 5; // 5 ms of virtual time per request: TIME_WAIT entries expire, the table stays bounded
      ctxA.now = ctxB.now = now;
      // client → server direction (node A routes to node B)
      const syn = mk(client, vip, sport, 80, TCP_SYN, 60);
      pass(a.nf, ctxA, syn, 'veth1', 'eth0');
      const backend = syn.dst, bport = syn.dport;
      const fwd = (flags: number, len: number) => {
        const p = mk(client, vip, sport, 80, flags, len);
        pass(a.nf, ctxA, p, 'veth1', 'eth0');
        pass(b.nf, ctxB, p, 'eth0', 'veth2');
      };
      const rev = (flags: number, len: number) => {
        const p = mk(backend, client, bport, sport, flags, len);
        pass(b.nf, ctxB, p, 'veth2', 'eth0');
        pass(a.nf, ctxA, p, 'eth0', 'veth1');
      };
      pass(b.nf, ctxB, syn, 'eth0', 'veth2');
      rev(TCP_SYN | TCP_ACK, 60);
      fwd(TCP_ACK, 52);
      fwd(TCP_ACK | TCP_PSH, 130);
      rev(TCP_ACK, 52);
      rev(TCP_ACK | TCP_PSH, 200);
      fwd(TCP_ACK, 52);
      fwd(TCP_FIN | TCP_ACK, 52);
      rev(TCP_FIN | TCP_ACK, 52);
      fwd(TCP_ACK, 52);
      packets += 10;
      requests++;
    }
  }
  }
  closeRound();
  void t0;
  if (drops > 0) throw new Error(`bench: ${drops} packets dropped (ruleset or conntrack defect)`);
  // CPU time, not wall time: the figure must not depend on what else the machine runs.
  return {
    services, ...best!, syncMs: Math.max(a.syncMs, b.syncMs),
    heapMB: process.memoryUsage().heapUsed / 1048576,
  };
}

export function formatBench(r: BenchResult): string {
  const rps = r.requests / r.seconds;
  const usPerPacket = (r.seconds * 1e6) / r.packets;
  const usPerHook = (r.seconds * 1e6) / r.hookCalls;
  return `${String(r.services).padStart(6)} Services: ${Math.round(rps).toLocaleString('en-US').padStart(8)} req/s per CPU-second (netfilter only, 2 nodes × 3 hooks per packet), ` +
    `${(r.packets / r.seconds / 1e6).toFixed(2)} M packets/s, ${usPerPacket.toFixed(3)} µs/packet, ${usPerHook.toFixed(3)} µs/hook, ` +
    `kube-proxy sync ${r.syncMs.toFixed(0)} ms, heap ${r.heapMB.toFixed(0)} MB`;
}
