import { CURL_FAILED, EXCHANGE_PATH, deployExchange, podNamePattern } from '../common';
import { check, findEntries, ran, serviceHas, serviceHasEndpoints } from '../engine/checks';
import { fail, pass, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');
const AUTHORIZE = /aws ec2 authorize-security-group-ingress\b/;

export const lab: LabManifest = {
  id: '06-nodeport-unreachable',
  title: 'NodePort unreachable from outside',
  summary:
    'On a cloud cluster, a NodePort that works inside the VPC fails from your laptop: the node IP you try is private, and the security group keeps 30000–32767 closed. Find both causes, succeed from the same network, then open the port.',
  profile: 'cloud',
  scenarios: [
    {
      heading: "Scenario: I'm unable to access a NodePort service via http://<NodeIP>:<NodePort>",
      covers: ['No Public Access', 'Firewall Blockage', 'Same Network Access', 'Public IP Consideration', 'Port Access Allowed'],
    },
  ],
  requires: ['shell', 'store', 'kubectl', 'cloud', 'firewall', 'vpc-host'],
  params: { nodePort: { kind: 'int', min: 30100, max: 32700 } },
  setup: [deployExchange('currency-exchange', 2)],
  steps: [
    {
      id: '01-create',
      title: 'Create the NodePort Service',
      hints: ['`kubectl create service nodeport currency-exchange --tcp=80:8000 --node-port={{nodePort}}`'],
      checks: [
        serviceHas('nodeport', 'Service currency-exchange is a NodePort on {{nodePort}}', 'default', 'currency-exchange', (svc, ctx) => {
          if (svc.spec.type !== 'NodePort') return `Service currency-exchange is of type ${svc.spec.type}, not NodePort`;
          const np = svc.spec.ports?.[0]?.nodePort;
          return np === Number(ctx.params.nodePort) ? undefined : `the node port is ${np}; this lab asks for ${ctx.params.nodePort}`;
        }),
        serviceHasEndpoints('endpoints', 'default', 'currency-exchange', 2),
      ],
      solution: ['kubectl create service nodeport currency-exchange --tcp=80:8000 --node-port={{nodePort}}'],
    },
    {
      id: '02-private-ip',
      title: 'The node IP is private',
      needs: ['01-create'],
      hints: ['`kubectl get nodes -o wide`: INTERNAL-IP is in 10.0.0.0/16, the VPC.', 'From the laptop: `curl -sS -m 5 http://10.0.1.10:{{nodePort}}/` — the internet does not route private addresses.'],
      checks: [
        ran(
          'private-fails',
          'From the laptop, a request to a node\'s private IP fails',
          { command: /^\s*curl\b.*10\.0\.\d+\.\d+/, host: /^laptop$/, output: CURL_FAILED, exitCode: 'nonzero' },
          'From the laptop, curl a node\'s INTERNAL-IP (10.0.1.x) on port {{nodePort}} with -m 5.',
        ),
      ],
      solution: ['kubectl get nodes -o wide', 'curl -sS -m 5 http://10.0.1.10:{{nodePort}}' + EXCHANGE_PATH],
    },
    {
      id: '03-firewall',
      title: 'The public IP is firewalled',
      needs: ['02-private-ip'],
      hints: [
        'EXTERNAL-IP in `kubectl get nodes -o wide` is public (203.0.113.x). Try it with `curl -sS -m 5`.',
        '`aws ec2 describe-security-groups` shows what the nodes accept: SSH and traffic from inside the VPC only.',
      ],
      checks: [
        ran(
          'public-times-out',
          'From the laptop, a request to a node\'s public IP times out',
          { command: /^\s*curl\b.*(203\.0\.113\.\d+|\$)/, host: /^laptop$/, output: /timed out|\(28\)/, exitCode: 'nonzero' },
          'From the laptop, curl a node\'s EXTERNAL-IP on port {{nodePort}} with -m 5 and watch it time out.',
        ),
        ran('read-sg', 'You read the node security group', { command: /aws ec2 describe-security-groups\b/, exitCode: 0 }, 'Run `aws ec2 describe-security-groups` and look for a rule for 30000–32767.'),
      ],
      solution: [
        `NODE_PUBLIC=$(kubectl get node node-1 -o jsonpath='{.status.addresses[?(@.type=="ExternalIP")].address}')`,
        'curl -sS -m 5 http://$NODE_PUBLIC:{{nodePort}}' + EXCHANGE_PATH,
        'aws ec2 describe-security-groups',
      ],
    },
    {
      id: '04-same-network',
      title: 'From the same network it works',
      needs: ['02-private-ip'],
      hints: ['`corp-vm` is a machine inside the VPC: `ssh corp-vm`, then curl a node\'s private IP.', 'Leave it again with `exit`.'],
      checks: [
        ran(
          'inside-vpc-ok',
          'From inside the VPC, NodeIP:{{nodePort}} answered',
          { command: /curl\b.*10\.0\.\d+\.\d+/, host: /corp-vm/, output: new RegExp(POD), exitCode: 0 },
          'ssh corp-vm and curl http://10.0.1.10:{{nodePort}}' + EXCHANGE_PATH + ' from there.',
        ),
      ],
      solution: ['ssh corp-vm', 'curl -s http://10.0.1.10:{{nodePort}}' + EXCHANGE_PATH, 'exit'],
    },
    {
      id: '05-open-the-port',
      title: 'Open the port and try again',
      needs: ['03-firewall'],
      hints: [
        'Find the node security group id in `aws ec2 describe-security-groups`.',
        '`aws ec2 authorize-security-group-ingress --group-id sg-… --protocol tcp --port {{nodePort}} --cidr 198.51.100.7/32` opens just this port, just for your laptop.',
      ],
      checks: [
        ran('authorized', 'You added an inbound rule to the node security group', { command: AUTHORIZE, exitCode: 0 }, 'Add an inbound rule with `aws ec2 authorize-security-group-ingress` for tcp/{{nodePort}}.'),
        check('laptop-ok', 'After opening the port, the laptop reaches a pod through NodeIP:{{nodePort}}', (ctx) => {
          const ok = findEntries(ctx, { command: /^\s*curl\b/, host: /^laptop$/, output: new RegExp(POD), exitCode: 0, after: AUTHORIZE });
          if (ok.length > 0) return pass;
          const tried = findEntries(ctx, { command: /^\s*curl\b/, host: /^laptop$/, after: AUTHORIZE });
          return fail(
            tried.length > 0
              ? 'The request still fails: does your rule cover port {{nodePort}} and your laptop\'s address (198.51.100.7), and did you use the node\'s public IP?'
              : 'Now curl the node\'s public IP on port {{nodePort}} from the laptop again.',
          );
        }),
      ],
      solution: [
        "SG=$(aws ec2 describe-security-groups | grep -o 'sg-[0-9a-f]*' | head -1)",
        'aws ec2 authorize-security-group-ingress --group-id $SG --protocol tcp --port {{nodePort}} --cidr 198.51.100.7/32',
        'curl -s http://$NODE_PUBLIC:{{nodePort}}' + EXCHANGE_PATH,
      ],
    },
    {
      id: '06-quiz',
      title: 'When does NodePort work?',
      needs: ['04-same-network', '05-open-the-port'],
      quiz: {
        question: 'NodeIP:NodePort is reachable when…',
        kind: 'multiple',
        choices: [
          { id: 'same-net', text: 'the client is on the same network or VPC as the nodes', correct: true, explanation: 'corp-vm reached the private IP at once.' },
          { id: 'public', text: 'the node has a public IP and the client uses it', correct: true, explanation: 'The private 10.0.1.x address is not routed on the internet.' },
          { id: 'firewall', text: 'firewalls / security groups allow the port', correct: true, explanation: 'The laptop\'s request timed out until you authorized the port.' },
          { id: 'always', text: 'always: NodePort exposes the Service to the internet', correct: false, explanation: 'It opens a port on the node; whether anyone can reach the node is the network\'s business.' },
        ],
      },
    },
  ],
};
