/**
 * How commands and workloads reach the packet network from a host: its network namespace in `world.network`,
 * its resolver files (/etc/resolv.conf and /etc/hosts read from the host's filesystem on every lookup, so a
 * learner's edit takes effect as on Linux), and a way to wait for a network operation in either clock mode.
 */
import type { Network } from '../net/network';
import type { NetNamespace } from '../net/netns';
import type { CommandContext, ShellHost } from '../shell/types';
import type { World } from '../world';
import type { ResolverHost } from '../dns/resolver';
import { parseHostsFile, parseResolvConf } from '../dns/resolver';
import type { ClientHost } from './http-client';

/** The world's packet network (added to World by the network subsystem). */
export function networkOf(world: World): Network | undefined {
  return (world as unknown as { network?: Network }).network;
}

const resolverCache = new WeakMap<object, { conf: string | undefined; hosts: string | undefined; parsed: ResolverHost }>();

/** A host's /etc/resolv.conf when its filesystem has none: what the machine would have been given. */
export function defaultResolvConf(host: Pick<ShellHost, 'id' | 'kind'>, profile: World['profile'] | undefined): string {
  if (host.kind === 'pod') {
    const ns = host.id.split('/')[1] ?? 'default';
    return `search ${ns}.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n`;
  }
  if (host.kind === 'node') return profile === 'cloud' ? 'search ec2.internal\nnameserver 10.0.0.2\n' : 'nameserver 172.18.0.1\noptions edns0 trust-ad ndots:0\n';
  if (host.kind === 'vm') return 'search ec2.internal\nnameserver 10.0.0.2\n';
  // The learner's machine: its home router's resolver is the public one here.
  return 'nameserver 8.8.8.8\n';
}

/** The resolver view of a host's files, re-parsed only when the files changed. */
export function resolverOf(host: Pick<ShellHost, 'fs'> & Partial<Pick<ShellHost, 'id' | 'kind'>>, profile?: World['profile']): ResolverHost {
  const conf = host.fs.readFile('/etc/resolv.conf') ?? (host.id && host.kind ? defaultResolvConf({ id: host.id, kind: host.kind }, profile) : undefined);
  const hosts = host.fs.readFile('/etc/hosts');
  const hit = resolverCache.get(host.fs);
  if (hit && hit.conf === conf && hit.hosts === hosts) return hit.parsed;
  const parsed: ResolverHost = { resolvConf: parseResolvConf(conf), hosts: parseHostsFile(hosts) };
  resolverCache.set(host.fs, { conf, hosts, parsed });
  return parsed;
}

/** The host's network namespace (its `netns`, else the namespace named like the host: `workstation`, `laptop`). */
export function netnsOf(world: World, host: Pick<ShellHost, 'netns' | 'id'>): NetNamespace | undefined {
  const net = networkOf(world);
  if (!net) return undefined;
  return host.netns ? net.ns(host.netns) : net.ns(host.id);
}

export function clientHostOf(world: World, host: ShellHost): ClientHost | undefined {
  const ns = netnsOf(world, host);
  return ns ? { ns, resolver: resolverOf(host, world.profile) } : undefined;
}

/** Start a traced request group (what the UI shows as one request); 0 when there is no network. */
export function beginTrace(world: World, label: string, host: ShellHost): number {
  const net = networkOf(world);
  return net ? net.traces.beginRequest(label, host.netns ?? host.id, world.scheduler.now()) : 0;
}

/** Let microtasks run (app handlers that await an outbound call resolve in them). */
async function drainMicrotasks(): Promise<void> {
  for (let i = 0; i < 8; i++) await Promise.resolve();
}

/**
 * Run a callback-style network operation to completion. Non-interactive (tests, `svclab run`, grading): nothing
 * else moves the clock, so run scheduler tasks until it finishes. Interactive: the app's ticker moves time; wait
 * for the callback. Ctrl-C resolves `undefined`.
 */
export function runNetworkOp<T>(
  ctx: Pick<CommandContext, 'world' | 'interactive' | 'signal'>,
  start: (done: (value: T) => void) => void,
  limitMs = 15 * 60_000,
): Promise<T | undefined> {
  const scheduler = ctx.world.scheduler;
  if (!ctx.interactive) {
    return (async () => {
      let result: { value: T } | undefined;
      start((value) => { if (!result) result = { value }; });
      const deadline = scheduler.now() + limitMs;
      // Run tasks instant by instant, letting promise continuations (an app awaiting its outbound call) run
      // between instants so they can schedule their next packets.
      while (result === undefined && !ctx.signal.aborted) {
        const next = scheduler.nextDue();
        if (next === undefined || next > deadline) {
          await drainMicrotasks();
          if (result !== undefined || scheduler.nextDue() !== next) continue;
          break;
        }
        scheduler.advanceTo(next);
        await drainMicrotasks();
      }
      return result?.value;
    })();
  }
  return new Promise<T | undefined>((resolve) => {
    if (ctx.signal.aborted) { resolve(undefined); return; }
    const onAbort = (): void => resolve(undefined);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    start((value) => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve(value);
    });
  });
}
