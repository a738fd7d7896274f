import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'curling ClusterIP:NodePort instead of NodeIP:NodePort',
    solveFirst: ['01-create'],
    commands: ["curl -sS -m 3 http://$(kubectl get svc currency-exchange -o jsonpath='{.spec.clusterIP}'):{{nodePort}}/currency-exchange/from/USD/to/INR"],
    failsCheck: 'all-nodes',
    message: /No request reached a pod through control-plane \(172\.18\.0\.2:\d+\)/,
  },
});
