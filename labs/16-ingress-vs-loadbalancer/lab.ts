import { CONVERSION_PATH, EXCHANGE_PATH, podNamePattern, rx } from '../common';
import { check, findEntries, ran } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const EXCHANGE_POD = new RegExp(podNamePattern('currency-exchange'));
const CONVERSION_POD = new RegExp(podNamePattern('currency-conversion'));

const lbServices = (ctx: CheckContext) => ctx.cluster.list<any>('services').filter((s) => s.spec.type === 'LoadBalancer');
const publicIp = (ctx: CheckContext, ns: string, name: string): string | undefined => {
  const a = ctx.cluster.service(ns, name)?.status?.loadBalancer?.ingress?.[0];
  return a?.ip ?? a?.hostname;
};

export const lab: LabManifest = {
  id: '16-ingress-vs-loadbalancer',
  title: 'Ingress vs LoadBalancer Service',
  summary:
    'Expose two microservices the LoadBalancer way (two load balancers, two public IPs), then the Ingress way (one of each), and compare them on the seed\'s table: purpose, scope, controller, external IP, routing rules.',
  profile: 'cloud',
  scenarios: [{ heading: 'Compare: Ingress vs LoadBalancer Service', covers: ['Purpose', 'Scope', 'Controller', 'External IP', 'Routing Rules', 'Best For'] }],
  requires: ['shell', 'store', 'kubectl', 'cloud', 'ingress'],
  setup: ['kubectl apply -f ~/manifests/currency-apps.yaml'],
  steps: [
    {
      id: '01-two-lbs',
      title: 'The LoadBalancer way: one per Service',
      hints: [
        '`kubectl expose deployment currency-exchange --name=exchange-lb --type=LoadBalancer --port=80 --target-port=8000`, and the same for currency-conversion (8100) as conversion-lb.',
        '`kubectl get svc` and `aws elbv2 describe-load-balancers`: two EXTERNAL-IPs, two load balancers.',
      ],
      checks: [
        check('two-public-ips', 'exchange-lb and conversion-lb each got their own public address', (ctx) => {
          const a = publicIp(ctx, 'default', 'exchange-lb');
          const b = publicIp(ctx, 'default', 'conversion-lb');
          if (!ctx.cluster.service('default', 'exchange-lb')) return fail('Service exchange-lb not found in namespace default');
          if (!ctx.cluster.service('default', 'conversion-lb')) return fail('Service conversion-lb not found in namespace default');
          if (!a || !b) return fail('an EXTERNAL-IP is still <pending>: look again in a moment');
          return a !== b ? pass : fail('both Services show the same address');
        }),
        ran('aws-two', 'You listed the cloud load balancers', { command: /aws elbv2 describe-load-balancers/, exitCode: 0 }, 'Run `aws elbv2 describe-load-balancers` and count them.'),
        check('both-reached', 'Each microservice answered on its own load balancer', (ctx) => {
          const a = publicIp(ctx, 'default', 'exchange-lb');
          const b = publicIp(ctx, 'default', 'conversion-lb');
          if (!a || !b) return fail('the load balancers are not ready yet');
          const hit = (ip: string, pod: RegExp) => findEntries(ctx, { command: new RegExp(`curl\\b.*(${rx(ip)}|\\$)`), host: /^laptop$/, output: pod, exitCode: 0 }).length > 0;
          if (!hit(a, EXCHANGE_POD)) return fail(`curl http://${a}${EXCHANGE_PATH} from the laptop`);
          if (!hit(b, CONVERSION_POD)) return fail(`curl http://${b}${CONVERSION_PATH} from the laptop`);
          return pass;
        }),
      ],
      solution: [
        'kubectl expose deployment currency-exchange --name=exchange-lb --type=LoadBalancer --port=80 --target-port=8000',
        'kubectl expose deployment currency-conversion --name=conversion-lb --type=LoadBalancer --port=80 --target-port=8100',
        'kubectl get svc',
        'aws elbv2 describe-load-balancers',
        "EX=$(kubectl get svc exchange-lb -o jsonpath='{.status.loadBalancer.ingress[0].ip}')",
        "CV=$(kubectl get svc conversion-lb -o jsonpath='{.status.loadBalancer.ingress[0].ip}')",
        `curl -s http://$EX${EXCHANGE_PATH}`,
        `curl -s http://$CV${CONVERSION_PATH}`,
      ],
    },
    {
      id: '02-one-ingress',
      title: 'The Ingress way: one for all',
      needs: ['01-two-lbs'],
      hints: [
        'Delete the two LoadBalancer Services, `kubectl apply -f ~/manifests/ingress-nginx.yaml`, then `kubectl apply -f ~/manifests/gateway-ingress.yaml`.',
        "`ADDR=$(kubectl get ingress gateway-ingress -o jsonpath='{.status.loadBalancer.ingress[0].ip}')` and curl both paths.",
      ],
      checks: [
        check('one-lb', 'Only the Ingress controller\'s LoadBalancer remains', (ctx) => {
          const lbs = lbServices(ctx);
          const names = lbs.map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
          if (lbs.length === 1 && names[0] === 'ingress-nginx/ingress-nginx-controller') return pass;
          return fail(`LoadBalancer Services now: ${names.join(', ') || 'none'} — keep only ingress-nginx/ingress-nginx-controller`);
        }),
        check('both-through-one', 'Both microservices answered through the one Ingress address', (ctx) => {
          const a = ctx.cluster.get('ingresses', 'default', 'gateway-ingress')?.status?.loadBalancer?.ingress?.[0];
          const addr = a?.ip ?? a?.hostname;
          if (!addr) return fail('gateway-ingress has no ADDRESS yet: apply ~/manifests/gateway-ingress.yaml after the controller');
          const hit = (path: string, pod: RegExp) => findEntries(ctx, { command: new RegExp(`curl\\b.*(${rx(addr)}|\\$)[^\\s]*${rx(path)}`), host: /^laptop$/, output: pod, exitCode: 0 }).length > 0;
          if (!hit('/currency-exchange', EXCHANGE_POD)) return fail(`curl http://${addr}${EXCHANGE_PATH} from the laptop`);
          if (!hit('/currency-conversion', CONVERSION_POD)) return fail(`curl http://${addr}${CONVERSION_PATH} from the laptop`);
          return pass;
        }),
      ],
      solution: [
        'kubectl delete svc exchange-lb conversion-lb',
        'kubectl apply -f ~/manifests/ingress-nginx.yaml',
        'kubectl apply -f ~/manifests/gateway-ingress.yaml',
        'aws elbv2 describe-load-balancers',
        "ADDR=$(kubectl get ingress gateway-ingress -o jsonpath='{.status.loadBalancer.ingress[0].ip}')",
        `curl -s http://$ADDR${EXCHANGE_PATH}`,
        `curl -s http://$ADDR${CONVERSION_PATH}`,
      ],
    },
    {
      id: '03-compare',
      title: 'The comparison table',
      needs: ['02-one-ingress'],
      quiz: {
        question: 'Which statements match the seed\'s comparison of Ingress and LoadBalancer Services?',
        kind: 'multiple',
        choices: [
          { id: 'router', text: 'An Ingress is an HTTP/HTTPS router for many Services; a LoadBalancer Service exposes a single Service.', correct: true, explanation: 'Purpose and scope rows of the table.' },
          { id: 'controllers', text: 'Ingress needs an Ingress controller; a LoadBalancer Service relies on the Cloud Controller Manager and the provider\'s load balancers.', correct: true, explanation: 'Controller row: NGINX/Traefik vs the CCM provisioning an AWS ELB or similar.' },
          { id: 'ips', text: 'Ingress routes share one external IP; each LoadBalancer Service gets its own.', correct: true, explanation: 'External IP row — you counted two, then one.' },
          { id: 'rules', text: 'A LoadBalancer Service can route by path.', correct: false, explanation: 'It forwards all traffic to one backend; path- and host-based rules are Ingress features.' },
          { id: 'db', text: 'Ingress is the better choice for exposing a database directly.', correct: false, explanation: 'For a standalone API, database or non-HTTP service, the seed recommends a LoadBalancer Service.' },
        ],
      },
    },
  ],
};
