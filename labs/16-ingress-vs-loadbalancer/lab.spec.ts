import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'adding the Ingress but keeping the two LoadBalancer Services',
    solveFirst: ['01-two-lbs'],
    commands: ['kubectl apply -f ~/manifests/ingress-nginx.yaml', 'kubectl apply -f ~/manifests/gateway-ingress.yaml'],
    failsCheck: 'one-lb',
    message: /keep only ingress-nginx\/ingress-nginx-controller/,
  },
});
