/**
 * Differential suite against the Linux kernel (issue 4 item 9). For generated Service/Endpoint sets, kube-proxy
 * (emulated) writes a node's ruleset; its `iptables-save` text is loaded with `iptables-restore` into a real
 * network namespace wired like the node (bench/netfilter-kernel.ts), real TCP connections are opened, and the
 * kernel's outcomes (which endpoints answer, refused, dropped) must equal the emulator's for the same packets.
 * The kernel's own `iptables-save` of the loaded rules must also equal the emulator's text.
 * Needs root and `ip netns`; skipped with the reason printed where that is not permitted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXT_CLIENT_IP, NODE_IP, NODE_LOCAL_IPS, POD_CLIENT_IP, createKernelNode, kernelUnavailable, removeStaleNamespaces,
  type ConnectAttempt, type KernelNode,
} from '../../../bench/netfilter-kernel';
import { Rng } from '../../core/rng';
import { Scheduler } from '../../core/scheduler';
import { KubeProxy } from '../../kube-proxy/kube-proxy';
import { nodeBaselineRules } from '../../kube-proxy/node-baseline';
import { FakeProxyStore, type SvcSpec } from '../../kube-proxy/testing';
import { TCPHDR, type NfHook, type NfPacket } from '../hook-api';
import { formatIpv4, ip } from '../ip';
import { createNetfilterNamespace, type NetfilterNamespaceImpl } from '../index';

const reason = kernelUnavailable();
if (reason) console.log(`kernel differential suite skipped: ${reason}`);

const NODE_NAME = 'node';
const TARGET_PORTS = [8080, 9090, 5000];
const ATTEMPTS = 30;
const TIMEOUT_MS = 700;

/** A random but seeded Service/Endpoint set. */
function generateServices(seed: number): SvcSpec[] {
  const rng = new Rng(seed).fork('kernel-diff');
  const n = 3 + rng.int(4);
  const used = new Set<number>();
  const specs: SvcSpec[] = [];
  for (let i = 0; i < n; i++) {
    const type = rng.pick(['ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer'] as const);
    const external = type !== 'ClusterIP';
    const nEps = rng.pick([0, 1, 2, 2, 3, 3]);
    const eps: { ip: string; nodeName: string }[] = [];
    for (let k = 0; k < nEps; k++) {
      let host: number;
      do host = 2 + rng.int(58); while (used.has(host));
      used.add(host);
      eps.push({ ip: `10.244.1.${host}`, nodeName: rng.next() < 0.6 ? NODE_NAME : 'other' });
    }
    const twoPorts = rng.next() < 0.25;
    const ports = [{ name: twoPorts ? 'http' : undefined, port: 80, targetPort: rng.pick(TARGET_PORTS), ...(external ? { nodePort: 30000 + i * 7 + rng.int(5) } : {}) }];
    if (twoPorts) ports.push({ name: 'alt', port: 8443, targetPort: rng.pick(TARGET_PORTS), ...(external ? { nodePort: 31000 + i * 7 } : {}) });
    const local = external && rng.next() < 0.35;
    specs.push({
      name: `svc-${seed}-${i}`, type, clusterIP: `10.96.${10 + i}.${1 + rng.int(250)}`,
      ports: ports.map((p) => ({ ...p, ...(p.name ? { name: p.name } : {}) })) as SvcSpec['ports'],
      ...(local ? { externalTrafficPolicy: 'Local' as const } : external ? { externalTrafficPolicy: 'Cluster' as const } : {}),
      ...(type === 'LoadBalancer' ? { lbIPs: [`203.0.113.${10 + i}`] } : {}),
      ...(type === 'LoadBalancer' && local ? { healthCheckNodePort: 32000 + i } : {}),
      ...(type === 'LoadBalancer' && rng.next() < 0.5 ? { loadBalancerSourceRanges: [rng.pick(['172.18.0.0/24', '192.0.2.0/24'])] } : {}),
      ...(rng.next() < 0.15 ? { internalTrafficPolicy: 'Local' as const } : {}),
      ...(rng.next() < 0.25 ? { sessionAffinity: 'ClientIP' as const, affinitySeconds: 600 } : {}),
      endpoints: eps,
    });
  }
  return specs;
}

