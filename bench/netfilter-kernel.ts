/**
 * The real Linux kernel as the reference for the emulator's netfilter: network namespaces on this machine wired
 * like one Kubernetes node, the emulator's `iptables-save` output for that node loaded with `iptables-restore`,
 * small TCP servers that answer with the endpoint they were reached at, and a client that opens real
 * connections. Every address used lives inside namespaces created here (names `svclab-…`), which are always
 * deleted again. Used by emulator/netfilter/kernel/kernel.spec.ts and bench/netfilter.mjs. Node-only (not part of
 * the emulator).
 *
 *   svclab-<id>-cli  eth0 10.244.0.9/24 ──── vcli 10.244.0.1/24 ┐
 *   svclab-<id>-ext  eth0 172.18.0.1/24 ──── eth0 172.18.0.3/24 ├ svclab-<id>-node (ip_forward, rules, blackhole 10.96.0.0/12)
 *   svclab-<id>-be   eth0 10.244.1.2…/24 ─── vbe  10.244.1.1/24 ┘   (every endpoint address, one server per target port)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export const NODE_IP = '172.18.0.3';
export const EXT_CLIENT_IP = '172.18.0.1';
export const POD_CLIENT_IP = '10.244.0.9';
export const LB_IP_RANGE = '203.0.113.0/24';
/** The node's own addresses (what `--dst-type LOCAL` matches). */
export const NODE_LOCAL_IPS = [NODE_IP, '10.244.0.1', '10.244.1.1', '127.0.0.1'];

export interface KernelNode {
  readonly prefix: string;
  readonly node: string;
  readonly cli: string;
  readonly ext: string;
  readonly be: string;
  /** Replace the node's ruleset (iptables-save text) and flush conntrack-relevant state. */
  load(rules: string): void;
  /** Start TCP servers on these ports in the backend namespace (answer `<local ip>:<local port>` and close). */
  serve(ports: readonly number[]): Promise<void>;
  /** Open connections from a client namespace; one outcome per attempt. */
  connect(from: 'cli' | 'ext', attempts: readonly ConnectAttempt[], timeoutMs: number, concurrency?: number): ConnectOutcome[];
  destroy(): void;
}

export interface ConnectAttempt {
  readonly ip: string;
  readonly port: number;
}

/** `ok:<ip:port>` (who answered), `refused`, `timeout`, or `error:<code>`. */
export type ConnectOutcome = string;

function run(cmd: string, args: readonly string[], input?: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: (r.stderr ?? '') + (r.error ? String(r.error) : '') };
}

