import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'exposing as NodePort',
    commands: ['kubectl expose deployment currency-exchange --type=NodePort'],
    failsCheck: 'type-lb',
    message: /is of type NodePort, not LoadBalancer/,
  },
});
