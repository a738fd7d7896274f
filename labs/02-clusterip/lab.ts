import { CLIENT_POD, CURL_FAILED, EXCHANGE_PATH, deployExchange, podNamePattern } from '../common';
import { check, loadBalanced, ran, serviceHas, serviceHasEndpoints, traced } from '../engine/checks';
import { fail, pass, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');

export const lab: LabManifest = {
  id: '02-clusterip',
  title: 'ClusterIP: the default, internal-only Service',
  summary:
    'Expose a Deployment without choosing a type, call it from another pod by name, watch requests spread over every replica, and see that nothing outside the cluster can reach it.',
  profile: 'local',
  scenarios: [
    {
      heading: 'What are the different Types of Services? — ClusterIP',
      covers: ['Default Behavior', 'Internal Access Only', 'Used By Microservices', 'No External Access'],
    },
    { heading: 'Why do we need a Kubernetes Service?', covers: ['Load Balancing'] },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'kube-proxy', 'dns', 'traces'],
  params: {
    port: { kind: 'choice', values: [80, 8080, 9000] },
    replicas: { kind: 'int', min: 3, max: 4 },
  },
  setup: [deployExchange('currency-exchange', '{{replicas}}'), CLIENT_POD],
  steps: [
    {
      id: '01-expose',
      title: 'Expose the Deployment without a type',
      hints: [
        '`kubectl expose deployment currency-exchange --port={{port}} --target-port=8000` — no `--type` at all.',
        '`kubectl get svc currency-exchange` shows TYPE ClusterIP, a CLUSTER-IP and EXTERNAL-IP `<none>`.',
      ],
      checks: [
        serviceHas('default-type', 'Service currency-exchange exists and is of the default type, ClusterIP', 'default', 'currency-exchange', (svc) =>
          svc.spec.type === 'ClusterIP' ? undefined : `Service currency-exchange is of type ${svc.spec.type}; create it without --type to get the default`,
        ),
        serviceHas('port', 'The Service listens on port {{port}} and forwards to container port 8000', 'default', 'currency-exchange', (svc, ctx) => {
          const p = svc.spec.ports?.[0];
          if (!p) return 'the Service has no ports';
          if (p.port !== Number(ctx.params.port)) return `the Service listens on port ${p.port}; this lab asks for port ${ctx.params.port}`;
          if (String(p.targetPort) !== '8000') return `targetPort is ${p.targetPort}, but the currency-exchange container listens on 8000`;
          return undefined;
        }),
        serviceHasEndpoints('endpoints', 'default', 'currency-exchange', 2),
      ],
      solution: ['kubectl expose deployment currency-exchange --port={{port}} --target-port=8000', 'kubectl get svc currency-exchange'],
    },
    {
      id: '02-microservice-to-microservice',
      title: 'Call it from another pod, by name',
      needs: ['01-expose'],
      hints: ['From the client pod: `kubectl exec client -- curl -s http://currency-exchange:{{port}}' + EXCHANGE_PATH + '`.'],
      checks: [
        ran(
          'by-name',
          'The client pod reached currency-exchange through the Service name',
          { command: /curl\b.*\/\/currency-exchange[:/.]/, host: /./, output: new RegExp(POD), exitCode: 0 },
          'Call http://currency-exchange:{{port}}' + EXCHANGE_PATH + ' from the client pod (kubectl exec client -- curl -s …).',
        ),
        traced(
          'through-kube-svc',
          'The packet went through the Service\'s KUBE-SVC chain and was DNATed to a pod',
          { from: /^pod\/default\/client/, via: ['KUBE-SERVICES', 'KUBE-SVC-', 'KUBE-SEP-'], deliveredTo: /^pod\/default\/currency-exchange-/ },
          'No packet from the client pod has gone through the Service\'s iptables rules to a pod yet.',
        ),
      ],
      solution: [`kubectl exec client -- curl -s http://currency-exchange:{{port}}${EXCHANGE_PATH}`],
    },
    {
      id: '03-load-balancing',
      title: 'Load balancing over many requests',
      needs: ['02-microservice-to-microservice'],
      hints: [
        'One request hits one pod. Send ten: `for i in $(seq 1 10); do kubectl exec client -- curl -s http://currency-exchange:{{port}}' + EXCHANGE_PATH + '; echo; done`.',
        'Count the distinct pod names in the answers, e.g. pipe the loop into `grep -o "currency-exchange-[a-z0-9-]*" | sort | uniq -c`.',
      ],
      checks: [
        check('all-replicas-ready', 'All {{replicas}} replicas are behind the Service', (ctx) => {
          const n = ctx.cluster.endpointIPs('default', 'currency-exchange').length;
          return n === Number(ctx.params.replicas) ? pass : fail(`the Service has ${n} endpoint(s); the Deployment has ${ctx.params.replicas} replicas — keep them all`);
        }),
        loadBalanced(
          'spread',
          'Requests through the Service were answered by at least 3 different pods',
          { command: /curl\b.*\/\/currency-exchange[:/.]/, exitCode: 0 },
          'currency-exchange',
          3,
        ),
      ],
      solution: [`for i in $(seq 1 12); do kubectl exec client -- curl -s http://currency-exchange:{{port}}${EXCHANGE_PATH}; echo; done`],
    },
    {
      id: '04-no-external-access',
      title: 'No access from outside the cluster',
      needs: ['01-expose'],
      hints: [
        'Get the ClusterIP: `kubectl get svc currency-exchange -o jsonpath=\'{.spec.clusterIP}\'`.',
        'From your workstation (not through kubectl exec): `curl -sS -m 5 http://<CLUSTER-IP>:{{port}}/`.',
      ],
      checks: [
        ran(
          'outside-fails',
          'A request from the workstation to the ClusterIP fails',
          { command: /^\s*curl\b.*(10\.9[6-9]|10\.1[01]\d|CLUSTER_IP|\$)/, host: /^workstation$/, output: CURL_FAILED, exitCode: 'nonzero' },
          'From the workstation itself (no kubectl exec), curl the ClusterIP on port {{port}} with -m 5 and see it fail.',
        ),
      ],
      solution: [
        "CLUSTER_IP=$(kubectl get svc currency-exchange -o jsonpath='{.spec.clusterIP}')",
        'curl -sS -m 5 http://$CLUSTER_IP:{{port}}' + EXCHANGE_PATH,
      ],
    },
    {
      id: '05-quiz',
      title: 'What is a ClusterIP Service for?',
      needs: ['03-load-balancing', '04-no-external-access'],
      quiz: {
        question: 'Which statements about a ClusterIP Service are true?',
        kind: 'multiple',
        choices: [
          { id: 'default', text: 'It is the type you get when you do not specify one.', correct: true, explanation: '`kubectl expose` without --type created a ClusterIP Service.' },
          { id: 'internal', text: 'It is reachable only from inside the cluster.', correct: true, explanation: 'Your workstation\'s curl to the ClusterIP failed: the virtual IP exists only in the nodes\' iptables rules.' },
          { id: 'micro', text: 'It is the usual way for microservices to talk to each other.', correct: true, explanation: 'The client pod reached currency-exchange by name through it.' },
          { id: 'public', text: 'It gets a public IP address from the cloud provider.', correct: false, explanation: 'That is a LoadBalancer Service; EXTERNAL-IP of a ClusterIP Service is <none>.' },
          { id: 'one-pod', text: 'It always sends a client to the same pod.', correct: false, explanation: 'Without sessionAffinity each new connection picks an endpoint at random — you saw several pods answer.' },
        ],
      },
    },
  ],
};