function emulatedNode(specs: SvcSpec[], seed: number): NetfilterNamespaceImpl {
  const nf = createNetfilterNamespace({ name: 'node/node', rng: new Rng(seed) });
  nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
  const store = new FakeProxyStore();
  for (const s of specs) store.add(s);
  const proxy = new KubeProxy({ nodeName: NODE_NAME, nodeIPs: [NODE_IP], netfilter: nf, store, scheduler: new Scheduler() });
  proxy.start();
  proxy.syncNow();
  return nf;
}

const LOCAL = new Set(NODE_LOCAL_IPS.map(ip));
const ctx = (now: number) => ({
  now, trace: false, isLocalAddress: (a: number) => LOCAL.has(a),
  ifaceAddress: (iface: string) => ip(iface === 'vcli' ? '10.244.0.1' : iface === 'vbe' ? '10.244.1.1' : NODE_IP),
});

function outIfaceFor(dst: number): string | undefined {
  const s = formatIpv4(dst);
  if (s.startsWith('10.244.0.')) return 'vcli';
  if (s.startsWith('10.244.1.')) return 'vbe';
  if (s.startsWith('172.18.0.')) return 'eth0';
  return undefined; // 10.96.0.0/12 and the LoadBalancer IPs are blackhole routes on the node
}

/** One packet through the node (PREROUTING, then INPUT or FORWARD+POSTROUTING); undefined = accepted and forwarded. */
function nodePass(nf: NetfilterNamespaceImpl, p: NfPacket, now: number): 'refused' | 'timeout' | 'local' | undefined {
  const c = ctx(now);
  const verdict = (h: NfHook) => nf.hook(h, p, c).verdict.kind;
  const v1 = verdict('PREROUTING');
  if (v1 !== 'accept') return v1 === 'reject' ? 'refused' : 'timeout';
  if (LOCAL.has(p.dst)) {
    const v = verdict('INPUT');
    return v === 'accept' ? 'local' : v === 'reject' ? 'refused' : 'timeout';
  }
  const out = outIfaceFor(p.dst);
  if (!out) return 'timeout';
  p.outIface = out;
  for (const h of ['FORWARD', 'POSTROUTING'] as NfHook[]) {
    const v = verdict(h);
    if (v !== 'accept') return v === 'reject' ? 'refused' : 'timeout';
  }
  return undefined;
}

let sportSeq = 20000;

/** The emulator's outcome for one connection attempt (handshake through the node, both directions). */
function emulateAttempt(nf: NetfilterNamespaceImpl, from: 'cli' | 'ext', a: ConnectAttempt, served: Set<number>, now: number): string {
  const src = ip(from === 'cli' ? POD_CLIENT_IP : EXT_CLIENT_IP);
  const sport = sportSeq++;
  const pkt = (s: number, d: number, sp: number, dp: number, flags: number, inIface: string): NfPacket => ({
    src: s, dst: d, proto: 6, sport: sp, dport: dp, tcpFlags: flags, icmpType: 0, icmpCode: 0, length: 60, mark: 0, inIface, outIface: '',
  });
  const syn = pkt(src, ip(a.ip), sport, a.port, TCPHDR.SYN, from === 'cli' ? 'vcli' : 'eth0');
  const r = nodePass(nf, syn, now);
  if (r === 'local') return 'refused'; // nothing listens on the node itself: RST
  if (r) return r;
  if (!formatIpv4(syn.dst).startsWith('10.244.1.')) return 'timeout';
  if (!served.has(syn.dport)) return 'refused';
  const identity = `${formatIpv4(syn.dst)}:${syn.dport}`;
  // The backend answers the (possibly masqueraded) source; the reply must come back un-NATed to the client.
  const synack = pkt(syn.dst, syn.src, syn.dport, syn.sport, TCPHDR.SYN | TCPHDR.ACK, 'vbe');
  const r2 = nodePass(nf, synack, now);
  if (r2) return 'timeout';
  if (synack.src !== ip(a.ip) || synack.sport !== a.port || synack.dst !== src || synack.dport !== sport) return 'refused';
  const ack = pkt(src, ip(a.ip), sport, a.port, TCPHDR.ACK, from === 'cli' ? 'vcli' : 'eth0');
  if (nodePass(nf, ack, now)) return 'timeout';
  return `ok:${identity}`;
}

