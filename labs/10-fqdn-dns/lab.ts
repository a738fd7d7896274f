import { CLIENT_POD, DNS_POD, EXCHANGE_PATH, deployExchange, podNamePattern, rx } from '../common';
import { check, findEntries, ran } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const POD = new RegExp(podNamePattern('currency-exchange'));

/** A request by exactly this host name (from a pod, in `ns` when given) that a currency-exchange pod answered. */
function reached(ctx: CheckContext, name: RegExp, opts: { ns?: string } = {}): boolean {
  return findEntries(ctx, {
    command: new RegExp(`${opts.ns ? `(-n|--namespace)[ =]${rx(opts.ns)}\\b.*` : ''}curl\\b.*//${name.source}[:/]`),
    output: POD,
    exitCode: 0,
  }).some((e) => (opts.ns ? true : !/(-n|--namespace)[ =]/.test(e.command)));
}

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
    CLIENT_POD,
    'kubectl create namespace {{ns}}',
    'kubectl run client -n {{ns}} --image=curlimages/curl --restart=Never --command -- sleep 86400',
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
      hints: ['From the client pod in default, curl http://currency-exchange…, http://currency-exchange.default… and http://currency-exchange.default.svc.cluster.local… (path ' + EXCHANGE_PATH + ').', 'busybox nslookup only applies the search list to names without dots — curl (and any app) uses the full resolver.'],
      checks: [
        check('short', 'http://currency-exchange (same namespace) reached a pod', (ctx) => (reached(ctx, /currency-exchange/) ? pass : fail(`From the client pod in default: curl -s http://currency-exchange${EXCHANGE_PATH}`))),
        check('with-ns', 'http://currency-exchange.default reached a pod', (ctx) => (reached(ctx, /currency-exchange\.default/) ? pass : fail(`From the client pod: curl -s http://currency-exchange.default${EXCHANGE_PATH}`))),
        check('fqdn', 'http://currency-exchange.default.svc.cluster.local reached a pod', (ctx) =>
          reached(ctx, /currency-exchange\.default\.svc\.cluster\.local\.?/) ? pass : fail(`From the client pod: curl -s http://currency-exchange.default.svc.cluster.local${EXCHANGE_PATH}`),
        ),
      ],
      solution: [
        `kubectl exec client -- curl -s http://currency-exchange${EXCHANGE_PATH}`,
        `kubectl exec client -- curl -s http://currency-exchange.default${EXCHANGE_PATH}`,
        `kubectl exec client -- curl -s http://currency-exchange.default.svc.cluster.local${EXCHANGE_PATH}`,
      ],
    },
    {
      id: '03-cross-namespace',
      title: 'From another namespace',
      needs: ['02-three-forms'],
      hints: ['There is a client pod in namespace {{ns}} too: `kubectl exec -n {{ns}} client -- curl -sS -m 5 http://currency-exchange' + EXCHANGE_PATH + '`.', 'Then add the namespace: `http://currency-exchange.default…`.'],
      checks: [
        ran(
          'short-fails',
          'From namespace {{ns}}, the short name does not resolve',
          { command: (ctx) => new RegExp(`(-n|--namespace)[ =]${rx(String(ctx.params.ns))}\\b.*curl\\b.*//currency-exchange[:/]`), output: /Could not resolve host|\(6\)/, exitCode: 'nonzero' },
          'From the client pod in {{ns}}, curl -sS http://currency-exchange' + EXCHANGE_PATH + ' and read the error.',
        ),
        check('cross-ok', 'From namespace {{ns}}, http://currency-exchange.default reaches a pod', (ctx) =>
          reached(ctx, /currency-exchange\.default(\.svc\.cluster\.local\.?)?/, { ns: String(ctx.params.ns) })
            ? pass
            : fail('From the client pod in {{ns}}, curl http://currency-exchange.default' + EXCHANGE_PATH + '.'),
        ),
      ],
      solution: [
        `kubectl exec -n {{ns}} client -- curl -sS -m 5 http://currency-exchange${EXCHANGE_PATH}`,
        `kubectl exec -n {{ns}} client -- curl -s http://currency-exchange.default${EXCHANGE_PATH}`,
      ],
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
