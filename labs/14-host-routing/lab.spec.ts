import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'swapping the backends of the two hosts',
    commands: ['kubectl create ingress hosts --class=nginx --rule="{{exHost}}/*=currency-conversion:80" --rule="{{convHost}}/*=currency-exchange:80"'],
    failsCheck: 'host-rules',
    message: /goes to Service currency-conversion; it should go to currency-exchange/,
  },
});
