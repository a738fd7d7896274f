/**
 * `kubectl port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT […] [--address …] [--pod-running-timeout=1m0s]`, as
 * kubectl 1.32 does it:
 *
 * 1. Resolve the object (`pod/x` or `x`, `svc/`, `deploy/`, `rs/`) and pick one pod: a pod is itself; anything
 *    with a selector gives the first of its pods sorted most-active-first (kubectl's polymorphic helper sorts by
 *    `sort.Reverse(podutils.ActivePods)`: assigned, Running, Ready, ready longest, fewest restarts, oldest),
 *    waiting up to --pod-running-timeout for one to exist.
 * 2. Ports: for a Service, `REMOTE` is a *Service* port (number or name) and becomes its targetPort (a named
 *    targetPort is looked up in the pod's containers); for the others a named port is a container port name.
 * 3. The pod must be Running. Listen on each address (default `localhost` = 127.0.0.1 and [::1]); `:80` picks a
 *    free port. Then forward (port-forward-tunnel.ts) until Ctrl-C / `kill %N`, or until the connection to the
 *    pod is lost (pod deleted, or the pod refused a forwarded connection): `error: lost connection to pod`.
 *
 * Errors keep kubectl's words (`Service web does not have a service port 8080`, `Unable to listen on port …`).
 * Without a terminal (`svclab run`, checks) a foreground forward cannot be used by anything, so it runs the
 * clock at most 60 s (ending early if the pod goes) and stops as after Ctrl-C; as a job (`… &`) it keeps running.
 */
import type { KubeObject } from '../../api/types';
import type { NetNamespace } from '../../net/netns';
import { sleepVirtual } from '../../shell/virtual-time';
import { netnsOf } from '../../workloads/host-network';
import type { World } from '../../world';
import type { Kube } from './context';
import { Flags, KubectlError, parseFlags, usageError, type FlagDef } from './flags';
import { resolveType } from './resolve';
import { PortForwardTunnel, type ForwardedPort, type ListenAddress } from './port-forward-tunnel';

const PORT_FORWARD_FLAGS: FlagDef[] = [
  { name: 'address', type: 'stringSlice', default: ['localhost'] },
  { name: 'pod-running-timeout', type: 'string', default: '1m0s' },
];

/** `kubectl port-forward --help`, as kubectl 1.32 prints it. */
export const PORT_FORWARD_HELP = `Forward one or more local ports to a pod.

 Use resource type/name such as deployment/mydeployment to select a pod. Resource type defaults to 'pod' if omitted.

 If there are multiple pods matching the criteria, a pod will be selected automatically. The forwarding session ends when the selected pod terminates, and a rerun of the command is needed to resume forwarding.

Examples:
  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
  kubectl port-forward pod/mypod 5000 6000
  
  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in a pod selected by the deployment
  kubectl port-forward deployment/mydeployment 5000 6000
  
  # Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https" in a pod selected by the service
  kubectl port-forward service/myservice 8443:https
  
  # Listen on port 8888 locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod 8888:5000
  
  # Listen on port 8888 on all addresses, forwarding to 5000 in the pod
  kubectl port-forward --address 0.0.0.0 pod/mypod 8888:5000
  
  # Listen on port 8888 on localhost and selected IP, forwarding to 5000 in the pod
  kubectl port-forward --address localhost,10.19.21.23 pod/mypod 8888:5000
  
  # Listen on a random port locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod :5000

Options:
    --address=[localhost]:
	Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, kubectl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.

    --pod-running-timeout=1m0s:
	The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running

Usage:
  kubectl port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]

Use "kubectl options" for a list of global command-line options (applies to all commands).
`;

/** How long a foreground forward runs when nothing else can move the clock (non-interactive). */
const NONINTERACTIVE_LIMIT_MS = 60_000;
/** Linux's ip_local_port_range: where `listen(…:0)` finds a port. */
const EPHEMERAL_LOW = 32768;
const EPHEMERAL_HIGH = 60999;

