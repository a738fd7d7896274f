/**
 * `tc qdisc add|change|replace|del dev DEV root netem [delay Nms] [loss P%]` and `tc qdisc show [dev DEV]`: the
 * Linux way to inject latency and loss on an interface, backed by the network's seeded fault injection.
 */
import type { CommandSpec } from '../../shell/types';
import { netnsOf } from './common';

interface Netem {
  delayMs: number;
  loss: number;
  handle: number;
}

const netems = new WeakMap<object, Map<string, Netem>>();

function parseTime(v: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|us)?$/.exec(v ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return m[2] === 's' ? n * 1000 : m[2] === 'us' ? n / 1000 : n;
}

function fmtTime(ms: number): string {
  return ms >= 1000 && ms % 1000 === 0 ? `${ms / 1000}s` : ms < 1 ? `${ms * 1000}us` : `${ms}ms`;
}

export const tcCommand: CommandSpec = {
  name: 'tc',
  summary: 'traffic control: netem delay and loss on an interface',
  run(ctx) {
    const args = ctx.argv.slice(1);
    const ns = netnsOf(ctx);
    if (!ns) {
      ctx.stderr.write('Cannot open netlink socket: Operation not permitted\n');
      return 1;
    }
    let table = netems.get(ns);
    if (!table) netems.set(ns, (table = new Map()));
    if (args[0] !== 'qdisc') {
      ctx.stderr.write(`Object "${args[0] ?? ''}" is unknown, try "tc help".\n`);
      return 1;
    }
    const verb = args[1] ?? 'show';
    const devIdx = args.indexOf('dev');
    const dev = devIdx >= 0 ? args[devIdx + 1] : undefined;
    if (verb === 'show' || verb === 'ls' || verb === 'list') {
      for (const i of [...ns.ifaces.values()].sort((a, b) => a.index - b.index)) {
        if (dev && i.name !== dev) continue;
        const q = table.get(i.name);
        ctx.stdout.write(q ? `qdisc netem ${q.handle.toString(16)}: dev ${i.name} root refcnt 2 limit 1000${q.delayMs ? ` delay ${fmtTime(q.delayMs)}` : ''}${q.loss ? ` loss ${+(q.loss * 100).toFixed(4)}%` : ''}\n` : `qdisc noqueue 0: dev ${i.name} root refcnt 2 \n`);
      }
      return 0;
    }
    const iface = dev ? ns.iface(dev) : undefined;
    if (!iface) {
      ctx.stderr.write(`Cannot find device "${dev ?? ''}"\n`);
      return 1;
    }
    if (verb === 'del' || verb === 'delete') {
      if (!table.delete(iface.name)) {
        ctx.stderr.write('Error: Cannot delete qdisc with handle of zero.\n');
        return 2;
      }
      ctx.world.network.setLinkFault(ns.id, iface.name, { loss: 0, latencyMs: 0.005 });
      return 0;
    }
    if (verb !== 'add' && verb !== 'change' && verb !== 'replace') {
      ctx.stderr.write(`Command "${verb}" is unknown, try "tc qdisc help".\n`);
      return 1;
    }
    if (verb === 'add' && table.has(iface.name)) {
      ctx.stderr.write('Error: Exclusivity flag on, cannot modify.\n');
      return 2;
    }
    const q: Netem = { delayMs: 0, loss: 0, handle: table.get(iface.name)?.handle ?? 0x8001 + table.size };
    const netem = args.indexOf('netem');
    if (netem < 0) {
      ctx.stderr.write('Error: only the netem qdisc is available here.\n');
      return 1;
    }
    for (let i = netem + 1; i < args.length; i++) {
      if (args[i] === 'delay') {
        const t = parseTime(args[++i]);
        if (t === undefined) {
          ctx.stderr.write(`Illegal "delay"\n`);
          return 1;
        }
        q.delayMs = t;
      } else if (args[i] === 'loss') {
        const m = /^(\d+(?:\.\d+)?)%$/.exec(args[++i] ?? '');
        if (!m) {
          ctx.stderr.write(`Illegal "loss"\n`);
          return 1;
        }
        q.loss = Math.min(1, Number(m[1]) / 100);
      }
    }
    table.set(iface.name, q);
    ctx.world.network.setLinkFault(ns.id, iface.name, { loss: q.loss, latencyMs: q.delayMs || 0.005 });
    return 0;
  },
};
