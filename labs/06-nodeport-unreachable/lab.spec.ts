import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'opening port 80 instead of the node port',
    solveFirst: ['01-create', '02-private-ip', '03-firewall'],
    commands: [
      "SG=$(aws ec2 describe-security-groups | grep -o 'sg-[0-9a-f]*' | head -1)",
      'aws ec2 authorize-security-group-ingress --group-id $SG --protocol tcp --port 80 --cidr 0.0.0.0/0',
      'curl -sS -m 5 http://$NODE_PUBLIC:{{nodePort}}/currency-exchange/from/USD/to/INR',
    ],
    failsCheck: 'laptop-ok',
    message: /still fails: does your rule cover port \d+/,
  },
});
