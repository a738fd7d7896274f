import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'giving the second Ingress the nginx class',
    solveFirst: ['01-no-controller', '02-with-nginx'],
    commands: ['kubectl apply -f ~/manifests/traefik.yaml', 'kubectl create ingress conversion-traefik --class=nginx --rule="/currency-conversion*=currency-conversion:80"'],
    failsCheck: 'traefik-ingress',
    message: /No Ingress with ingressClassName traefik yet/,
  },
});
