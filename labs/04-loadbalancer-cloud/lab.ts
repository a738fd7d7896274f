import { EXCHANGE_PATH, deployExchange, podNamePattern, rx } from '../common';
import { check, ran, serviceHas, traceMatches } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');

function lbIp(ctx: CheckContext): string | undefined {
  const svc = ctx.cluster.service('default', 'currency-exchange');
  const ing = svc?.status?.loadBalancer?.ingress?.[0];
  return ing?.ip ?? ing?.hostname;
}

export const lab: LabManifest = {
  id: '04-loadbalancer-cloud',
  title: 'LoadBalancer in the cloud',
  summary:
    'Run the seed\'s `kubectl expose deployment currency-exchange --type=LoadBalancer` on a managed cluster, watch the cloud controller provision a load balancer with a public IP, and follow one request LB → NodePort → ClusterIP → Pod.',
  profile: 'cloud',
  scenarios: [
    {
      heading: 'What are the different Types of Services? — LoadBalancer',
      covers: ['Cloud Integration', 'Public IP Assigned', 'Production Ready', 'Uses NodePort + ClusterIP'],
    },
    { heading: 'Why do we need a Kubernetes Service?', covers: ['kubectl expose deployment currency-exchange --type=LoadBalancer'] },
  ],
  requires: ['shell', 'store', 'kubectl', 'cloud', 'traces'],
  setup: [deployExchange('currency-exchange', 2)],
  steps: [
    {
      id: '01-expose',
      title: 'Expose currency-exchange as a LoadBalancer',
      hints: [
        'Type the seed\'s command exactly: `kubectl expose deployment currency-exchange --type=LoadBalancer`.',
        'EXTERNAL-IP is `<pending>` until the cloud controller has provisioned the load balancer; `kubectl get svc currency-exchange` again a moment later, or `kubectl describe svc currency-exchange` for the events.',
      ],
      checks: [
        ran(
          'seed-command',
          'You ran the seed\'s command: kubectl expose deployment currency-exchange --type=LoadBalancer',
          { command: /kubectl expose (deployment|deploy|deployments)[ /]currency-exchange\b.*--type[= ]LoadBalancer/, exitCode: 0 },
          'Run `kubectl expose deployment currency-exchange --type=LoadBalancer`.',
        ),
        serviceHas('type-lb', 'Service currency-exchange is of type LoadBalancer', 'default', 'currency-exchange', (svc) =>
          svc.spec.type === 'LoadBalancer' ? undefined : `Service currency-exchange is of type ${svc.spec.type}, not LoadBalancer`,
        ),
        check('external-ip', 'The cloud controller assigned a public address', (ctx) =>
          lbIp(ctx) ? pass : fail('EXTERNAL-IP is still <pending>: the cloud load balancer is being provisioned — check `kubectl describe svc currency-exchange` for EnsuringLoadBalancer events'),
        ),
      ],
      solution: ['kubectl expose deployment currency-exchange --type=LoadBalancer', 'kubectl get svc currency-exchange'],
    },
    {
      id: '02-call-it',
      title: 'Call it from your laptop on the internet',
      needs: ['01-expose'],
      hints: [
        'The Service port is the container port, 8000 (expose copied it from the Deployment).',
        "`LB=$(kubectl get svc currency-exchange -o jsonpath='{.status.loadBalancer.ingress[0].ip}')` then `curl -s http://$LB:8000" + EXCHANGE_PATH + '`.',
      ],
      checks: [
        ran(
          'laptop-ok',
          'A request from the laptop to the load balancer was answered by a pod',
          { command: /^\s*curl\b/, host: /^laptop$/, output: new RegExp(POD), exitCode: 0 },
          'From the laptop, curl http://<EXTERNAL-IP>:8000' + EXCHANGE_PATH,
        ),
        check('lb-nodeport-clusterip-pod', 'The request went LB → NodePort → ClusterIP chain → Pod', (ctx) => {
          const ip = lbIp(ctx);
          if (!ip) return fail('the Service has no external address yet');
          const ok = ctx.cluster
            .traces()
            .some((t) => traceMatches(t, { from: /^laptop$/, dst: new RegExp(`^${rx(ip)}:`), via: ['KUBE-NODEPORTS', 'KUBE-SVC-', 'KUBE-SEP-'], deliveredTo: /^pod\/default\/currency-exchange-/ }, ctx));
          return ok ? pass : fail(`No packet from the laptop to ${ip} has reached a currency-exchange pod through a node's KUBE-NODEPORTS chain yet`);
        }),
      ],
      solution: ["LB=$(kubectl get svc currency-exchange -o jsonpath='{.status.loadBalancer.ingress[0].ip}')", `curl -s http://$LB:8000${EXCHANGE_PATH}`],
    },
    {
      id: '03-the-layers',
      title: 'See the layers: load balancer, NodePort, ClusterIP',
      needs: ['01-expose'],
      hints: ['`aws elbv2 describe-load-balancers` lists the cloud load balancer.', '`kubectl get svc currency-exchange` shows CLUSTER-IP and `8000:3xxxx/TCP` — the NodePort the LB targets.'],
      checks: [
        ran('aws-lb', 'You listed the cloud load balancers', { command: /^\s*aws elbv2 describe-load-balancers\b/, exitCode: 0 }, 'Run `aws elbv2 describe-load-balancers`.'),
        serviceHas('layers', 'The LoadBalancer Service also has a NodePort and a ClusterIP', 'default', 'currency-exchange', (svc) => {
          if (!svc.spec.clusterIP || svc.spec.clusterIP === 'None') return 'no ClusterIP';
          if (!svc.spec.ports?.[0]?.nodePort) return 'no NodePort allocated';
          return undefined;
        }),
      ],
      solution: ['aws elbv2 describe-load-balancers', 'kubectl get svc currency-exchange -o wide'],
    },
    {
      id: '04-quiz',
      title: 'The path of a request',
      needs: ['02-call-it', '03-the-layers'],
      quiz: {
        question: 'In which order does a request from the internet travel to a LoadBalancer Service\'s pod?',
        kind: 'single',
        choices: [
          { id: 'right', text: 'Cloud load balancer → NodeIP:NodePort → ClusterIP rules (KUBE-SVC) → Pod', correct: true, explanation: 'The LB targets the NodePort on the nodes; kube-proxy\'s NodePort rules jump into the ClusterIP\'s KUBE-SVC chain, which DNATs to a pod.' },
          { id: 'direct', text: 'Cloud load balancer → Pod IP directly', correct: false, explanation: 'Not with this Service: the trace entered a node on its NodePort first.' },
          { id: 'cip-first', text: 'ClusterIP → cloud load balancer → NodePort → Pod', correct: false, explanation: 'The ClusterIP is virtual and only reachable inside the cluster; it is the last layer before the pod.' },
          { id: 'ingress', text: 'Cloud load balancer → Ingress controller → Pod', correct: false, explanation: 'That is the Ingress path; no Ingress is involved here.' },
        ],
      },
    },
  ],
};