function must(cmd: string, args: readonly string[], input?: string): string {
  const r = run(cmd, args, input);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Why the kernel suite cannot run here, or undefined when it can. */
export function kernelUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (ip netns needs CAP_SYS_ADMIN)';
  for (const tool of ['ip', 'iptables-restore', 'iptables-save']) {
    if (run('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} not installed (apt packages iproute2, iptables)`;
  }
  const probe = `svclab-probe-${process.pid}`;
  const add = run('ip', ['netns', 'add', probe]);
  if (add.status !== 0) return `ip netns add not permitted: ${add.stderr.trim()}`;
  try {
    const r = run('ip', ['netns', 'exec', probe, 'iptables-restore'], '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m statistic --mode random --probability 0.5 -m recent --name X --rcheck --seconds 1 --reap -j ACCEPT\nCOMMIT\n');
    if (r.status !== 0) return `iptables-restore in a netns failed: ${r.stderr.trim()}`;
  } finally {
    run('ip', ['netns', 'del', probe]);
  }
  return undefined;
}

const SERVER = `
const net = require('net');
const ports = JSON.parse(process.argv[1]);
let up = 0;
for (const p of ports) {
  const s = net.createServer((c) => { c.end(c.localAddress.replace(/^::ffff:/, '') + ':' + c.localPort + '\\n'); c.on('error', () => {}); });
  s.listen(p, '0.0.0.0', () => { if (++up === ports.length) process.stdout.write('ready\\n'); });
}
`;

const CLIENT = `
const net = require('net');
const [attempts, timeoutMs, concurrency] = [JSON.parse(process.argv[1]), Number(process.argv[2]), Number(process.argv[3])];
const out = new Array(attempts.length);
let next = 0;
function one(i) {
  return new Promise((resolve) => {
    const a = attempts[i];
    let data = '';
    let done = false;
    const finish = (v) => { if (!done) { done = true; out[i] = v; s.destroy(); resolve(); } };
    const s = net.connect({ host: a.ip, port: a.port });
    const t = setTimeout(() => finish('timeout'), timeoutMs);
    s.on('data', (d) => { data += d; });
    s.on('end', () => { clearTimeout(t); finish(data ? 'ok:' + data.trim() : 'error:empty'); });
    s.on('error', (e) => { clearTimeout(t); finish(e.code === 'ECONNREFUSED' ? 'refused' : e.code === 'ECONNRESET' ? 'refused' : 'error:' + e.code); });
  });
}
async function worker() { while (next < attempts.length) { const i = next++; await one(i); } }
Promise.all(Array.from({ length: Math.min(concurrency, attempts.length) }, worker)).then(() => process.stdout.write(JSON.stringify(out)));
`;

export function createKernelNode(): KernelNode {
  const prefix = `svclab-${process.pid}-${Math.floor(process.hrtime()[1] / 1000) % 100000}`;
  const node = `${prefix}-node`, cli = `${prefix}-cli`, ext = `${prefix}-ext`, be = `${prefix}-be`;
  const servers: ChildProcess[] = [];
  const created: string[] = [];
  const destroy = () => {
    for (const s of servers) s.kill('SIGKILL');
    servers.length = 0;
    for (const ns of created.splice(0)) run('ip', ['netns', 'del', ns]);
  };
  try {
    for (const ns of [node, cli, ext, be]) {
      must('ip', ['netns', 'add', ns]);
      created.push(ns);
      must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    must('ip', ['netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // REJECT answers every SYN with an ICMP error; the kernel would rate-limit them (6 then 1/s per peer).
    must('ip', ['netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0']);
    run('ip', ['netns', 'exec', node, 'sysctl', '-qw', 'net.ipv4.icmp_msgs_per_sec=100000', 'net.ipv4.icmp_msgs_burst=100000']);
    const wire = (nodeIf: string, nodeAddr: string, peer: string, peerAddrs: string[], gw: string) => {
      must('ip', ['-n', node, 'link', 'add', nodeIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer]);
      must('ip', ['-n', node, 'addr', 'add', nodeAddr, 'dev', nodeIf]);
      must('ip', ['-n', node, 'link', 'set', nodeIf, 'up']);
      for (const a of peerAddrs) must('ip', ['-n', peer, 'addr', 'add', a, 'dev', 'eth0']);
      must('ip', ['-n', peer, 'link', 'set', 'eth0', 'up']);
      must('ip', ['-n', peer, 'route', 'add', 'default', 'via', gw]);
    };
    wire('vcli', '10.244.0.1/24', cli, [`${POD_CLIENT_IP}/24`], '10.244.0.1');
    wire('eth0', `${NODE_IP}/24`, ext, [`${EXT_CLIENT_IP}/24`], NODE_IP);
    const beAddrs: string[] = [];
    for (let i = 2; i <= 60; i++) beAddrs.push(`10.244.1.${i}/24`);
    wire('vbe', '10.244.1.1/24', be, beAddrs, '10.244.1.1');
    // ClusterIPs that are not DNATed vanish, as on a node whose default route leads off the cluster.
    must('ip', ['-n', node, 'route', 'add', 'blackhole', '10.96.0.0/12']);
    // LoadBalancer ingress IPs (LB_IP_RANGE) are routed to the node, as a cloud load balancer delivers them.
    must('ip', ['-n', node, 'route', 'add', 'blackhole', LB_IP_RANGE]);
  } catch (e) {
    destroy();
    throw e;
  }
  const nodeRef: KernelNode = {
    prefix, node, cli, ext, be,
    load(rules: string) {
      must('ip', ['netns', 'exec', node, 'iptables-restore'], rules);
    },
    async serve(ports: readonly number[]) {
      const p = spawn('ip', ['netns', 'exec', be, process.execPath, '-e', SERVER, JSON.stringify([...new Set(ports)])], { stdio: ['ignore', 'pipe', 'pipe'] });
      servers.push(p);
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('kernel harness: servers did not start')), 15_000);
        p.stdout!.on('data', (d: Buffer) => {
          if (d.toString().includes('ready')) {
            clearTimeout(t);
            resolve();
          }
        });
        p.on('exit', (code) => {
          clearTimeout(t);
          reject(new Error(`kernel harness: server exited (${code})`));
        });
      });
    },
    connect(from, attempts, timeoutMs, concurrency = 64) {
      const ns = from === 'cli' ? cli : ext;
      const r = must('ip', ['netns', 'exec', ns, process.execPath, '-e', CLIENT, JSON.stringify(attempts), String(timeoutMs), String(concurrency)]);
      return JSON.parse(r) as ConnectOutcome[];
    },
    destroy,
  };
  return nodeRef;
}

/** Remove namespaces a crashed earlier run may have left (only ours: `svclab-` prefix). */
export function removeStaleNamespaces(): void {
  const r = run('ip', ['netns', 'list']);
  for (const line of r.stdout.split('\n')) {
    const name = line.split(' ')[0];
    if (name && name.startsWith('svclab-') && !name.startsWith(`svclab-${process.pid}-`)) {
      const pid = Number(name.split('-')[1]);
      let alive = false;
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
      if (!alive) run('ip', ['netns', 'del', name]);
    }
  }
}
