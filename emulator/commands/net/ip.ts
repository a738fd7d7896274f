/**
 * `ip` (iproute2 6.1): addr, link, route (incl. `route get`), neigh — formats from tool-output-formats.md §5.
 */
import { broadcastOf, formatIpv4, formatMac, linkLocalFromMac, networkOf, parseCidr, parseIpv4 } from '../../net/addr';
import type { Iface } from '../../net/iface';
import type { NetNamespace } from '../../net/netns';
import { formatRoute } from '../../net/routing';
import type { CommandContext, CommandSpec } from '../../shell/types';
import { netnsOf } from './common';

function flagsOf(i: Iface): string {
  if (!i.up) return i.kind === 'loopback' ? '<LOOPBACK>' : '<BROADCAST,MULTICAST>';
  if (i.kind === 'loopback') return '<LOOPBACK,UP,LOWER_UP>';
  if (i.kind === 'bridge' && i.ports!.size === 0) return '<NO-CARRIER,BROADCAST,MULTICAST,UP>';
  return '<BROADCAST,MULTICAST,UP,LOWER_UP>';
}

function stateOf(i: Iface): string {
  if (!i.up) return 'DOWN';
  if (i.kind === 'loopback') return 'UNKNOWN';
  if (i.kind === 'bridge' && i.ports!.size === 0) return 'DOWN';
  return 'UP';
}

/** `link-netnsid N`: ids this namespace gives the namespaces its veth peers live in, in order of first use. */
function netnsIds(ns: NetNamespace): Map<string, number> {
  const ids = new Map<string, number>();
  const ifaces = [...ns.ifaces.values()].sort((a, b) => a.index - b.index);
  for (const i of ifaces) if (i.peer && !ids.has(i.peer.ns.id)) ids.set(i.peer.ns.id, ids.size);
  return ids;
}

function sortedIfaces(ns: NetNamespace): Iface[] {
  return [...ns.ifaces.values()].sort((a, b) => a.index - b.index);
}

function linkHead(i: Iface, withMode: boolean): string {
  const master = i.master ? ` master ${i.master.name}` : '';
  return `${i.index}: ${i.displayName}: ${flagsOf(i)} mtu ${i.mtu} qdisc noqueue${master} state ${stateOf(i)}${withMode ? ' mode DEFAULT' : ''} group default qlen 1000`;
}

function linkLine(i: Iface, ids: Map<string, number>): string {
  if (i.kind === 'loopback') return '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00';
  const peer = i.peer ? ` link-netnsid ${ids.get(i.peer.ns.id) ?? 0}` : '';
  return `    link/ether ${formatMac(i.mac)} brd ff:ff:ff:ff:ff:ff${peer}`;
}

function addrShow(ns: NetNamespace, dev: string | undefined, brief: boolean): string {
  const ids = netnsIds(ns);
  let out = '';
  for (const i of sortedIfaces(ns)) {
    if (dev && i.name !== dev) continue;
    const inet6 = i.kind === 'loopback' ? '::1/128' : `${linkLocalFromMac(i.mac)}/64`;
    if (brief) {
      const addrs = [...i.addrs.map((a) => `${formatIpv4(a.addr)}/${a.prefix}`), inet6];
      out += `${i.displayName.padEnd(16)} ${stateOf(i).padEnd(14)} ${addrs.join(' ')} \n`;
      continue;
    }
    out += linkHead(i, false) + '\n' + linkLine(i, ids) + '\n';
    i.addrs.forEach((a, n) => {
      const scope = i.kind === 'loopback' && a.addr >>> 24 === 127 ? 'host' : 'global';
      const brd = a.prefix < 31 && scope === 'global' ? ` brd ${formatIpv4(broadcastOf(a.addr, a.prefix))}` : '';
      const secondary = n > 0 && i.addrs.slice(0, n).some((b) => b.prefix === a.prefix && (b.addr >>> (32 - a.prefix)) === (a.addr >>> (32 - a.prefix))) ? ' secondary' : '';
      out += `    inet ${formatIpv4(a.addr)}/${a.prefix}${brd} scope ${scope}${secondary} ${i.name}\n`;
      out += '       valid_lft forever preferred_lft forever\n';
    });
    out += `    inet6 ${inet6} scope ${i.kind === 'loopback' ? 'host' : 'link'} \n`;
    out += '       valid_lft forever preferred_lft forever\n';
  }
  return out;
}

