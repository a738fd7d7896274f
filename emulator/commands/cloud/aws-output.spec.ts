import { describe, expect, it } from 'vitest';
import { createWorld } from '../../world';
import { runScript } from '../../shell/script-runner';
import { formatText, renderResponse } from './aws-output';

describe('aws --output text (the CLI text formatter)', () => {
  it('a dict prints its scalars tab-separated in key order, then nested values under upper-cased identifiers', () => {
    expect(formatText({ Zeta: 'z', Alpha: 1, On: true, Off: null, Tags: [{ Key: 'Name', Value: 'node-1' }], Ports: [80, 443] }))
      .toBe('1\tNone\tTrue\tz\nPORTS\t80\nPORTS\t443\nTAGS\tName\tnode-1\n');
  });

  it('a list of dicts takes the union of their scalar keys as columns (missing ones print None)', () => {
    expect(formatText({ Groups: [{ GroupId: 'sg-1', GroupName: 'a' }, { GroupId: 'sg-2', Extra: 'x' }] }))
      .toBe('GROUPS\tNone\tsg-1\ta\nGROUPS\tx\tsg-2\tNone\n');
  });

  it('a bare list of scalars is one tab-separated line; a scalar is one line; an empty list prints nothing', () => {
    expect(formatText(['sg-1', 'sg-2'])).toBe('sg-1\tsg-2\n');
    expect(formatText('sg-1')).toBe('sg-1\n');
    expect(formatText(null)).toBe('None\n');
    expect(formatText([])).toBe('');
    expect(formatText([['a', 'b'], ['c']])).toBe('a\tb\nc\n');
  });

  it('--query runs before formatting; json keeps the 4-space indent; null prints null', () => {
    const r = { SecurityGroups: [{ GroupId: 'sg-1', GroupName: 'nodes' }, { GroupId: 'sg-2', GroupName: 'elb' }] };
    expect(renderResponse(r, 'text', 'SecurityGroups[0].GroupId')).toBe('sg-1\n');
    expect(renderResponse(r, 'text', 'SecurityGroups[*].GroupId')).toBe('sg-1\tsg-2\n');
    expect(renderResponse(r, 'json', "SecurityGroups[?GroupName=='elb'].GroupId | [0]")).toBe('"sg-2"\n');
    expect(renderResponse(r, 'json', 'SecurityGroups[*].{id: GroupId}')).toBe('[\n    {\n        "id": "sg-1"\n    },\n    {\n        "id": "sg-2"\n    }\n]\n');
    expect(renderResponse(r, 'json', 'Nope')).toBe('null\n');
    expect(renderResponse(r, 'yaml', 'SecurityGroups[0]')).toBe('GroupId: sg-1\nGroupName: nodes\n');
  });
});

describe('aws --query/--output in the cloud profile', () => {
  it('the security group id as a shell variable, a bad expression and a bad format are rejected before any call', async () => {
    const world = createWorld({ profile: 'cloud', seed: 1 });
    const sg = (world as unknown as { cloud: { account: { nodeSecurityGroupId: string } } }).cloud.account.nodeSecurityGroupId;
    const steps = await runScript(world, [
      "SG=$(aws ec2 describe-security-groups --query 'SecurityGroups[0].GroupId' --output text); echo \"[$SG]\"",
      "aws ec2 describe-instances --query 'Reservations[].Instances[].[Tags[?Key==`Name`].Value | [0], PrivateIpAddress, PublicIpAddress]' --output text",
      "aws ec2 describe-instances --query 'Reservations[' --output text",
      'aws ec2 describe-instances --output xml',
      'aws ec2 describe-instances --output table',
    ].join('\n'));
    expect(steps[0]!.output).toBe(`[${sg}]\n`);
    expect(steps[1]!.exitCode).toBe(0);
    expect(steps[1]!.output).toBe('node-1\t10.0.1.10\t203.0.113.101\nnode-2\t10.0.1.11\t203.0.113.102\nnode-3\t10.0.1.12\t203.0.113.103\n');
    expect(steps[2]!.exitCode).toBe(252);
    expect(steps[2]!.output).toMatch(/^\nBad value for --query Reservations\[: Invalid jmespath expression: /);
    expect(steps[3]!.exitCode).toBe(252);
    expect(steps[3]!.output).toContain('aws: error: argument --output: Invalid choice, valid choices are:\n\njson | text | table | yaml | yaml-stream\n');
    expect(steps[4]!.exitCode).toBe(252);
  });
});