export async function portForward(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, PORT_FORWARD_FLAGS, 'kubectl port-forward'));
  const args = flags.args;
  if (args.length < 2)
    throw new KubectlError(`error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples`);
  const ns = k.namespace(flags);
  const timeoutMs = parseDuration(flags.str('pod-running-timeout'));
  if (timeoutMs === undefined)
    throw usageError(`invalid argument "${flags.str('pod-running-timeout')}" for "--pod-running-timeout" flag: time: invalid duration "${flags.str('pod-running-timeout')}"`, 'kubectl port-forward');
  if (timeoutMs <= 0) throw new KubectlError(`error: --pod-running-timeout must be higher than zero\nSee 'kubectl port-forward -h' for help and examples`);

  // 1. The object and its pod.
  const ref = args[0]!;
  const slash = ref.indexOf('/');
  const info = slash < 0 ? resolveType('pods') : resolveType(ref.slice(0, slash));
  const name = slash < 0 ? ref : ref.slice(slash + 1);
  const obj = k.store.get(info.resource, ns, name);
  let pod: KubeObject;
  if (info.resource === 'pods') pod = obj;
  else pod = await firstPod(k, ns, selectorOf(info.resource, info.kind, obj), timeoutMs);

  // 2. Ports in the pod.
  const specs = args.slice(1);
  const translated = info.resource === 'services' ? translateServicePorts(specs, obj, pod) : convertNamedPorts(specs, pod);

  // 3. Running?
  const current = k.store.get('pods', ns, pod.metadata.name!);
  if (current.status?.phase !== 'Running')
    throw new KubectlError(`error: unable to forward port because pod is not running. Current status=${current.status?.phase ?? 'Pending'}`);

  const ports = parsePorts(translated);
  const addresses = parseAddresses(flags.list('address'));
  return forward(k, current, ports, addresses);
}

// ------------------------------------------------------------------ choosing the pod

function selectorOf(resource: string, kind: string, obj: KubeObject): Record<string, string> {
  if (resource === 'services') {
    const sel = obj.spec?.selector as Record<string, string> | undefined;
    if (!sel || Object.keys(sel).length === 0) throw new KubectlError(`error: invalid service '${obj.metadata.name}': Service is defined without a selector`);
    return sel;
  }
  if (resource === 'deployments' || resource === 'replicasets') return (obj.spec?.selector?.matchLabels ?? {}) as Record<string, string>;
  throw new KubectlError(`error: cannot attach to *v1.${kind}: selector for *v1.${kind} not implemented`);
}

function matches(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  for (const key in sel) if (labels?.[key] !== sel[key]) return false;
  return true;
}

function isReady(p: KubeObject): boolean {
  return (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');
}

function readyTime(p: KubeObject): number {
  const c = (p.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
  return c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
}

function maxRestarts(p: KubeObject): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((s: { restartCount?: number }) => s.restartCount ?? 0));
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** `afterOrZero`: a zero time counts as after any other. */
function afterOrZero(a: number, b: number): boolean {
  if (a === 0 || b === 0) return a === 0;
  return a > b;
}

/** podutils.ActivePods' Less: true when `a` is *less* active than `b`. */
function lessActive(a: KubeObject, b: KubeObject): boolean {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const pa = PHASE_RANK[a.status?.phase ?? ''] ?? 0;
  const pb = PHASE_RANK[b.status?.phase ?? ''] ?? 0;
  if (pa !== pb) return pa < pb;
  if (isReady(a) !== isReady(b)) return !isReady(a);
  if (isReady(a) && isReady(b) && readyTime(a) !== readyTime(b)) return afterOrZero(readyTime(a), readyTime(b));
  if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(a) > maxRestarts(b);
  const ca = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const cb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ca !== cb) return afterOrZero(ca, cb);
  return false;
}

/** GetFirstPod: the most active matching pod, waiting (as kubectl's watch does) until one exists. */
async function firstPod(k: Kube, ns: string, sel: Record<string, string>, timeoutMs: number): Promise<KubeObject> {
  const list = () => k.store.list('pods', { namespace: ns }).items.filter((p) => matches(sel, p.metadata.labels));
  let pods = list();
  if (pods.length === 0) {
    await k.waitUntil(() => list().length > 0, timeoutMs);
    pods = list();
    if (pods.length === 0) throw new KubectlError('error: timed out waiting for the condition');
  }
  // The API server lists by name; sort.Reverse(ActivePods) puts the most active first.
  return [...pods].sort((a, b) => (lessActive(b, a) ? -1 : lessActive(a, b) ? 1 : 0))[0]!;
}

