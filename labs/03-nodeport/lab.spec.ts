import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: [
    {
      title: 'curling ClusterIP:NodePort instead of NodeIP:NodePort',
      solveFirst: ['01-create'],
      commands: ["curl -sS -m 3 http://$(kubectl get svc currency-exchange -o jsonpath='{.spec.clusterIP}'):{{nodePort}}/currency-exchange/from/USD/to/INR"],
      failsCheck: 'all-nodes',
      message: /No request reached a pod through control-plane \(172\.18\.0\.2:\d+\)/,
    },
    {
      title: 'shortcut: reaching the pod from a node by its pod IP',
      solveFirst: ['01-create'],
      commands: [
        "POD_IP=$(kubectl get pods -l app=currency-exchange -o jsonpath='{.items[0].status.podIP}')",
        'ssh worker-1 "curl -s http://$POD_IP:8000/currency-exchange/from/USD/to/INR"',
      ],
      failsCheck: 'all-nodes',
      message: /No request reached a pod through control-plane/,
    },
  ],
});
