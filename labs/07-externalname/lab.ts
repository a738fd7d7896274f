import { DNS_POD } from '../common';
import { check, ran, serviceHas } from '../engine/checks';
import { fail, pass, type LabManifest } from '../engine/types';

export const lab: LabManifest = {
  id: '07-externalname',
  title: 'ExternalName: a Service that is only a DNS alias',
  summary:
    'Map a Kubernetes Service name to api.external.com, resolve it from a pod and see a CNAME come back — no ClusterIP, no Endpoints, no iptables rules.',
  profile: 'local',
  scenarios: [
    {
      heading: 'Scenario: I see another service type: ExternalName. What is it about? (This is different!)',
      covers: ['DNS Redirection', 'Internal Access to External Services'],
    },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'dns'],
  params: { svc: { kind: 'choice', values: ['external-api', 'payments-api', 'rates-api'] } },
  setup: [DNS_POD],
  steps: [
    {
      id: '01-create',
      title: 'Create an ExternalName Service',
      hints: ['`kubectl create service externalname {{svc}} --external-name=api.external.com`'],
      checks: [
        serviceHas('externalname', 'Service {{svc}} is an ExternalName for api.external.com', 'default', (ctx) => String(ctx.params.svc), (svc) => {
          if (svc.spec.type !== 'ExternalName') return `Service ${svc.metadata.name} is of type ${svc.spec.type}, not ExternalName`;
          return svc.spec.externalName === 'api.external.com' ? undefined : `externalName is ${svc.spec.externalName}; it should be api.external.com`;
        }),
      ],
      solution: ['kubectl create service externalname {{svc}} --external-name=api.external.com', 'kubectl get svc {{svc}}'],
    },
    {
      id: '02-resolve',
      title: 'Resolve it from a pod',
      needs: ['01-create'],
      hints: ['`kubectl exec dnsutils -- nslookup {{svc}}`', 'Look for `canonical name = api.external.com`.'],
      checks: [
        ran(
          'cname',
          'A lookup of {{svc}} from a pod returned a CNAME to api.external.com',
          { command: (ctx) => new RegExp(`nslookup\\s+${String(ctx.params.svc)}\\b|dig\\b.*${String(ctx.params.svc)}\\b`), output: /canonical name = api\.external\.com|CNAME\s+api\.external\.com|is an alias for api\.external\.com/ },
          'From the dnsutils pod, run nslookup {{svc}} and look at the answer.',
        ),
      ],
      solution: ['kubectl exec dnsutils -- nslookup {{svc}}'],
    },
    {
      id: '03-nothing-else',
      title: 'No ClusterIP, no Endpoints',
      needs: ['01-create'],
      hints: ['`kubectl get svc {{svc}}` and `kubectl get endpoints {{svc}}`.'],
      checks: [
        check('no-clusterip', 'The ExternalName Service has no ClusterIP and no endpoints', (ctx) => {
          const svc = ctx.cluster.service('default', String(ctx.params.svc));
          if (!svc) return fail(`Service ${ctx.params.svc} not found`);
          if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None') return fail(`Service ${ctx.params.svc} has ClusterIP ${svc.spec.clusterIP}: it is not an ExternalName Service`);
          return ctx.cluster.endpointIPs('default', String(ctx.params.svc)).length === 0 ? pass : fail('it has endpoints — an ExternalName Service should have none');
        }),
        ran('looked', 'You listed the Service and saw EXTERNAL-IP api.external.com', { command: /kubectl get (svc|service|services)\b/, output: /\bapi\.external\.com\b/, exitCode: 0 }, 'Run `kubectl get svc {{svc}}`.'),
      ],
      solution: ['kubectl get svc {{svc}}', 'kubectl get endpoints {{svc}}'],
    },
    {
      id: '04-quiz',
      title: 'What is ExternalName for?',
      needs: ['02-resolve', '03-nothing-else'],
      quiz: {
        question: 'What does an ExternalName Service do?',
        kind: 'single',
        choices: [
          { id: 'dns', text: 'It makes the cluster DNS answer its name with a CNAME to an external DNS name, so pods use a Kubernetes-style name for an outside service.', correct: true, explanation: 'DNS redirection only: no proxying, no ClusterIP, no load balancing.' },
          { id: 'proxy', text: 'kube-proxy forwards its ClusterIP to the external host.', correct: false, explanation: 'It has no ClusterIP, and kube-proxy writes no rules for it.' },
          { id: 'lb', text: 'It creates an external load balancer with a DNS name.', correct: false, explanation: 'That is a LoadBalancer Service on AWS (hostname in status).' },
          { id: 'expose', text: 'It exposes a pod under an external DNS name.', correct: false, explanation: 'The direction is the other way: from the cluster to the outside.' },
        ],
      },
    },
  ],
};