// ------------------------------------------------------------------ ports

function splitPort(spec: string): [string, string] {
  const parts = spec.split(':');
  return parts.length === 2 ? [parts[0]!, parts[1]!] : [parts[0]!, parts[0]!];
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

function containerPorts(pod: KubeObject): ContainerPort[] {
  return (pod.spec?.containers ?? []).flatMap((c: { ports?: ContainerPort[] }) => c.ports ?? []);
}

function containerPortByName(pod: KubeObject, name: string): number {
  const p = containerPorts(pod).find((cp) => cp.name === name);
  if (!p) throw new KubectlError(`error: Pod '${pod.metadata.name}' does not have a named port '${name}'`);
  return p.containerPort;
}

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
}

/** Service port → container port through targetPort (omitted = the port itself; headless: the port as typed). */
function translateServicePorts(specs: readonly string[], svc: KubeObject, pod: KubeObject): string[] {
  const svcPorts = (svc.spec?.ports ?? []) as ServicePort[];
  checkUdp(specs, svcPorts.map((p) => ({ port: p.port, protocol: p.protocol })), (name) => {
    const p = svcPorts.find((sp) => sp.name === name);
    if (!p) throw new KubectlError(`error: Service '${svc.metadata.name}' does not have a named port '${name}'`);
    return p.port;
  });
  return specs.map((spec) => {
    let [local, remote] = splitPort(spec);
    let num = Number(remote);
    if (!/^\d+$/.test(remote)) {
      const p = svcPorts.find((sp) => sp.name === remote);
      if (!p) throw new KubectlError(`error: Service '${svc.metadata.name}' does not have a named port '${remote}'`);
      num = p.port;
      if (local === remote) local = String(num);
    }
    const sp = svcPorts.find((p) => p.port === num);
    if (!sp) throw new KubectlError(`error: Service ${svc.metadata.name} does not have a service port ${num}`);
    let container: number;
    if (svc.spec?.clusterIP === 'None') container = num;
    else if (sp.targetPort === undefined || sp.targetPort === 0) container = sp.port;
    else if (typeof sp.targetPort === 'number' || /^\d+$/.test(sp.targetPort)) container = Number(sp.targetPort);
    else container = containerPortByName(pod, sp.targetPort);
    return local !== String(container) ? `${local}:${container}` : String(container);
  });
}

function convertNamedPorts(specs: readonly string[], pod: KubeObject): string[] {
  checkUdp(specs, containerPorts(pod).map((p) => ({ port: p.containerPort, protocol: p.protocol })), (name) => containerPortByName(pod, name));
  return specs.map((spec) => {
    const [local, remote] = splitPort(spec);
    const num = /^\d+$/.test(remote) ? remote : String(containerPortByName(pod, remote));
    return local !== remote ? `${local}:${num}` : num;
  });
}

/** Port-forward is TCP only: a port declared only as UDP is refused. */
function checkUdp(specs: readonly string[], declared: { port: number; protocol?: string }[], byName: (name: string) => number): void {
  const udp = new Set(declared.filter((d) => d.protocol === 'UDP').map((d) => d.port));
  for (const d of declared) if ((d.protocol ?? 'TCP') === 'TCP') udp.delete(d.port);
  for (const spec of specs) {
    const [, remote] = splitPort(spec);
    const num = /^\d+$/.test(remote) ? Number(remote) : byName(remote);
    if (udp.has(num)) throw new KubectlError(`error: UDP protocol is not supported for ${remote}`);
  }
}

