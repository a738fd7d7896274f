/**
 * The AWS account behind the cloud profile: the VPC, its subnet, one EC2 instance per node (ENI with the node
 * security group, public IP through the internet gateway), the security groups, and a Classic ELB per
 * LoadBalancer Service (the in-tree AWS provider's default). Ids are drawn from a seeded stream, so the same seed
 * gives the same `sg-…`, `i-…`.
 *
 * The EC2 API operations the `aws` command calls live here, with the errors AWS returns.
 */
import type { Rng } from '../core/rng';
import type { SecurityGroup, SecurityGroupRuleRecord, SgProtocol } from './security-groups';

export const ACCOUNT_ID = '123456789012';
export const REGION = 'us-east-1';
export const AZ = 'us-east-1a';
export const VPC_CIDR = '10.0.0.0/16';
/** The cluster's pod network (every node's podCIDR is inside it). */
export const POD_CIDR = '10.244.0.0/16';

export interface Instance {
  readonly InstanceId: string;
  readonly nodeName: string;
  readonly PrivateIpAddress: string;
  readonly PublicIpAddress?: string;
  readonly eniId: string;
  readonly macAddress: string;
  readonly LaunchTime: string;
  readonly ImageId: string;
  readonly InstanceType: string;
  securityGroupIds: string[];
}

export interface ClassicElb {
  readonly LoadBalancerName: string;
  readonly DNSName: string;
  readonly serviceKey: string;
  readonly publicIp: string;
  readonly privateIp: string;
  readonly listeners: { Protocol: string; LoadBalancerPort: number; InstanceProtocol: string; InstancePort: number }[];
  readonly instanceIds: string[];
  readonly securityGroupId: string;
  readonly healthCheck: { Target: string; Interval: number; Timeout: number; UnhealthyThreshold: number; HealthyThreshold: number };
  readonly CreatedTime: string;
}

export class AwsError extends Error {
  constructor(readonly code: string, readonly operation: string, message: string) {
    super(`An error occurred (${code}) when calling the ${operation} operation: ${message}`);
  }
}

export interface IngressRequest {
  readonly groupId: string;
  readonly protocol: string;
  /** `22`, `30000-32767`, `-1`; undefined = all (for protocol -1). */
  readonly port?: string;
  readonly cidr?: string;
  readonly sourceGroup?: string;
  readonly description?: string;
}

function hex(rng: Rng, n: number): string {
  let s = '';
  while (s.length < n) s += rng.nextUint32().toString(16).padStart(8, '0');
  return s.slice(0, n);
}

export class AwsAccount {
  readonly vpcId: string;
  readonly subnetId: string;
  readonly securityGroups = new Map<string, SecurityGroup>();
  readonly instances: Instance[] = [];
  readonly elbs = new Map<string, ClassicElb>();
  readonly nodeSecurityGroupId: string;
  readonly #rng: Rng;
  /** Bumped on every change (guards re-read groups lazily anyway). */
  version = 0;

  constructor(rng: Rng, readonly clusterName = 'kube-service-lab') {
    this.#rng = rng;
    this.vpcId = `vpc-${hex(rng, 17)}`;
    this.subnetId = `subnet-${hex(rng, 17)}`;
    const sg = this.createSecurityGroup(`${clusterName}-nodes`, `Security group for the ${clusterName} nodes`, [{ Key: 'kubernetes.io/cluster/' + clusterName, Value: 'owned' }]);
    this.nodeSecurityGroupId = sg.GroupId;
    // The node group's defaults: SSH from anywhere, everything from inside the VPC and from members of the group.
    this.#addRule(sg, { isEgress: false, protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' });
    this.#addRule(sg, { isEgress: false, protocol: '-1', fromPort: -1, toPort: -1, cidr: VPC_CIDR });
    this.#addRule(sg, { isEgress: false, protocol: '-1', fromPort: -1, toPort: -1, groupId: sg.GroupId });
    // Pods keep their 10.244.x.x source across nodes (host-gw routes through the VPC, no overlay): without this rule
    // every cross-node pod-to-pod packet would die at the receiving node's ENI.
    this.#addRule(sg, { isEgress: false, protocol: '-1', fromPort: -1, toPort: -1, cidr: POD_CIDR, description: 'pod network' });
  }

