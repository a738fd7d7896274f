import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: [
    {
      title: 'exposing as NodePort',
      commands: ['kubectl expose deployment currency-exchange --type=NodePort'],
      failsCheck: 'type-lb',
      message: /is of type NodePort, not LoadBalancer/,
    },
    {
      title: 'shortcut: reaching a pod from inside the VPC instead of through the load balancer',
      solveFirst: ['01-expose'],
      commands: [
        "POD_IP=$(kubectl get pods -l app=currency-exchange -o jsonpath='{.items[0].status.podIP}')",
        'ssh node-1 "curl -s http://$POD_IP:8000/currency-exchange/from/USD/to/INR"',
      ],
      failsCheck: 'lb-nodeport-clusterip-pod',
      message: /No packet from the laptop to [\d.]+ has reached a currency-exchange pod through a node's KUBE-NODEPORTS chain yet/,
    },
  ],
});
