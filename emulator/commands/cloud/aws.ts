/**
 * `aws` (AWS CLI v2) for the cloud profile: the EC2 and ELB calls the labs need, printing the CLI's default JSON
 * (4-space indent) and its error texts (`An error occurred (Code) when calling the Op operation: …`, exit 254;
 * usage errors exit 252).
 */
import type { CommandContext, CommandSpec } from '../../shell/types';
import type { World } from '../../world';
import { ACCOUNT_ID, AwsError, AZ, REGION, ipPermissions, type AwsAccount } from '../../cloud/account';
import type { LoadBalancerDataPath } from '../../cloud/load-balancer';
import { OUTPUT_FORMATS, applyQuery, renderResponse, type OutputFormat } from './aws-output';

export interface CloudAccess {
  readonly account: AwsAccount | undefined;
  readonly lbs: LoadBalancerDataPath | undefined;
}

function cloudOf(world: World): CloudAccess | undefined {
  return (world as unknown as { cloud?: CloudAccess }).cloud;
}

const USAGE = 'usage: aws [options] <command> <subcommand> [<subcommand> ...] [parameters]\nTo see help text, you can run:\n\n  aws help\n  aws <command> help\n  aws <command> <subcommand> help\n\n';

const OPERATIONS: Record<string, string[]> = {
  ec2: ['authorize-security-group-ingress', 'describe-instances', 'describe-security-groups', 'revoke-security-group-ingress'],
  elb: ['describe-instance-health', 'describe-load-balancers'],
  elbv2: ['describe-load-balancers', 'describe-target-groups'],
  sts: ['get-caller-identity'],
};

interface Args { readonly positional: string[]; readonly opts: Map<string, string[]> }

function parse(argv: readonly string[]): Args {
  const positional: string[] = [];
  const opts = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split(/=(.*)/s) as [string, string | undefined];
      const vals: string[] = [];
      if (inline !== undefined) vals.push(inline);
      else while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) vals.push(argv[++i]!);
      opts.set(k, [...(opts.get(k) ?? []), ...vals]);
    } else positional.push(a);
  }
  return { positional, opts };
}

function describeInstances(acct: AwsAccount, ids: string[] | undefined): unknown {
  const insts = acct.instances.filter((i) => !ids || ids.includes(i.InstanceId));
  return {
    Reservations: insts.map((i, n) => ({
      Groups: [],
      Instances: [{
        AmiLaunchIndex: 0, ImageId: i.ImageId, InstanceId: i.InstanceId, InstanceType: i.InstanceType, LaunchTime: i.LaunchTime,
        Monitoring: { State: 'disabled' },
        Placement: { AvailabilityZone: AZ, GroupName: '', Tenancy: 'default' },
        PrivateDnsName: `ip-${i.PrivateIpAddress.replace(/\./g, '-')}.ec2.internal`, PrivateIpAddress: i.PrivateIpAddress, ProductCodes: [],
        PublicDnsName: i.PublicIpAddress ? `ec2-${i.PublicIpAddress.replace(/\./g, '-')}.compute-1.amazonaws.com` : '',
        ...(i.PublicIpAddress ? { PublicIpAddress: i.PublicIpAddress } : {}),
        State: { Code: 16, Name: 'running' }, StateTransitionReason: '', SubnetId: acct.subnetId, VpcId: acct.vpcId, Architecture: 'x86_64',
        NetworkInterfaces: [{
          ...(i.PublicIpAddress ? { Association: { IpOwnerId: 'amazon', PublicDnsName: `ec2-${i.PublicIpAddress.replace(/\./g, '-')}.compute-1.amazonaws.com`, PublicIp: i.PublicIpAddress } } : {}),
          Description: '', Groups: i.securityGroupIds.map((g) => ({ GroupName: acct.securityGroups.get(g)?.GroupName ?? g, GroupId: g })),
          MacAddress: i.macAddress, NetworkInterfaceId: i.eniId, OwnerId: ACCOUNT_ID,
          PrivateDnsName: `ip-${i.PrivateIpAddress.replace(/\./g, '-')}.ec2.internal`, PrivateIpAddress: i.PrivateIpAddress,
          SourceDestCheck: false, Status: 'in-use', SubnetId: acct.subnetId, VpcId: acct.vpcId, InterfaceType: 'interface',
        }],
        SecurityGroups: i.securityGroupIds.map((g) => ({ GroupName: acct.securityGroups.get(g)?.GroupName ?? g, GroupId: g })),
        SourceDestCheck: false,
        Tags: [{ Key: 'Name', Value: i.nodeName }, { Key: 'kubernetes.io/cluster/kube-service-lab', Value: 'owned' }],
      }],
      OwnerId: ACCOUNT_ID,
      ReservationId: `r-${i.InstanceId.slice(2).split('').reverse().join('')}${n}`.slice(0, 19),
    })),
  };
}

