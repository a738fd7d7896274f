/**
 * HTTP bench over the data-plane services: full requests as curl makes them — DNS lookup through the pod's
 * resolver (A + AAAA over UDP to the kube-dns ClusterIP, DNATed by kube-proxy to a CoreDNS pod answering from
 * its informer view of N Services), TCP handshake to the Service's ClusterIP, request, response, teardown —
 * and from outside: laptop → ELB (cloud profile, Classic-ELB proxy) → NodePort → KUBE-EXT/SVC → pod.
 * With 10, 1,000 and 10,000 Services installed. Tracing off. Run with `node bench/http.mjs`.
 */
import { Rng } from '../emulator/core/rng';
import type { Scheduler } from '../emulator/core/scheduler';
import { formatIpv4, ipv4 } from '../emulator/net/addr';
import { addPod, serveHello, testNet, type TestNet } from '../emulator/net/testkit';
import { createNetfilterNamespace } from '../emulator/netfilter';
import { KubeProxy } from '../emulator/kube-proxy/kube-proxy';
import { nodeBaselineRules } from '../emulator/kube-proxy/node-baseline';
import { FakeProxyStore, type SvcSpec } from '../emulator/kube-proxy/testing';
import type { ClusterDnsView, DnsEndpoint, DnsService } from '../emulator/dns/cluster-zone';
import { CoreDns } from '../emulator/dns/coredns';
import { serveDns } from '../emulator/dns/udp';
import { parseHostsFile, parseResolvConf } from '../emulator/dns/resolver';
import { httpFetch, parseUrl, type HttpOutcome } from '../emulator/workloads/http-client';
import { podResolvConf } from '../emulator/workloads/servers';
import { LoadBalancerDataPath } from '../emulator/cloud/load-balancer';
import { kernelHttpRate } from './http-kernel';

export interface HttpBenchResult {
  readonly label: string;
  readonly requests: number;
  readonly packets: number;
  readonly seconds: number;
  /** V8 heap in use after the measurement, with every rig measured in turn with this one still alive. */
  readonly heapMB: number;
  readonly failures: number;
  /** CPU seconds per request of each measuring window, in run order. */
  readonly windows: readonly number[];
  /**
   * The machine's speed around each window (`machineProbeMs` before and after it, the slower of the two), in the
   * reference loop's units: the same index as `windows`.
   */
  readonly machine: readonly number[];
  /** The fastest probe of the run (its calibration and every window's): what this core does when nothing slows it. */
  readonly machineFastest: number;
}

/**
 * A window ran on a core at full speed when the probes around it read within this factor of the run's fastest.
 * The probe's own spread in a quiet phase is ≈ 1.15× (186–215 ms); a slowed core reads 1.5–2× (300–370 ms).
 */
export const FULL_SPEED_FACTOR = 1.25;

/** The median of the windows' per-request CPU seconds. */
export function medianCost(r: HttpBenchResult): number {
  const w = [...r.windows].sort((a, b) => a - b);
  const m = w.length >> 1;
  return w.length % 2 === 1 ? w[m]! : (w[m - 1]! + w[m]!) / 2;
}

/** The least disturbed window's per-request CPU seconds (the machine is shared: other load only adds time). */
export function bestCost(r: HttpBenchResult): number {
  return Math.min(...r.windows);
}

/** The windows that ran on a core at full speed (see FULL_SPEED_FACTOR), as per-request CPU seconds. */
export function fullSpeedWindows(r: HttpBenchResult): number[] {
  return r.windows.filter((_, i) => r.machine[i]! <= r.machineFastest * FULL_SPEED_FACTOR);
}

/** The median of the full-speed windows' per-request CPU seconds; undefined when no window ran at full speed. */
export function fullSpeedCost(r: HttpBenchResult): number | undefined {
  const w = fullSpeedWindows(r);
  return w.length === 0 ? undefined : medianCost({ ...r, windows: w });
}

const SERVER_IP = '10.244.2.6';
const DNS_POD_IP = '10.244.2.10';
const NODE_PORT = 30080;

/**
 * Service i of the bench: its namespace, name and ClusterIP (the kernel side, http-kernel.ts and kernel-http.c,
 * uses the same formula).
 */
export function benchService(i: number): { name: string; namespace: string; clusterIP: string } {
  return { name: `svc-${i}`, namespace: `ns${i % 50}`, clusterIP: formatIpv4((ipv4('10.96.1.0') + i * 7) >>> 0) };
}

