import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'reading the counters only once',
    solveFirst: ['01-coredns', '02-endpoints', '03-rules'],
    commands: ["ssh worker-1 'iptables -t nat -L KUBE-SERVICES -n -v'"],
    failsCheck: 'counters',
    message: /Run the same counter listing again after sending requests/,
  },
});
