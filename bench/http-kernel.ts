/**
 * The HTTP bench's request pattern through the real Linux kernel (bench/http.mjs): the differential harness's
 * namespaces (bench/netfilter-kernel.ts), the emulator's kube-proxy ruleset for the same Services loaded with
 * iptables-restore, and in the backend namespace a small DNS server (the kube-dns endpoint) and a small HTTP
 * server (every Service's endpoint). The client namespace does what the emulator's curl does per request: A and
 * AAAA for the Service's FQDN sent to the kube-dns ClusterIP (DNATed by the kernel to the DNS server), a new TCP
 * connection to the ClusterIP, GET /, read the response, close. Client and servers are a small C program
 * (kernel-http.c) so that the figure is the kernel's rather than a language runtime's. Node-only; not part of
 * the emulator.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../emulator/core/rng';
import { Scheduler } from '../emulator/core/scheduler';
import { createNetfilterNamespace } from '../emulator/netfilter';
import { KubeProxy } from '../emulator/kube-proxy/kube-proxy';
import { nodeBaselineRules } from '../emulator/kube-proxy/node-baseline';
import { FakeProxyStore } from '../emulator/kube-proxy/testing';
import { NODE_IP, createKernelNode, kernelUnavailable } from './netfilter-kernel';
import { benchService } from './http-bench';

const DNS_ENDPOINT = '10.244.1.10';
const HTTP_ENDPOINT = '10.244.1.6';
const KUBE_DNS_IP = '10.96.0.10';

export interface KernelHttpRate {
  /** Requests per second of wall time, one request at a time (the emulator bench's pattern). */
  readonly serial: number;
  /** Requests per second of wall time with 16 client processes (the kernel's own parallelism over the cores). */
  readonly parallel: number;
  readonly failures: number;
}

/** A kube-proxy ruleset for kube-dns + `services` Services, their endpoints on the harness's backend addresses. */
function kubeProxyRuleset(services: number): string {
  const store = new FakeProxyStore();
  store.add({
    namespace: 'kube-system', name: 'kube-dns', clusterIP: KUBE_DNS_IP,
    ports: [{ name: 'dns', port: 53, targetPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, targetPort: 53, protocol: 'TCP' }],
    endpoints: [{ ip: DNS_ENDPOINT, nodeName: 'node' }],
  });
  for (let i = 0; i < services; i++) {
    const s = benchService(i);
    store.add({
      namespace: s.namespace, name: s.name, clusterIP: s.clusterIP,
      ports: [{ name: 'http', port: 80, targetPort: 8080 }], endpoints: [{ ip: HTTP_ENDPOINT, nodeName: 'node' }],
    });
  }
  const nf = createNetfilterNamespace({ name: 'node/node', rng: new Rng(1) });
  nf.restore(nodeBaselineRules({ clusterCIDR: '10.244.0.0/16' }), { noflush: true });
  const proxy = new KubeProxy({ nodeName: 'node', nodeIPs: [NODE_IP], netfilter: nf, store, scheduler: new Scheduler() });
  proxy.start();
  proxy.syncNow();
  return nf.save();
}

/** Compile kernel-http.c with the system C compiler; the path of the binary, or why not. */
function buildTool(): { bin: string } | { skipped: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svclab-kernel-http-'));
  const bin = path.join(dir, 'kernel-http');
  // The benches run this module from a bundle in a temporary directory and name the checkout it came from.
  const src = path.join(process.env.SVCLAB_ROOT ?? process.cwd(), 'bench/kernel-http.c');
  const r = spawnSync('cc', ['-O2', '-o', bin, src], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return { skipped: `no C compiler to build bench/kernel-http.c (apt install gcc)${r.stderr ? `: ${r.stderr.trim()}` : ''}` };
  return { bin };
}

/** A kernel node with `rules` loaded and kernel-http's DNS + HTTP servers in its backend namespace. */
export interface KernelBench {
  /** Run kernel-http in the client namespace: `client …` or `connect …`; its rate and failures. */
  run(args: readonly string[]): { perSecond: number; failures: number };
}

/** Set up the namespaces and servers, run `body`, and always tear everything down; or why it cannot run. */
export async function withKernelBench<T>(rules: string, body: (b: KernelBench) => T): Promise<T | { skipped: string }> {
  const why = kernelUnavailable();
  if (why) return { skipped: why };
  const tool = buildTool();
  if ('skipped' in tool) return tool;
  const k = createKernelNode();
  let backend: ChildProcess | undefined;
  try {
    k.load(rules);
    // The client closes first and keeps TIME-WAIT; let it reuse ports as a busy client would.
    spawnSync('ip', ['netns', 'exec', k.cli, 'sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1']);
    backend = spawn('ip', ['netns', 'exec', k.be, tool.bin, 'serve', DNS_ENDPOINT, '4'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('kernel bench: backend did not start')), 15_000);
      backend!.stdout!.on('data', (d: Buffer) => { if (d.toString().includes('ready')) { clearTimeout(t); resolve(); } });
      backend!.on('exit', (code) => { clearTimeout(t); reject(new Error(`kernel bench: backend exited (${code})`)); });
    });
    return body({
      run(args) {
        const r = spawnSync('ip', ['netns', 'exec', k.cli, tool.bin, ...args], { encoding: 'utf8', timeout: 120_000 });
        if (r.status !== 0) throw new Error(`kernel bench: client failed (${r.status}): ${r.stderr}`);
        const [rate, failures] = r.stdout.trim().split(' ').map(Number);
        return { perSecond: rate!, failures: failures! };
      },
    });
  } finally {
    if (backend?.pid) {
      try { process.kill(-backend.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    k.destroy();
  }
}

/** Full HTTP requests with DNS per second through the kernel, or why it was skipped. */
export async function kernelHttpRate(services: number, count: number): Promise<KernelHttpRate | { skipped: string }> {
  return withKernelBench(kubeProxyRuleset(services), (b) => {
    const client = (n: number, inflight: number) => b.run(['client', KUBE_DNS_IP, String(n), String(services), String(inflight)]);
    client(Math.min(300, count), 1); // warm-up: ARP, caches
    const serial = client(count, 1);
    const parallel = client(count, 16);
    return { serial: serial.perSecond, parallel: parallel.perSecond, failures: serial.failures + parallel.failures };
  });
}