function specs(n: number): SvcSpec[] {
  const out: SvcSpec[] = [{
    namespace: 'kube-system', name: 'kube-dns', clusterIP: '10.96.0.10',
    ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' }],
    endpoints: [{ ip: DNS_POD_IP, nodeName: 'worker-2' }],
  }];
  for (let i = 0; i < n; i++) {
    out.push({
      ...benchService(i), type: i === 0 ? 'LoadBalancer' : 'ClusterIP',
      ports: [{ name: 'http', port: 80, targetPort: 8080, ...(i === 0 ? { nodePort: NODE_PORT } : {}) }],
      endpoints: [{ ip: SERVER_IP, nodeName: 'worker-2' }],
    });
  }
  return out;
}

function installKubeProxy(t: TestNet, all: SvcSpec[]): void {
  for (const [name, ns] of t.topology.nodes) {
    const nf = createNetfilterNamespace({ name: ns.id, rng: new Rng(1).fork(name) });
    nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
    const store = new FakeProxyStore();
    for (const s of all) store.add(s);
    const ip = ns.iface('eth0')!.addrs[0]!.addr;
    const proxy = new KubeProxy({ nodeName: name, nodeIPs: [formatIpv4(ip)], netfilter: nf, store, scheduler: t.scheduler });
    proxy.start();
    proxy.syncNow();
    ns.netfilter = nf;
  }
}

/** CoreDNS's informer view over the bench's Services (the same indexes StoreDnsView keeps: namespace → name, ClusterIP). */
function viewOf(all: SvcSpec[]): ClusterDnsView {
  const byNamespace = new Map<string, Map<string, DnsService>>();
  const byIP = new Map<string, DnsService>();
  for (const s of all) {
    const d: DnsService = { namespace: s.namespace ?? 'default', name: s.name, type: s.type ?? 'ClusterIP', clusterIP: s.clusterIP, ports: s.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol ?? 'TCP' })) };
    let names = byNamespace.get(d.namespace);
    if (!names) byNamespace.set(d.namespace, (names = new Map()));
    names.set(d.name, d);
    byIP.set(s.clusterIP, d);
  }
  const none: DnsEndpoint[] = [];
  return {
    service: (ns, name) => byNamespace.get(ns)?.get(name),
    readyEndpoints: () => none,
    namespaceExists: (ns) => ns === 'default' || ns === 'kube-system' || /^ns\d+$/.test(ns),
    serviceByClusterIP: (ip) => byIP.get(ip),
    endpointByIP: () => undefined,
    serial: () => 1767225600,
  };
}

/** A prepared bench world: `one(i)` makes request i and returns its outcome (setup and warm-up done). */
export interface HttpBenchRig {
  readonly one: (i: number) => HttpOutcome;
  readonly urls: number;
  readonly advance: (ms: number) => void;
  readonly scheduler: Scheduler;
}

