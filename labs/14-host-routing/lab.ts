import { CONVERSION_PATH, EXCHANGE_PATH, podNamePattern, rx } from '../common';
import { check, deploymentReady, findEntries } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const EXCHANGE_POD = new RegExp(podNamePattern('currency-exchange'));
const CONVERSION_POD = new RegExp(podNamePattern('currency-conversion'));

/** A curl from the workstation carrying `Host: <host>` whose answer matches. */
function hostRequest(ctx: CheckContext, host: string, output: RegExp): boolean {
  return findEntries(ctx, { command: new RegExp(`curl\\b.*-H\\s*['"]?Host:\\s*${rx(host)}['"\\s]`), host: /^workstation$/, output }).length > 0;
}

export const lab: LabManifest = {
  id: '14-host-routing',
  title: 'Host-based routing with Ingress',
  summary:
    'Route two hostnames to two microservices through one Ingress controller, test them with Host headers from your workstation, and see an unknown host fall through to the 404 backend.',
  profile: 'local',
  scenarios: [{ heading: 'Why do we need an Ingress? — Host-Based Routing', covers: ['Directs traffic based on hostnames (e.g., api.example.com, frontend.example.com)'] }],
  requires: ['shell', 'store', 'kubectl', 'network', 'kube-proxy', 'ingress'],
  params: {
    exHost: { kind: 'choice', values: ['exchange.example.com', 'rates.example.com', 'fx.example.com'] },
    convHost: { kind: 'choice', values: ['conversion.example.com', 'convert.example.com', 'calc.example.com'] },
  },
  setup: ['kubectl apply -f ~/manifests/currency-apps.yaml', 'kubectl apply -f ~/manifests/ingress-nginx.yaml'],
  steps: [
    {
      id: '01-rules',
      title: 'One Ingress, two hosts',
      hints: [
        '`kubectl create ingress hosts --class=nginx --rule="{{exHost}}/*=currency-exchange:80" --rule="{{convHost}}/*=currency-conversion:80"`',
        '`kubectl describe ingress hosts` shows both host rules and their backends.',
      ],
      checks: [
        deploymentReady('controller-ready', 'ingress-nginx', 'ingress-nginx-controller'),
        check('host-rules', 'An Ingress sends {{exHost}} to currency-exchange and {{convHost}} to currency-conversion', (ctx) => {
          const rules = ctx.cluster.list<any>('ingresses', 'default').flatMap((i) => (i.spec?.rules ?? []) as any[]);
          const backendOf = (host: string) => rules.find((r) => r.host === host)?.http?.paths?.[0]?.backend?.service?.name;
          for (const [host, svc] of [
            [String(ctx.params.exHost), 'currency-exchange'],
            [String(ctx.params.convHost), 'currency-conversion'],
          ] as const) {
            const got = backendOf(host);
            if (!got) return fail(`no Ingress rule for host ${host}`);
            if (got !== svc) return fail(`host ${host} goes to Service ${got}; it should go to ${svc}`);
          }
          return pass;
        }),
      ],
      solution: ['kubectl create ingress hosts --class=nginx --rule="{{exHost}}/*=currency-exchange:80" --rule="{{convHost}}/*=currency-conversion:80"', 'kubectl describe ingress hosts'],
    },
    {
      id: '02-host-headers',
      title: 'Test with Host headers',
      needs: ['01-rules'],
      hints: [
        "The controller listens on a NodePort here: `NP=$(kubectl get svc -n ingress-nginx ingress-nginx-controller -o jsonpath='{.spec.ports[0].nodePort}')`.",
        `\`curl -s -H 'Host: {{exHost}}' http://172.18.0.3:$NP${EXCHANGE_PATH}\``,
      ],
      checks: [
        check('exchange-host', 'Host {{exHost}} reached a currency-exchange pod', (ctx) =>
          hostRequest(ctx, String(ctx.params.exHost), EXCHANGE_POD) ? pass : fail(`curl -H 'Host: {{exHost}}' http://<node IP>:<controller node port>${EXCHANGE_PATH}`),
        ),
        check('conversion-host', 'Host {{convHost}} reached a currency-conversion pod', (ctx) =>
          hostRequest(ctx, String(ctx.params.convHost), CONVERSION_POD) ? pass : fail(`curl -H 'Host: {{convHost}}' http://<node IP>:<controller node port>${CONVERSION_PATH}`),
        ),
        check('unknown-host', 'An unknown host got the controller\'s 404', (ctx) => {
          const known = [String(ctx.params.exHost), String(ctx.params.convHost)];
          const hit = findEntries(ctx, { command: /curl\b.*-H\s*['"]?Host:/, host: /^workstation$/, output: /404 Not Found/ }).some((e) => !known.some((h) => e.command.includes(h)));
          return hit ? pass : fail("Send a request with a host no rule names, e.g. -H 'Host: unknown.example.com'.");
        }),
      ],
      solution: [
        "NP=$(kubectl get svc -n ingress-nginx ingress-nginx-controller -o jsonpath='{.spec.ports[0].nodePort}')",
        `curl -s -H 'Host: {{exHost}}' http://172.18.0.3:$NP${EXCHANGE_PATH}`,
        `curl -s -H 'Host: {{convHost}}' http://172.18.0.3:$NP${CONVERSION_PATH}`,
        `curl -s -H 'Host: unknown.example.com' http://172.18.0.3:$NP/`,
      ],
    },
    {
      id: '03-quiz',
      title: 'Paths or hosts?',
      needs: ['02-host-headers'],
      quiz: {
        question: 'How does the controller know which host a request is for?',
        kind: 'single',
        choices: [
          { id: 'header', text: 'From the HTTP Host header the client sends.', correct: true, explanation: 'All requests went to the same IP and port; only the Host header differed.' },
          { id: 'ip', text: 'From the destination IP address.', correct: false, explanation: 'Every request used the same node IP.' },
          { id: 'dns', text: 'The controller asks DNS which name the client resolved.', correct: false, explanation: 'It never sees the client\'s lookup — you did not even resolve the names.' },
        ],
      },
    },
  ],
};
