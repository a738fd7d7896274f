/**
 * `ss` (iproute2 6.1): sockets of the namespace. Column layout as ss renders it: each column as wide as its
 * widest cell (plus its delimiter), addresses right-aligned against `:port`; on a terminal the spare width is
 * spread over the columns (tool-output-formats.md §5).
 */
import { formatIpv4 } from '../../net/addr';
import type { NetNamespace } from '../../net/netns';
import type { CommandSpec } from '../../shell/types';
import { netnsOf } from './common';

interface Row {
  netid: string;
  state: string;
  recvQ: string;
  sendQ: string;
  local: string;
  lport: string;
  peer: string;
  pport: string;
  process: string;
}

function collect(ns: NetNamespace, o: { tcp: boolean; udp: boolean; listening: boolean; all: boolean; process: boolean }): Row[] {
  const rows: Row[] = [];
  const addr = (a: number) => (a === 0 ? '*' : formatIpv4(a));
  const proc = (name: string | undefined) => (o.process && name ? `users:(("${name}",pid=1,fd=3))` : '');
  if (o.tcp) {
    const conns = [...ns.tcpConns.values()].flatMap((m) => [...m.values()]);
    const listeners = [...ns.tcpListeners.values()];
    if (!o.listening || o.all) {
      for (const c of conns) {
        if (c.state === 'CLOSED') continue;
        // A connection accepted by a dual-stack listener (`*:8000`) shows IPv4-mapped addresses.
        const show = (a: number) => (c.dualStack ? `[::ffff:${formatIpv4(a)}]` : formatIpv4(a));
        rows.push({ netid: 'tcp', state: c.state, recvQ: '0', sendQ: String(c.sendQueue), local: show(c.localAddr), lport: String(c.localPort), peer: show(c.remoteAddr), pport: String(c.remotePort), process: '' });
      }
    }
    if (o.listening || o.all) {
      for (const l of listeners.sort((a, b) => a.port - b.port)) {
        rows.push({ netid: 'tcp', state: 'LISTEN', recvQ: '0', sendQ: String(l.backlog), local: addr(l.addr), lport: String(l.port), peer: l.addr === 0 ? '*' : '0.0.0.0', pport: '*', process: proc(l.process) });
      }
    }
  }
  if (o.udp) {
    for (const s of [...ns.udpSockets.values()].sort((a, b) => a.port - b.port)) {
      const bound = s.addr === 0 || true;
      if (o.listening || o.all || !bound) rows.push({ netid: 'udp', state: 'UNCONN', recvQ: '0', sendQ: '0', local: addr(s.addr), lport: String(s.port), peer: s.addr === 0 ? '*' : '0.0.0.0', pport: '*', process: '' });
    }
  }
  return rows;
}

/** Lay rows out like ss: `columns` undefined = not a terminal (tight). */
export function renderSs(rows: Row[], showNetid: boolean, columns?: number): string {
  const header: Row = { netid: 'Netid', state: 'State', recvQ: 'Recv-Q', sendQ: 'Send-Q', local: 'Local Address', lport: 'Port', peer: 'Peer Address', pport: 'Port', process: 'Process' };
  const keys: (keyof Row)[] = showNetid ? ['netid', 'state', 'recvQ', 'sendQ', 'local', 'lport', 'peer', 'pport', 'process'] : ['state', 'recvQ', 'sendQ', 'local', 'lport', 'peer', 'pport', 'process'];
  const delim = (k: keyof Row, first: boolean) => (first || k === 'process' ? '' : k === 'lport' || k === 'pport' ? ':' : ' ');
  const widths = keys.map((k, i) => Math.max(...[header, ...rows].map((r) => r[k].length)) + delim(k, i === 0).length);
  if (columns !== undefined) {
    // ss spreads the spare width evenly; the remainder goes to the last columns.
    const total = widths.reduce((a, b) => a + b, 0);
    const spacing = Math.max(0, columns - total);
    const pad = Math.floor(spacing / keys.length);
    const rem = spacing % keys.length;
    for (let i = 0; i < widths.length; i++) widths[i]! += pad + (i >= keys.length - rem ? 1 : 0);
  }
  const line = (r: Row) =>
    keys
      .map((k, i) => {
        const d = delim(k, i === 0);
        const w = widths[i]!;
        if (k === 'local' || k === 'peer') return r[k].padStart(w);
        return (d + r[k]).padEnd(w);
      })
      .join('');
  return [header, ...rows].map(line).join('\n') + '\n';
}

export const ssCommand: CommandSpec = {
  name: 'ss',
  summary: 'show sockets (iproute2)',
  run(ctx) {
    const o = { tcp: false, udp: false, listening: false, all: false, process: false, numeric: false };
    for (const a of ctx.argv.slice(1)) {
      if (!a.startsWith('-') || a.startsWith('--')) {
        const long: Record<string, keyof typeof o> = { '--tcp': 'tcp', '--udp': 'udp', '--listening': 'listening', '--all': 'all', '--processes': 'process', '--numeric': 'numeric' };
        const k = long[a];
        if (!k) {
          ctx.stderr.write(`ss: unrecognized option '${a}'\n`);
          return 1;
        }
        o[k] = true;
        continue;
      }
      for (const c of a.slice(1)) {
        const map: Record<string, keyof typeof o> = { t: 'tcp', u: 'udp', l: 'listening', a: 'all', p: 'process', n: 'numeric' };
        if (c === '4' || c === 'e' || c === 'o' || c === 'i' || c === 'm') continue;
        const k = map[c];
        if (!k) {
          ctx.stderr.write(`ss: invalid option -- '${c}'\n`);
          return 1;
        }
        o[k] = true;
      }
    }
    if (!o.tcp && !o.udp) o.tcp = o.udp = true;
    const ns = netnsOf(ctx);
    if (!ns) {
      ctx.stderr.write('Cannot open netlink socket: Operation not permitted\n');
      return 1;
    }
    const rows = collect(ns, o);
    // The Netid column appears when more than one socket type is listed.
    const showNetid = o.tcp && o.udp;
    ctx.stdout.write(renderSs(rows, showNetid, ctx.stdoutIsTerminal ? (ctx.columns ?? 80) : undefined));
    return 0;
  },
};
