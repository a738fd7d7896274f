import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'applying the Ingress without installing a controller',
    commands: ['kubectl apply -f ~/manifests/gateway-ingress.yaml', 'kubectl get ingress'],
    failsCheck: 'controller-ready',
    message: /Deployment ingress-nginx-controller not found in namespace ingress-nginx/,
  },
});