interface Target {
  readonly from: 'cli' | 'ext';
  readonly attempt: ConnectAttempt;
  readonly label: string;
  /** ClientIP affinity: every connection of the client goes to the endpoint its first one picked. */
  readonly sticky: boolean;
}

function targetsOf(specs: SvcSpec[]): Target[] {
  const out: Target[] = [];
  for (const s of specs) {
    for (const p of s.ports) {
      const sticky = s.sessionAffinity === 'ClientIP';
      out.push({ from: 'cli', attempt: { ip: s.clusterIP, port: p.port }, label: `${s.name} ClusterIP ${s.clusterIP}:${p.port}`, sticky });
      if (p.nodePort) out.push({ from: 'ext', attempt: { ip: NODE_IP, port: p.nodePort }, label: `${s.name} NodePort ${p.nodePort}`, sticky });
      for (const lb of s.lbIPs ?? []) out.push({ from: 'ext', attempt: { ip: lb, port: p.port }, label: `${s.name} LoadBalancer ${lb}:${p.port}`, sticky });
    }
  }
  // A port no Service uses on a ClusterIP: not DNATed, so it vanishes into the blackhole route.
  out.push({ from: 'cli', attempt: { ip: specs[0]!.clusterIP, port: 81 }, label: 'unused port', sticky: false });
  return out;
}

function summarize(outcomes: string[]): { kinds: Set<string>; who: Set<string> } {
  return {
    kinds: new Set(outcomes.map((o) => (o.startsWith('ok:') ? 'ok' : o))),
    who: new Set(outcomes.filter((o) => o.startsWith('ok:')).map((o) => o.slice(3))),
  };
}

/** Endpoints a sticky target could have picked: what a fresh emulated node answers from many other clients. */
function possible(nf: NetfilterNamespaceImpl, t: Target, served: Set<number>): Set<string> {
  const probe = createNetfilterNamespace({ name: 'probe', rng: new Rng(9) });
  probe.restore(nf.save());
  const out = new Set<string>();
  for (let i = 0; i < 60; i++) {
    const r = emulateAttempt(probe, t.from, t.attempt, served, Date.UTC(2026, 0, 1) + i * 3_600_000);
    if (r.startsWith('ok:')) out.add(r.slice(3));
  }
  return out;
}

