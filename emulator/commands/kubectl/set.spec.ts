import { describe, expect, it } from 'vitest';
import { createWorld } from '../../world';
import { runScript } from '../../shell/script-runner';

describe('kubectl set image', () => {
  it('starts a rolling update (a new ReplicaSet, old one scaled to 0), and rollout undo brings the old image back', async () => {
    const world = createWorld({ seed: 5 });
    const steps = await runScript(world, [
      'kubectl create deployment web --image=nginx:1.25 --replicas=3',
      'kubectl rollout status deploy/web',
      'kubectl set image deploy/web nginx=nginx:1.26',
      'kubectl rollout status deploy/web',
      'kubectl rollout history deploy/web',
      'kubectl set image deploy/web nginx=nginx:1.26',
      'kubectl rollout undo deploy/web',
      'kubectl rollout status deploy/web',
    ].join('\n'));
    expect(steps[2]!.output).toBe('deployment.apps/web image updated\n');
    expect(steps[3]!.output).toMatch(/deployment "web" successfully rolled out\n$/);
    expect(steps[4]!.output).toBe('deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n');
    // setting the image it already has changes nothing and prints nothing
    expect(steps[5]!.output).toBe('');
    expect(steps[5]!.exitCode).toBe(0);
    const rss = world.store.list('replicasets', { namespace: 'default' }).items;
    expect(rss).toHaveLength(2);
    const byImage = new Map(rss.map((rs) => [rs.spec.template.spec.containers[0].image, rs.spec.replicas]));
    expect(byImage.get('nginx:1.25')).toBe(3);
    expect(byImage.get('nginx:1.26')).toBe(0);
    const pods = world.store.list('pods', { namespace: 'default' }).items.filter((p) => !p.metadata.deletionTimestamp);
    expect(pods.map((p) => p.spec.containers[0].image)).toEqual(['nginx:1.25', 'nginx:1.25', 'nginx:1.25']);
  });

  it('bad input changes nothing: unknown container, no image, a Pod, an unknown subcommand', async () => {
    const world = createWorld({ seed: 5 });
    await runScript(world, 'kubectl create deployment web --image=nginx:1.25\nkubectl run solo --image=nginx');
    const before = world.store.get('deployments', 'default', 'web').metadata.resourceVersion;
    const steps = await runScript(world, [
      'kubectl set image deploy/web foo=nginx:1.26',
      'kubectl set image deploy/web',
      'kubectl set image pod/solo solo=nginx:1.26',
      'kubectl set env deploy/web A=1',
      'kubectl set bogus',
    ].join('\n'));
    expect(steps.map((s) => s.exitCode)).toEqual([1, 1, 1, 1, 1]);
    expect(steps[0]!.output).toBe('error: unable to find container named "foo"\n');
    expect(steps[1]!.output).toBe('error: at least one image update is required\n');
    expect(steps[2]!.output).toMatch(/^error: kubectl set image on a Pod is not available in this lab/);
    expect(steps[4]!.output).toBe("Error: unknown command \"bogus\"\nSee 'kubectl set -h' for help and examples\n");
    expect(world.store.get('deployments', 'default', 'web').metadata.resourceVersion).toBe(before);
    expect(world.store.get('pods', 'default', 'solo').spec.containers[0].image).toBe('nginx');
  });
});
