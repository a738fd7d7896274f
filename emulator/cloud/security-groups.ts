/**
 * AWS security groups: stateful, allow-only rule sets attached to ENIs and enforced by the hypervisor at the NIC —
 * outside the instance, so `iptables` on the node never shows them. Inbound traffic must match an ingress rule
 * unless it belongs to a flow the instance started (or one that was allowed in): return traffic is always allowed.
 * ARP is not filtered (it never leaves the subnet's virtual switch).
 */
import { cidr, formatIpv4, parseIpv4, type Ipv4 } from '../net/addr';
import { HashChains, tupleHash } from '../net/hash-chains';
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

/** Rules' CIDR texts parsed once (new flows check every rule). */
const cidrs = new Map<string, { addr: number; mask: number }>();

function parsedCidr(text: string): { addr: number; mask: number } {
  let c = cidrs.get(text);
  if (c === undefined) {
    const p = cidr(text);
    c = { addr: p.addr, mask: p.prefix === 0 ? 0 : (0xffffffff << (32 - p.prefix)) >>> 0 };
    if (cidrs.size < 4096) cidrs.set(text, c);
  }
  return c;
}

function ruleMatches(r: SecurityGroupRuleRecord, p: Ipv4Packet, peer: Ipv4, groupsOf: (ip: Ipv4) => readonly string[]): boolean {
  if (r.protocol !== '-1') {
    if (PROTO_NUM[r.protocol] !== p.proto) return false;
    if (r.protocol === 'icmp') {
      if (r.fromPort !== -1 && p.icmpType !== r.fromPort) return false;
    } else if (r.fromPort !== -1 && (p.dport < r.fromPort || p.dport > r.toPort)) return false;
  }
  if (r.cidr !== undefined) {
    const c = parsedCidr(r.cidr);
    return ((peer & c.mask) >>> 0) === c.addr;
  }
  if (r.groupId !== undefined) return groupsOf(peer).includes(r.groupId);
  return false;
}

/** The evaluation of one packet against a set of groups (any rule of any group allows). */
export function sgAllowsInbound(groups: readonly SecurityGroup[], p: Ipv4Packet, groupsOf: (ip: Ipv4) => readonly string[]): SecurityGroupRuleRecord | undefined {
  for (const g of groups) for (const r of g.rules) if (!r.isEgress && ruleMatches(r, p, p.src, groupsOf)) return r;
  return undefined;
}

/** Connection tracking idle timeout of security groups for TCP established flows (AWS: 5 days; we use 1 hour). */
const FLOW_IDLE_MS = 3_600_000;

/** One tracked flow, from the ENI's point of view (local = the instance's address). */
interface Flow {
  readonly proto: number;
  readonly local: Ipv4;
  readonly lport: number;
  readonly remote: Ipv4;
  readonly rport: number;
  seen: number;
  /** Next flow with the same hash. */
  next: Flow | undefined;
}

/**
 * The flows an ENI tracks, by 5-tuple with numeric hashing (the data path touches it for every frame). Flows idle
 * for FLOW_IDLE_MS are forgotten: a few of the oldest are checked whenever a flow is added.
 */
class FlowTable {
  readonly #byHash = new HashChains<Flow>();
  #queue: (Flow | undefined)[] = [];
  #head = 0;

  find(proto: number, local: Ipv4, lport: number, remote: Ipv4, rport: number): Flow | undefined {
    let f = this.#byHash.first(tupleHash(proto, local, remote, lport, rport));
    while (f !== undefined) {
      if (f.local === local && f.remote === remote && f.lport === lport && f.rport === rport && f.proto === proto) return f;
      f = f.next;
    }
    return undefined;
  }

  /** Record traffic on a flow at `now` (adding it when new). */
  touch(proto: number, local: Ipv4, lport: number, remote: Ipv4, rport: number, now: number): void {
    const hit = this.find(proto, local, lport, remote, rport);
    if (hit !== undefined) { hit.seen = now; return; }
    const f: Flow = { proto, local, lport, remote, rport, seen: now, next: undefined };
    this.#byHash.link(tupleHash(proto, local, remote, lport, rport), f);
    this.#queue.push(f);
    this.#reap(now);
  }

  #reap(now: number): void {
    const q = this.#queue;
    for (let n = 0; n < 2 && this.#head < q.length - 1; n++) {
      const f = q[this.#head]!;
      q[this.#head++] = undefined;
      if (now - f.seen >= FLOW_IDLE_MS) this.#unlink(f);
      else q.push(f);
    }
    if (this.#head > 4096 && this.#head * 2 > q.length) {
      this.#queue = q.slice(this.#head);
      this.#head = 0;
    }
  }

  #unlink(f: Flow): void {
    this.#byHash.unlink(tupleHash(f.proto, f.local, f.remote, f.lport, f.rport), f);
  }
}

/**
 * The guard on one ENI. `groups()` is read on every new flow, so rule changes take effect at once for new
 * connections while tracked flows keep going — as AWS documents.
 */
export class SecurityGroupGuard implements IfaceGuard {
  readonly #flows = new FlowTable();
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
    const seen = this.#flows.find(p.proto, p.dst, p.dport, p.src, p.sport);
    if (seen !== undefined && now - seen.seen < FLOW_IDLE_MS) { seen.seen = now; return null; }
    // ICMP errors about a tracked flow are related traffic.
    if (p.proto === 1 && p.embedded) {
      const e = p.embedded;
      if (this.#flows.find(e.proto, e.src, e.sport, e.dst, e.dport)) return null;
    }
    const rule = sgAllowsInbound(this.groups(), p, this.groupsOf);
    if (!rule) {
      this.dropped++;
      const ids = this.groups().map((g) => g.GroupId).join(', ');
      return `security group ${ids} on ${this.eniId}: no inbound rule allows ${p.proto === 6 ? 'TCP' : p.proto === 17 ? 'UDP' : 'ICMP'}` +
        `${p.proto === 1 ? '' : ` port ${p.dport}`} from ${formatIpv4(p.src)} (dropped silently: the sender sees a timeout)`;
    }
    this.#flows.touch(p.proto, p.dst, p.dport, p.src, p.sport, now);
    return null;
  }

  outbound(_iface: Iface, frame: EthernetFrame, now: number): string | null {
    const p = this.#packet(frame);
    if (!p) return null;
    // Default egress rule allows everything; remember the flow so its replies come back in.
    this.#flows.touch(p.proto, p.src, p.sport, p.dst, p.dport, now);
    return null;
  }
}

export function ipOf(text: string): Ipv4 {
  const n = parseIpv4(text);
  if (n === undefined) throw new Error(`bad IPv4 ${text}`);
  return n;
}
