/**
 * AWS security groups: stateful, allow-only rule sets attached to ENIs and enforced by the hypervisor at the NIC —
 * outside the instance, so `iptables` on the node never shows them. Inbound traffic must match an ingress rule
 * unless it belongs to a flow the instance started (or one that was allowed in): return traffic is always allowed.
 * ARP is not filtered (it never leaves the subnet's virtual switch).
 */
import { cidr, formatIpv4, parseIpv4, type Ipv4 } from '../net/addr';
import type { Iface, IfaceGuard } from '../net/iface';
import type { EthernetFrame } from '../net/packet/ethernet';
import type { Ipv4Packet } from '../net/packet/ipv4';

export type SgProtocol = 'tcp' | 'udp' | 'icmp' | '-1';

export interface IpRange { readonly CidrIp: string; readonly Description?: string }
export interface GroupPair { readonly GroupId: string; readonly UserId: string; readonly Description?: string }

/** One permission as the EC2 API shapes it (`IpPermissions[]`). */
export interface IpPermission {
  readonly IpProtocol: SgProtocol;
  readonly FromPort?: number;
  readonly ToPort?: number;
  readonly IpRanges: IpRange[];
  readonly UserIdGroupPairs: GroupPair[];
}

export interface SecurityGroupRuleRecord {
  readonly id: string;
  readonly isEgress: boolean;
  readonly protocol: SgProtocol;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidr?: string;
  readonly groupId?: string;
  readonly description?: string;
}

export interface SecurityGroup {
  readonly GroupId: string;
  readonly GroupName: string;
  readonly Description: string;
  readonly VpcId: string;
  readonly OwnerId: string;
  readonly Tags: { Key: string; Value: string }[];
  /** Rules as stored (one per source), the API groups them into IpPermissions when describing. */
  readonly rules: SecurityGroupRuleRecord[];
}

const PROTO_NUM: Record<string, number> = { tcp: 6, udp: 17, icmp: 1 };

function ruleMatches(r: SecurityGroupRuleRecord, p: Ipv4Packet, peer: Ipv4, groupsOf: (ip: Ipv4) => readonly string[]): boolean {
  if (r.protocol !== '-1') {
    if (PROTO_NUM[r.protocol] !== p.proto) return false;
    if (r.protocol === 'icmp') {
      if (r.fromPort !== -1 && p.icmpType !== r.fromPort) return false;
    } else if (r.fromPort !== -1 && (p.dport < r.fromPort || p.dport > r.toPort)) return false;
  }
  if (r.cidr !== undefined) {
    const c = cidr(r.cidr);
    const mask = c.prefix === 0 ? 0 : (0xffffffff << (32 - c.prefix)) >>> 0;
    return ((peer & mask) >>> 0) === c.addr;
  }
  if (r.groupId !== undefined) return groupsOf(peer).includes(r.groupId);
  return false;
}

/** The evaluation of one packet against a set of groups (any rule of any group allows). */
export function sgAllowsInbound(groups: readonly SecurityGroup[], p: Ipv4Packet, groupsOf: (ip: Ipv4) => readonly string[]): SecurityGroupRuleRecord | undefined {
  for (const g of groups) for (const r of g.rules) if (!r.isEgress && ruleMatches(r, p, p.src, groupsOf)) return r;
  return undefined;
}

function flowKey(proto: number, local: Ipv4, lport: number, remote: Ipv4, rport: number): string {
  return `${proto}|${local}|${lport}|${remote}|${rport}`;
}

/** Connection tracking idle timeout of security groups for TCP established flows (AWS: 5 days; we use 1 hour). */
const FLOW_IDLE_MS = 3_600_000;

/**
 * The guard on one ENI. `groups()` is read on every new flow, so rule changes take effect at once for new
 * connections while tracked flows keep going — as AWS documents.
 */
export class SecurityGroupGuard implements IfaceGuard {
  readonly #flows = new Map<string, number>();
  /** Packets dropped (for tests and the inspector). */
  dropped = 0;

  constructor(
    readonly eniId: string,
    readonly groups: () => readonly SecurityGroup[],
    readonly groupsOf: (ip: Ipv4) => readonly string[],
  ) {}

  #packet(frame: EthernetFrame): Ipv4Packet | undefined {
    const p = frame.payload as Ipv4Packet | { kind: 'arp' };
    return 'kind' in p && p.kind === 'arp' ? undefined : (p as Ipv4Packet);
  }

  inbound(_iface: Iface, frame: EthernetFrame, now: number): string | null {
    const p = this.#packet(frame);
    if (!p) return null;
    // Return traffic of a tracked flow (either direction started it).
    const key = flowKey(p.proto, p.dst, p.dport, p.src, p.sport);
    const seen = this.#flows.get(key);
    if (seen !== undefined && now - seen < FLOW_IDLE_MS) { this.#flows.set(key, now); return null; }
    // ICMP errors about a tracked flow are related traffic.
    if (p.proto === 1 && p.embedded) {
      const e = p.embedded;
      if (this.#flows.has(flowKey(e.proto, e.src, e.sport, e.dst, e.dport))) return null;
    }
    const rule = sgAllowsInbound(this.groups(), p, this.groupsOf);
    if (!rule) {
      this.dropped++;
      const ids = this.groups().map((g) => g.GroupId).join(', ');
      return `security group ${ids} on ${this.eniId}: no inbound rule allows ${p.proto === 6 ? 'TCP' : p.proto === 17 ? 'UDP' : 'ICMP'}` +
        `${p.proto === 1 ? '' : ` port ${p.dport}`} from ${formatIpv4(p.src)} (dropped silently: the sender sees a timeout)`;
    }
    this.#flows.set(key, now);
    return null;
  }

  outbound(_iface: Iface, frame: EthernetFrame, now: number): string | null {
    const p = this.#packet(frame);
    if (!p) return null;
    // Default egress rule allows everything; remember the flow so its replies come back in.
    this.#flows.set(flowKey(p.proto, p.src, p.sport, p.dst, p.dport), now);
    return null;
  }
}

export function ipOf(text: string): Ipv4 {
  const n = parseIpv4(text);
  if (n === undefined) throw new Error(`bad IPv4 ${text}`);
  return n;
}
