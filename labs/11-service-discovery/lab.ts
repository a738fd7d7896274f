import { CLIENT_POD, DNS_POD, EXCHANGE_IMAGE, EXCHANGE_PATH, podNamePattern } from '../common';
import { check, deploymentReady, findEntries, ran, serviceHasEndpoints, traced } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');
const IPTABLES = /iptables-save|iptables\b.*(-S|-L)/;
const SCALE_UP = /kubectl scale\b.*--replicas[= ]3/;
const SCALE_DOWN = /kubectl scale\b.*--replicas[= ]2|kubectl delete (pod|po|pods)\b/;

/** Distinct KUBE-SEP chains in an iptables listing: one per endpoint of the Service. */
function sepChains(output: string): number {
  return new Set(output.match(/KUBE-SEP-[A-Z2-7]{16}/g) ?? []).size;
}

function rulesShow(ctx: CheckContext, n: number, after?: RegExp): boolean {
  return findEntries(ctx, { command: IPTABLES, output: /currency-exchange/, exitCode: 0, ...(after ? { after } : {}) }).some((e) => sepChains(e.output) === n);
}

export const lab: LabManifest = {
  id: '11-service-discovery',
  title: 'Service discovery, step by step (A–E)',
  summary:
    'Walk the seed\'s practical example: a Deployment with two instances, a ClusterIP Service with its DNS record, Endpoints and iptables rules; scale up, scale down, and finally call it by FQDN — checking each layer follow along.',
  profile: 'local',
  scenarios: [
    {
      heading: 'Give a Practical Example of Service Discovery',
      covers: ['🅐 Deployment with Two Instances', '🅑 ClusterIP Service Created', '🅒 A New Instance is Created', '🅓 An Instance is Removed', '🅔 Request Using FQDN'],
    },
    { heading: 'How does a Service help with Service Discovery?', covers: ['Stable Way to Access Dynamic Pods', 'Virtual IP (ClusterIP) and Load Balancing', 'DNS-Based Service Discovery'] },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'dns', 'kube-proxy', 'traces'],
  setup: [CLIENT_POD, DNS_POD],
  steps: [
    {
      id: '01-deployment',
      title: '🅐 A Deployment with two instances',
      hints: [`\`kubectl create deployment currency-exchange --image=${EXCHANGE_IMAGE} --replicas=2 --port=8000\``, '`kubectl get pods -o wide` shows the two pods and their IPs.'],
      checks: [
        deploymentReady('two-pods', 'default', 'currency-exchange', 2),
        ran('looked-at-ips', 'You listed the pods with their IPs', { command: /kubectl get (po|pod|pods)\b.*-o wide/, output: new RegExp(POD), exitCode: 0 }, 'Run `kubectl get pods -o wide`.'),
      ],
      solution: [`kubectl create deployment currency-exchange --image=${EXCHANGE_IMAGE} --replicas=2 --port=8000`, 'kubectl get pods -o wide'],
    },
    {
      id: '02-service',
      title: '🅑 A ClusterIP Service: DNS record, Endpoints, iptables',
      needs: ['01-deployment'],
      hints: [
        '`kubectl expose deployment currency-exchange --port=80 --target-port=8000`',
        '`kubectl get endpoints currency-exchange`, `kubectl exec dnsutils -- nslookup currency-exchange.default.svc.cluster.local`, and `ssh worker-1 \'iptables-save -t nat | grep currency-exchange\'`.',
      ],
      checks: [
        serviceHasEndpoints('endpoints-2', 'default', 'currency-exchange', 2),
        check('dns-record', 'The Service\'s FQDN resolves to its ClusterIP', (ctx) => {
          const ip = ctx.cluster.service('default', 'currency-exchange')?.spec.clusterIP;
          if (!ip) return fail('Service currency-exchange not found in namespace default');
          return findEntries(ctx, { command: /(nslookup|dig|host)\b.*currency-exchange\.default\.svc\.cluster\.local/, output: new RegExp(`Address:?\\s+${ip.replace(/\./g, '\\.')}\\b`) }).length > 0
            ? pass
            : fail('Look up currency-exchange.default.svc.cluster.local from the dnsutils pod.');
        }),
        check('rules-2', 'A node\'s iptables show one KUBE-SEP chain per endpoint (2)', (ctx) =>
          rulesShow(ctx, 2) ? pass : fail("Read the rules on a node: ssh worker-1 'iptables-save -t nat | grep currency-exchange' — expect two KUBE-SEP chains."),
        ),
      ],
      solution: [
        'kubectl expose deployment currency-exchange --port=80 --target-port=8000',
        'kubectl get endpoints currency-exchange',
        'kubectl exec dnsutils -- nslookup currency-exchange.default.svc.cluster.local',
        "ssh worker-1 'iptables-save -t nat | grep currency-exchange'",
      ],
    },
    {
      id: '03-scale-up',
      title: '🅒 A new instance is created',
      needs: ['02-service'],
      hints: ['`kubectl scale deployment currency-exchange --replicas=3`', 'Then the Endpoints and the rules again.'],
      checks: [
        serviceHasEndpoints('endpoints-3', 'default', 'currency-exchange', 3),
        check('rules-3', 'After scaling up, the rules show 3 KUBE-SEP chains', (ctx) =>
          rulesShow(ctx, 3, SCALE_UP) ? pass : fail('After scaling to 3, read the node\'s rules again: kube-proxy added a KUBE-SEP chain for the new pod.'),
        ),
      ],
      solution: ['kubectl scale deployment currency-exchange --replicas=3', 'kubectl get endpoints currency-exchange', "ssh worker-1 'iptables-save -t nat | grep currency-exchange'"],
    },
    {
      id: '04-scale-down',
      title: '🅓 An instance is removed',
      needs: ['03-scale-up'],
      hints: ['`kubectl scale deployment currency-exchange --replicas=2`', 'Compare Endpoints and rules with before.'],
      checks: [
        check('endpoints-back-to-2', 'The Endpoints list two pods again', (ctx) => {
          const n = ctx.cluster.endpointIPs('default', 'currency-exchange').length;
          const scaledUp = findEntries(ctx, { command: SCALE_UP, exitCode: 0 }).length > 0;
          if (!scaledUp) return fail('Scale up first (step C).');
          return n === 2 ? pass : fail(`Endpoints list ${n} address(es); scale the Deployment back to 2.`);
        }),
        check('rules-back-to-2', 'After the removal, the rules show 2 KUBE-SEP chains', (ctx) => {
          const t = ctx.transcript;
          const up = t.findIndex((e) => SCALE_UP.test(e.command) && e.exitCode === 0);
          const down = up < 0 ? -1 : t.findIndex((e, i) => i > up && SCALE_DOWN.test(e.command) && e.exitCode === 0);
          if (down < 0) return fail('Remove an instance first: scale the Deployment back to 2.');
          const seen = t.slice(down + 1).some((e) => IPTABLES.test(e.command) && e.exitCode === 0 && /currency-exchange/.test(e.output) && sepChains(e.output) === 2);
          return seen ? pass : fail("After removing the instance, read the node's rules once more: the removed pod's KUBE-SEP chain is gone.");
        }),
      ],
      solution: ['kubectl scale deployment currency-exchange --replicas=2', 'kubectl get endpoints currency-exchange', "ssh worker-1 'iptables-save -t nat | grep currency-exchange'"],
    },
    {
      id: '05-fqdn-request',
      title: '🅔 A request using the FQDN',
      needs: ['04-scale-down'],
      hints: [`\`kubectl exec client -- curl -s http://currency-exchange.default.svc.cluster.local${EXCHANGE_PATH}\``],
      checks: [
        ran(
          'fqdn-request',
          'The client pod reached a pod by the Service\'s FQDN',
          { command: /curl\b.*currency-exchange\.default\.svc\.cluster\.local/, output: new RegExp(POD), exitCode: 0 },
          `From the client pod, curl http://currency-exchange.default.svc.cluster.local${EXCHANGE_PATH}`,
        ),
        traced(
          'dnat-to-ready-pod',
          'The request went ClusterIP → KUBE-SVC → KUBE-SEP (DNAT) → a Ready pod',
          { from: /^pod\/default\/client/, via: ['KUBE-SERVICES', 'KUBE-SVC-', 'KUBE-SEP-'], deliveredTo: /^pod\/default\/currency-exchange-/ },
          'No request from the client pod has been DNATed to a currency-exchange pod yet.',
        ),
      ],
      solution: [`kubectl exec client -- curl -s http://currency-exchange.default.svc.cluster.local${EXCHANGE_PATH}`],
    },
  ],
};
