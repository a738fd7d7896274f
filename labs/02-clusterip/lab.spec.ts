import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: [
    {
      title: 'choosing NodePort instead of the default type',
      commands: ['kubectl expose deployment currency-exchange --type=NodePort --port={{port}} --target-port=8000'],
      failsCheck: 'default-type',
      message: /of type NodePort; create it without --type/,
    },
    {
      title: 'shortcut: calling a pod IP directly instead of the Service',
      solveFirst: ['01-expose'],
      commands: [
        "POD_IP=$(kubectl get pods -l app=currency-exchange -o jsonpath='{.items[0].status.podIP}')",
        'kubectl exec client -- curl -s http://$POD_IP:8000/currency-exchange/from/USD/to/INR',
      ],
      failsCheck: 'through-kube-svc',
      message: /No packet from the client pod has gone through the Service's iptables rules to a pod yet/,
    },
  ],
});
