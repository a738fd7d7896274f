import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'choosing NodePort instead of the default type',
    commands: ['kubectl expose deployment currency-exchange --type=NodePort --port={{port}} --target-port=8000'],
    failsCheck: 'default-type',
    message: /of type NodePort; create it without --type/,
  },
});
