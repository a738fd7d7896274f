/**
 * `traceroute` (Modern traceroute for Linux 2.1.2, UDP probes to 33434+): three probes per TTL, each answered by
 * a router's ICMP time exceeded or the destination's port unreachable, or `*` after the wait (-w, 5 s).
 */
import { formatIpv4, parseIpv4 } from '../../net/addr';
import { rawData } from '../../net/packet/http';
import type { CommandSpec } from '../../shell/types';
import { beginTrace, lookupHost, netnsOf, waitUntil } from './common';

const FLAGS: Record<number, string> = { 0: ' !N', 1: ' !H', 2: ' !P', 9: ' !N', 10: ' !H', 13: ' !X' };

export const tracerouteCommand: CommandSpec = {
  name: 'traceroute',
  summary: 'print the route packets take to a host',
  async run(ctx) {
    let maxHops = 30, waitSec = 5, numeric = false, target: string | undefined;
    const args = ctx.argv.slice(1);
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-n') numeric = true;
      else if (a === '-m') maxHops = Number(args[++i]);
      else if (a === '-w') waitSec = Number(args[++i]);
      else if (a === '-q' || a === '-p') i++;
      else if (a.startsWith('-')) {
        ctx.stderr.write(`Bad option \`${a}' (argc ${i + 1})\n`);
        return 2;
      } else target = a;
    }
    if (!target || !(maxHops >= 1 && maxHops <= 255) || !(waitSec >= 0)) {
      ctx.stderr.write('Usage:\n  traceroute [ -n ] [ -m max_ttl ] [ -w waittime ] host\n');
      return 2;
    }
    const ns = netnsOf(ctx);
    if (!ns) return 1;
    const reqId = beginTrace(ctx);
    let dst = parseIpv4(target);
    if (dst === undefined) {
      const r = await lookupHost(ctx, ns, target, reqId);
      if (!r.ok) {
        ctx.stderr.write(`${target}: Name or service not known\nCannot handle "host" cmdline arg \`${target}' on position 1 (argc ${args.length})\n`);
        return 2;
      }
      dst = parseIpv4(r.addresses[0]!)!;
    }
    const s = ctx.world.scheduler;
    let answer: { from: number; at: number; type: number; code: number } | undefined;
    let probePort = 0;
    const sock = ns.openUdp(
      () => {},
      (e) => {
        if (e.original.dport === probePort) answer = { from: e.from, at: s.now(), type: e.type, code: e.code };
      },
    );
    ctx.stdout.write(`traceroute to ${target} (${formatIpv4(dst)}), ${maxHops} hops max, 60 byte packets\n`);
    let port = 33434;
    try {
      for (let ttl = 1; ttl <= maxHops; ttl++) {
        let line = `${String(ttl).padStart(2)} `;
        let lastFrom: number | undefined;
        let reached = false;
        for (let probe = 0; probe < 3; probe++) {
          if (ctx.signal.aborted) return 130;
          answer = undefined;
          probePort = port++;
          const t0 = s.now();
          sock.send(dst, probePort, rawData(new Uint8Array(32)), { ttl, reqId, df: false });
          await waitUntil(ctx, () => answer !== undefined, t0 + waitSec * 1000);
          const got = answer as { from: number; at: number; type: number; code: number } | undefined;
          if (!got) {
            line += ' *';
            continue;
          }
          if (got.from !== lastFrom) {
            const a = formatIpv4(got.from);
            line += numeric ? ` ${a}` : ` ${a} (${a})`;
            lastFrom = got.from;
          }
          line += `  ${(got.at - t0).toFixed(3)} ms`;
          if (got.type === 3) {
            reached = true;
            if (got.code !== 3) line += FLAGS[got.code] ?? ` !<${got.code}>`;
          }
        }
        ctx.stdout.write(line.replace(/^(..) +\*/, '$1  *') + '\n');
        if (reached) break;
      }
    } finally {
      sock.close();
    }
    return 0;
  },
};