  createSecurityGroup(name: string, description: string, tags: { Key: string; Value: string }[] = []): SecurityGroup {
    const sg: SecurityGroup = { GroupId: `sg-${hex(this.#rng, 17)}`, GroupName: name, Description: description, VpcId: this.vpcId, OwnerId: ACCOUNT_ID, Tags: tags, rules: [] };
    this.#addRule(sg, { isEgress: true, protocol: '-1', fromPort: -1, toPort: -1, cidr: '0.0.0.0/0' });
    this.securityGroups.set(sg.GroupId, sg);
    this.version++;
    return sg;
  }

  addInstance(nodeName: string, privateIp: string, publicIp: string | undefined, launchTime: string): Instance {
    const inst: Instance = {
      InstanceId: `i-${hex(this.#rng, 17)}`, nodeName, PrivateIpAddress: privateIp, ...(publicIp ? { PublicIpAddress: publicIp } : {}),
      eniId: `eni-${hex(this.#rng, 17)}`, macAddress: `0e:${hex(this.#rng, 10).match(/../g)!.join(':')}`,
      LaunchTime: launchTime, ImageId: 'ami-0c7217cdde317cfec', InstanceType: 't3.medium', securityGroupIds: [this.nodeSecurityGroupId],
    };
    this.instances.push(inst);
    return inst;
  }

  /** Groups an address's ENI belongs to (for rules that name a source group). */
  groupsOfIp(ip: string): readonly string[] {
    const inst = this.instances.find((i) => i.PrivateIpAddress === ip);
    if (inst) return inst.securityGroupIds;
    for (const e of this.elbs.values()) if (e.privateIp === ip) return [e.securityGroupId];
    return [];
  }

  #addRule(sg: SecurityGroup, r: Omit<SecurityGroupRuleRecord, 'id'>): SecurityGroupRuleRecord {
    const rule = { id: `sgr-${hex(this.#rng, 17)}`, ...r };
    sg.rules.push(rule);
    this.version++;
    return rule;
  }

  #group(id: string, op: string): SecurityGroup {
    const g = this.securityGroups.get(id);
    if (!g) {
      if (!/^sg-[0-9a-f]+$/.test(id)) throw new AwsError('InvalidGroupId.Malformed', op, `Invalid id: "${id}" (expecting "sg-...")`);
      throw new AwsError('InvalidGroup.NotFound', op, `The security group '${id}' does not exist`);
    }
    return g;
  }

  #parse(req: IngressRequest, op: string): Omit<SecurityGroupRuleRecord, 'id' | 'isEgress'> {
    const proto = req.protocol.toLowerCase() === 'all' ? '-1' : req.protocol.toLowerCase();
    if (!['tcp', 'udp', 'icmp', '-1'].includes(proto)) throw new AwsError('InvalidParameterValue', op, `Invalid value '${req.protocol}' for IP protocol. Unknown protocol.`);
    let from = -1, to = -1;
    if (proto !== '-1') {
      if (req.port === undefined) throw new AwsError('InvalidParameterValue', op, `Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange. Must specify both from and to ports with TCP/UDP.`);
      const m = /^(-?\d+)(?:-(\d+))?$/.exec(req.port);
      if (!m) throw new AwsError('InvalidParameterValue', op, `Invalid value '${req.port}' for portRange.`);
      from = Number(m[1]); to = m[2] !== undefined ? Number(m[2]) : from;
      if (proto !== 'icmp' && (from < 0 || to > 65535 || from > to)) throw new AwsError('InvalidParameterValue', op, `Invalid value '${req.port}' for portRange. The from port must be less than or equal to the to port.`);
    }
    if (req.cidr === undefined && req.sourceGroup === undefined) {
      throw new AwsError('MissingParameter', op, 'The request must contain the parameter ipPermissions');
    }
    if (req.cidr !== undefined && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(req.cidr)) {
      throw new AwsError('InvalidParameterValue', op, `CIDR block ${req.cidr} is malformed`);
    }
    return {
      protocol: proto as SgProtocol, fromPort: from, toPort: to,
      ...(req.cidr !== undefined ? { cidr: req.cidr } : {}), ...(req.sourceGroup !== undefined ? { groupId: req.sourceGroup } : {}),
      ...(req.description ? { description: req.description } : {}),
    };
  }

  #describeRule(r: Omit<SecurityGroupRuleRecord, "id" | "isEgress">): string {
    const peer = r.cidr ?? r.groupId ?? '';
    const proto = r.protocol === '-1' ? 'ALL' : r.protocol.toUpperCase();
    return r.protocol === '-1' ? `peer: ${peer}, ALL, ALLOW` : `peer: ${peer}, ${proto}, from port: ${r.fromPort}, to port: ${r.toPort}, ALLOW`;
  }

  authorizeIngress(req: IngressRequest): { rule: SecurityGroupRuleRecord; group: SecurityGroup } {
    const op = 'AuthorizeSecurityGroupIngress';
    const g = this.#group(req.groupId, op);
    const spec = this.#parse(req, op);
    if (g.rules.some((r) => !r.isEgress && r.protocol === spec.protocol && r.fromPort === spec.fromPort && r.toPort === spec.toPort && r.cidr === spec.cidr && r.groupId === spec.groupId)) {
      throw new AwsError('InvalidPermission.Duplicate', op, `the specified rule "${this.#describeRule(spec)}" already exists`);
    }
    return { rule: this.#addRule(g, { isEgress: false, ...spec }), group: g };
  }

  revokeIngress(req: IngressRequest): void {
    const op = 'RevokeSecurityGroupIngress';
    const g = this.#group(req.groupId, op);
    const spec = this.#parse(req, op);
    const i = g.rules.findIndex((r) => !r.isEgress && r.protocol === spec.protocol && r.fromPort === spec.fromPort && r.toPort === spec.toPort && r.cidr === spec.cidr && r.groupId === spec.groupId);
    if (i < 0) throw new AwsError('InvalidPermission.NotFound', op, 'The specified rule does not exist in this security group.');
    g.rules.splice(i, 1);
    this.version++;
  }

  addElb(elb: Omit<ClassicElb, 'securityGroupId' | 'DNSName'>): ClassicElb {
    const sg = this.createSecurityGroup(`k8s-elb-${elb.LoadBalancerName}`, `Security group for Kubernetes ELB ${elb.LoadBalancerName} (${elb.serviceKey})`,
      [{ Key: `kubernetes.io/cluster/${this.clusterName}`, Value: 'owned' }]);
    for (const l of elb.listeners) this.#addRule(sg, { isEgress: false, protocol: 'tcp', fromPort: l.LoadBalancerPort, toPort: l.LoadBalancerPort, cidr: '0.0.0.0/0' });
    // The provider lets the ELB's group into the nodes' group.
    const nodes = this.securityGroups.get(this.nodeSecurityGroupId)!;
    if (!nodes.rules.some((r) => r.groupId === sg.GroupId)) this.#addRule(nodes, { isEgress: false, protocol: '-1', fromPort: -1, toPort: -1, groupId: sg.GroupId });
    const full: ClassicElb = { ...elb, securityGroupId: sg.GroupId, DNSName: `${elb.LoadBalancerName}-${(this.#rng.nextUint32() % 1_000_000_000).toString().padStart(9, '0')}.${REGION}.elb.amazonaws.com` };
    this.elbs.set(elb.LoadBalancerName, full);
    return full;
  }

  removeElb(name: string): void {
    const e = this.elbs.get(name);
    if (!e) return;
    this.elbs.delete(name);
    const nodes = this.securityGroups.get(this.nodeSecurityGroupId)!;
    const i = nodes.rules.findIndex((r) => r.groupId === e.securityGroupId);
    if (i >= 0) nodes.rules.splice(i, 1);
    this.securityGroups.delete(e.securityGroupId);
    this.version++;
  }
}

