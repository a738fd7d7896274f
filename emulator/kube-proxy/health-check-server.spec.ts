import { describe, expect, it } from 'vitest';
import { runScript } from '../shell/script-runner';
import { createWorld } from '../world';
import { healthCheckBody } from './health-check-server';

describe("kube-proxy's health-check node port", () => {
  it('answers 200 on the node that runs a ready endpoint and 503 elsewhere, with the JSON kube-proxy writes', async () => {
    const world = createWorld({ profile: 'cloud', seed: 5 });
    const steps = await runScript(
      world,
      [
        'kubectl create deployment web --image=nginx',
        'kubectl expose deployment web --type=LoadBalancer --port=80',
        `kubectl patch svc web -p '{"spec":{"externalTrafficPolicy":"Local"}}'`,
        'sleep 10',
        "kubectl get pods -l app=web -o jsonpath='{.items[0].spec.nodeName}'",
        "kubectl get svc web -o jsonpath='{.spec.healthCheckNodePort}'",
      ].join('\n'),
    );
    const nodeName = steps[4]!.output.trim();
    const hcnp = Number(steps[5]!.output.trim());
    expect(hcnp).toBeGreaterThanOrEqual(30000);
    const nodes = ['node-1', 'node-2', 'node-3'];
    const ipOf = (n: string) => `10.0.1.${10 + nodes.indexOf(n)}`;
    const other = nodes.find((n) => n !== nodeName)!;
    const checks = await runScript(
      world,
      [
        `ssh corp-vm "curl -s -i http://${ipOf(nodeName)}:${hcnp}/healthz"`,
        `ssh corp-vm "curl -s -o /dev/null -w '%{http_code}' http://${ipOf(other)}:${hcnp}/healthz"`,
        `ssh ${nodeName} "ss -ltnp"`,
      ].join('\n'),
    );
    expect(checks[0]!.output).toMatch(/^HTTP\/1\.1 200 OK\r?\nContent-Type: application\/json\r?\nX-Content-Type-Options: nosniff\r?\nX-Load-Balancing-Endpoint-Weight: 1\r?\n/);
    expect(checks[0]!.output).toContain(healthCheckBody('default', 'web', 1));
    expect(checks[1]!.output).toBe('503');
    expect(checks[2]!.output).toMatch(new RegExp(`:${hcnp}\\b.*kube-proxy`));
  });

  it('formats the body as Go indents it', () => {
    expect(healthCheckBody('ingress-nginx', 'ingress-nginx-controller', 0)).toBe(
      '{\n\t"service": {\n\t\t"namespace": "ingress-nginx",\n\t\t"name": "ingress-nginx-controller"\n\t},\n\t"localEndpoints": 0,\n\t"serviceProxyHealthy": true\n}',
    );
  });
});