function linkShow(ns: NetNamespace, dev: string | undefined, brief: boolean): string {
  const ids = netnsIds(ns);
  let out = '';
  for (const i of sortedIfaces(ns)) {
    if (dev && i.name !== dev) continue;
    if (brief) {
      out += `${i.displayName.padEnd(16)} ${stateOf(i).padEnd(14)} ${i.kind === 'loopback' ? '00:00:00:00:00:00' : formatMac(i.mac)} ${flagsOf(i)} \n`;
      continue;
    }
    out += linkHead(i, true) + '\n' + linkLine(i, ids) + '\n';
  }
  return out;
}

function routeGet(ns: NetNamespace, target: string, ctx: CommandContext): number {
  const addr = parseIpv4(target);
  if (addr === undefined) {
    ctx.stderr.write(`Error: any valid prefix is expected rather than "${target}".\n`);
    return 1;
  }
  const rt = ns.routeTo(addr);
  if (!rt || rt.route.type !== 'unicast') {
    ctx.stderr.write(`RTNETLINK answers: ${rt?.route.type === 'prohibit' ? 'Permission denied' : rt ? 'Invalid argument' : 'Network is unreachable'}\n`);
    return 2;
  }
  if (rt.local) {
    ctx.stdout.write(`local ${target} dev lo src ${formatIpv4(rt.src)} uid 0 \n    cache <local> \n`);
    return 0;
  }
  const via = rt.route.via !== undefined ? ` via ${formatIpv4(rt.route.via)}` : '';
  ctx.stdout.write(`${formatIpv4(addr)}${via} dev ${rt.route.dev} src ${formatIpv4(rt.src)} uid 0 \n    cache \n`);
  return 0;
}

function neighShow(ns: NetNamespace): string {
  let out = '';
  for (const e of ns.neighbours().reverse()) {
    if (e.state === 'INCOMPLETE' || e.state === 'FAILED') out += `${formatIpv4(e.ip)} dev ${e.iface.name} ${e.state} \n`;
    else out += `${formatIpv4(e.ip)} dev ${e.iface.name} lladdr ${formatMac(e.mac)} ${e.state} \n`;
  }
  return out;
}

/** `ip route add|del|replace PREFIX|default [via GW] [dev DEV]` and `blackhole|unreachable|prohibit PREFIX`. */
function routeChange(ns: NetNamespace, verb: string, args: string[], ctx: CommandContext): number {
  let type: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' = 'unicast';
  if (args[0] === 'blackhole' || args[0] === 'unreachable' || args[0] === 'prohibit') type = args.shift() as typeof type;
  const target = args.shift();
  const c = target === 'default' ? { addr: 0, prefix: 0 } : target ? parseCidr(target) : undefined;
  if (!c) {
    ctx.stderr.write(`Error: inet prefix is expected rather than "${target ?? ''}".\n`);
    return 1;
  }
  let via: number | undefined;
  let dev: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === 'via') {
      via = parseIpv4(args[++i] ?? '');
      if (via === undefined) {
        ctx.stderr.write(`Error: inet address is expected rather than "${args[i] ?? ''}".\n`);
        return 1;
      }
    } else if (args[i] === 'dev') dev = args[++i];
  }
  if (verb === 'del' || verb === 'delete') {
    if (!ns.routes.remove(c.addr, c.prefix)) {
      ctx.stderr.write('RTNETLINK answers: No such process\n');
      return 2;
    }
    return 0;
  }
  if (type === 'unicast') {
    if (via !== undefined && !dev) dev = ns.routeTo(via)?.route.dev;
    if (!dev || !ns.iface(dev)) {
      ctx.stderr.write(dev ? `Cannot find device "${dev}"\n` : 'RTNETLINK answers: Network is unreachable\n');
      return dev ? 1 : 2;
    }
  }
  if (verb === 'add' && ns.routes.list().some((r) => r.dst === networkOf(c.addr, c.prefix) && r.prefix === c.prefix)) {
    ctx.stderr.write('RTNETLINK answers: File exists\n');
    return 2;
  }
  ns.addRoute({ dst: c.addr, prefix: c.prefix, type, ...(via !== undefined ? { via } : {}), ...(dev ? { dev } : {}) });
  return 0;
}

