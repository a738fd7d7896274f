import { CLIENT_POD, CURL_FAILED, EXCHANGE_PATH, deployExchange, podNamePattern } from '../common';
import { check, findEntries, ran, serviceHasEndpoints } from '../engine/checks';
import { fail, pass, type LabManifest } from '../engine/types';

const POD = podNamePattern('currency-exchange');
const DELETE_POD = /kubectl delete (pod|po|pods)\b/;
const CURL_FROM_CLIENT = /kubectl exec\b.*\bclient\b.*\bcurl\b/;

export const lab: LabManifest = {
  id: '01-why-services',
  title: 'Why do we need a Kubernetes Service?',
  summary:
    'Call a microservice by its pod IP, replace the pod and watch the hard-coded IP break; then put a Service in front and see the name keep working through pod replacements.',
  profile: 'local',
  scenarios: [
    { heading: 'Why do we need a Kubernetes Service?', covers: ['Stable Networking', 'Load Balancing'] },
    {
      heading: 'Scenario: Why should you not use a Pod IP Address to communicate with a microservice?',
      covers: ['Pods are Ephemeral (not permanent)', 'New IP Address on Recreation', 'Breaks Communication'],
    },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'kube-proxy', 'dns'],
  setup: [deployExchange('currency-exchange', 1), CLIENT_POD],
  steps: [
    {
      id: '01-call-by-pod-ip',
      title: 'Call the microservice by its pod IP',
      hints: [
        '`kubectl get pods -o wide` shows each pod\'s IP in the IP column.',
        'The container listens on port 8000: `kubectl exec client -- curl -s http://POD_IP:8000' + EXCHANGE_PATH + '`.',
      ],
      checks: [
        ran(
          'pod-ip-request',
          'A request from the client pod to the pod IP reached currency-exchange',
          { command: /kubectl exec\b.*\bclient\b.*\bcurl\b.*(10\.244\.\d+\.\d+|\$)/, output: new RegExp(POD), exitCode: 0 },
          'No successful request to the pod IP yet: find the IP with `kubectl get pods -o wide` and curl it on port 8000 from the client pod.',
        ),
      ],
      solution: [
        "POD_IP=$(kubectl get pods -l app=currency-exchange -o jsonpath='{.items[0].status.podIP}')",
        `kubectl exec client -- curl -s http://$POD_IP:8000${EXCHANGE_PATH}`,
      ],
    },
    {
      id: '02-replace-the-pod',
      title: 'Replace the pod — the hard-coded IP breaks',
      needs: ['01-call-by-pod-ip'],
      hints: [
        'Delete the pod by name (`kubectl delete pod currency-exchange-…`) or by label (`-l app=currency-exchange`); the ReplicaSet creates a new one.',
        'Repeat the exact same curl to the old IP. Add `-sS -m 5` so curl gives up after 5 seconds and prints its error.',
      ],
      checks: [
        ran(
          'pod-deleted',
          'A currency-exchange pod was deleted and replaced',
          { command: DELETE_POD, exitCode: 0, output: /deleted/ },
          'Delete the currency-exchange pod so the ReplicaSet replaces it.',
        ),
        check('new-ip', 'The replacement pod has a different IP', (ctx) => {
          const pods = ctx.cluster.podsMatching('default', { app: 'currency-exchange' });
          const first = findEntries(ctx, { command: CURL_FROM_CLIENT, output: new RegExp(POD), exitCode: 0 })[0];
          if (!first) return fail('Call the pod by its IP first.');
          const ips = pods.map((p) => p.status?.podIP).filter((ip): ip is string => !!ip);
          if (ips.length === 0) return fail('No currency-exchange pod has an IP yet: wait for the replacement to start (`kubectl get pods -o wide`).');
          const served = first.output.match(new RegExp(POD))?.[0];
          return pods.some((p) => p.metadata.name === served) ? fail(`Pod ${served} still runs: delete it so it gets replaced.`) : pass;
        }),
        ran(
          'old-ip-fails',
          'The same request to the old pod IP now fails',
          { command: /kubectl exec\b.*\bclient\b.*\bcurl\b/, notOutput: /"?from"?|currency-exchange-/, exitCode: 'nonzero', after: DELETE_POD },
          'After deleting the pod, repeat the curl to the OLD pod IP (use `-sS -m 5`) and see it fail.',
        ),
      ],
      solution: [
        'kubectl delete pod -l app=currency-exchange',
        'kubectl get pods -o wide',
        `kubectl exec client -- curl -sS -m 5 http://$POD_IP:8000${EXCHANGE_PATH}`,
      ],
    },
    {
      id: '03-use-a-service',
      title: 'Put a Service in front and call it by name',
      needs: ['02-replace-the-pod'],
      hints: [
        '`kubectl expose deployment currency-exchange --port=80 --target-port=8000` creates a Service that selects the pods.',
        'Inside the cluster the Service name resolves: `kubectl exec client -- curl -s http://currency-exchange' + EXCHANGE_PATH + '`. Then delete the pod again and repeat.',
      ],
      checks: [
        serviceHasEndpoints('service-endpoints', 'default', 'currency-exchange'),
        check('name-survives-replacement', 'Requests by Service name work before and after another pod replacement', (ctx) => {
          const byName = { command: /kubectl exec\b.*\bclient\b.*\bcurl\b.*\/\/currency-exchange[:/.]/, output: new RegExp(POD), exitCode: 0 };
          const all = ctx.transcript;
          const firstOk = all.findIndex((e) => findEntries({ ...ctx, transcript: [e] }, byName).length > 0);
          if (firstOk < 0) return fail('Call the Service by its name from the client pod: curl http://currency-exchange' + EXCHANGE_PATH);
          const del = all.findIndex((e, i) => i > firstOk && DELETE_POD.test(e.command) && e.exitCode === 0);
          if (del < 0) return fail('Now delete the currency-exchange pod again, then call the Service by name once more.');
          const after = all.slice(del + 1).some((e) => findEntries({ ...ctx, transcript: [e] }, byName).length > 0);
          if (after) return pass;
          const failedAfter = all.slice(del + 1).find((e) => /\/\/currency-exchange/.test(e.command) && CURL_FAILED.test(e.output));
          return fail(
            failedAfter
              ? 'The request failed right after the replacement — the new pod may not be Ready yet; check `kubectl get endpoints currency-exchange` and retry.'
              : 'After deleting the pod, call http://currency-exchange' + EXCHANGE_PATH + ' again from the client pod.',
          );
        }),
      ],
      solution: [
        'kubectl expose deployment currency-exchange --port=80 --target-port=8000',
        `kubectl exec client -- curl -s http://currency-exchange${EXCHANGE_PATH}`,
        'kubectl delete pod -l app=currency-exchange',
        'kubectl get endpoints currency-exchange',
        `kubectl exec client -- curl -s http://currency-exchange${EXCHANGE_PATH}`,
      ],
    },
    {
      id: '04-why',
      title: 'Why not the pod IP?',
      needs: ['03-use-a-service'],
      quiz: {
        question: 'Why should a microservice not call another one by its Pod IP address?',
        kind: 'multiple',
        choices: [
          { id: 'ephemeral', text: 'Pods are ephemeral: the scheduler can terminate and replace them at any time.', correct: true, explanation: 'Failures, scaling down and rollouts all replace pods.' },
          { id: 'new-ip', text: 'A recreated Pod gets a new IP address.', correct: true, explanation: 'You saw it: the replacement pod came up with a different IP.' },
          { id: 'breaks', text: 'A client hard-coded to a Pod IP breaks when that Pod is replaced.', correct: true, explanation: 'The old IP no longer answers, exactly as your curl showed.' },
          { id: 'slow', text: 'Pod IPs are slower than Service IPs.', correct: false, explanation: 'Speed is not the issue; the Service IP is translated to a pod IP anyway (DNAT by kube-proxy\'s rules).' },
          { id: 'forbidden', text: 'Kubernetes forbids pod-to-pod traffic without a Service.', correct: false, explanation: 'Pods can reach each other directly — your first curl did. The problem is stability, not permission.' },
        ],
      },
    },
  ],
};
