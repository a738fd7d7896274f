import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'calling the Service in another namespace by its short name',
    commands: ['kubectl exec client -- curl -sS -m 5 http://conversion/currency-conversion/from/USD/to/INR/quantity/10'],
    failsCheck: 'cross-ns-call',
    message: /http:\/\/conversion is looked up in namespace default; the Service lives in (backend|platform|services)/,
  },
});
