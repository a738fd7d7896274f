/** Shared plumbing for the network tools: the namespace a command runs in, and waiting on virtual time. */
import type { NetNamespace } from '../../net/netns';
import type { CommandContext } from '../../shell/types';
import { sleepVirtual } from '../../shell/virtual-time';
import { parseHostsFile, parseResolvConf, resolveHost, type LookupResult, type ResolverHost } from '../../dns/resolver';
import { UdpDnsClient } from '../../dns/udp';

/** The host's network namespace (its `netns`, else the namespace named like the host id). */
export function netnsOf(ctx: Pick<CommandContext, 'host' | 'world'>): NetNamespace | undefined {
  const net = ctx.world.network;
  return net.ns(ctx.host.netns ?? ctx.host.id);
}

/**
 * Block the command until `done()` or `deadline` (virtual ms). Non-interactive runs drive the scheduler
 * themselves (deterministic, instant); in the app the wall-clock ticker moves time and we poll in small steps.
 * Returns whether `done()` held.
 */
export async function waitUntil(
  ctx: Pick<CommandContext, 'world' | 'interactive' | 'signal'>,
  done: () => boolean,
  deadline: number,
): Promise<boolean> {
  const s = ctx.world.scheduler;
  if (!ctx.interactive) {
    s.runUntil(() => done() || ctx.signal.aborted, deadline);
    return done();
  }
  while (!done()) {
    if (ctx.signal.aborted) return false;
    const left = deadline - s.now();
    if (left <= 0) return done();
    if (!(await sleepVirtual(ctx, Math.min(left, 10)))) return done();
  }
  return true;
}

/**
 * getaddrinfo for a tool: literal, /etc/hosts, then DNS over the packet network with the host's resolv.conf
 * (search list and ndots). The DNS packets carry `reqId`, so they join the tool's trace.
 */
export async function lookupHost(
  ctx: Pick<CommandContext, 'world' | 'interactive' | 'signal' | 'host'>,
  ns: NetNamespace,
  name: string,
  reqId: number,
): Promise<LookupResult> {
  const host: ResolverHost = {
    resolvConf: parseResolvConf(ctx.host.fs.readFile('/etc/resolv.conf')),
    hosts: parseHostsFile(ctx.host.fs.readFile('/etc/hosts')),
  };
  const transport = new UdpDnsClient({ ns, scheduler: ctx.world.scheduler, rng: ctx.world.rng.fork(`resolver/${ns.id}/${reqId}`), reqId });
  let result: LookupResult | undefined;
  resolveHost(name, host, transport, (r) => (result = r));
  await waitUntil(ctx, () => result !== undefined, ctx.world.scheduler.now() + 60_000);
  return result ?? { ok: false, error: 'TIMEOUT' };
}

/** Start a trace request for a tool run (a no-op id when tracing is off). */
export function beginTrace(ctx: Pick<CommandContext, 'world' | 'host' | 'argv'>): number {
  const traces = ctx.world.traces;
  if (!traces.enabled) return 0;
  return traces.beginRequest(ctx.argv.join(' '), ctx.host.id, ctx.world.scheduler.now());
}