/** `IpPermissions` as EC2 describes a group: rules grouped by (protocol, ports), each listing its sources. */
export function ipPermissions(g: SecurityGroup, egress: boolean): unknown[] {
  const out: { key: string; perm: Record<string, unknown> & { IpRanges: unknown[]; UserIdGroupPairs: unknown[] } }[] = [];
  for (const r of g.rules) {
    if (r.isEgress !== egress) continue;
    const key = `${r.protocol}|${r.fromPort}|${r.toPort}`;
    let e = out.find((x) => x.key === key);
    if (!e) {
      const perm: Record<string, unknown> & { IpRanges: unknown[]; UserIdGroupPairs: unknown[] } = {
        ...(r.protocol !== '-1' ? { FromPort: r.fromPort } : {}),
        IpProtocol: r.protocol,
        IpRanges: [], Ipv6Ranges: [], PrefixListIds: [],
        ...(r.protocol !== '-1' ? { ToPort: r.toPort } : {}),
        UserIdGroupPairs: [],
      };
      e = { key, perm };
      out.push(e);
    }
    if (r.cidr) e.perm.IpRanges.push({ CidrIp: r.cidr, ...(r.description ? { Description: r.description } : {}) });
    if (r.groupId) e.perm.UserIdGroupPairs.push({ GroupId: r.groupId, UserId: ACCOUNT_ID, ...(r.description ? { Description: r.description } : {}) });
  }
  return out.map((x) => x.perm);
}