/** client-go's parsePorts: `8080:80`, `80`, `:80` (local 0 = any free port). */
export function parsePorts(specs: readonly string[]): ForwardedPort[] {
  return specs.map((spec) => {
    const parts = spec.split(':');
    if (parts.length > 2) throw new KubectlError(`error: invalid port format '${spec}'`);
    const localText = parts.length === 1 ? parts[0]! : parts[0] === '' ? '0' : parts[0]!;
    const remoteText = parts.length === 1 ? parts[0]! : parts[1]!;
    const local = parseUint16(localText);
    if (typeof local === 'string') throw new KubectlError(`error: error parsing local port '${localText}': ${local}`);
    const remote = parseUint16(remoteText);
    if (typeof remote === 'string') throw new KubectlError(`error: error parsing remote port '${remoteText}': ${remote}`);
    if (remote === 0) throw new KubectlError('error: remote port must be > 0');
    return { local, remote };
  });
}

/** strconv.ParseUint(s, 10, 16): the number, or Go's error text. */
function parseUint16(s: string): number | string {
  if (!/^\d+$/.test(s)) return `strconv.ParseUint: parsing "${s}": invalid syntax`;
  const n = Number(s);
  if (n > 65535) return `strconv.ParseUint: parsing "${s}": value out of range`;
  return n;
}

/** client-go's parseAddresses: `localhost` = 127.0.0.1 (tcp4) + ::1 (tcp6); sorted by address text. */
export function parseAddresses(list: readonly string[]): ListenAddress[] {
  const parsed = new Map<string, ListenAddress>();
  for (const a of list) {
    if (a === 'localhost') {
      if (!parsed.has('127.0.0.1')) parsed.set('127.0.0.1', { address: '127.0.0.1', protocol: 'tcp4', failureMode: 'all' });
      if (!parsed.has('::1')) parsed.set('::1', { address: '::1', protocol: 'tcp6', failureMode: 'all' });
    } else if (/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(a) && a.split('.').every((b) => Number(b) <= 255)) {
      parsed.set(a, { address: a, protocol: 'tcp4', failureMode: 'any' });
    } else if (/^[0-9a-fA-F:]+$/.test(a) && a.includes(':')) {
      parsed.set(a, { address: a, protocol: 'tcp6', failureMode: 'any' });
    } else throw new KubectlError(`error: ${a} is not a valid IP`);
  }
  return [...parsed.values()].sort((x, y) => (x.address < y.address ? -1 : x.address > y.address ? 1 : 0));
}

/** Go's time.ParseDuration for what a learner types (`1m0s`, `30s`, `2m`, `500ms`, `1h`). */
function parseDuration(s: string): number | undefined {
  if (s === '0') return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/y;
  let total = 0;
  let i = 0;
  const neg = s.startsWith('-');
  if (neg || s.startsWith('+')) i = 1;
  if (i >= s.length) return undefined;
  while (i < s.length) {
    re.lastIndex = i;
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
    i = re.lastIndex;
  }
  return neg ? -total : total;
}

// ------------------------------------------------------------------ forwarding

