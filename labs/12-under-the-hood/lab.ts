import { CLIENT_POD, EXCHANGE_PATH, deployExchange, rx } from '../common';
import { check, findEntries, ran, traced } from '../engine/checks';
import { fail, pass, type LabManifest } from '../engine/types';

/** Sum of the pkts column of an `iptables -L -v` listing. */
function packetCount(output: string): number {
  let n = 0;
  for (const m of output.matchAll(/^\s*(\d+[KMG]?)\s+\d+[KMG]?\s+\S+/gm)) {
    const v = m[1]!;
    const mult = v.endsWith('K') ? 1e3 : v.endsWith('M') ? 1e6 : v.endsWith('G') ? 1e9 : 1;
    n += parseInt(v, 10) * mult;
  }
  return n;
}

export const lab: LabManifest = {
  id: '12-under-the-hood',
  title: 'Under the hood: CoreDNS, Endpoints, kube-proxy and iptables',
  summary:
    'Open every layer that makes a Service work: the CoreDNS pods behind kube-dns, the Endpoints object, the rules kube-proxy writes on a node — then follow one packet through them and watch the rule counters move.',
  profile: 'local',
  scenarios: [
    { heading: 'CoreDNS', covers: ['Watches the Kubernetes API Server for changes to Services', 'Resolves FQDNs to the ClusterIP'] },
    { heading: 'Endpoints Object', covers: ['Maintains a list of Pod IPs', 'Dynamic Updates', 'Used By: kube-proxy'] },
    { heading: 'kube-proxy', covers: ['Acts as the traffic director for Services on each node', 'Dynamically updates iptables (or IPVS) rules'] },
    { heading: 'iptables', covers: ['Store node-level routing rules', 'Rules are created and managed by kube-proxy'] },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'dns', 'kube-proxy', 'traces'],
  setup: [deployExchange('currency-exchange', 3), 'kubectl expose deployment currency-exchange --port=80 --target-port=8000', CLIENT_POD],
  steps: [
    {
      id: '01-coredns',
      title: 'CoreDNS behind kube-dns',
      hints: ['`kubectl get svc -n kube-system kube-dns`', '`kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide`'],
      checks: [
        ran('kube-dns', 'You found the kube-dns Service at 10.96.0.10', { command: /kubectl get (svc|service|services)\b.*kube-system|kubectl get .*(-A|--all-namespaces)/, output: /kube-dns\s+ClusterIP\s+10\.96\.0\.10/, exitCode: 0 }, 'Run `kubectl get svc -n kube-system kube-dns`.'),
        ran('coredns-pods', 'You listed the CoreDNS pods', { command: /kubectl get (po|pod|pods)\b.*kube-system|kubectl get .*(-A|--all-namespaces)/, output: /coredns-[a-z0-9]+-[a-z0-9]{5}/, exitCode: 0 }, 'Run `kubectl get pods -n kube-system -l k8s-app=kube-dns`.'),
      ],
      solution: ['kubectl get svc -n kube-system kube-dns', 'kubectl get pods -n kube-system -l k8s-app=kube-dns -o wide'],
    },
    {
      id: '02-endpoints',
      title: 'The Endpoints object',
      hints: ['`kubectl get endpoints currency-exchange -o yaml`', '`kubectl get pods -l app=currency-exchange -o wide` — compare the IPs.'],
      checks: [
        check('endpoints-listed', 'You listed the Endpoints and they match the Ready pods', (ctx) => {
          const ips = ctx.cluster.endpointIPs('default', 'currency-exchange');
          if (ips.length === 0) return fail('Service currency-exchange has no endpoints');
          const hit = findEntries(ctx, { command: /kubectl (get|describe) (ep|endpoints|endpointslices?)\b/, exitCode: 0 }).some((e) => ips.every((ip) => e.output.includes(ip)));
          return hit ? pass : fail('Run `kubectl get endpoints currency-exchange` (or `-o yaml`) and find every pod IP in it.');
        }),
      ],
      solution: ['kubectl get endpoints currency-exchange -o yaml', 'kubectl get pods -l app=currency-exchange -o wide'],
    },
    {
      id: '03-rules',
      title: 'The rules kube-proxy wrote',
      needs: ['02-endpoints'],
      hints: ["`ssh worker-1 'iptables-save -t nat'` — or `ssh worker-1`, then `iptables-save -t nat | grep currency-exchange`.", 'Find `-d <ClusterIP>/32 … -j KUBE-SVC-…`, then that chain\'s three `-j KUBE-SEP-…` rules, then a KUBE-SEP chain\'s DNAT.'],
      checks: [
        check('read-rules', 'You read the node\'s nat rules: the ClusterIP rule, the KUBE-SVC chain and a DNAT', (ctx) => {
          const ip = ctx.cluster.service('default', 'currency-exchange')?.spec.clusterIP;
          if (!ip) return fail('Service currency-exchange not found');
          const hit = findEntries(ctx, { command: /iptables-save|iptables\b.*-S/, exitCode: 0 }).some(
            (e) => e.output.includes(`-d ${ip}/32`) && /-j KUBE-SVC-[A-Z2-7]{16}/.test(e.output) && /DNAT --to-destination 10\.244\./.test(e.output),
          );
          return hit ? pass : fail(`Read the nat table of a node (iptables-save -t nat) and find the rule for ${ip}, its KUBE-SVC chain and the DNAT rules.`);
        }),
      ],
      quiz: {
        question: 'The Service has 3 endpoints. What --probability does kube-proxy give the FIRST rule of its KUBE-SVC chain?',
        kind: 'single',
        choices: [
          { id: 'third', text: '0.33333333349', correct: true, explanation: 'Rule i of n gets 1/(n−i): 1/3, then 1/2 of what is left, then the last rule takes the rest — an even split.' },
          { id: 'half', text: '0.50000000000', correct: false, explanation: 'That is the second rule (1 of the 2 remaining).' },
          { id: 'one', text: '1.00000000000', correct: false, explanation: 'The last rule has no statistic match at all.' },
        ],
      },
      solution: ["ssh worker-1 'iptables-save -t nat | grep currency-exchange'"],
    },
    {
      id: '04-follow-a-packet',
      title: 'Follow one packet and watch the counters',
      needs: ['03-rules'],
      hints: [
        "Counters move on the client pod's node: `NODE=$(kubectl get pod client -o jsonpath='{.spec.nodeName}')`, then `ssh $NODE 'iptables -t nat -L KUBE-SERVICES -n -v'` before and after a few requests.",
        `\`for i in $(seq 1 5); do kubectl exec client -- curl -s http://currency-exchange${EXCHANGE_PATH}; done\``,
      ],
      checks: [
        traced(
          'packet-path',
          'A request went KUBE-SERVICES → KUBE-SVC → KUBE-SEP → pod',
          { from: /^pod\/default\/client/, via: ['KUBE-SERVICES', 'KUBE-SVC-', 'KUBE-SEP-'], deliveredTo: /^pod\/default\/currency-exchange-/ },
          'Send a request to the Service from the client pod.',
        ),
        check('counters', 'The same counter listing, taken twice, shows the packet counts growing', (ctx) => {
          const listings = findEntries(ctx, { command: /iptables\b.*-L\b.*-v|iptables\b.*-v\b.*-L/, exitCode: 0 });
          for (let i = 0; i < listings.length; i++)
            for (let j = i + 1; j < listings.length; j++)
              if (listings[i]!.command === listings[j]!.command && packetCount(listings[j]!.output) > packetCount(listings[i]!.output)) return pass;
          return fail(
            listings.length === 0
              ? 'List a chain with counters on a node (iptables -t nat -L KUBE-SERVICES -n -v), send requests, and list it again.'
              : 'Run the same counter listing again after sending requests through the Service.',
          );
        }),
      ],
      solution: [
        "NODE=$(kubectl get pod client -o jsonpath='{.spec.nodeName}')",
        "ssh $NODE 'iptables -t nat -L KUBE-SERVICES -n -v'",
        `for i in $(seq 1 5); do kubectl exec client -- curl -s http://currency-exchange${EXCHANGE_PATH}; echo; done`,
        "ssh $NODE 'iptables -t nat -L KUBE-SERVICES -n -v'",
      ],
    },
  ],
};
void rx;
