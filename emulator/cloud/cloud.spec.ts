import { describe, expect, it } from 'vitest';
import { createWorld, type World } from '../world';
import { runScript, type ScriptStep } from '../shell/script-runner';

async function run(world: World, lines: string[]): Promise<ScriptStep[]> {
  return runScript(world, lines.join('\n'));
}

async function cloudWorldWithApp(type: 'NodePort' | 'LoadBalancer') {
  const world = createWorld({ profile: 'cloud', seed: 1 });
  await run(world, [
    'kubectl create deployment currency-exchange --image=in28min/currency-exchange:0.0.1-RELEASE --replicas=2 --port=8000',
    `kubectl expose deployment currency-exchange --port=80 --target-port=8000 --type=${type}`,
  ]);
  const svc = world.store.get('services', 'default', 'currency-exchange');
  return { world, nodePort: svc.spec.ports[0].nodePort as number };
}

describe('cloud: security groups at the node ENIs', () => {
  it('NodePort from the laptop times out while the SG is closed, works after authorize, times out again after revoke', async () => {
    const { world, nodePort } = await cloudWorldWithApp('NodePort');
    const sg = (world as unknown as { cloud: { account: { nodeSecurityGroupId: string } } }).cloud.account.nodeSecurityGroupId;
    const url = `http://203.0.113.101:${nodePort}/currency-exchange/from/USD/to/INR`;
    const [closed] = await run(world, [`curl -m 5 ${url}`]);
    expect(closed!.exitCode).toBe(28);
    expect(closed!.output).toBe('curl: (28) Connection timed out after 5000 milliseconds\n');
    // the drop is recorded at the ENI with the reason
    const reqs = world.traces.requests();
    const hops = world.traces.hops(reqs[reqs.length - 1]!.id);
    expect(hops.some((h) => h.kind === 'drop' && h.netns === 'node/node-1' && /security group sg-[0-9a-f]+ .*no inbound rule allows TCP port/.test(h.detail ?? ''))).toBe(true);

    const [auth] = await run(world, [`aws ec2 authorize-security-group-ingress --group-id ${sg} --protocol tcp --port 30000-32767 --cidr 0.0.0.0/0`]);
    expect(auth!.exitCode).toBe(0);
    expect(JSON.parse(auth!.output)).toMatchObject({ Return: true, SecurityGroupRules: [{ GroupId: sg, IsEgress: false, IpProtocol: 'tcp', FromPort: 30000, ToPort: 32767, CidrIpv4: '0.0.0.0/0' }] });
    const [open] = await run(world, [`curl -s ${url}`]);
    expect(open!.exitCode).toBe(0);
    expect(open!.output).toMatch(/^\{"id":10001,"from":"USD","to":"INR","conversionMultiple":65.00,"environment":"currency-exchange-[a-z0-9]+-[a-z0-9]{5} v1 10\.244\.\d+\.\d+"\}$/);

    const [dup] = await run(world, [`aws ec2 authorize-security-group-ingress --group-id ${sg} --protocol tcp --port 30000-32767 --cidr 0.0.0.0/0`]);
    expect(dup!.exitCode).toBe(254);
    expect(dup!.output).toBe('\nAn error occurred (InvalidPermission.Duplicate) when calling the AuthorizeSecurityGroupIngress operation: the specified rule "peer: 0.0.0.0/0, TCP, from port: 30000, to port: 32767, ALLOW" already exists\n');

    const [rev] = await run(world, [`aws ec2 revoke-security-group-ingress --group-id ${sg} --protocol tcp --port 30000-32767 --cidr 0.0.0.0/0`]);
    expect(rev!.output).toBe('{\n    "Return": true\n}\n');
    const [again] = await run(world, [`curl -m 2 ${url}`]);
    expect(again!.exitCode).toBe(28);
  });

  it('from inside the VPC (corp-vm) the NodePort works with the default rules', async () => {
    const { world } = await cloudWorldWithApp('NodePort');
    const sgRules = (world as unknown as { cloud: { account: { securityGroups: Map<string, { rules: { cidr?: string }[] }> } } }).cloud.account;
    expect([...sgRules.securityGroups.values()][0]!.rules.some((r) => r.cidr === '10.0.0.0/16')).toBe(true);
  });

  it('describes instances and groups in the AWS CLI JSON shape; bad ids fail like EC2', async () => {
    const world = createWorld({ profile: 'cloud', seed: 1 });
    const [inst, groups, bad, usage] = await run(world, [
      'aws ec2 describe-instances', 'aws ec2 describe-security-groups', 'aws ec2 describe-security-groups --group-ids sg-0000000000000000a', 'aws ec2 bogus',
    ]);
    const j = JSON.parse(inst!.output);
    expect(j.Reservations).toHaveLength(3);
    expect(j.Reservations[0].Instances[0]).toMatchObject({ State: { Code: 16, Name: 'running' }, PrivateIpAddress: '10.0.1.10', PublicIpAddress: '203.0.113.101', InstanceType: 't3.medium' });
    const g = JSON.parse(groups!.output).SecurityGroups[0];
    expect(g.IpPermissions).toContainEqual({ FromPort: 22, IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], ToPort: 22, UserIdGroupPairs: [] });
    expect(g.IpPermissionsEgress).toEqual([{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [], PrefixListIds: [], UserIdGroupPairs: [] }]);
    expect(bad!.exitCode).toBe(254);
    expect(bad!.output).toContain("An error occurred (InvalidGroup.NotFound) when calling the DescribeSecurityGroups operation: The security group 'sg-0000000000000000a' does not exist");
    expect(usage!.exitCode).toBe(252);
  });
});

describe('cloud: LoadBalancer Service → ELB → NodePort → pod', () => {
  it('serves through the ELB address with the SG closed to NodePorts, traced LB → node → pod', async () => {
    const { world, nodePort } = await cloudWorldWithApp('LoadBalancer');
    await run(world, ['sleep 15']);
    const svc = world.store.get('services', 'default', 'currency-exchange');
    const ip = svc.status.loadBalancer.ingress[0].ip as string;
    const [r] = await run(world, [`curl -s http://${ip}/currency-exchange/from/USD/to/INR`]);
    expect(r!.exitCode).toBe(0);
    expect(r!.output).toContain('"conversionMultiple":65.00');
    const reqs = world.traces.requests();
    const hops = world.traces.hops(reqs[reqs.length - 1]!.id);
    const path = hops.filter((h) => h.kind === 'deliver' || h.kind === 'recv').map((h) => h.netns);
    expect(path.some((n) => n.startsWith('lb/'))).toBe(true);
    expect(hops.some((h) => h.netns.startsWith('node/') && h.packet.includes(`.${nodePort}: Flags [S]`))).toBe(true);
    expect(hops.some((h) => h.netns.startsWith('pod/default/currency-exchange') && h.kind === 'deliver')).toBe(true);
    const [elb] = await run(world, ['aws elb describe-load-balancers']);
    const d = JSON.parse(elb!.output).LoadBalancerDescriptions[0];
    expect(d.ListenerDescriptions[0].Listener).toEqual({ Protocol: 'TCP', LoadBalancerPort: 80, InstanceProtocol: 'TCP', InstancePort: nodePort });
    expect(d.Instances).toHaveLength(3);
    const [v2] = await run(world, ['aws elbv2 describe-load-balancers']);
    expect(JSON.parse(v2!.output)).toEqual({ LoadBalancers: [] });
  });
});