/** `ip link set DEV up|down`. */
function linkSet(ns: NetNamespace, args: string[], ctx: CommandContext): number {
  const name = args[0] === 'dev' ? args[1] : args[0];
  const state = args.find((a) => a === 'up' || a === 'down');
  const iface = name ? ns.iface(name) : undefined;
  if (!iface) {
    ctx.stderr.write(`Cannot find device "${name ?? ''}"\n`);
    return 1;
  }
  if (state) iface.up = state === 'up';
  return 0;
}

const OBJECTS: Record<string, string> = {
  a: 'address', addr: 'address', address: 'address',
  l: 'link', link: 'link',
  r: 'route', ro: 'route', route: 'route',
  n: 'neigh', neigh: 'neigh', neighbor: 'neigh', neighbour: 'neigh',
};

export const ipCommand: CommandSpec = {
  name: 'ip',
  summary: 'show addresses, links, routes and neighbours (iproute2)',
  run(ctx) {
    const args = ctx.argv.slice(1);
    let brief = false;
    while (args[0]?.startsWith('-')) {
      const o = args.shift()!;
      if (o === '-br' || o === '-brief') brief = true;
      else if (o === '-4' || o === '-o') continue;
      else {
        ctx.stderr.write(`Option "${o}" is unknown, try "ip -help".\n`);
        return 255;
      }
    }
    const ns = netnsOf(ctx);
    if (!ns) {
      ctx.stderr.write('Cannot open netlink socket: Operation not permitted\n');
      return 1;
    }
    const objWord = args.shift();
    if (!objWord) {
      ctx.stderr.write('Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       where  OBJECT := { address | link | neigh | route | … }\n');
      return 255;
    }
    const obj = OBJECTS[objWord];
    if (!obj) {
      ctx.stderr.write(`Object "${objWord}" is unknown, try "ip help".\n`);
      return 1;
    }
    const verb = args[0] === 'show' || args[0] === 'list' || args[0] === 'ls' || args[0] === 's' ? (args.shift(), 'show') : (args[0] ?? 'show');
    const devIdx = args.indexOf('dev');
    const dev = devIdx >= 0 ? args[devIdx + 1] : args[0] && verb === 'show' && obj !== 'route' ? args[0] : undefined;
    if (dev && !ns.iface(dev) && verb === 'show') {
      ctx.stderr.write(`Device "${dev}" does not exist.\n`);
      return 1;
    }
    if (obj === 'route' && (verb === 'add' || verb === 'del' || verb === 'delete' || verb === 'replace')) return routeChange(ns, verb, args.slice(1), ctx);
    if (obj === 'link' && verb === 'set') return linkSet(ns, args.slice(1), ctx);
    switch (obj) {
      case 'address':
        if (verb !== 'show') break;
        ctx.stdout.write(addrShow(ns, dev, brief));
        return 0;
      case 'link':
        if (verb !== 'show') break;
        ctx.stdout.write(linkShow(ns, dev, brief));
        return 0;
      case 'route':
        if (verb === 'get') {
          if (!args[1]) {
            ctx.stderr.write('need at least a destination address\n');
            return 1;
          }
          return routeGet(ns, args[1], ctx);
        }
        if (verb !== 'show') break;
        ctx.stdout.write(ns.routes.list().filter((r) => !dev || r.dev === dev).map((r) => formatRoute(r) + '\n').join(''));
        return 0;
      case 'neigh':
        if (verb !== 'show') break;
        ctx.stdout.write(neighShow(ns));
        return 0;
    }
    ctx.stderr.write(`Command "${verb}" is unknown, try "ip ${obj} help".\n`);
    return 255;
  },
};