export function prepareHttpBench(services: number, path: 'pod' | 'lb'): HttpBenchRig {
  const t = testNet(path === 'lb' ? 'cloud' : 'local', 5);
  t.network.traces.enabled = false;
  const nodes = [...t.topology.nodes.keys()];
  const [n1, n2] = [nodes[0]!, nodes[1]!];
  const cidr1 = t.topology.nodeSpecs[0]!.podCIDR, cidr2 = t.topology.nodeSpecs[1]!.podCIDR;
  const p1 = (ip: string) => ip.replace('10.244.1.', cidr1.replace(/0\/24$/, ''));
  const p2 = (ip: string) => ip.replace('10.244.2.', cidr2.replace(/0\/24$/, ''));
  const serverIP = p2(SERVER_IP);
  const all = specs(services).map((s) => ({ ...s, endpoints: s.endpoints!.map((e) => ({ ip: e.ip === SERVER_IP ? serverIP : p2(e.ip), nodeName: n2 })) }));
  installKubeProxy(t, all);
  const client = addPod(t, 'client', n1, p1('10.244.1.9'), cidr1);
  const server = addPod(t, 'server', n2, serverIP, cidr2);
  serveHello(server, 8080, 'server', 0);
  const dnsPod = addPod(t, 'coredns', n2, p2(DNS_POD_IP), cidr2);
  const dns = new CoreDns({ view: viewOf(all), forward: (_q, done) => done(undefined), now: () => t.scheduler.now(), rng: new Rng(3), cacheSeconds: 0 });
  serveDns(dnsPod, (q, respond) => dns.handle(q, respond));
  const resolver = { resolvConf: parseResolvConf(podResolvConf('default')), hosts: parseHostsFile('') };
  const s = t.scheduler;
  const deps = { scheduler: s, rng: new Rng(9) };

  let fetchFrom = client;
  let urls: string[];
  if (path === 'lb') {
    const laptop = t.topology.loginNs;
    const targets = t.topology.nodeSpecs.map((n) => ({ nodeName: n.name, ip: n.ip }));
    const lbs = new LoadBalancerDataPath(t.network, s, {
      attach(ns) {
        const vpc = t.network.ns('vpc-router')!;
        const [vpcEnd] = t.network.vethPair(vpc, 'eni-lb', ns, 'eth0', 0.05);
        t.network.enslave(vpcEnd, vpc.iface('subnet-a')!);
        ns.addAddr('eth0', ipv4('10.0.1.200'), 24);
        ns.addRoute({ dst: 0, prefix: 0, type: 'unicast', via: ipv4('10.0.1.1'), dev: 'eth0' });
        t.topology.addPublicIp!('203.0.113.150', '10.0.1.200');
        return '10.0.1.200';
      },
    }, { healthChecks: false });
    lbs.apply({ name: 'abench', provider: 'cloud', serviceKey: 'ns0/svc-0', serviceUid: 'x', ip: '203.0.113.150', listeners: [{ port: 80, protocol: 'TCP', nodePort: NODE_PORT }], targets, externalTrafficPolicy: 'Cluster', sourceRanges: [], createdAt: 0 });
    fetchFrom = laptop;
    urls = ['http://203.0.113.150/'];
  } else {
    urls = all.slice(1).map((x) => `http://${x.name}.${x.namespace}.svc.cluster.local./`);
  }
  const host = { ns: fetchFrom, resolver };
  const parsed = urls.map((u) => parseUrl(u)!);
  const one = (i: number): HttpOutcome => {
    let out: HttpOutcome | undefined;
    httpFetch(host, deps, { method: 'GET', url: parsed[i % parsed.length]!, userAgent: 'curl/7.88.1' }, (o) => { out = o; });
    s.runUntil(() => out !== undefined, s.now() + 10_000);
    return out!;
  };
  s.advance(2000); // let kube-proxy's delayed first sync run before measuring (it would land inside the loop)
  for (let i = 0; i < 2000; i++) { one(i); s.advance(1); } // warm-up (ARP, JIT) before any figure is taken
  // The data path's timeouts fall due tens of seconds into a run: neighbour entries go stale 15-45 s after ARP
  // confirmed them (base_reachable_time, randomised), conntrack drops UDP entries after 30 s and TCP TIME_WAIT ones
  // after 120 s, TIME-WAIT sockets are reaped after 60 s. Each is a path the warm-up above never took (a neighbour's
  // DELAY timer and unicast probe, a second timer lane, the reaper's task, expiry in conntrack's buckets): met
  // inside a measurement, the engine discards the optimized code that had never seen it and compiles it again (the
  // stale ARP entries alone cost about 40 M instructions a few thousand requests in). So the warm-up lets all of
  // them fall due once: time moves past the longest, traffic puts the stale entries in DELAY, their timers fire.
  s.advance(121_000);
  for (let i = 0; i < 200; i++) { one(i); s.advance(1); }
  s.advance(6_000);
  for (let i = 0; i < 1000; i++) { one(i); s.advance(1); }
  return { one, urls: parsed.length, advance: (ms) => { s.advance(ms); }, scheduler: s };
}

/**
 * Measure each of `services`' configurations for `durationMs` of CPU time, in `windowCount` windows taken in turn
 * (10, 1,000, 10,000, 10, 1,000, ...): this machine's speed drifts by up to 2× within minutes, and configurations
 * measured one after the other compared the drift as much as the code. In turn, each configuration's windows span
 * the same minutes. One long window also mixes the code's cost with whatever else ran: per-window figures show the
 * spread, their median is the typical cost and the fastest window the cost least disturbed by other load. The rigs
 * share the process, so they run the same optimized code (compiled on all of their traffic), as one app would.
 *
 * Each window is bracketed by a probe of the machine's speed (`machineProbeMs`): this VM's core runs at half speed
 * for seconds at a time (a fixed integer loop reads 186 ms and 371 ms within the same half minute, in CPU time,
 * with nothing else running in the VM), and a window's figure follows its core. The probes are not counted in the
 * windows' time.
 */
