import { labSpec } from '../testing';
import { lab } from './lab';

labSpec(lab, {
  wrong: {
    title: 'exposing as NodePort',
    commands: ['kubectl expose deployment currency-exchange --type=NodePort'],
    failsCheck: 'type-lb',
    message: /is of type NodePort, not LoadBalancer/,
  },
});
