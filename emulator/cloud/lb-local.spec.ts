import { describe, expect, it } from 'vitest';
import { createWorld } from '../world';
import { runScript } from '../shell/script-runner';

describe('ELB health checks with externalTrafficPolicy Local', () => {
  it('takes nodes without a local endpoint out of service and keeps serving from the others', async () => {
    const world = createWorld({ profile: 'cloud', seed: 2 });
    await runScript(world, [
      'kubectl create deployment web --image=nginx --replicas=1 --port=80',
      'kubectl expose deployment web --port=80 --type=LoadBalancer',
      'kubectl patch svc web -p \'{"spec":{"externalTrafficPolicy":"Local"}}\'',
      'sleep 60',
    ].join('\n'));
    const svc = world.store.get('services', 'default', 'web');
    expect(svc.spec.healthCheckNodePort).toBeGreaterThan(0);
    const podNode = world.store.list('pods', { namespace: 'default', labelSelector: 'app=web' }).items[0]!.spec.nodeName as string;
    const cloud = (world as unknown as { cloud: { account: { elbs: Map<string, { LoadBalancerName: string }> }; lbs: { get(k: string): { health: { nodeName: string; healthy: boolean }[] } | undefined } } }).cloud;
    const health = cloud.lbs.get('default/web')!.health;
    expect(health.filter((h) => h.healthy).map((h) => h.nodeName)).toEqual([podNode]);
    const name = [...cloud.account.elbs.values()][0]!.LoadBalancerName;
    const [ih] = await runScript(world, `aws elb describe-instance-health --load-balancer-name ${name}`);
    const states = JSON.parse(ih!.output).InstanceStates.map((s: { State: string }) => s.State).sort();
    expect(states).toEqual(['InService', 'OutOfService', 'OutOfService']);
    const ip = svc.status.loadBalancer.ingress[0].ip as string;
    for (let i = 0; i < 3; i++) {
      const [r] = await runScript(world, `curl -s -o /dev/null -w '%{http_code}' http://${ip}/`);
      expect(r!.output).toBe('200');
    }
  });
});
