import { beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../world';
import { runScript, type ScriptStep } from '../shell/script-runner';

let world: World;
async function one(line: string): Promise<ScriptStep> {
  return (await runScript(world, line))[0]!;
}

beforeAll(async () => {
  world = createWorld({ profile: 'local', seed: 1 });
  await runScript(world, [
    'kubectl create deployment currency-exchange --image=in28min/currency-exchange:0.0.1-RELEASE --replicas=2 --port=8000',
    'kubectl expose deployment currency-exchange --port=80 --target-port=8000',
    'kubectl create deployment currency-conversion --image=in28min/currency-conversion:0.0.1-RELEASE --port=8100',
    'kubectl expose deployment currency-conversion --port=8100 --type=LoadBalancer',
    'kubectl create service externalname external-api --external-name api.external.com',
    'kubectl run curl --image=curlimages/curl --restart=Never -- sleep 3600',
    'sleep 10',
  ].join('\n'));
}, 60_000);

describe('workloads on the network (local profile)', () => {
  it('currency-conversion calls currency-exchange through DNS + the ClusterIP, traced under the client request', async () => {
    const s = await one('kubectl exec curl -- curl -s http://currency-conversion:8100/currency-conversion/from/USD/to/INR/quantity/10');
    expect(s.exitCode).toBe(0);
    const body = JSON.parse(s.output);
    expect(body).toMatchObject({ from: 'USD', to: 'INR', conversionMultiple: 65, quantity: 10 });
    const reqs = world.traces.requests();
    const hops = world.traces.hops(reqs[reqs.length - 1]!.id);
    // the conversion pod's own DNS query for currency-exchange and its connection to the exchange pods are in the trace
    expect(hops.some((h) => h.netns.startsWith('pod/default/currency-conversion') && h.packet.includes('A? currency-exchange.default.svc.cluster.local.'))).toBe(true);
    expect(hops.some((h) => h.netns.startsWith('pod/default/currency-exchange') && h.kind === 'deliver' && h.packet.includes('.8000: Flags [S]'))).toBe(true);
    const logs = await one('kubectl logs deploy/currency-conversion');
    expect(logs.output).toContain('calculateCurrencyConversion called with USD to INR quantity 10');
  });

  it('ExternalName: curl by Service name follows the CNAME to api.external.com on the internet', async () => {
    const s = await one('kubectl exec curl -- curl -s http://external-api/');
    expect(JSON.parse(s.output)).toMatchObject({ service: 'api.external.com', status: 'ok' });
  });

  it('LoadBalancer stays <pending> locally; the tunnel gives it an address that routes to the Service', async () => {
    expect((await one('kubectl get svc currency-conversion')).output).toContain('<pending>');
    await runScript(world, 'cloud-provider-kind &\nsleep 5');
    const ip = world.store.get('services', 'default', 'currency-conversion').status.loadBalancer.ingress[0].ip as string;
    expect(ip).toMatch(/^172\.18\.255\.\d+$/);
    const s = await one(`curl -s http://${ip}:8100/currency-conversion/from/EUR/to/INR/quantity/2`);
    expect(JSON.parse(s.output)).toMatchObject({ from: 'EUR', to: 'INR', quantity: 2 });
  });

  it('from the workstation: NodePort on a node IP works (same network), the ClusterIP does not route', async () => {
    await runScript(world, 'kubectl expose deployment currency-exchange --name=ce-np --port=8000 --type=NodePort');
    const np = world.store.get('services', 'default', 'ce-np').spec.ports[0].nodePort as number;
    const ok = await one(`curl -s http://172.18.0.3:${np}/currency-exchange/from/USD/to/INR`);
    expect(ok.output).toContain('"conversionMultiple":65.00');
    const ip = world.store.get('services', 'default', 'ce-np').spec.clusterIP as string;
    const cip = await one(`curl -m 2 http://${ip}:8000/`);
    // the workstation has no route to the Service CIDR: its default route sends the SYN to the internet router,
    // which has none either and answers ICMP net unreachable
    expect(cip.output).toMatch(new RegExp(`^curl: \\(7\\) Failed to connect to ${ip.replace(/\./g, '\\.')} port 8000 after \\d+ ms: Couldn't connect to server\\n$`));
    const dns = await one('curl -s http://currency-exchange/');
    expect(dns.exitCode).toBe(6);
  });

  it('requests to a deleted pod\'s old IP fail; the Service keeps working', async () => {
    const pods = world.store.list('pods', { namespace: 'default', labelSelector: 'app=currency-exchange' }).items;
    const victim = pods[0]!;
    const oldIP = victim.status.podIP as string;
    await runScript(world, `kubectl delete pod ${victim.metadata.name} --wait=false\nsleep 40`);
    const direct = await one(`kubectl exec curl -- curl -s -m 5 http://${oldIP}:8000/currency-exchange/from/USD/to/INR`);
    expect(direct.exitCode).not.toBe(0);
    const svc = await one('kubectl exec curl -- curl -s http://currency-exchange/currency-exchange/from/USD/to/INR');
    expect(svc.output).toContain('"conversionMultiple":65.00');
  });
});
