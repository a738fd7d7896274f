import { EXCHANGE_PATH, LOCAL_NODES, deployExchange, podNamePattern } from '../common';
import { check, findEntries, ran, serviceHas, serviceHasEndpoints, traceMatches } from '../engine/checks';
import { fail, pass, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');

export const lab: LabManifest = {
  id: '03-nodeport',
  title: 'NodePort: a static port on every node',
  summary:
    'Expose currency-exchange on a NodePort of your own choosing, see the ClusterIP it is built on, and reach it from your workstation through the IP of every node — even a node that runs none of its pods.',
  profile: 'local',
  scenarios: [
    {
      heading: 'What are the different Types of Services? — NodePort',
      covers: ['Port Binding', 'External Access via IP+Port', 'Dev/Test Friendly', 'Backed by ClusterIP'],
    },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'kube-proxy', 'traces'],
  params: {
    nodePort: { kind: 'int', min: 30100, max: 32700 },
  },
  setup: [deployExchange('currency-exchange', 2)],
  steps: [
    {
      id: '01-create',
      title: 'Create a NodePort Service on port {{nodePort}}',
      hints: [
        '`kubectl create service nodeport currency-exchange --tcp=80:8000 --node-port={{nodePort}}`',
        'NodePorts must lie in 30000–32767; `kubectl get svc` shows PORT(S) as `80:{{nodePort}}/TCP`.',
      ],
      checks: [
        serviceHas('type-nodeport', 'Service currency-exchange is of type NodePort', 'default', 'currency-exchange', (svc) =>
          svc.spec.type === 'NodePort' ? undefined : `Service currency-exchange is of type ${svc.spec.type}; this step needs type NodePort`,
        ),
        serviceHas('node-port', 'It uses node port {{nodePort}} and forwards to 8000', 'default', 'currency-exchange', (svc, ctx) => {
          const p = svc.spec.ports?.[0];
          if (p?.nodePort !== Number(ctx.params.nodePort)) return `the node port is ${p?.nodePort ?? 'unset'}; this lab asks for ${ctx.params.nodePort}`;
          if (String(p.targetPort) !== '8000') return `targetPort is ${p.targetPort}; the container listens on 8000`;
          return undefined;
        }),
        serviceHasEndpoints('endpoints', 'default', 'currency-exchange', 2),
      ],
      solution: ['kubectl create service nodeport currency-exchange --tcp=80:8000 --node-port={{nodePort}}', 'kubectl get svc currency-exchange'],
    },
    {
      id: '02-backed-by-clusterip',
      title: 'Backed by a ClusterIP',
      needs: ['01-create'],
      hints: ['`kubectl get svc currency-exchange -o wide` — look at CLUSTER-IP.', '`kubectl describe svc currency-exchange` shows IP, Port, NodePort and Endpoints together.'],
      checks: [
        serviceHas('has-clusterip', 'The NodePort Service has a ClusterIP too', 'default', 'currency-exchange', (svc) =>
          svc.spec.clusterIP && svc.spec.clusterIP !== 'None' ? undefined : 'this Service has no ClusterIP',
        ),
        ran(
          'looked',
          'You looked at the Service and saw its ClusterIP and node port',
          { command: /kubectl (get|describe) (svc|service|services)\b/, output: /10\.\d+\.\d+\.\d+/, exitCode: 0 },
          'Run `kubectl get svc currency-exchange` or `kubectl describe svc currency-exchange` and read the CLUSTER-IP.',
        ),
      ],
      quiz: {
        question: 'The Service you created is of type NodePort. What else did Kubernetes give it?',
        kind: 'single',
        choices: [
          { id: 'clusterip', text: 'A ClusterIP, which the node port forwards to internally.', correct: true, explanation: 'NodePort is layered on top of ClusterIP: KUBE-NODEPORTS jumps to the same KUBE-SVC chain the ClusterIP uses.' },
          { id: 'lb', text: 'A cloud load balancer.', correct: false, explanation: 'Only type LoadBalancer asks the cloud controller for one.' },
          { id: 'nothing', text: 'Nothing: NodePort Services have no ClusterIP.', correct: false, explanation: 'Look at CLUSTER-IP in `kubectl get svc`: it is set.' },
        ],
      },
      solution: ['kubectl describe svc currency-exchange'],
    },
    {
      id: '03-every-node',
      title: 'NodeIP:NodePort on every node',
      needs: ['01-create'],
      hints: [
        '`kubectl get nodes -o wide` lists INTERNAL-IP: ' + LOCAL_NODES.map((n) => n.ip).join(', ') + '.',
        '`for ip in ' + LOCAL_NODES.map((n) => n.ip).join(' ') + '; do curl -s http://$ip:{{nodePort}}' + EXCHANGE_PATH + '; echo; done`',
      ],
      checks: [
        ran(
          'outside-ok',
          'A request from the workstation to NodeIP:{{nodePort}} was answered by a pod',
          { command: /^\s*(for\b.*)?curl\b/, host: /^workstation$/, output: new RegExp(POD), exitCode: 0 },
          'From the workstation, curl http://<node IP>:{{nodePort}}' + EXCHANGE_PATH,
        ),
        check('all-nodes', 'Requests through each node\'s IP passed KUBE-NODEPORTS and reached a pod', (ctx) => {
          const missing = LOCAL_NODES.filter(
            (n) =>
              !ctx.cluster
                .traces()
                .some((t) =>
                  traceMatches(t, { from: /^workstation$/, via: ['KUBE-NODEPORTS', 'KUBE-SVC-'], deliveredTo: /^pod\/default\/currency-exchange-/, dst: new RegExp(`^${n.ip.replace(/\./g, '\\.')}:${ctx.params.nodePort}$`) }, ctx),
                ),
          );
          if (missing.length === 0) return pass;
          const tried = findEntries(ctx, { command: /curl/, host: /^workstation$/ }).length;
          return fail(
            `No request reached a pod through ${missing.map((n) => `${n.name} (${n.ip}:${ctx.params.nodePort})`).join(', ')}` +
              (tried ? '' : ' — curl each node IP from the workstation'),
          );
        }),
      ],
      solution: [`for ip in ${LOCAL_NODES.map((n) => n.ip).join(' ')}; do curl -s http://$ip:{{nodePort}}${EXCHANGE_PATH}; echo; done`],
    },
    {
      id: '04-quiz',
      title: 'When is NodePort the right tool?',
      needs: ['03-every-node'],
      quiz: {
        question: 'Which statements about NodePort are true?',
        kind: 'multiple',
        choices: [
          { id: 'range', text: 'The port is taken from 30000–32767 and opened on every node\'s IP.', correct: true, explanation: 'Every node\'s KUBE-NODEPORTS chain matches it, even nodes without a backing pod.' },
          { id: 'devtest', text: 'It is handy for dev/test and quick access.', correct: true, explanation: 'No cloud integration is needed — but you must know a node IP and the port.' },
          { id: 'only-pod-node', text: 'Only nodes running one of the Service\'s pods answer on the port.', correct: false, explanation: 'You reached the pods through all three nodes; kube-proxy forwards across nodes (externalTrafficPolicy: Cluster).' },
          { id: 'port80', text: 'Clients connect on port 80 of the node.', correct: false, explanation: 'They connect on the node port ({{nodePort}}); 80 is the Service\'s ClusterIP port.' },
        ],
      },
    },
  ],
};
