import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'scaling up without looking at the rules again',
    solveFirst: ['01-deployment', '02-service'],
    commands: ['kubectl scale deployment currency-exchange --replicas=3', 'kubectl get endpoints currency-exchange'],
    failsCheck: 'rules-3',
    message: /After scaling to 3, read the node's rules again/,
  },
});
