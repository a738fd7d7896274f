/**
 * `ping` (iputils 20221126): echo requests every interval on the virtual clock; replies, ICMP errors (`From X
 * icmp_seq=N Destination Host Unreachable`) and the statistics block exactly as iputils prints them
 * (tool-output-formats.md §6). Exits 0 when a reply came back, 1 otherwise, 2 on a bad name.
 */
import { formatIpv4, parseIpv4 } from '../../net/addr';
import type { CommandContext, CommandSpec } from '../../shell/types';
import { sleepVirtual } from '../../shell/virtual-time';
import { beginTrace, lookupHost, netnsOf, waitUntil } from './common';

/** iputils' wording of an ICMP error (type 3 codes, time exceeded). */
export function icmpErrorText(type: number, code: number): string {
  if (type === 11) return code === 0 ? 'Time to live exceeded' : 'Frag reassembly time exceeded';
  if (type !== 3) return `Bad ICMP type: ${type}`;
  const codes: Record<number, string> = {
    0: 'Destination Net Unreachable',
    1: 'Destination Host Unreachable',
    2: 'Destination Protocol Unreachable',
    3: 'Destination Port Unreachable',
    4: 'Frag needed and DF set',
    9: 'Destination Net Prohibited',
    10: 'Destination Host Prohibited',
    13: 'Packet filtered',
  };
  return codes[code] ?? `Dest Unreachable, Bad Code: ${code}`;
}

/** iputils: 3 decimals below 1 ms, 2 below 10, 1 below 100, none above. */
export function formatRtt(ms: number): string {
  if (ms < 1) return ms.toFixed(3);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

function usage(ctx: CommandContext, msg: string): number {
  ctx.stderr.write(`ping: ${msg}\n`);
  return 2;
}

export const pingCommand: CommandSpec = {
  name: 'ping',
  summary: 'send ICMP echo requests (iputils)',
  async run(ctx) {
    let count = Infinity;
    let waitSec: number | undefined;
    let interval = 1000;
    let ttl = 64;
    let quiet = false;
    let target: string | undefined;
    const args = ctx.argv.slice(1);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const value = (): string | undefined => (a.length > 2 ? a.slice(2) : args[++i]);
      if (a.startsWith('-c')) {
        const v = Number(value());
        if (!Number.isInteger(v) || v <= 0) return usage(ctx, `invalid argument: '${args[i] ?? ''}': out of range: 1 <= value <= 9223372036854775807`);
        count = v;
      } else if (a.startsWith('-W')) {
        const v = Number(value());
        if (!(v >= 0)) return usage(ctx, `bad linger time: ${args[i] ?? ''}`);
        waitSec = v;
      } else if (a.startsWith('-i')) {
        const v = Number(value());
        if (!(v >= 0.002)) return usage(ctx, `bad timing interval: ${args[i] ?? ''}`);
        interval = v * 1000;
      } else if (a.startsWith('-t')) {
        const v = Number(value());
        if (!(v >= 1 && v <= 255)) return usage(ctx, `invalid argument: '${args[i] ?? ''}': out of range: 0 <= value <= 255`);
        ttl = v;
      } else if (a === '-q') quiet = true;
      else if (a === '-n' || a === '-4') continue;
      else if (a.startsWith('-')) return usage(ctx, `invalid option -- '${a.slice(1, 2)}'`);
      else target = a;
    }
    if (!target) {
      ctx.stderr.write('ping: usage error: Destination address required\n');
      return 1;
    }
    const ns = netnsOf(ctx);
    if (!ns) return usage(ctx, 'socket: Operation not permitted');
    const reqId = beginTrace(ctx);
    let addr = parseIpv4(target);
    let shownName = target;
    if (addr === undefined) {
      const r = await lookupHost(ctx, ns, target, reqId);
      if (!r.ok) {
        ctx.stderr.write(`ping: ${target}: ${r.error === 'TIMEOUT' ? 'Temporary failure in name resolution' : 'Name or service not known'}\n`);
        return 2;
      }
      addr = parseIpv4(r.addresses[0]!)!;
      shownName = r.name.replace(/\.$/, '');
    }
    const dst = addr;
    const s = ctx.world.scheduler;
    const sentAt = new Map<number, number>();
    const rtts: number[] = [];
    let transmitted = 0, received = 0, errors = 0, pipe = 1;
    const out = (t: string) => ctx.stdout.write(t);
    const sock = ns.openPing(
      (r) => {
        const t0 = sentAt.get(r.seq);
        if (t0 === undefined || r.from !== dst) return;
        sentAt.delete(r.seq);
        const rtt = s.now() - t0;
        rtts.push(rtt);
        received++;
        pipe = Math.max(pipe, transmitted - r.seq + 1);
        if (!quiet) out(`64 bytes from ${formatIpv4(r.from)}: icmp_seq=${r.seq} ttl=${r.ttl} time=${formatRtt(rtt)} ms\n`);
      },
      (e) => {
        if (!sentAt.has(e.seq)) return;
        sentAt.delete(e.seq);
        errors++;
        pipe = Math.max(pipe, transmitted - e.seq + 1);
        if (!quiet) out(`From ${formatIpv4(e.from)} icmp_seq=${e.seq} ${icmpErrorText(e.type, e.code)}\n`);
      },
    );
    out(`PING ${shownName} (${formatIpv4(dst)}) 56(84) bytes of data.\n`);
    const start = s.now();
    let lastSend = start;
    let interrupted = false;
    try {
      for (let seq = 1; transmitted < count; seq++) {
        if (ctx.signal.aborted) { interrupted = true; break; }
        lastSend = s.now();
        sentAt.set(seq, lastSend);
        transmitted++;
        if (!sock.send(dst, seq, { ttl, reqId })) {
          ctx.stderr.write('ping: connect: Network is unreachable\n');
          return 2;
        }
        if (transmitted >= count) break;
        if (!(await sleepVirtual(ctx, interval))) { interrupted = !!ctx.signal.aborted; break; }
      }
      if (!interrupted) {
        // After the last request: wait two RTTs when something answered, else the linger time (-W, default 10 s).
        const linger = received > 0 ? Math.max(2 * Math.max(...rtts), 1) : (waitSec ?? 10) * 1000;
        await waitUntil(ctx, () => received + errors >= transmitted, lastSend + linger);
      }
    } finally {
      sock.close();
    }
    const loss = transmitted === 0 ? 0 : Math.round((100 * (transmitted - received)) / transmitted);
    const elapsed = Math.round(lastSend - start + (rtts.length ? rtts[rtts.length - 1]! : 0));
    let stats = `\n--- ${shownName} ping statistics ---\n${transmitted} packets transmitted, ${received} received`;
    if (errors) stats += `, +${errors} errors`;
    stats += `, ${loss}% packet loss, time ${elapsed}ms\n`;
    if (rtts.length) {
      const min = Math.min(...rtts), max = Math.max(...rtts);
      const avg = rtts.reduce((a, b) => a + b, 0) / rtts.length;
      const mdev = Math.sqrt(Math.max(0, rtts.reduce((a, b) => a + b * b, 0) / rtts.length - avg * avg));
      stats += `rtt min/avg/max/mdev = ${min.toFixed(3)}/${avg.toFixed(3)}/${max.toFixed(3)}/${mdev.toFixed(3)} ms`;
      if (pipe > 1) stats += `, pipe ${pipe}`;
      stats += '\n';
    } else if (pipe > 1) stats += `pipe ${pipe}\n`;
    else stats += '\n';
    out(stats);
    return received > 0 ? 0 : 1;
  },
};
