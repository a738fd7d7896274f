/**
 * `tcpdump` (4.99.3): a live capture on one interface or `any`, printed in tcpdump's line format from the virtual
 * clock, or written to a pcap file (`-w`), or read back (`-r`). Formats: tool-output-formats.md §3.
 *
 * Running: the capture lasts until `-c N` packets matched or Ctrl-C. In the app the wall-clock ticker moves
 * time, so a learner sees packets as other activity (probes, a second terminal, background jobs) produces
 * them. Non-interactively (`svclab run`, lab checks) nothing else can run meanwhile, so the capture drives the
 * clock itself and stops after at most 60 s of virtual time, printing the footer as after
 * Ctrl-C. As a background job (`tcpdump -c 10 -w x.pcap &`, `CommandContext.background`) it does not drive the
 * clock: it keeps capturing while the next commands run, and the job ends when -c is reached or on `kill %N` —
 * the way to capture a `curl` in one terminal or a script; `-r FILE` reads the result back.
 */
import { formatFrameLine, formatTimestamp, asciiDump, TcpSeqTracker } from '../../net/format';
import { compileFilter, FilterSyntaxError, type FramePredicate } from '../../net/filter';
import type { Iface } from '../../net/iface';
import type { CaptureSink, NetNamespace } from '../../net/netns';
import type { EthernetFrame } from '../../net/packet/ethernet';
import type { Ipv4Packet } from '../../net/packet/ipv4';
import {
  linktypeName,
  LINKTYPE_EN10MB,
  LINKTYPE_LINUX_SLL2,
  pcapFromFileText,
  pcapToFileText,
  readPcap,
  SNAPLEN,
  writePcap,
  type PcapRecord,
} from '../../net/pcap';
import type { CommandContext, CommandSpec } from '../../shell/types';
import { netnsOf, waitUntil } from './common';

const NONINTERACTIVE_LIMIT_MS = 60_000;

interface Opts {
  iface?: string;
  count: number;
  verbose: boolean;
  ascii: boolean;
  absolute: boolean;
  write?: string;
  read?: string;
  filter: string[];
}

function parse(ctx: CommandContext): Opts | string {
  const o: Opts = { count: Infinity, verbose: false, ascii: false, absolute: false, filter: [] };
  const args = ctx.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-') {
      o.filter.push(...args.slice(i));
      break;
    }
    if (a === '--') {
      o.filter.push(...args.slice(i + 1));
      break;
    }
    const takes = (flag: string): string | undefined => (a.length > 2 ? a.slice(2) : args[++i]);
    switch (a[1]) {
      case 'i': o.iface = takes('i'); if (o.iface === undefined) return 'option requires an argument -- \'i\''; break;
      case 'c': {
        const v = Number(takes('c'));
        if (!Number.isInteger(v) || v <= 0) return 'invalid packet count';
        o.count = v;
        break;
      }
      case 'w': o.write = takes('w'); if (!o.write) return 'option requires an argument -- \'w\''; break;
      case 'r': o.read = takes('r'); if (!o.read) return 'option requires an argument -- \'r\''; break;
      case 's': takes('s'); break;
      default:
        for (const c of a.slice(1)) {
          if (c === 'n' || c === 'l' || c === 'q' || c === 'e' || c === 'K' || c === 'p') continue;
          if (c === 'v') o.verbose = true;
          else if (c === 'A') o.ascii = true;
          else if (c === 'S') o.absolute = true;
          else return `invalid option -- '${c}'`;
        }
    }
  }
  return o;
}

function counts(captured: number, received: number): string {
  return `${captured} packet${captured === 1 ? '' : 's'} captured\n${received} packet${received === 1 ? '' : 's'} received by filter\n0 packets dropped by kernel\n`;
}

function lineFor(o: Opts, seq: TcpSeqTracker | undefined, time: number, frame: EthernetFrame, any: { iface: string; dir: string } | undefined): string {
  let s = formatTimestamp(time) + ' ';
  if (any) s += `${any.iface.padEnd(5)} ${any.dir.padEnd(3)} `;
  s += formatFrameLine(frame.payload, { verbose: o.verbose, ...(seq ? { seq } : {}) });
  s += '\n';
  if (o.ascii && !('kind' in frame.payload)) s += asciiDump(frame.payload as Ipv4Packet) + '\n';
  return s;
}

function readFile(ctx: CommandContext, o: Opts, filter: FramePredicate): number {
  const path = ctx.resolvePath(o.read!);
  const text = ctx.host.fs.readFile(path);
  if (text === undefined) {
    ctx.stderr.write(`tcpdump: ${o.read}: No such file or directory\n`);
    return 1;
  }
  let file;
  try {
    file = readPcap(pcapFromFileText(text));
  } catch {
    ctx.stderr.write(`tcpdump: ${o.read}: bad dump file format\n`);
    return 1;
  }
  ctx.stderr.write(`reading from file ${o.read}, link-type ${linktypeName(file.linktype)}, snapshot length ${file.snaplen}\n`);
  const seq = o.absolute ? undefined : new TcpSeqTracker();
  const ns = netnsOf(ctx);
  const names = new Map<number, string>();
  if (ns) for (const i of ns.ifaces.values()) names.set(i.index, i.name);
  let out = '';
  for (const r of file.records) {
    if (!filter(r.frame)) continue;
    const any = file.linktype === LINKTYPE_LINUX_SLL2 ? { iface: names.get(r.ifindex ?? 0) ?? `ifindex ${r.ifindex}`, dir: r.dir ?? 'In' } : undefined;
    out += lineFor(o, seq, r.time, r.frame, any);
  }
  ctx.stdout.write(out);
  return 0;
}

