import { EXCHANGE_PATH, deployExchange, podNamePattern, rx } from '../common';
import { check, findEntries, ran, serviceHas } from '../engine/checks';
import { fail, pass, type CheckContext, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');

function externalAddress(ctx: CheckContext): string | undefined {
  const ing = ctx.cluster.service('default', 'currency-exchange')?.status?.loadBalancer?.ingress?.[0];
  return ing?.ip ?? ing?.hostname;
}

export const lab: LabManifest = {
  id: '05-loadbalancer-pending',
  title: 'LoadBalancer stuck in <pending> on a local cluster',
  summary:
    'Create a LoadBalancer Service on a kind/minikube-like cluster, find out why EXTERNAL-IP stays <pending>, reach the Service through its NodePort meanwhile, then apply the local workaround (cloud-provider-kind, kind\'s counterpart of `minikube tunnel`) and reach it through the assigned address.',
  profile: 'local',
  scenarios: [
    {
      heading: "Scenario: I'm creating a Service of LoadBalancer type. But I do NOT see a Load Balancer being created.",
      covers: ['Local Limitation', 'Cloud Dependency', 'tool specific workarounds exist!'],
    },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'kube-proxy', 'tunnel'],
  setup: [deployExchange('currency-exchange', 2)],
  steps: [
    {
      id: '01-pending',
      title: 'Create it and see <pending>',
      hints: ['`kubectl expose deployment currency-exchange --type=LoadBalancer --port=80 --target-port=8000`', 'Then `kubectl get svc currency-exchange` a few times — EXTERNAL-IP never changes.'],
      checks: [
        serviceHas('type-lb', 'Service currency-exchange is of type LoadBalancer', 'default', 'currency-exchange', (svc) =>
          svc.spec.type === 'LoadBalancer' ? undefined : `Service currency-exchange is of type ${svc.spec.type}, not LoadBalancer`,
        ),
        ran(
          'saw-pending',
          'You saw EXTERNAL-IP <pending>',
          { command: /kubectl get (svc|service|services)\b/, output: /<pending>/, exitCode: 0 },
          'List the Service with `kubectl get svc currency-exchange` and look at EXTERNAL-IP.',
        ),
      ],
      solution: ['kubectl expose deployment currency-exchange --type=LoadBalancer --port=80 --target-port=8000', 'kubectl get svc currency-exchange'],
    },
    {
      id: '02-diagnose',
      title: 'Diagnose: who should provision it?',
      needs: ['01-pending'],
      hints: [
        '`kubectl describe svc currency-exchange` — read Events at the bottom.',
        '`kubectl get pods -n kube-system` — is there a cloud-controller-manager?',
      ],
      checks: [
        ran('described', 'You read the Service\'s description and events', { command: /kubectl describe (svc|service|services)\b/, exitCode: 0 }, 'Run `kubectl describe svc currency-exchange` and read its events.'),
        ran('kube-system', 'You looked for a cloud controller in kube-system', { command: /kubectl get (po|pod|pods|all|deploy|deployments)\b.*(-n|--namespace)[ =]?kube-system|kubectl get .*(-A|--all-namespaces)/, exitCode: 0 }, 'List what runs in kube-system: `kubectl get pods -n kube-system`.'),
      ],
      quiz: {
        question: 'Why does EXTERNAL-IP stay <pending> here?',
        kind: 'single',
        choices: [
          { id: 'no-cloud', text: 'A local cluster has no cloud provider integration, so nothing provisions an external load balancer.', correct: true, explanation: 'On a cloud the Cloud Controller Manager calls the provider\'s API; kind/minikube/Docker Desktop have none unless you add a tool.' },
          { id: 'wait', text: 'Load balancers take about 20 minutes; wait longer.', correct: false, explanation: 'Nothing is working on it: waiting never helps (learners have waited for hours).' },
          { id: 'selector', text: 'The selector matches no pods.', correct: false, explanation: 'Endpoints are fine — `kubectl get endpoints currency-exchange` lists both pods; the NodePort even works.' },
          { id: 'quota', text: 'The cluster ran out of public IPs.', correct: false, explanation: 'There is no public IP pool at all on a local cluster.' },
        ],
      },
      solution: ['kubectl describe svc currency-exchange', 'kubectl get pods -n kube-system'],
    },
    {
      id: '03-nodeport-meanwhile',
      title: 'It still works through its NodePort',
      needs: ['01-pending'],
      hints: ["A LoadBalancer Service is also a NodePort Service: `kubectl get svc currency-exchange -o jsonpath='{.spec.ports[0].nodePort}'`.", 'curl http://172.18.0.3:<nodePort>' + EXCHANGE_PATH + ' from the workstation.'],
      checks: [
        check('nodeport-ok', 'A request from the workstation to NodeIP:NodePort was answered by a pod', (ctx) => {
          const np = ctx.cluster.service('default', 'currency-exchange')?.spec.ports?.[0]?.nodePort;
          if (!np) return fail('the Service has no NodePort');
          const hit = findEntries(ctx, { command: new RegExp(`curl\\b.*(:${np}\\b|\\$)`), host: /^workstation$/, output: new RegExp(POD), exitCode: 0 });
          return hit.length > 0 ? pass : fail(`From the workstation, curl a node IP on the Service's node port ${np}.`);
        }),
      ],
      solution: ["NODE_PORT=$(kubectl get svc currency-exchange -o jsonpath='{.spec.ports[0].nodePort}')", `curl -s http://172.18.0.3:$NODE_PORT${EXCHANGE_PATH}`],
    },
    {
      id: '04-workaround',
      title: 'The workaround: a local load-balancer provider',
      needs: ['02-diagnose'],
      hints: ['`cloud-provider-kind &` (in the background) plays the cloud controller\'s part on a kind cluster, as `minikube tunnel` does on minikube.', 'Then `kubectl get svc currency-exchange` shows an EXTERNAL-IP on the kind network; curl it on port 80.'],
      checks: [
        check('assigned', 'The Service got an external address', (ctx) => (externalAddress(ctx) ? pass : fail('EXTERNAL-IP is still <pending>: start the local load-balancer provider (`cloud-provider-kind`).'))),
        check('reached', 'A request from the workstation to the external address was answered by a pod', (ctx) => {
          const ip = externalAddress(ctx);
          if (!ip) return fail('no external address yet');
          const hit = findEntries(ctx, { command: new RegExp(`curl\\b.*(${rx(ip)}|\\$)`), host: /^workstation$/, output: new RegExp(POD), exitCode: 0, after: /cloud-provider-kind|minikube tunnel/ });
          return hit.length > 0 ? pass : fail(`curl http://${ip}${EXCHANGE_PATH} from the workstation.`);
        }),
      ],
      solution: [
        'cloud-provider-kind &',
        'kubectl get svc currency-exchange',
        "EXTERNAL=$(kubectl get svc currency-exchange -o jsonpath='{.status.loadBalancer.ingress[0].ip}')",
        `curl -s http://$EXTERNAL${EXCHANGE_PATH}`,
      ],
    },
  ],
};
