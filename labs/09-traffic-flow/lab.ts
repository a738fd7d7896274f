import { CLIENT_POD, EXCHANGE_PATH, deployExchange, podNamePattern, rx } from '../common';
import { check, ran, traceMatches } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');
const TO_POD = /^pod\/default\/currency-exchange-/;

const svc = (ctx: CheckContext) => ctx.cluster.service('default', 'currency-exchange');

export const lab: LabManifest = {
  id: '09-traffic-flow',
  title: 'How traffic flows to each type of Service',
  summary:
    'Send the same request three ways — from a pod to the ClusterIP, from inside the VPC to NodeIP:NodePort, from the internet to the load balancer — and compare the three packet traces hop by hop.',
  profile: 'cloud',
  scenarios: [
    {
      heading: 'Scenario: How Does Traffic Flow to different types of Services?',
      covers: ['Inside the Cluster: Pods can use the ClusterIP directly', 'NodePort: NodeIP:NodePort, which internally forwards traffic to the ClusterIP', 'LoadBalancer: external cloud load balancer → NodePort → ClusterIP'],
    },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'kube-proxy', 'cloud', 'traces', 'vpc-host'],
  setup: [
    deployExchange('currency-exchange', 2),
    'kubectl expose deployment currency-exchange --type=LoadBalancer --port=80 --target-port=8000',
    CLIENT_POD,
  ],
  steps: [
    {
      id: '01-inside',
      title: 'Inside the cluster: straight to the ClusterIP',
      hints: ["`CIP=$(kubectl get svc currency-exchange -o jsonpath='{.spec.clusterIP}')` then `kubectl exec client -- curl -s http://$CIP" + EXCHANGE_PATH + '`.'],
      checks: [
        check('pod-to-clusterip', 'A pod\'s request to the ClusterIP went KUBE-SERVICES → KUBE-SVC → pod, without KUBE-NODEPORTS', (ctx) => {
          const cip = svc(ctx)?.spec.clusterIP;
          if (!cip) return fail('Service currency-exchange has no ClusterIP');
          const t = ctx.cluster.traces().find((t) => traceMatches(t, { from: /^pod\//, dst: new RegExp(`^${rx(cip)}:80$`), via: ['KUBE-SERVICES', 'KUBE-SVC-'], deliveredTo: TO_POD }, ctx));
          if (!t) return fail(`No request from a pod to ${cip}:80 has reached a currency-exchange pod yet.`);
          return t.hops.some((h) => (h.chain ?? h.what).includes('KUBE-NODEPORTS')) ? fail('That request went through KUBE-NODEPORTS — send it to the ClusterIP, not a node port.') : pass;
        }),
      ],
      solution: ["CIP=$(kubectl get svc currency-exchange -o jsonpath='{.spec.clusterIP}')", `kubectl exec client -- curl -s http://$CIP${EXCHANGE_PATH}`],
    },
    {
      id: '02-nodeport',
      title: 'Outside via NodePort: NodeIP:NodePort → ClusterIP chain',
      needs: ['01-inside'],
      hints: ['From inside the VPC: `ssh corp-vm`, then curl http://10.0.1.11:<nodePort>' + EXCHANGE_PATH + '.', "The node port: `kubectl get svc currency-exchange -o jsonpath='{.spec.ports[0].nodePort}'`."],
      checks: [
        check('via-nodeport', 'A request to NodeIP:NodePort went KUBE-NODEPORTS → KUBE-SVC → pod', (ctx) => {
          const np = svc(ctx)?.spec.ports?.[0]?.nodePort;
          if (!np) return fail('the Service has no node port');
          const ok = ctx.cluster.traces().some((t) => traceMatches(t, { dst: new RegExp(`^10\\.0\\.\\d+\\.\\d+:${np}$`), via: ['KUBE-NODEPORTS', 'KUBE-SVC-'], deliveredTo: TO_POD }, ctx));
          return ok ? pass : fail(`No request to a node's IP on port ${np} has reached a pod yet: try it from corp-vm.`);
        }),
      ],
      solution: ["NP=$(kubectl get svc currency-exchange -o jsonpath='{.spec.ports[0].nodePort}')", `ssh corp-vm "curl -s http://10.0.1.11:$NP${EXCHANGE_PATH}"`],
    },
    {
      id: '03-loadbalancer',
      title: 'Outside via LoadBalancer: LB → NodePort → ClusterIP chain',
      needs: ['01-inside'],
      hints: ["`LB=$(kubectl get svc currency-exchange -o jsonpath='{.status.loadBalancer.ingress[0].ip}')` then `curl -s http://$LB" + EXCHANGE_PATH + '` from the laptop.'],
      checks: [
        ran('laptop-ok', 'The laptop reached a pod through the load balancer', { command: /^\s*curl\b/, host: /^laptop$/, output: new RegExp(POD), exitCode: 0 }, 'From the laptop, curl the EXTERNAL-IP of currency-exchange.'),
        check('via-lb', 'The request went load balancer → KUBE-NODEPORTS → KUBE-SVC → pod', (ctx) => {
          const ing = svc(ctx)?.status?.loadBalancer?.ingress?.[0];
          const ip = ing?.ip ?? ing?.hostname;
          if (!ip) return fail('the Service has no external address yet');
          const ok = ctx.cluster.traces().some((t) => traceMatches(t, { from: /^laptop$/, dst: new RegExp(`^${rx(ip)}:80$`), via: ['KUBE-NODEPORTS', 'KUBE-SVC-'], deliveredTo: TO_POD }, ctx));
          return ok ? pass : fail(`No request from the laptop to ${ip}:80 has reached a pod through a node port yet.`);
        }),
      ],
      solution: ["LB=$(kubectl get svc currency-exchange -o jsonpath='{.status.loadBalancer.ingress[0].ip}')", `curl -s http://$LB${EXCHANGE_PATH}`],
    },
    {
      id: '04-quiz',
      title: 'Compare the three paths',
      needs: ['02-nodeport', '03-loadbalancer'],
      quiz: {
        question: 'Which chain did ALL three requests pass through before the pod?',
        kind: 'single',
        choices: [
          { id: 'svc', text: 'The Service\'s KUBE-SVC-… chain (the ClusterIP layer)', correct: true, explanation: 'Inside traffic enters it directly from KUBE-SERVICES; NodePort and LoadBalancer traffic enter it via KUBE-NODEPORTS/KUBE-EXT.' },
          { id: 'np', text: 'KUBE-NODEPORTS', correct: false, explanation: 'The pod-to-ClusterIP request never touched it.' },
          { id: 'lb', text: 'The cloud load balancer', correct: false, explanation: 'Only the laptop\'s request used it.' },
        ],
      },
    },
  ],
};
