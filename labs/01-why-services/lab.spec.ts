import { labSpec, probeFor } from '../testing';
import { lab } from './lab';

await probeFor(lab);
labSpec(lab, {
  wrong: {
    title: 'a Service whose selector does not match the pods',
    solveFirst: ['01-call-by-pod-ip', '02-replace-the-pod'],
    commands: [
      'cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Service\nmetadata:\n  name: currency-exchange\nspec:\n  selector:\n    app: exchange\n  ports:\n  - port: 80\n    targetPort: 8000\nEOF',
      'kubectl exec client -- curl -sS -m 5 http://currency-exchange/currency-exchange/from/USD/to/INR',
    ],
    failsCheck: 'service-endpoints',
    message: /Endpoints empty: selector app=exchange matches 0 pods/,
  },
});
