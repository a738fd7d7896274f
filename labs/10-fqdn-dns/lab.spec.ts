import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'using the short name from another namespace',
    solveFirst: ['01-fqdn', '02-three-forms'],
    commands: ['kubectl exec -n {{ns}} dnsutils -- nslookup currency-exchange'],
    failsCheck: 'cross-ok',
    message: /From the dnsutils pod in (finance|payments|rates), nslookup currency-exchange\.default/,
  },
});
