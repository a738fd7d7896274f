/**
 * ICMP messages. Type and code live on the IPv4 packet record (`icmpType`/`icmpCode`, what netfilter matches).
 * An error quotes the offending packet (`original`), as much of it as fits in 576 bytes, as Linux does; the stack
 * also points `NfPacket.embedded` at that quote so conntrack can relate and un-NAT it.
 */
import type { Ipv4Packet } from './ipv4';

export const ICMP_ECHO_REPLY = 0;
export const ICMP_DEST_UNREACH = 3;
export const ICMP_ECHO_REQUEST = 8;
export const ICMP_TIME_EXCEEDED = 11;

export const ICMP_NET_UNREACH = 0;
export const ICMP_HOST_UNREACH = 1;
export const ICMP_PROT_UNREACH = 2;
export const ICMP_PORT_UNREACH = 3;
export const ICMP_NET_ANO = 9;
export const ICMP_HOST_ANO = 10;
export const ICMP_PKT_FILTERED = 13;

export interface IcmpMessage {
  readonly kind: 'icmp';
  /** Echo identifier and sequence (echo request/reply); 0 for errors. */
  readonly id: number;
  readonly seq: number;
  /** Echo payload size in bytes (56 for ping's default). */
  readonly dataLength: number;
  /** The quoted packet of an error message. */
  readonly original: Ipv4Packet | null;
  /** How many bytes of `original` the error carries. */
  readonly quotedLength: number;
}

export function icmpLength(m: IcmpMessage): number {
  return 8 + (m.original ? m.quotedLength : m.dataLength);
}

export function icmpIsError(type: number): boolean {
  return type === ICMP_DEST_UNREACH || type === ICMP_TIME_EXCEEDED || type === 4 || type === 5 || type === 12;
}

/** tcpdump's text for an ICMP message (after `IP a > b: `). */
export function icmpSummary(type: number, code: number, m: IcmpMessage): string {
  switch (type) {
    case ICMP_ECHO_REQUEST:
      return `ICMP echo request, id ${m.id}, seq ${m.seq}, length ${icmpLength(m)}`;
    case ICMP_ECHO_REPLY:
      return `ICMP echo reply, id ${m.id}, seq ${m.seq}, length ${icmpLength(m)}`;
    case ICMP_TIME_EXCEEDED:
      return `ICMP time exceeded in-transit, length ${icmpLength(m)}`;
    case ICMP_DEST_UNREACH: {
      const o = m.original;
      const dst = o ? formatAddr(o.dst) : '?';
      let what: string;
      switch (code) {
        case ICMP_PORT_UNREACH:
          what = o ? `${dst} ${o.proto === 6 ? 'tcp' : o.proto === 17 ? 'udp' : 'ip'} port ${o.dport} unreachable` : 'port unreachable';
          break;
        case ICMP_HOST_UNREACH: what = `host ${dst} unreachable`; break;
        case ICMP_NET_UNREACH: what = `net ${dst} unreachable`; break;
        case ICMP_PROT_UNREACH: what = `${dst} protocol ${o?.proto ?? 0} unreachable`; break;
        case ICMP_HOST_ANO: what = `host ${dst} unreachable - admin prohibited`; break;
        case ICMP_NET_ANO: what = `net ${dst} unreachable - admin prohibited`; break;
        case ICMP_PKT_FILTERED: what = `host ${dst} unreachable - admin prohibited filter`; break;
        default: what = `${dst} unreachable - code ${code}`;
      }
      return `ICMP ${what}, length ${icmpLength(m)}`;
    }
    default:
      return `ICMP type-#${type}, length ${icmpLength(m)}`;
  }
}

function formatAddr(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
