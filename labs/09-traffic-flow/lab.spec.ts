import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'a pod calling the node port instead of the ClusterIP',
    commands: [
      "NP=$(kubectl get svc currency-exchange -o jsonpath='{.spec.ports[0].nodePort}')",
      'kubectl exec client -- curl -s http://10.0.1.10:$NP/currency-exchange/from/USD/to/INR',
    ],
    failsCheck: 'pod-to-clusterip',
    message: /No request from a pod to 10\.\d+\.\d+\.\d+:80 has reached a currency-exchange pod yet/,
  },
});
