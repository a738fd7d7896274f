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

/** The resolver view of a host's files, re-parsed only when the files changed. */
export function resolverOf(host: Pick<ShellHost, 'fs'>): ResolverHost {
  const conf = host.fs.readFile('/etc/resolv.conf');
  const hosts = host.fs.readFile('/etc/hosts');
  const hit = resolverCache.get(host.fs);
  if (hit && hit.conf === conf && hit.hosts === hosts) return hit.parsed;
  const parsed: ResolverHost = { resolvConf: parseResolvConf(conf), hosts: parseHostsFile(hosts) };
  resolverCache.set(host.fs, { conf, hosts, parsed });
  return parsed;
}

export function netnsOf(world: World, host: Pick<ShellHost, 'netns'>): NetNamespace | undefined {
  if (!host.netns) return undefined;
  return networkOf(world)?.ns(host.netns);
}

export function clientHostOf(world: World, host: ShellHost): ClientHost | undefined {
  const ns = netnsOf(world, host);
  return ns ? { ns, resolver: resolverOf(host) } : undefined;
}

/** Start a traced request group (what the UI shows as one request); 0 when there is no network. */
export function beginTrace(world: World, label: string, host: ShellHost): number {
  const net = networkOf(world);
  return net ? net.traces.beginRequest(label, host.netns ?? host.id, world.scheduler.now()) : 0;
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
    let result: { value: T } | undefined;
    start((value) => { if (!result) result = { value }; });
    scheduler.runUntil(() => result !== undefined || ctx.signal.aborted, scheduler.now() + limitMs);
    return Promise.resolve(result?.value);
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