/** containerd's ids for a pod sandbox: a 64-hex sandbox id and its `cni-…` netns, stable per pod uid. */
function sandboxIds(pod: KubeObject): { sandboxId: string; netnsPath: string } {
  const seed = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
  let h = 0x811c9dc5;
  let hex = '';
  for (let round = 0; hex.length < 96; round++) {
    for (const ch of `${seed}#sandbox#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    hex += h.toString(16).padStart(8, '0');
  }
  const u = hex.slice(64, 96);
  return {
    sandboxId: hex.slice(0, 64),
    netnsPath: `/var/run/netns/cni-${u.slice(0, 8)}-${u.slice(8, 12)}-${u.slice(12, 16)}-${u.slice(16, 20)}-${u.slice(20, 32)}`,
  };
}

/** klog's header: `E1128 09:51:09.123456   12345 portforward.go:413] ` (UTC from the virtual clock). */
function klogError(now: number, pid: number, message: string): string {
  const d = new Date(Math.floor(now));
  const p2 = (n: number) => String(n).padStart(2, '0');
  const micros = String(Math.floor((now - Math.floor(now / 1000) * 1000) * 1000)).padStart(6, '0');
  return `E${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${micros} ${String(pid).padStart(7)} portforward.go:413] ${message}\n`;
}

const forwardsStarted = new WeakMap<World, number>();

async function forward(k: Kube, pod: KubeObject, ports: ForwardedPort[], addresses: ListenAddress[]): Promise<number> {
  const world = k.ctx.world;
  const localNs = netnsOf(world, k.ctx.host);
  if (!localNs) throw new KubectlError('error: unable to listen on any of the requested ports: no network on this host');
  const n = (forwardsStarted.get(world) ?? 0) + 1;
  forwardsStarted.set(world, n);
  const rng = world.rng.fork(`kubectl-port-forward-${n}`);
  const pid = 10_000 + rng.int(90_000);
  const podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const uid = pod.metadata.uid;
  const ids = sandboxIds(pod);
  let lost = false;
  let wake: () => void = () => {};
  const ended = new Promise<void>((resolve) => (wake = resolve));
  const tunnel = new PortForwardTunnel(
    localNs,
    { podKey, podNs: () => podNamespace(world, podKey), ...ids },
    {
      scheduler: world.scheduler,
      traces: world.network.traces,
      out: (line) => k.out(line),
      error: (message) => k.err(klogError(world.scheduler.now(), pid, message)),
      lost: () => {
        lost = true;
        wake();
      },
    },
  );

  // Listen: every address for each port; a port counts when its address group did not fail.
  let anyListening = false;
  for (const port of ports) {
    if (port.local === 0) port.local = freePort(tunnel, rng);
    const errors: string[] = [];
    const fails = { all: 0, any: 0 };
    const oks = { all: 0, any: 0 };
    for (const addr of addresses) {
      const err = tunnel.listen(addr, port);
      if (err) {
        errors.push(`unable to create listener: Error ${err}`);
        fails[addr.failureMode]++;
      } else {
        oks[addr.failureMode]++;
        const shown = addr.protocol === 'tcp6' ? `[${addr.address}]` : addr.address;
        k.out(`Forwarding from ${shown}:${port.local} -> ${port.remote}\n`);
      }
    }
    if ((oks.all === 0 && fails.all > 0) || fails.any > 0) k.err(`Unable to listen on port ${port.local}: Listeners failed to create with the following errors: [${errors.join(' ')}]\n`);
    else anyListening = true;
  }
  if (!anyListening) {
    tunnel.close();
    throw new KubectlError(`error: unable to listen on any of the requested ports: [${ports.map((p) => `{${p.local} ${p.remote}}`).join(' ')}]`);
  }

  // The stream to the pod lives as long as the pod: deleting it ends the forward.
  const podGone = () => {
    const now = k.store.tryGet('pods', pod.metadata.namespace, pod.metadata.name!);
    return !now || now.metadata.uid !== uid || !podNamespace(world, podKey);
  };
  const watch = k.store.watch('pods', { namespace: pod.metadata.namespace }, (ev) => {
    if (ev.type === 'DELETED' && ev.object.metadata.uid === uid) {
      lost = true;
      wake();
    }
  });
  const onAbort = () => wake();
  k.ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (!k.ctx.interactive && !k.ctx.background) {
      // Nothing can connect while a script waits here: let the world run a while, as a learner's pause would.
      const deadline = world.scheduler.now() + NONINTERACTIVE_LIMIT_MS;
      while (!lost && !k.ctx.signal.aborted && world.scheduler.now() < deadline) {
        if (podGone()) lost = true;
        else await sleepVirtual(k.ctx, Math.min(1000, deadline - world.scheduler.now()));
      }
    } else if (!k.ctx.signal.aborted) await ended;
  } finally {
    k.ctx.signal.removeEventListener('abort', onAbort);
    watch.dispose();
    tunnel.close();
  }
  if (lost) throw new KubectlError('error: lost connection to pod');
  return 0;
}

function podNamespace(world: World, podKey: string): NetNamespace | undefined {
  return world.network.ns(`pod/${podKey}`);
}

/** `listen(127.0.0.1:0)`: a free port from the ephemeral range (the kernel's choice; here the seeded RNG's). */
function freePort(tunnel: PortForwardTunnel, rng: { int(n: number): number }): number {
  for (;;) {
    const p = EPHEMERAL_LOW + rng.int(EPHEMERAL_HIGH - EPHEMERAL_LOW + 1);
    if (tunnel.portFree(p)) return p;
  }
}
