import { DNS_POD, deployExchange, rx } from '../common';
import { check, findEntries, ran } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const clusterIp = (ctx: CheckContext) => ctx.cluster.service('default', 'currency-exchange')?.spec.clusterIP;

/**
 * A lookup of exactly `name` whose answer has the ClusterIP. The exit status is not used: busybox nslookup exits 1
 * when any search-domain query got NXDOMAIN, even when another one answered (as on a real pod).
 */
function resolved(ctx: CheckContext, name: RegExp, opts: { ns?: string } = {}): boolean {
  const ip = clusterIp(ctx);
  if (!ip) return false;
  return findEntries(ctx, {
    command: new RegExp(`${opts.ns ? `(-n|--namespace)[ =]${rx(opts.ns)}\\b.*` : ''}(nslookup|dig|host)\\b.*\\s${name.source}(\\s|$|')`),
    output: new RegExp(`Address(es)?:?\\s+${rx(ip)}\\b|\\s${rx(ip)}\\s*$|has address ${rx(ip)}`, 'm'),
  }).length > 0;
}

export const lab: LabManifest = {
  id: '10-fqdn-dns',
  title: 'FQDN and cluster DNS',
  summary:
    'Resolve a Service by its fully qualified domain name (with the root dot), by the three name forms, from another namespace — and read the search list and ndots:5 that make short names work.',
  profile: 'local',
  scenarios: [
    {
      heading: 'What is the need for Fully Qualified Domain Name (FQDN)?',
      covers: ['Precise Location', 'No Ambiguity', 'Ends with a Dot (.)', 'Example: FQDN in Kubernetes', 'Scenario: When to Use FQDN in Kubernetes?'],
    },
    { heading: 'How does a Service help with Service Discovery? — DNS-Based Service Discovery', covers: ['Service FQDN Pattern', 'Name-Based Access', 'Service Name Format'] },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'dns'],
  params: { ns: { kind: 'choice', values: ['finance', 'payments', 'rates'] } },
  setup: [
    deployExchange('currency-exchange', 2),
    'kubectl expose deployment currency-exchange --port=80 --target-port=8000',
    DNS_POD,
    'kubectl create namespace {{ns}}',
    'kubectl run dnsutils -n {{ns}} --image=busybox --restart=Never --command -- sleep 86400',
  ],
  steps: [
    {
      id: '01-fqdn',
      title: 'The FQDN, down to the root dot',
      hints: ['`kubectl exec dnsutils -- nslookup currency-exchange.default.svc.cluster.local.` — note the final dot.'],
      checks: [
        check('fqdn-dot', 'currency-exchange.default.svc.cluster.local. (with the root dot) resolved to the ClusterIP', (ctx) =>
          resolved(ctx, /currency-exchange\.default\.svc\.cluster\.local\./)
            ? pass
            : fail('From the dnsutils pod, nslookup currency-exchange.default.svc.cluster.local. — with the trailing dot — and compare the address with `kubectl get svc currency-exchange`.'),
        ),
      ],
      quiz: {
        question: 'In `currency-exchange.default.svc.cluster.local.`, what does the final dot mean?',
        kind: 'single',
        choices: [
          { id: 'root', text: 'The root of the DNS tree: the name is absolute, so no search domain is appended.', correct: true, explanation: 'An FQDN ends with the root label; it is usually omitted in daily use.' },
          { id: 'typo', text: 'Nothing, it is a typo that resolvers ignore.', correct: false, explanation: 'Resolvers treat a trailing dot as "this name is complete" and skip the search list.' },
          { id: 'ns', text: 'It selects the default namespace.', correct: false, explanation: 'The namespace is the second label, `default`.' },
        ],
      },
      solution: ['kubectl get svc currency-exchange', 'kubectl exec dnsutils -- nslookup currency-exchange.default.svc.cluster.local.'],
    },
    {
      id: '02-three-forms',
      title: 'Three names, one ClusterIP',
      needs: ['01-fqdn'],
      hints: ['Look up `currency-exchange`, `currency-exchange.default` and `currency-exchange.default.svc.cluster.local` from the dnsutils pod in default.'],
      checks: [
        check('short', 'currency-exchange (same namespace) resolved to the ClusterIP', (ctx) => (resolved(ctx, /currency-exchange/) ? pass : fail('nslookup currency-exchange from the dnsutils pod in default.'))),
        check('with-ns', 'currency-exchange.default resolved to the ClusterIP', (ctx) => (resolved(ctx, /currency-exchange\.default/) ? pass : fail('nslookup currency-exchange.default from the dnsutils pod.'))),
        check('fqdn', 'currency-exchange.default.svc.cluster.local resolved to the ClusterIP', (ctx) =>
          resolved(ctx, /currency-exchange\.default\.svc\.cluster\.local\.?/) ? pass : fail('nslookup currency-exchange.default.svc.cluster.local from the dnsutils pod.'),
        ),
      ],
      solution: [
        'kubectl exec dnsutils -- nslookup currency-exchange',
        'kubectl exec dnsutils -- nslookup currency-exchange.default',
        'kubectl exec dnsutils -- nslookup currency-exchange.default.svc.cluster.local',
      ],
    },
    {
      id: '03-cross-namespace',
      title: 'From another namespace',
      needs: ['02-three-forms'],
      hints: ['There is a dnsutils pod in namespace {{ns}} too: `kubectl exec -n {{ns}} dnsutils -- nslookup currency-exchange`.', 'Then add the namespace: `currency-exchange.default`.'],
      checks: [
        ran(
          'short-fails',
          'From namespace {{ns}}, the short name does not resolve',
          { command: (ctx) => new RegExp(`(-n|--namespace)[ =]${rx(String(ctx.params.ns))}\\b.*nslookup\\s+currency-exchange(\\s|$)`), output: /NXDOMAIN|can't find/, notOutput: /^Name:\s/m },
          'From the dnsutils pod in {{ns}}, nslookup currency-exchange and read the error.',
        ),
        check('cross-ok', 'From namespace {{ns}}, currency-exchange.default resolves', (ctx) =>
          resolved(ctx, /currency-exchange\.default(\.svc\.cluster\.local\.?)?/, { ns: String(ctx.params.ns) })
            ? pass
            : fail('From the dnsutils pod in {{ns}}, nslookup currency-exchange.default.'),
        ),
      ],
      solution: ['kubectl exec -n {{ns}} dnsutils -- nslookup currency-exchange', 'kubectl exec -n {{ns}} dnsutils -- nslookup currency-exchange.default'],
    },
    {
      id: '04-search-and-ndots',
      title: 'The search list and ndots:5',
      needs: ['02-three-forms'],
      hints: ['`kubectl exec dnsutils -- cat /etc/resolv.conf`', 'A name with fewer than 5 dots is tried with each search domain first.'],
      checks: [
        ran('resolv', 'You read a pod\'s /etc/resolv.conf', { command: /cat \/etc\/resolv\.conf/, output: /ndots:5/, exitCode: 0 }, 'Run `kubectl exec dnsutils -- cat /etc/resolv.conf`.'),
      ],
      quiz: {
        question: 'A pod in namespace default looks up `currency-exchange.default` (1 dot < ndots 5). Which name does its resolver query FIRST?',
        kind: 'single',
        choices: [
          { id: 'first-search', text: 'currency-exchange.default.default.svc.cluster.local', correct: true, explanation: 'With fewer than 5 dots, the first search domain (default.svc.cluster.local) is appended first; that is NXDOMAIN, then currency-exchange.default.svc.cluster.local answers.' },
          { id: 'as-is', text: 'currency-exchange.default', correct: false, explanation: 'As-is comes first only when the name has at least ndots dots (or ends with a dot).' },
          { id: 'fqdn', text: 'currency-exchange.default.svc.cluster.local', correct: false, explanation: 'That is the second query: from the second search domain, svc.cluster.local.' },
        ],
      },
      solution: ['kubectl exec dnsutils -- cat /etc/resolv.conf'],
    },
  ],
};
