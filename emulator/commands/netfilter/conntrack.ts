/**
 * `conntrack` (conntrack-tools 1.4.7): -L/-D/-F/-C/-E over the host namespace's connection table. Lines come from
 * netfilter's formatter; the summary line goes to stderr, as the real tool prints it.
 */
import { formatEntry, matchesFilter, type CtFilter, type TcpState } from '../../netfilter/conntrack';
import { parseIpv4 } from '../../netfilter/ip';
import type { CommandContext, CommandSpec } from '../../shell/types';
import { hostNetfilter } from './iptables';

const PROG = 'conntrack v1.4.7 (conntrack-tools)';
const PROTOS: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, '6': 6, '17': 17, '1': 1 };
const TCP_STATES = new Set(['SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE']);

type Mode = 'list' | 'delete' | 'flush' | 'count' | 'events' | 'stats';

interface Parsed {
  mode: Mode;
  filter: CtFilter;
  extended: boolean;
}

function fail(ctx: CommandContext, msg: string): number {
  ctx.stderr.write(`${PROG}: ${msg}\nTry \`conntrack -h' or 'conntrack --help' for more information.\n`);
  return 2;
}

function parse(ctx: CommandContext, args: readonly string[]): Parsed | number {
  let mode: Mode | undefined;
  const filter: CtFilter = {};
  let extended = false;
  const setMode = (m: Mode) => {
    if (mode && mode !== m) return false;
    mode = m;
    return true;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`option \`${a}' requires an argument`);
      return v;
    };
    const addr = (what: string) => {
      const v = val();
      const n = parseIpv4(v);
      if (n === undefined) throw new Error(`Bad IP address \`${v}'`);
      void what;
      return n;
    };
    try {
      switch (a) {
        case '-L': case '--dump':
          if (args[i + 1] === 'conntrack') i++;
          if (!setMode('list')) return fail(ctx, 'Illegal option');
          break;
        case '-D': case '--delete': if (!setMode('delete')) return fail(ctx, 'Illegal option'); break;
        case '-F': case '--flush': if (!setMode('flush')) return fail(ctx, 'Illegal option'); break;
        case '-C': case '--count': if (!setMode('count')) return fail(ctx, 'Illegal option'); break;
        case '-E': case '--event': if (!setMode('events')) return fail(ctx, 'Illegal option'); break;
        case '-S': case '--stats': if (!setMode('stats')) return fail(ctx, 'Illegal option'); break;
        case '-p': case '--proto': {
          const v = val().toLowerCase();
          const p = PROTOS[v];
          if (p === undefined) return fail(ctx, `unknown protocol \`${v}'`);
          filter.proto = p;
          break;
        }
        case '-s': case '--src': case '--orig-src': filter.origSrc = addr('src'); break;
        case '-d': case '--dst': case '--orig-dst': filter.origDst = addr('dst'); break;
        case '-r': case '--reply-src': filter.replySrc = addr('reply-src'); break;
        case '-q': case '--reply-dst': filter.replyDst = addr('reply-dst'); break;
        case '--sport': case '--orig-port-src': filter.sport = Number(val()); break;
        case '--dport': case '--orig-port-dst': filter.dport = Number(val()); break;
        case '--state': {
          const s = val().toUpperCase();
          if (!TCP_STATES.has(s)) return fail(ctx, `unknown state \`${s}'`);
          filter.state = s as TcpState;
          break;
        }
        case '-n': case '--src-nat': filter.srcNat = true; break;
        case '-g': case '--dst-nat': filter.dstNat = true; break;
        case '-m': case '--mark': filter.mark = Number(val()); break;
        case '-o': case '--output': extended = val().split(',').includes('extended'); break;
        case '-f': case '--family': val(); break;
        default:
          return fail(ctx, `invalid option -- '${a.replace(/^-+/, '')}'`);
      }
    } catch (e) {
      return fail(ctx, (e as Error).message);
    }
  }
  if ((filter.sport !== undefined || filter.dport !== undefined || filter.state) && filter.proto === undefined) {
    return fail(ctx, 'missing protocol: use `-p tcp\' or `-p udp\' with port or state filters');
  }
  return { mode: mode ?? 'list', filter, extended };
}

export const conntrack: CommandSpec = {
  name: 'conntrack',
  summary: 'Show and manipulate the connection tracking table',
  async run(ctx) {
    const args = ctx.argv.slice(1);
    if (args.includes('-V') || args.includes('--version')) {
      ctx.stdout.write(`${PROG}\n`);
      return 0;
    }
    if (args.includes('-h') || args.includes('--help')) {
      ctx.stdout.write(`Command line interface for the connection tracking system. Version 1.4.7\nUsage: conntrack [commands] [options]\n\nCommands:\n  -L [table] [options]\t\tList conntrack or expectation table\n  -D [table] parameters\t\tDelete conntrack or expectation\n  -E [table] [options]\t\tShow events\n  -F [table]\t\t\tFlush table\n  -C [table]\t\t\tShow counter\n`);
      return 0;
    }
    const p = parse(ctx, args);
    if (typeof p === 'number') return p;
    if (ctx.host.user !== 'root') {
      ctx.stderr.write(`${PROG}: Operation failed: Operation not permitted\n`);
      return 1;
    }
    const ct = hostNetfilter(ctx).conntrack;
    const now = ctx.world.scheduler.now();
    switch (p.mode) {
      case 'list': {
        const rows = ct.list(now).filter((e) => matchesFilter(e, p.filter));
        for (const e of rows) ctx.stdout.write(`${formatEntry(e, now, { extended: p.extended })}\n`);
        ctx.stderr.write(`${PROG}: ${rows.length} flow entries have been shown.\n`);
        return 0;
      }
      case 'count':
        ctx.stdout.write(`${ct.list(now).length}\n`);
        return 0;
      case 'flush':
        ct.flush(now);
        ctx.stderr.write(`${PROG}: connection tracking table has been emptied.\n`);
        return 0;
      case 'delete': {
        const rows = ct.list(now).filter((e) => matchesFilter(e, p.filter));
        for (const e of rows) {
          ctx.stdout.write(`${formatEntry(e, now)}\n`);
          ct.delete(e, now);
        }
        ctx.stderr.write(`${PROG}: ${rows.length} flow entries have been deleted.\n`);
        return rows.length > 0 ? 0 : 1;
      }
      case 'stats':
        ctx.stdout.write(`cpu=0   \tfound=0 invalid=0 insert=0 insert_failed=0 drop=0 early_drop=0 error=0 search_restart=0 clash_resolve=0 chaintoolong=0 \n`);
        return 0;
      case 'events': {
        let n = 0;
        const sub = ct.onEvent((ev) => {
          if (!matchesFilter(ev.entry, p.filter)) return;
          n++;
          ctx.stdout.write(`${ev.line}\n`);
        });
        if (ctx.interactive && !ctx.signal.aborted) {
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        }
        sub.dispose();
        ctx.stderr.write(`${PROG}: ${n} flow events have been shown.\n`);
        return ctx.interactive ? 130 : 0;
      }
    }
  },
};