function describeGroups(acct: AwsAccount, ids: string[] | undefined, names: string[] | undefined, op: string): unknown {
  for (const id of ids ?? []) if (!acct.securityGroups.has(id)) throw new AwsError('InvalidGroup.NotFound', op, `The security group '${id}' does not exist`);
  const groups = [...acct.securityGroups.values()].filter((g) => (!ids || ids.includes(g.GroupId)) && (!names || names.includes(g.GroupName)));
  for (const n of names ?? []) if (!groups.some((g) => g.GroupName === n)) throw new AwsError('InvalidGroup.NotFound', op, `The security group '${n}' does not exist in default VPC '${acct.vpcId}'`);
  return {
    SecurityGroups: groups.map((g) => ({
      Description: g.Description, GroupName: g.GroupName, IpPermissions: ipPermissions(g, false), OwnerId: g.OwnerId, GroupId: g.GroupId,
      IpPermissionsEgress: ipPermissions(g, true), ...(g.Tags.length ? { Tags: g.Tags } : {}), VpcId: g.VpcId,
    })),
  };
}

async function aws(ctx: CommandContext): Promise<number> {
  const { positional, opts } = parse(ctx.argv.slice(1));
  const [service, op] = positional;
  if (!service) { ctx.stderr.write(USAGE + 'aws: error: the following arguments are required: command\n'); return 252; }
  if (!OPERATIONS[service]) {
    ctx.stderr.write(USAGE + `aws: error: argument command: Invalid choice, valid choices are:\n\n${Object.keys(OPERATIONS).join(' | ')}\n`);
    return 252;
  }
  if (!op || !OPERATIONS[service]!.includes(op)) {
    ctx.stderr.write(USAGE + (op ? `aws: error: argument operation: Invalid choice, valid choices are:\n\n${OPERATIONS[service]!.join(' | ')}\n` : 'aws: error: the following arguments are required: operation\n'));
    return 252;
  }
  const output = (opts.get('output')?.[0] ?? 'json') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(output)) {
    ctx.stderr.write(USAGE + `aws: error: argument --output: Invalid choice, valid choices are:\n\n${OUTPUT_FORMATS.join(' | ')}\n`);
    return 252;
  }
  if (output === 'table') { ctx.stderr.write('aws: [ERROR]: --output table is not available in this lab environment; use --output text, json or yaml\n'); return 252; }
  const query = opts.get('query')?.[0];
  if (opts.has('query') && query === undefined) { ctx.stderr.write(USAGE + 'aws: error: argument --query: expected one argument\n'); return 252; }
  // The CLI compiles --query before it calls the service: a bad expression changes nothing.
  try { applyQuery({}, query); } catch (e) { ctx.stderr.write(`\n${(e as Error).message}\n`); return 252; }
  const print = (response: unknown): void => { ctx.stdout.write(renderResponse(response, output, query)); };
  const cloud = cloudOf(ctx.world);
  const acct = cloud?.account;
  if (!acct) {
    ctx.stderr.write('\nUnable to locate credentials. You can configure credentials by running "aws configure".\n');
    return 253;
  }
  const one = (k: string): string | undefined => opts.get(k)?.[0];
  const opName = op.split('-').map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  try {
    switch (`${service} ${op}`) {
      case 'sts get-caller-identity':
        print({ UserId: 'AIDAEXAMPLEUSERID0001', Account: ACCOUNT_ID, Arn: `arn:aws:iam::${ACCOUNT_ID}:user/student` });
        return 0;
      case 'ec2 describe-instances':
        print(describeInstances(acct, opts.get('instance-ids')));
        return 0;
      case 'ec2 describe-security-groups':
        print(describeGroups(acct, opts.get('group-ids'), opts.get('group-names'), opName));
        return 0;
      case 'ec2 authorize-security-group-ingress':
      case 'ec2 revoke-security-group-ingress': {
        const groupId = one('group-id');
        if (!groupId) throw new AwsError('MissingParameter', opName, 'The request must contain the parameter groupName or groupId');
        const req = {
          groupId, protocol: one('protocol') ?? '-1', ...(one('port') !== undefined ? { port: one('port')! } : {}),
          ...(one('cidr') !== undefined ? { cidr: one('cidr')! } : {}), ...(one('source-group') !== undefined ? { sourceGroup: one('source-group')! } : {}),
        };
        if (op.startsWith('authorize')) {
          const { rule } = acct.authorizeIngress(req);
          print({
            Return: true,
            SecurityGroupRules: [{
              SecurityGroupRuleId: rule.id, GroupId: groupId, GroupOwnerId: ACCOUNT_ID, IsEgress: false, IpProtocol: rule.protocol,
              FromPort: rule.fromPort, ToPort: rule.toPort, ...(rule.cidr ? { CidrIpv4: rule.cidr } : {}),
              ...(rule.groupId ? { ReferencedGroupInfo: { GroupId: rule.groupId, UserId: ACCOUNT_ID } } : {}),
            }],
          });
        } else {
          acct.revokeIngress(req);
          print({ Return: true });
        }
        return 0;
      }
      case 'elb describe-load-balancers': {
        const names = opts.get('load-balancer-names');
        const elbs = [...acct.elbs.values()].filter((e) => !names || names.includes(e.LoadBalancerName));
        for (const n of names ?? []) if (!acct.elbs.has(n)) throw new AwsError('LoadBalancerNotFound', 'DescribeLoadBalancers', `There is no ACTIVE Load Balancer named '${n}'`);
        print({
          LoadBalancerDescriptions: elbs.map((e) => ({
            LoadBalancerName: e.LoadBalancerName, DNSName: e.DNSName, CanonicalHostedZoneName: e.DNSName, CanonicalHostedZoneNameID: 'Z35SXDOTRQ7X7K',
            ListenerDescriptions: e.listeners.map((l) => ({ Listener: l, PolicyNames: [] })),
            Policies: { AppCookieStickinessPolicies: [], LBCookieStickinessPolicies: [], OtherPolicies: [] },
            BackendServerDescriptions: [], AvailabilityZones: [AZ], Subnets: [acct.subnetId], VPCId: acct.vpcId,
            Instances: e.instanceIds.map((InstanceId) => ({ InstanceId })), HealthCheck: e.healthCheck,
            SourceSecurityGroup: { OwnerAlias: ACCOUNT_ID, GroupName: acct.securityGroups.get(e.securityGroupId)?.GroupName ?? '' },
            SecurityGroups: [e.securityGroupId], CreatedTime: e.CreatedTime, Scheme: 'internet-facing',
          })),
        });
        return 0;
      }
      case 'elb describe-instance-health': {
        const name = one('load-balancer-name');
        const e = name ? acct.elbs.get(name) : undefined;
        if (!e) throw new AwsError('LoadBalancerNotFound', 'DescribeInstanceHealth', `There is no ACTIVE Load Balancer named '${name ?? ''}'`);
        const health = cloud?.lbs?.get(e.serviceKey)?.health ?? [];
        print({
          InstanceStates: e.instanceIds.map((id) => {
            const inst = acct.instances.find((i) => i.InstanceId === id);
            const h = health.find((x) => x.nodeName === inst?.nodeName);
            const ok = h?.healthy ?? true;
            return ok ? { InstanceId: id, State: 'InService', ReasonCode: 'N/A', Description: 'N/A' }
              : { InstanceId: id, State: 'OutOfService', ReasonCode: 'Instance', Description: 'Instance has failed at least the UnhealthyThreshold number of health checks consecutively.' };
          }),
        });
        return 0;
      }
      case 'elbv2 describe-load-balancers':
        print({ LoadBalancers: [] });
        return 0;
      case 'elbv2 describe-target-groups':
        print({ TargetGroups: [] });
        return 0;
    }
  } catch (e) {
    if (e instanceof AwsError) { ctx.stderr.write(`\n${e.message}\n`); return 254; }
    throw e;
  }
  void REGION;
  return 0;
}

export const awsCommand: CommandSpec = { name: 'aws', summary: 'AWS command line interface', run: aws };
