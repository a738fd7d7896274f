import { CONVERSION_PATH, EXCHANGE_PATH, podNamePattern, rx } from '../common';
import { check, deploymentReady, findEntries, ran } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const EXCHANGE_POD = new RegExp(podNamePattern('currency-exchange'));
const CONVERSION_POD = new RegExp(podNamePattern('currency-conversion'));

function ingressAddress(ctx: CheckContext): string | undefined {
  const ing = ctx.cluster.get('ingresses', 'default', 'gateway-ingress');
  const a = ing?.status?.loadBalancer?.ingress?.[0];
  return a?.ip ?? a?.hostname;
}

const viaIngress = (ctx: CheckContext, path: string, output: RegExp) => {
  const addr = ingressAddress(ctx);
  if (!addr) return false;
  return findEntries(ctx, { command: new RegExp(`curl\\b.*(${rx(addr)}|\\$[A-Za-z_{])[^\\s]*${rx(path)}`), host: /^laptop$/, output }).length > 0;
};

export const lab: LabManifest = {
  id: '13-why-ingress',
  title: 'Why Ingress: one load balancer, many services',
  summary:
    'Install an Ingress controller, apply the seed\'s two-path Ingress, and route /currency-exchange and /currency-conversion to two different Deployments through a single cloud load balancer.',
  profile: 'cloud',
  scenarios: [
    {
      heading: 'Why do we need an Ingress?',
      covers: ['Services: Multiple Microservices => Multiple Load Balancers', 'Ingress: Multiple Microservices => One Load Balancer', 'Path-Based Routing', 'Complete Example: Ingress > Service > Deployment'],
    },
  ],
  requires: ['shell', 'store', 'kubectl', 'cloud', 'ingress'],
  setup: ['kubectl apply -f ~/manifests/currency-apps.yaml'],
  steps: [
    {
      id: '01-controller',
      title: 'Install the NGINX Ingress controller',
      hints: ['`kubectl apply -f ~/manifests/ingress-nginx.yaml`', '`kubectl get svc -n ingress-nginx` — its LoadBalancer Service gets the one public IP.'],
      checks: [
        deploymentReady('controller-ready', 'ingress-nginx', 'ingress-nginx-controller'),
        check('controller-lb', 'The controller\'s Service has a public address', (ctx) => {
          const s = ctx.cluster.service('ingress-nginx', 'ingress-nginx-controller');
          if (!s) return fail('Service ingress-nginx-controller not found in namespace ingress-nginx — apply ~/manifests/ingress-nginx.yaml');
          return s.status?.loadBalancer?.ingress?.[0] ? pass : fail('EXTERNAL-IP of ingress-nginx-controller is still <pending>: check `kubectl get svc -n ingress-nginx` again in a moment');
        }),
      ],
      solution: ['kubectl apply -f ~/manifests/ingress-nginx.yaml', 'kubectl get pods,svc -n ingress-nginx'],
    },
    {
      id: '02-ingress',
      title: 'Apply the seed\'s Ingress',
      needs: ['01-controller'],
      hints: ['`cat ~/manifests/gateway-ingress.yaml`, then `kubectl apply -f ~/manifests/gateway-ingress.yaml`.', '`kubectl get ingress` — ADDRESS appears once the controller has picked it up.'],
      checks: [
        check('two-paths', 'Ingress gateway-ingress routes /currency-exchange and /currency-conversion (Prefix, port 80)', (ctx) => {
          const ing = ctx.cluster.get('ingresses', 'default', 'gateway-ingress');
          if (!ing) return fail('Ingress gateway-ingress not found in namespace default');
          const paths = ((ing.spec?.rules ?? []) as any[]).flatMap((r) => r.http?.paths ?? []);
          for (const want of ['currency-exchange', 'currency-conversion']) {
            const p = paths.find((x: any) => x.path === `/${want}`);
            if (!p) return fail(`the Ingress has no path /${want}`);
            if (p.pathType !== 'Prefix') return fail(`path /${want} has pathType ${p.pathType}; the seed uses Prefix`);
            if (p.backend?.service?.name !== want || p.backend?.service?.port?.number !== 80) return fail(`path /${want} should go to service ${want} port 80`);
          }
          return pass;
        }),
        check('address', 'The controller wrote the Ingress ADDRESS', (ctx) => (ingressAddress(ctx) ? pass : fail('ADDRESS of gateway-ingress is empty: is the controller running and is ingressClassName nginx?'))),
      ],
      solution: ['cat ~/manifests/gateway-ingress.yaml', 'kubectl apply -f ~/manifests/gateway-ingress.yaml', 'kubectl get ingress gateway-ingress'],
    },
    {
      id: '03-path-routing',
      title: 'Two paths, two microservices, one address',
      needs: ['02-ingress'],
      hints: [
        "`ADDR=$(kubectl get ingress gateway-ingress -o jsonpath='{.status.loadBalancer.ingress[0].ip}')`",
        `\`curl -s http://$ADDR${EXCHANGE_PATH}\` and \`curl -s http://$ADDR${CONVERSION_PATH}\`, then \`curl -s http://$ADDR/other\`.`,
      ],
      checks: [
        check('exchange-path', '/currency-exchange/… through the Ingress reached a currency-exchange pod', (ctx) =>
          viaIngress(ctx, '/currency-exchange', EXCHANGE_POD) ? pass : fail(`From the laptop, curl http://<ADDRESS>${EXCHANGE_PATH}`),
        ),
        check('conversion-path', '/currency-conversion/… through the Ingress reached a currency-conversion pod', (ctx) =>
          viaIngress(ctx, '/currency-conversion', CONVERSION_POD) ? pass : fail(`From the laptop, curl http://<ADDRESS>${CONVERSION_PATH}`),
        ),
        check('no-rule-404', 'A path with no rule gets the controller\'s 404', (ctx) =>
          viaIngress(ctx, '/', /404 Not Found/) ? pass : fail('From the laptop, curl http://<ADDRESS>/other and read the answer.'),
        ),
      ],
      solution: [
        "ADDR=$(kubectl get ingress gateway-ingress -o jsonpath='{.status.loadBalancer.ingress[0].ip}')",
        `curl -s http://$ADDR${EXCHANGE_PATH}`,
        `curl -s http://$ADDR${CONVERSION_PATH}`,
        'curl -s http://$ADDR/other',
      ],
    },
    {
      id: '04-one-lb',
      title: 'Count the load balancers',
      needs: ['03-path-routing'],
      hints: ['`aws elbv2 describe-load-balancers` and `kubectl get svc -A | grep LoadBalancer`.'],
      checks: [
        check('one-lb', 'Only one LoadBalancer Service exists: the Ingress controller\'s', (ctx) => {
          const lbs = ctx.cluster.list<any>('services').filter((s) => s.spec.type === 'LoadBalancer');
          return lbs.length === 1 ? pass : fail(`There are ${lbs.length} LoadBalancer Services (${lbs.map((s) => `${s.metadata.namespace}/${s.metadata.name}`).join(', ')}); the point is to need only one.`);
        }),
        ran('aws', 'You listed the cloud load balancers', { command: /aws elbv2 describe-load-balancers/, exitCode: 0 }, 'Run `aws elbv2 describe-load-balancers`.'),
      ],
      quiz: {
        question: 'Why use an Ingress instead of one LoadBalancer Service per microservice?',
        kind: 'multiple',
        choices: [
          { id: 'one-lb', text: 'Many microservices share one load balancer (and one public IP).', correct: true, explanation: 'Two services, one cloud LB: the controller\'s.' },
          { id: 'paths', text: 'It routes HTTP by path (and host) to different Services.', correct: true, explanation: '/currency-exchange and /currency-conversion went to different Deployments.' },
          { id: 'no-controller', text: 'It works without any controller installed.', correct: false, explanation: 'An Ingress is only configuration; the controller does the routing (next labs).' },
          { id: 'tcp', text: 'It forwards any TCP protocol, such as databases.', correct: false, explanation: 'Ingress is an HTTP(S) router; a database is better exposed by a LoadBalancer Service.' },
        ],
      },
      solution: ['aws elbv2 describe-load-balancers', 'kubectl get svc -A'],
    },
  ],
};
