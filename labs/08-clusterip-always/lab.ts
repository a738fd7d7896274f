import { CLIENT_POD, EXCHANGE_PATH, deployExchange, podNamePattern, rx } from '../common';
import { allOf, check, ran, serviceHas } from '../engine/checks';
import { fail, pass, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');

const hasClusterIp = (name: string) =>
  serviceHas(`clusterip-${name}`, `Service ${name} has a ClusterIP`, 'default', name, (svc) =>
    svc.spec.clusterIP && svc.spec.clusterIP !== 'None' ? undefined : `Service ${name} has no ClusterIP`,
  );

export const lab: LabManifest = {
  id: '08-clusterip-always',
  title: 'Is a ClusterIP created for NodePort or LoadBalancer?',
  summary:
    'Create a NodePort and a LoadBalancer Service, find a ClusterIP on each, call a pod through that ClusterIP, and read in iptables how the node port and the load balancer land in the same KUBE-SVC chain.',
  profile: 'cloud',
  scenarios: [{ heading: 'Scenario: Is a ClusterIP Created for NodePort or LoadBalancer?', covers: ['YES — Always Created', 'Core Routing Layer'] }],
  requires: ['shell', 'store', 'kubectl', 'network', 'kube-proxy', 'cloud'],
  setup: [deployExchange('currency-exchange', 2), CLIENT_POD],
  steps: [
    {
      id: '01-create-both',
      title: 'Create a NodePort and a LoadBalancer Service',
      hints: [
        '`kubectl expose deployment currency-exchange --name=exchange-np --type=NodePort --port=80 --target-port=8000`',
        'Same with `--name=exchange-lb --type=LoadBalancer`; then `kubectl get svc`.',
      ],
      checks: [
        serviceHas('np', 'Service exchange-np is of type NodePort', 'default', 'exchange-np', (s) => (s.spec.type === 'NodePort' ? undefined : `exchange-np is of type ${s.spec.type}, not NodePort`)),
        serviceHas('lb', 'Service exchange-lb is of type LoadBalancer', 'default', 'exchange-lb', (s) => (s.spec.type === 'LoadBalancer' ? undefined : `exchange-lb is of type ${s.spec.type}, not LoadBalancer`)),
        allOf('both-have-clusterip', 'Both got a ClusterIP', [hasClusterIp('exchange-np'), hasClusterIp('exchange-lb')]),
      ],
      solution: [
        'kubectl expose deployment currency-exchange --name=exchange-np --type=NodePort --port=80 --target-port=8000',
        'kubectl expose deployment currency-exchange --name=exchange-lb --type=LoadBalancer --port=80 --target-port=8000',
        'kubectl get svc',
      ],
    },
    {
      id: '02-use-the-clusterip',
      title: 'Use the hidden ClusterIP',
      needs: ['01-create-both'],
      hints: ["`kubectl get svc exchange-lb -o jsonpath='{.spec.clusterIP}'`", 'From the client pod: `kubectl exec client -- curl -s http://<that IP>' + EXCHANGE_PATH + '`.'],
      checks: [
        check('via-clusterip', 'A pod reached currency-exchange through the ClusterIP of the NodePort or LoadBalancer Service', (ctx) => {
          const ips = ['exchange-np', 'exchange-lb'].map((n) => ctx.cluster.service('default', n)?.spec.clusterIP).filter((x): x is string => !!x);
          const target = new RegExp(`curl\\b.*(${ips.map(rx).join('|')}|\\$)`);
          const ok = ctx.transcript.some((e) => /kubectl exec\b/.test(e.command) && target.test(e.command) && e.exitCode === 0 && new RegExp(POD).test(e.output));
          return ok ? pass : fail(`From the client pod, curl the ClusterIP (${ips.join(' or ')}) of exchange-np or exchange-lb on port 80.`);
        }),
      ],
      solution: ["LB_CLUSTER_IP=$(kubectl get svc exchange-lb -o jsonpath='{.spec.clusterIP}')", `kubectl exec client -- curl -s http://$LB_CLUSTER_IP${EXCHANGE_PATH}`],
    },
    {
      id: '03-iptables',
      title: 'One KUBE-SVC chain behind every entry point',
      needs: ['01-create-both'],
      hints: ['`ssh node-1`, then `iptables-save -t nat | grep exchange-lb`.', 'Follow the `-j` targets: the cluster IP rule, the node port rule (via KUBE-EXT) and the loadbalancer IP rule all end in the same `KUBE-SVC-…` chain.'],
      checks: [
        ran(
          'read-rules',
          'You read the nat rules of a node for these Services',
          { command: /iptables-save|iptables\b.*-t nat|iptables\b.*-S/, host: /^node\//, output: /KUBE-(NODEPORTS|EXT-)[\s\S]*default\/exchange-(np|lb)|default\/exchange-(np|lb)[\s\S]*KUBE-(NODEPORTS|EXT-)/, exitCode: 0 },
          'ssh into a node and run `iptables-save -t nat | grep exchange` (as root).',
        ),
      ],
      solution: ['ssh node-1', 'iptables-save -t nat | grep exchange-lb', 'exit'],
    },
    {
      id: '04-quiz',
      title: 'Always created?',
      needs: ['02-use-the-clusterip', '03-iptables'],
      quiz: {
        question: 'Is a ClusterIP created for NodePort and LoadBalancer Services?',
        kind: 'single',
        choices: [
          { id: 'yes', text: 'Yes, always: the ClusterIP is the core routing layer; NodePort and LoadBalancer are access mechanisms layered on top.', correct: true, explanation: 'In the rules, KUBE-NODEPORTS and the loadbalancer-IP rule both jump (via KUBE-EXT) into the ClusterIP\'s KUBE-SVC chain.' },
          { id: 'lb-only', text: 'Only for LoadBalancer Services.', correct: false, explanation: 'exchange-np has a ClusterIP too.' },
          { id: 'no', text: 'No: they replace the ClusterIP.', correct: false, explanation: 'Both Services show a CLUSTER-IP, and you reached a pod through one.' },
          { id: 'optional', text: 'Only when --cluster-ip is given.', correct: false, explanation: 'It is allocated by default; only `clusterIP: None` (headless) opts out, which NodePort and LoadBalancer do not allow.' },
        ],
      },
    },
  ],
};
