import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'waiting instead of applying the workaround',
    solveFirst: ['01-pending', '02-diagnose'],
    commands: ['sleep 60', 'kubectl get svc currency-exchange'],
    failsCheck: 'assigned',
    message: /still <pending>: start the local load-balancer provider \(`cloud-provider-kind`\)/,
  },
});
