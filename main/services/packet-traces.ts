/**
 * The world's recorded packet traces as the contract's plain data: one trace per request a tool started (`curl`,
 * `nslookup`, …), each hop with where it happened, what happened there, and the packet as tcpdump prints it.
 */
import type { TraceHop, TraceStore } from '../../emulator/net/trace';
import type { PacketHop, PacketTrace } from '../contract';

export function describeHop(h: TraceHop): string {
  const parts: string[] = [h.kind];
  if (h.iface) parts.push(h.dir ? `${h.iface} ${h.dir}` : h.iface);
  if (h.hook) parts.push(h.hook);
  if (h.verdict) parts.push(h.verdict);
  if (h.natBefore && h.natAfter) parts.push(`${h.natBefore} → ${h.natAfter}`);
  if (h.route) parts.push(`via ${h.route}`);
  if (h.detail) parts.push(`(${h.detail})`);
  return parts.join(' ');
}

export function packetTraces(store: Pick<TraceStore, 'requests' | 'hops'>): PacketTrace[] {
  return store.requests().map((req) => ({
    id: String(req.id),
    summary: `${req.label} on ${req.host}`,
    hops: store.hops(req.id).map((h): PacketHop => ({ at: h.time, where: h.netns, what: describeHop(h), summary: h.packet })),
  }));
}