describe.skipIf(reason !== undefined)('emulator vs Linux kernel (iptables-restore of the emulator\'s ruleset)', () => {
  let k: KernelNode | undefined;
  beforeAll(() => removeStaleNamespaces());
  afterAll(() => k?.destroy());

  const seeds = [101, 202, 303, 404, 505, 606, 707, 808, 909, 1111];
  for (const seed of seeds) {
    it(`agrees on every target for generated Service set #${seed}`, async () => {
      const specs = generateServices(seed);
      const nf = emulatedNode(specs, seed);
      const saved = nf.save();
      k?.destroy();
      k = createKernelNode();
      k.load(saved);
      // The kernel normalizes what it loaded exactly as the emulator prints it.
      const { spawnSync } = await import('node:child_process');
      const kernelSave = spawnSync('ip', ['netns', 'exec', k.node, 'iptables-save'], { encoding: 'utf8' }).stdout;
      const strip = (t: string) => t.split('\n').filter((l) => !l.startsWith('#')).join('\n');
      expect(strip(kernelSave)).toBe(strip(saved));
      // …and lists it as the emulator's `iptables -L -n` and `-S` do (no counters yet; -n: no DNS lookups).
      const { listRules, listTable } = await import('../render');
      for (const table of ['filter', 'nat', 'mangle'] as const) {
        const kl = spawnSync('ip', ['netns', 'exec', k.node, 'iptables', '-t', table, '-L', '-n', '--line-numbers'], { encoding: 'utf8' }).stdout;
        expect(listTable(nf.ruleset.table(table), { numeric: true, verbose: false, exact: false, lineNumbers: true }), `${table} -L -n`).toBe(kl);
        const ks = spawnSync('ip', ['netns', 'exec', k.node, 'iptables', '-t', table, '-S'], { encoding: 'utf8' }).stdout;
        expect(listRules(nf.ruleset.table(table)), `${table} -S`).toBe(ks);
      }

      const served = new Set(TARGET_PORTS);
      await k.serve([...served]);
      const targets = targetsOf(specs);
      for (const from of ['cli', 'ext'] as const) {
        const mine = targets.filter((t) => t.from === from);
        const attempts = mine.flatMap((t) => Array.from({ length: ATTEMPTS }, () => t.attempt));
        const emulated = mine.map((t) => Array.from({ length: ATTEMPTS }, (_, i) => emulateAttempt(nf, from, t.attempt, served, Date.UTC(2026, 0, 1) + i)));
        const kernel = [...k.connect(from, attempts, TIMEOUT_MS)];
        // On a loaded machine the real client can be starved past TIMEOUT_MS. Kernel timeouts on a target the
        // emulator never times out on are tried again, 5× longer and 8 at a time: a real DROP still times out.
        const retry = kernel.flatMap((o, i) => (o === 'timeout' && !emulated[Math.floor(i / ATTEMPTS)]!.includes('timeout') ? [i] : []));
        if (retry.length > 0) {
          const again = k.connect(from, retry.map((i) => attempts[i]!), TIMEOUT_MS * 5, 8);
          retry.forEach((i, j) => { kernel[i] = again[j]!; });
        }
        mine.forEach((t, ti) => {
          const kOut = kernel.slice(ti * ATTEMPTS, (ti + 1) * ATTEMPTS);
          const eOut = emulated[ti]!;
          const ks = summarize(kOut), es = summarize(eOut);
          const ctxMsg = `${t.label} (seed ${seed}): kernel ${JSON.stringify(kOut)} emulator ${JSON.stringify(eOut)}`;
          expect([...ks.kinds].sort(), ctxMsg).toEqual([...es.kinds].sort());
          if (t.sticky) {
            // -m recent: one endpoint for all of the client's connections (which one is a random first pick).
            expect(ks.who.size, ctxMsg).toBe(es.who.size);
            expect(ks.who.size, ctxMsg).toBeLessThanOrEqual(1);
            expect([...ks.who].every((w) => possible(nf, t, served).has(w)), ctxMsg).toBe(true);
          } else {
            // Which endpoints answer: the same set (random choice over ≤3 endpoints, 30 tries each side).
            expect([...ks.who].sort(), ctxMsg).toEqual([...es.who].sort());
          }
        });
      }
    }, 120_000);
  }
});

describe('the generated Service sets cover every rule family the kernel suite checks', () => {
  it('has ClusterIP, NodePort, LoadBalancer (with source ranges), Local policies, affinity, no-endpoint Services', () => {
    const all = [101, 202, 303, 404, 505, 606, 707, 808, 909, 1111].flatMap((s) => generateServices(s));
    const count = (f: (s: SvcSpec) => boolean) => all.filter(f).length;
    expect(count((s) => (s.type ?? 'ClusterIP') === 'ClusterIP')).toBeGreaterThan(3);
    expect(count((s) => s.type === 'NodePort')).toBeGreaterThan(2);
    expect(count((s) => s.type === 'LoadBalancer')).toBeGreaterThan(2);
    expect(count((s) => (s.loadBalancerSourceRanges ?? []).length > 0)).toBeGreaterThan(0);
    expect(count((s) => s.externalTrafficPolicy === 'Local')).toBeGreaterThan(1);
    expect(count((s) => s.internalTrafficPolicy === 'Local')).toBeGreaterThan(0);
    expect(count((s) => s.sessionAffinity === 'ClientIP')).toBeGreaterThan(1);
    expect(count((s) => (s.endpoints ?? []).length === 0)).toBeGreaterThan(1);
    expect(count((s) => s.ports.length === 2)).toBeGreaterThan(0);
  });
});
