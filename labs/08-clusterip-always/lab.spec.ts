import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'creating only the NodePort Service',
    commands: ['kubectl expose deployment currency-exchange --name=exchange-np --type=NodePort --port=80 --target-port=8000'],
    failsCheck: 'lb',
    message: /Service exchange-lb not found in namespace default/,
  },
});