export function runHttpBenches(services: readonly number[], path: 'pod' | 'lb', durationMs = 1500, windowCount = 5): HttpBenchResult[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  const rigs = services.map((n) => ({ services: n, rig: prepareHttpBench(n, path), requests: 0, failures: 0, seconds: 0, windows: [] as number[], machine: [] as number[] }));
  // Building 10,000 Services' rules leaves hundreds of MB of garbage; collect it here, not inside the measurement.
  gc?.();
  // Each rig again, in turn, before any window: V8 recompiled the shared packet path while later rigs were built
  // (their rule building made call sites polymorphic) and after the collection above, so without this the first
  // window of the first rig ran in code being compiled anew (121 optimizations in it in one run, 8.7k req/s
  // against 18–36k in the later windows).
  for (let i = 0; i < 500; i++) for (const r of rigs) { r.rig.one(i % r.rig.urls); r.rig.advance(1); }
  // CPU time, not wall time, of every thread (the collector's helper threads included).
  const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  machineProbeMs(); // the probe's loop optimized before its first reading counts
  // The core's full speed: the fastest of the probes over half a second before the windows and of those around them
  // (a run whose windows all fell in a slow phase would otherwise count its slow probes as full speed).
  let calibration = Infinity;
  for (let i = 0; i < 50; i++) calibration = Math.min(calibration, machineProbeMs());
  let probe = machineProbeMs();
  for (let w = 0; w < windowCount; w++) {
    for (const r of rigs) {
      const { one, urls, advance } = r.rig;
      const w0 = cpuMs();
      const deadline = w0 + durationMs / windowCount;
      let n = 0;
      while (cpuMs() < deadline) {
        for (let b = 0; b < 50; b++) {
          const o = one((r.requests * 7919) % urls);
          if (o.kind !== 'response') r.failures++;
          r.requests++;
          n++;
          advance(1);
        }
      }
      const spent = cpuMs() - w0;
      r.seconds += spent / 1000;
      r.windows.push(spent / 1000 / n);
      const next = machineProbeMs();
      r.machine.push(Math.max(probe, next));
      probe = next;
    }
  }
  // pod path: 4 DNS datagrams + 10 TCP segments; LB path: 10 client↔LB + 10 LB↔node segments
  const perReq = path === 'pod' ? 14 : 20;
  const heapMB = process.memoryUsage().heapUsed / 1048576;
  const machineFastest = Math.min(calibration, ...rigs.flatMap((r) => r.machine));
  return rigs.map((r) => ({
    label: path === 'pod' ? `pod→name→ClusterIP, ${r.services} Services` : `laptop→ELB→NodePort→pod, ${r.services} Services`,
    requests: r.requests, packets: r.requests * perReq, seconds: r.seconds, heapMB, failures: r.failures,
    windows: r.windows, machine: r.machine, machineFastest,
  }));
}

/** One configuration alone (the same measurement as `runHttpBenches` with one rig). */
export function runHttpBench(services: number, path: 'pod' | 'lb', durationMs = 1500, windowCount = 5): HttpBenchResult {
  return runHttpBenches([services], path, durationMs, windowCount)[0]!;
}

export function formatHttpBench(r: HttpBenchResult): string {
  const perPacket = r.packets / r.requests;
  const med = medianCost(r), best = bestCost(r);
  const rate = (s: number) => Math.round(1 / s).toLocaleString('en-US').padStart(7);
  const full = fullSpeedCost(r);
  const fullText = full === undefined ? 'no window at full speed' : `${rate(full)} at full speed (${fullSpeedWindows(r).length} windows)`;
  return `${r.label.padEnd(44)} ${rate(med)} req/s median, ${rate(best)} best of ${r.windows.length} windows, ${fullText}; ` +
    `${((med * 1e6) / perPacket).toFixed(2)} µs/packet, ${(med * 1e6).toFixed(1)} µs/request (median); ` +
    `heap ${r.heapMB.toFixed(0)} MB${r.failures ? `, ${r.failures} FAILED` : ''}`;
}

let referenceSink = 0;

/** The reference loop: one dependent add a cycle, whatever the caches hold. */
function referenceSpin(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + i * 7) | 0;
  return s;
}

