import { CLIENT_POD, CONVERSION_IMAGE, EXCHANGE_PATH, deployExchange, podNamePattern } from '../common';
import { allOf, check, findEntries, serviceHasEndpoints, targetPortMatchesContainer } from '../engine/checks';
import { fail, pass, type LabManifest } from '../engine/types';

const EXCHANGE_POD = new RegExp(podNamePattern('currency-exchange'));

export const lab: LabManifest = {
  id: '17-troubleshooting',
  title: 'Troubleshooting Services',
  summary:
    'Three Services are broken the way they most often are: a selector that matches no pod, a targetPort that is not the container port, and a client calling a Service that lives in another namespace. Diagnose each from its symptoms and fix it.',
  profile: 'local',
  scenarios: [
    { heading: 'Endpoints Object', covers: ['Maintains a list of Pod IPs that are currently selected by the Service and are Ready'] },
    { heading: 'How does a Service help with Service Discovery? — Service Name Format', covers: ['currency-exchange.default (across namespaces)'] },
  ],
  requires: ['shell', 'store', 'kubectl', 'network', 'dns', 'kube-proxy'],
  params: { ns: { kind: 'choice', values: ['backend', 'platform', 'services'] } },
  setup: [deployExchange('currency-exchange', 2), CLIENT_POD, 'kubectl create namespace {{ns}}'],
  faults: [
    {
      id: 'selector',
      description: 'Service rates selects app=currency-exchnage (a typo): its Endpoints stay empty.',
      commands: [
        "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Service\nmetadata:\n  name: rates\nspec:\n  selector:\n    app: currency-exchnage\n  ports:\n  - port: 80\n    targetPort: 8000\nEOF",
      ],
    },
    {
      id: 'target-port',
      description: 'Service exchange forwards to targetPort 8080; the container listens on 8000: connections are refused.',
      commands: [
        "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Service\nmetadata:\n  name: exchange\nspec:\n  selector:\n    app: currency-exchange\n  ports:\n  - port: 80\n    targetPort: 8080\nEOF",
      ],
    },
    {
      id: 'namespace',
      description: 'Service conversion lives in namespace {{ns}}; a client in default calls http://conversion and gets "Could not resolve host".',
      commands: [
        `cat <<EOF | kubectl apply -f -\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: conversion\n  namespace: {{ns}}\nspec:\n  replicas: 1\n  selector:\n    matchLabels:\n      app: conversion\n  template:\n    metadata:\n      labels:\n        app: conversion\n    spec:\n      containers:\n      - name: conversion\n        image: ${CONVERSION_IMAGE}\n        env:\n        - name: CURRENCY_EXCHANGE_URI\n          value: http://currency-exchange.default\n        ports:\n        - containerPort: 8100\nEOF`,
        'kubectl expose deployment conversion -n {{ns}} --port=80 --target-port=8100',
      ],
    },
  ],
  steps: [
    {
      id: '01-selector',
      title: 'rates: no endpoints',
      hints: ['`kubectl get endpoints rates` is empty. Compare `kubectl describe svc rates` (Selector) with `kubectl get pods --show-labels`.', "Fix the selector: `kubectl patch svc rates -p '{\"spec\":{\"selector\":{\"app\":\"currency-exchange\"}}}'` (or edit and re-apply the manifest)."],
      checks: [
        serviceHasEndpoints('rates-endpoints', 'default', 'rates'),
        check('rates-works', 'A request to http://rates reached a pod', (ctx) =>
          findEntries(ctx, { command: /curl\b.*\/\/rates[:/.]/, output: EXCHANGE_POD, exitCode: 0 }).length > 0 ? pass : fail(`From the client pod: curl -s http://rates${EXCHANGE_PATH}`),
        ),
      ],
      solution: ['kubectl get endpoints rates', 'kubectl describe svc rates', 'kubectl get pods --show-labels', `kubectl patch svc rates -p '{"spec":{"selector":{"app":"currency-exchange"}}}'`, `kubectl exec client -- curl -s http://rates${EXCHANGE_PATH}`],
    },
    {
      id: '02-target-port',
      title: 'exchange: connection refused',
      hints: ['Endpoints are there (`kubectl get endpoints exchange`) — but look at the port they list.', 'The container listens on 8000 (`kubectl get pod -l app=currency-exchange -o yaml | grep containerPort`). Patch: `kubectl patch svc exchange -p \'{"spec":{"ports":[{"port":80,"targetPort":8000}]}}\'`.'],
      checks: [
        allOf('exchange-target-port', 'Service exchange forwards to the port the pods listen on', [serviceHasEndpoints('exchange-has-endpoints', 'default', 'exchange'), targetPortMatchesContainer('exchange-port', 'default', 'exchange')]),
        check('exchange-works', 'A request to http://exchange reached a pod', (ctx) =>
          findEntries(ctx, { command: /curl\b.*\/\/exchange[:/.]/, output: EXCHANGE_POD, exitCode: 0 }).length > 0 ? pass : fail(`From the client pod: curl -s http://exchange${EXCHANGE_PATH}`),
        ),
      ],
      solution: [
        `kubectl exec client -- curl -sS -m 5 http://exchange${EXCHANGE_PATH}`,
        'kubectl get endpoints exchange',
        `kubectl patch svc exchange -p '{"spec":{"ports":[{"port":80,"targetPort":8000}]}}'`,
        `kubectl exec client -- curl -s http://exchange${EXCHANGE_PATH}`,
      ],
    },
    {
      id: '03-namespace',
      title: 'conversion: could not resolve host',
      hints: ['`kubectl get svc conversion` says NotFound — but `kubectl get svc -A | grep conversion` finds it.', 'From default, a Service in {{ns}} needs its namespace in the name: `http://conversion.{{ns}}`.'],
      checks: [
        check('cross-ns-call', 'The client in default reached the conversion Service in {{ns}} by a name that includes the namespace', (ctx) => {
          const ns = String(ctx.params.ns);
          const ok = findEntries(ctx, { command: new RegExp(`curl\\b.*//conversion\\.${ns}(\\.svc(\\.cluster\\.local)?)?[:/]`), output: /currency-conversion|conversion-[a-z0-9]{6,10}-[a-z0-9]{5}/, exitCode: 0 }).length > 0;
          if (ok) return pass;
          const triedShort = findEntries(ctx, { command: /curl\b.*\/\/conversion[:/]/ }).length > 0;
          return fail(triedShort ? `http://conversion is looked up in namespace default; the Service lives in ${ns} — add the namespace to the name.` : `From the client pod, call the conversion Service in namespace ${ns}.`);
        }),
      ],
      solution: [`kubectl exec client -- curl -sS -m 5 http://conversion/currency-conversion/from/USD/to/INR/quantity/10`, 'kubectl get svc -A', 'kubectl exec client -- curl -s http://conversion.{{ns}}/currency-conversion/from/USD/to/INR/quantity/10'],
    },
    {
      id: '04-quiz',
      title: 'Symptoms and causes',
      needs: ['01-selector', '02-target-port', '03-namespace'],
      quiz: {
        question: 'Match the symptom: "the Service exists, Endpoints list pod IPs, but connections are refused". The most likely cause is…',
        kind: 'single',
        choices: [
          { id: 'target', text: 'targetPort is not a port the container listens on.', correct: true, explanation: 'Endpoints carry the targetPort; kube-proxy DNATs to ip:targetPort and nothing listens there, so the pod answers with a RST.' },
          { id: 'selector', text: 'The selector matches no pods.', correct: false, explanation: 'Then Endpoints would be empty and kube-proxy would REJECT ("has no endpoints").' },
          { id: 'namespace', text: 'The Service is in another namespace.', correct: false, explanation: 'Then the short name would not resolve at all.' },
        ],
      },
    },
  ],
};
