import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'using the short name from another namespace',
    solveFirst: ['01-fqdn', '02-three-forms'],
    commands: ['kubectl exec -n {{ns}} client -- curl -sS -m 5 http://currency-exchange/currency-exchange/from/USD/to/INR'],
    failsCheck: 'cross-ok',
    message: /From the client pod in (finance|payments|rates), curl http:\/\/currency-exchange\.default/,
  },
});