/**
 * CPU milliseconds of a fixed integer loop (300 million additions, one dependent add a cycle). This machine's
 * speed changes by up to 2× from hour to hour (its own C loop and the kernel's connection rate move with it), so
 * the bench prints this beside its figures: a reader can tell a slower core from slower code. The loop runs as
 * three runs of 100 million and the fastest counts: a run can start in unoptimized code (it did after a busy
 * compiler queue, five times slower).
 */
export function referenceLoopMs(): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const t0 = process.cpuUsage();
    referenceSink ^= referenceSpin(1e8); // the result is kept, so the loop cannot be optimized away
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / 1000);
  }
  return best * 3;
}

/**
 * The machine's speed now, in `referenceLoopMs`' units (its loop, 3 × 5 million additions, the fastest run scaled to
 * 300 million): about 10 ms of CPU, short enough to bracket every measuring window. Call it once before its
 * readings count, so that its loop is optimized.
 */
export function machineProbeMs(): number {
  let best = Infinity;
  for (let run = 0; run < 3; run++) {
    const t0 = process.cpuUsage();
    referenceSink ^= referenceSpin(5e6);
    const u = process.cpuUsage(t0);
    best = Math.min(best, (u.user + u.system) / 1000);
  }
  return best * 60;
}

export async function main(args: string[]): Promise<void> {
  const ms = Number(args.find((a) => a.startsWith('--ms='))?.slice(5) ?? 4000);
  const windows = Number(args.find((a) => a.startsWith('--windows='))?.slice(10) ?? 10);
  console.log('Full HTTP requests with DNS (curl-like: lookup, handshake, request/response, teardown; tracing off)');
  let podAt1k = 0;
  for (const path of ['pod', 'lb'] as const) {
    const before = referenceLoopMs();
    const res = runHttpBenches([10, 1000, 10000], path, ms, windows);
    const after = referenceLoopMs();
    for (const r of res) console.log(formatHttpBench(r));
    const ratio = medianCost(res[2]!) / medianCost(res[0]!);
    const bestRatio = bestCost(res[2]!) / bestCost(res[0]!);
    const full10 = fullSpeedCost(res[0]!), full10k = fullSpeedCost(res[2]!);
    const fullRatio = full10 !== undefined && full10k !== undefined ? `, ${(full10k / full10).toFixed(2)}× (full-speed medians)` : '';
    console.log(`  per-request cost at 10,000 Services / at 10: ${ratio.toFixed(2)}× (medians), ${bestRatio.toFixed(2)}× (best windows)${fullRatio}`);
    const probes = res.flatMap((r) => r.machine);
    console.log(`  machine: a fixed integer loop (referenceLoopMs) took ${before.toFixed(0)} ms of CPU before these three, ${after.toFixed(0)} ms after (less is faster); ` +
      `probes around the windows ${Math.min(...probes).toFixed(0)}–${Math.max(...probes).toFixed(0)} ms, full speed ≤ ${(res[0]!.machineFastest * FULL_SPEED_FACTOR).toFixed(0)} ms`);
    if (path === 'pod') podAt1k = 1 / medianCost(res[1]!);
  }
  if (args.includes('--no-kernel')) return;
  // The same request pattern through the real kernel, on the same kube-proxy ruleset (root + ip netns).
  const kernelReference = referenceLoopMs();
  const k = await kernelHttpRate(1000, Number(args.find((a) => a.startsWith('--kernel-requests='))?.slice(18) ?? 3000));
  if ('skipped' in k) {
    console.log(`kernel: skipped (${k.skipped})`);
    return;
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(7);
  console.log('Linux kernel, same pattern (pod netns → kube-dns ClusterIP A+AAAA → ClusterIP, new connection per request; 1,000 Services loaded with iptables-restore; client and servers in C):');
  console.log(`  one request at a time                      ${fmt(k.serial)} req/s (wall); machine ${kernelReference.toFixed(0)} ms${k.failures ? `, ${k.failures} FAILED` : ''}`);
  console.log(`  16 client processes                        ${fmt(k.parallel)} req/s (wall)`);
  console.log(`  ratio emulator (median) / kernel at 1,000 Services: ${(podAt1k / k.serial).toFixed(2)}× one at a time, ${(podAt1k / k.parallel).toFixed(2)}× against 16 client processes`);
}