export const tcpdumpCommand: CommandSpec = {
  name: 'tcpdump',
  summary: 'capture and print packets (tcpdump 4.99)',
  async run(ctx) {
    const o = parse(ctx);
    if (typeof o === 'string') {
      ctx.stderr.write(`tcpdump: ${o}\n`);
      return 1;
    }
    let filter: FramePredicate;
    try {
      filter = compileFilter(o.filter);
    } catch (e) {
      ctx.stderr.write(`tcpdump: ${e instanceof FilterSyntaxError ? e.message : 'syntax error'}\n`);
      return 1;
    }
    if (o.read) return readFile(ctx, o, filter);
    const ns = netnsOf(ctx);
    if (!ns) {
      ctx.stderr.write('tcpdump: socket: Operation not permitted\n');
      return 1;
    }
    let ifaceName = o.iface;
    if (ifaceName === undefined) {
      ifaceName = [...ns.ifaces.values()].sort((a, b) => a.index - b.index).find((i) => i.kind !== 'loopback')?.name ?? 'lo';
    }
    const any = ifaceName === 'any';
    if (!any && !ns.iface(ifaceName)) {
      ctx.stderr.write(`tcpdump: ${ifaceName}: No such device exists\n(No such device exists)\n`);
      return 1;
    }
    const linktype = any ? LINKTYPE_LINUX_SLL2 : LINKTYPE_EN10MB;
    if (any) ctx.stderr.write('tcpdump: data link type LINUX_SLL2\n');
    const quietHeader = o.verbose || o.write !== undefined;
    if (!quietHeader) ctx.stderr.write('tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n');
    ctx.stderr.write(`${quietHeader ? 'tcpdump: ' : ''}listening on ${ifaceName}, link-type ${linktypeName(linktype)}, snapshot length ${SNAPLEN} bytes\n`);

    const outPath = o.write ? ctx.resolvePath(o.write) : undefined;
    const records: PcapRecord[] = [];
    const seq = o.absolute ? undefined : new TcpSeqTracker();
    let captured = 0;
    const sink: CaptureSink = {
      iface: any ? undefined : ifaceName,
      onFrame(time: number, iface: Iface, frame: EthernetFrame, dir) {
        if (captured >= o.count || !filter(frame)) return;
        captured++;
        if (outPath) records.push({ time, frame, ifindex: iface.index, dir, loopback: iface.kind === 'loopback' });
        else ctx.stdout.write(lineFor(o, seq, time, frame, any ? { iface: iface.name, dir } : undefined));
      },
    };
    const detach = ctx.world.network.attachCapture(ns, sink);
    const s = ctx.world.scheduler;
    const finish = (): number => {
      detach();
      if (outPath) {
        try {
          ctx.host.fs.writeFile(outPath, pcapToFileText(writePcap({ linktype, snaplen: SNAPLEN, records })));
        } catch {
          ctx.stderr.write(`tcpdump: ${o.write}: No such file or directory\n`);
          return 1;
        }
      }
      // After -c the counts follow directly; after Ctrl-C a blank line first.
      ctx.stderr.write((captured >= o.count ? '' : '\n') + counts(captured, captured));
      return 0;
    };
    if (ctx.background) {
      // `tcpdump … &`: keep capturing while the next commands run; finish when -c is reached or on `kill %N`.
      // The promise settles then, so `jobs` shows the job Running until the capture really ended.
      return new Promise<number>((resolve) => {
        const poll = (): void => {
          if (captured >= o.count || ctx.signal.aborted) resolve(finish());
          else s.after(1, poll, { background: true, label: 'tcpdump' });
        };
        s.after(0, poll, { background: true, label: 'tcpdump' });
      });
    }
    try {
      const limit = ctx.interactive ? Infinity : s.now() + NONINTERACTIVE_LIMIT_MS;
      await waitUntil(ctx, () => captured >= o.count, limit);
    } catch (e) {
      detach();
      throw e;
    }
    return finish();
  },
};

/** Capture frames in a namespace from code (the UI's live view, lab checks): returns a stop function. */
export function captureFrames(
  ns: NetNamespace,
  iface: string | undefined,
  onFrame: (time: number, iface: Iface, frame: EthernetFrame, dir: 'In' | 'Out' | 'P' | 'B' | 'M') => void,
): () => void {
  return ns.net.attachCapture(ns, { iface, onFrame });
}
