/**
 * The simulation panel's model, pure: the event list built from a request's hops (one row per hop, like Packet
 * Tracer's Event List), protocol filters, and the playback cursor (step forward/back, play at a speed).
 */
import type { TraceHopInfo, TraceProtocol } from '../../../main/contract';

export const FILTERABLE: readonly TraceProtocol[] = ['DNS', 'TCP', 'HTTP', 'ICMP', 'ARP'];

export interface SimEvent {
  readonly index: number;
  readonly hop: TraceHopInfo;
  /** Seconds since the request's first hop, µs shown. */
  readonly time: string;
  readonly from: string;
  readonly to: string;
  readonly protocol: TraceProtocol;
  readonly summary: string;
}

/** `IP 10.0.0.1.5353 > 10.0.0.2.53: …` → endpoints; ARP and others → what the text says. */
export function endpointsOf(packet: string): { from: string; to: string } {
  const ip = /^IP6? (\S+) > ([^:\s]+):/.exec(packet);
  if (ip) return { from: ip[1]!, to: ip[2]! };
  const arpReq = /ARP, Request who-has (\S+) tell (\S+)/.exec(packet);
  if (arpReq) return { from: arpReq[2]!.replace(/,$/, ''), to: arpReq[1]! };
  const arpRep = /ARP, Reply (\S+) is-at (\S+)/.exec(packet);
  if (arpRep) return { from: arpRep[1]!, to: 'broadcast' === arpRep[2] ? arpRep[2]! : '(requester)' };
  return { from: '', to: '' };
}

const KIND_WORDS: Record<TraceHopInfo['kind'], string> = {
  xmit: 'sent',
  recv: 'received',
  hook: 'netfilter',
  route: 'route',
  arp: 'ARP',
  bridge: 'bridge',
  nat: 'NAT',
  deliver: 'delivered',
  proxy: 'proxy',
  drop: 'DROPPED',
};

export function hopHeadline(h: TraceHopInfo): string {
  const where = h.iface ? `${h.where} ${h.iface}` : h.where;
  const what = h.kind === 'hook' ? `${h.hook ?? ''} ${h.verdict ?? ''}`.trim() : KIND_WORDS[h.kind];
  const nat = h.natBefore && h.natAfter && h.natBefore !== h.natAfter ? ` ${h.natBefore} → ${h.natAfter}` : '';
  return `${where}: ${what}${nat}`;
}

/**
 * One event per hop. `start` and `t0` continue an existing list: a live trace appends its new hops as events
 * numbered after the last, timed from the request's first hop, and the rows already shown stay the same objects.
 */
export function buildEvents(hops: readonly TraceHopInfo[], start = 0, t0 = hops[0]?.at ?? 0): SimEvent[] {
  return hops.map((hop, i) => {
    const index = start + i;
    // A proxy hop has no IP header: it goes from the controller to the upstream it chose.
    const { from, to } =
      hop.kind === 'proxy' ? { from: hop.where.split('/').pop() ?? hop.where, to: (hop.verdict ?? '').replace(/^proxy to /, '') } : endpointsOf(hop.packet);
    return {
      index,
      hop,
      time: ((hop.at - t0) / 1000).toFixed(6),
      from,
      to,
      protocol: hop.protocol,
      summary: `${hopHeadline(hop)} — ${hop.packet}`,
    };
  });
}

/** `events` with `more` hops appended (the same objects for the rows already there). */
export function appendEvents(events: readonly SimEvent[], more: readonly TraceHopInfo[]): SimEvent[] {
  if (more.length === 0) return events as SimEvent[];
  return [...events, ...buildEvents(more, events.length, events[0]?.hop.at ?? more[0]!.at)];
}

/** Rows shown with these protocols hidden. TCP hides bare TCP segments; HTTP rides on TCP but is its own filter. */
export function filterEvents(events: readonly SimEvent[], hidden: ReadonlySet<TraceProtocol>): SimEvent[] {
  if (hidden.size === 0) return [...events];
  return events.filter((e) => !hidden.has(e.protocol));
}

/** The visible row after/before `current` (an event index, -1 = none). Stays put at the ends. */
export function step(visible: readonly SimEvent[], current: number, dir: 1 | -1): number {
  if (visible.length === 0) return -1;
  const pos = visible.findIndex((e) => e.index === current);
  if (pos === -1) {
    // Not visible (filtered out or nothing selected): the first visible row after (or before) it.
    if (dir === 1) return (visible.find((e) => e.index > current) ?? visible[visible.length - 1]!).index;
    return ([...visible].reverse().find((e) => e.index < current) ?? visible[0]!).index;
  }
  const next = Math.min(visible.length - 1, Math.max(0, pos + dir));
  return visible[next]!.index;
}

/** Milliseconds between steps while playing, at a speed of 0.25×–8×. */
export function playInterval(speed: number): number {
  const s = Math.min(8, Math.max(0.25, speed));
  return Math.round(600 / s);
}

/** The namespaces the request has visited up to and including event `upTo`, in order, without repeats in a row. */
export function pathUpTo(events: readonly SimEvent[], upTo: number): string[] {
  const path: string[] = [];
  for (const e of events) {
    if (e.index > upTo) break;
    if (path[path.length - 1] !== e.hop.where) path.push(e.hop.where);
  }
  return path;
}
