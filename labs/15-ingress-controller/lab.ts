import { CONVERSION_PATH, CURL_FAILED, EXCHANGE_PATH, podNamePattern } from '../common';
import { check, deploymentReady, findEntries, ran } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const EXCHANGE_POD = new RegExp(podNamePattern('currency-exchange'));
const CONVERSION_POD = new RegExp(podNamePattern('currency-conversion'));
const INSTALL_NGINX = /kubectl (apply|create) -f \S*ingress-nginx\.yaml/;
const INSTALL_TRAEFIK = /kubectl (apply|create) -f \S*traefik\.yaml/;

const address = (ctx: CheckContext, name: string) => {
  const a = ctx.cluster.get('ingresses', 'default', name)?.status?.loadBalancer?.ingress?.[0];
  return a?.ip ?? a?.hostname;
};

export const lab: LabManifest = {
  id: '15-ingress-controller',
  title: 'Ingress without a controller, with one, and class selection',
  summary:
    'Apply an Ingress to a cluster with no controller and watch nothing happen; install ingress-nginx and watch it take over; then add Traefik and see each controller serve only the Ingresses of its class.',
  profile: 'local',
  scenarios: [
    {
      heading: 'Why do we need an Ingress Controller?',
      covers: ['Ingress Is Only a Configuration', 'Ingress Controller Applies the Rules', 'Without Ingress Controller', 'Popular Ingress Controllers'],
    },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'kube-proxy', 'ingress'],
  setup: ['kubectl apply -f ~/manifests/currency-apps.yaml'],
  steps: [
    {
      id: '01-no-controller',
      title: 'An Ingress with no controller',
      hints: ['`kubectl apply -f ~/manifests/gateway-ingress.yaml`, then `kubectl get ingress` — look at ADDRESS.', '`kubectl get pods -A` — is anything there to act on it? Try `curl -sS -m 5 http://172.18.0.3/currency-exchange/from/USD/to/INR`.'],
      checks: [
        check('stored-only', 'The Ingress exists and has no ADDRESS', (ctx) => {
          if (!ctx.cluster.get('ingresses', 'default', 'gateway-ingress')) return fail('Ingress gateway-ingress not found in namespace default — apply ~/manifests/gateway-ingress.yaml');
          const before = findEntries(ctx, { command: /kubectl get (ing|ingress|ingresses)\b/, exitCode: 0 }).filter((e) => /gateway-ingress/.test(e.output) && !/\d+\.\d+\.\d+\.\d+/.test(e.output));
          return before.length > 0 ? pass : fail('List the Ingress with `kubectl get ingress` while no controller runs and look at its empty ADDRESS.');
        }),
        ran('nothing-listens', 'A request to the cluster failed: nothing routes it', { command: /^\s*curl\b/, host: /^workstation$/, output: CURL_FAILED, exitCode: 'nonzero' }, 'curl a node on port 80 from the workstation (with -m 5) and see it fail.'),
      ],
      quiz: {
        question: 'Why did the Ingress have no effect?',
        kind: 'single',
        choices: [
          { id: 'config', text: 'An Ingress is only configuration stored in etcd; without a controller nothing enforces it.', correct: true, explanation: 'No execution logic: a controller must watch Ingresses and program a proxy.' },
          { id: 'wait', text: 'Ingresses take a few minutes to propagate.', correct: false, explanation: 'Nothing is propagating it — no component watches Ingresses yet.' },
          { id: 'yaml', text: 'The manifest is invalid.', correct: false, explanation: 'The API server accepted it: `kubectl get ingress` lists it.' },
        ],
      },
      solution: ['kubectl apply -f ~/manifests/gateway-ingress.yaml', 'kubectl get ingress', `curl -sS -m 5 http://172.18.0.3${EXCHANGE_PATH}`],
    },
    {
      id: '02-with-nginx',
      title: 'Install ingress-nginx',
      needs: ['01-no-controller'],
      hints: ['`kubectl apply -f ~/manifests/ingress-nginx.yaml`', "Locally its Service is a NodePort: `NP=$(kubectl get svc -n ingress-nginx ingress-nginx-controller -o jsonpath='{.spec.ports[0].nodePort}')`, then curl 172.18.0.3:$NP."],
      checks: [
        deploymentReady('nginx-ready', 'ingress-nginx', 'ingress-nginx-controller'),
        check('nginx-address', 'ingress-nginx wrote the Ingress ADDRESS', (ctx) => (address(ctx, 'gateway-ingress') ? pass : fail('ADDRESS of gateway-ingress is still empty: is the controller Ready?'))),
        ran(
          'nginx-routes',
          'A request through the controller reached currency-exchange',
          { command: /^\s*curl\b/, host: /^workstation$/, output: EXCHANGE_POD, exitCode: 0, after: INSTALL_NGINX },
          "curl http://172.18.0.3:<controller node port>" + EXCHANGE_PATH + ' from the workstation.',
        ),
      ],
      solution: [
        'kubectl apply -f ~/manifests/ingress-nginx.yaml',
        'kubectl get ingress',
        "NP=$(kubectl get svc -n ingress-nginx ingress-nginx-controller -o jsonpath='{.spec.ports[0].nodePort}')",
        `curl -s http://172.18.0.3:$NP${EXCHANGE_PATH}`,
      ],
    },
    {
      id: '03-class-selection',
      title: 'Two controllers: class selection',
      needs: ['02-with-nginx'],
      hints: [
        '`kubectl apply -f ~/manifests/traefik.yaml`, then `kubectl get ingressclass`.',
        '`kubectl create ingress conversion-traefik --class=traefik --rule="/currency-conversion*=currency-conversion:80"`; find Traefik\'s node port in `kubectl get svc -n traefik`.',
      ],
      checks: [
        check('traefik-ingress', 'An Ingress of class traefik routes /currency-conversion', (ctx) => {
          const ings = ctx.cluster.list<any>('ingresses', 'default').filter((i) => i.spec?.ingressClassName === 'traefik');
          if (ings.length === 0) return fail('No Ingress with ingressClassName traefik yet (kubectl create ingress … --class=traefik).');
          const ok = ings.some((i) => ((i.spec.rules ?? []) as any[]).some((r) => (r.http?.paths ?? []).some((p: any) => p.path?.startsWith('/currency-conversion') && p.backend?.service?.name === 'currency-conversion')));
          return ok ? pass : fail('The traefik Ingress does not send /currency-conversion to Service currency-conversion.');
        }),
        ran(
          'traefik-routes',
          'A request through Traefik reached currency-conversion',
          { command: /^\s*curl\b/, host: /^workstation$/, output: CONVERSION_POD, exitCode: 0, after: INSTALL_TRAEFIK },
          'curl http://172.18.0.3:<traefik node port>' + CONVERSION_PATH + ' from the workstation.',
        ),
        check('classes-separate', 'Traefik does not serve the nginx-class Ingress: /currency-exchange through Traefik is a 404', (ctx) => {
          if (ctx.cluster.get('ingresses', 'default', 'gateway-ingress')?.spec?.ingressClassName !== 'nginx') return fail('gateway-ingress should stay of class nginx');
          const tp = ctx.cluster.service('traefik', 'traefik')?.spec.ports?.[0]?.nodePort;
          if (!tp) return fail('Service traefik not found in namespace traefik — apply ~/manifests/traefik.yaml');
          const hit = findEntries(ctx, { command: new RegExp(`curl\\b.*(:${tp}|:\\$[A-Za-z_]+)/currency-exchange`), host: /^workstation$/, output: /404/, after: INSTALL_TRAEFIK });
          return hit.length > 0 ? pass : fail(`Request /currency-exchange/… through Traefik's node port (${tp}) and see that Traefik has no rule for it.`);
        }),
      ],
      solution: [
        'kubectl apply -f ~/manifests/traefik.yaml',
        'kubectl get ingressclass',
        'kubectl create ingress conversion-traefik --class=traefik --rule="/currency-conversion*=currency-conversion:80"',
        'kubectl get ingress',
        "TP=$(kubectl get svc -n traefik traefik -o jsonpath='{.spec.ports[0].nodePort}')",
        `curl -s http://172.18.0.3:$TP${CONVERSION_PATH}`,
        `curl -s http://172.18.0.3:$TP${EXCHANGE_PATH}`,
      ],
    },
  ],
};
