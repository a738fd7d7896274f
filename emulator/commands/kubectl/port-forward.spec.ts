import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runScript, type ScriptStep } from '../../shell/script-runner';
import { createWorld, type World } from '../../world';
import { complete } from './complete';

const WEB = ['kubectl create deployment web --image=nginx --replicas=2', 'kubectl expose deployment web --port=80', 'kubectl rollout status deployment/web'];

async function run(world: World, lines: readonly string[]): Promise<ScriptStep[]> {
  return runScript(world, lines.join('\n'));
}

function out(steps: readonly ScriptStep[], command: string): string {
  const s = steps.find((x) => x.command === command);
  if (!s) throw new Error(`no step ${command}`);
  return s.output;
}

/** Packet counters of every nat rule of the web Service, over all nodes (`iptables-save -c`). */
async function serviceCounters(world: World): Promise<string> {
  const nodes = (await run(world, ["kubectl get nodes -o jsonpath='{.items[*].metadata.name}'"]))[0]!.output.split(' ');
  let all = '';
  for (const n of nodes) {
    const steps = await run(world, [`ssh ${n} iptables-save -c -t nat | grep 'default/web'`]);
    all += `${n}\n${steps[0]!.output}`;
  }
  return all;
}

describe('kubectl port-forward: the data path', () => {
  it('curl on the workstation gets nginx through the forward; the pod logs 127.0.0.1; Service rules are not traversed', async () => {
    const world = createWorld({ profile: 'local', seed: 2 });
    await run(world, WEB);
    const before = await serviceCounters(world);
    expect(before).toMatch(/\[\d+:\d+\] -A KUBE-SERVICES .*default\/web cluster IP/);
    const steps = await run(world, ['kubectl port-forward svc/web 8080:80 &', 'curl -s localhost:8080', 'jobs']);
    expect(steps[0]!.output).toBe('[1] 4343\nForwarding from 127.0.0.1:8080 -> 80\nForwarding from [::1]:8080 -> 80\n');
    expect(steps[1]!.output).toMatch(/^Handling connection for 8080\n<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!<\/title>/);
    expect(steps[2]!.output).toBe('[1]+  Running                 kubectl port-forward svc/web 8080:80 &\n');
    // kube-proxy's rules saw nothing of it…
    expect(await serviceCounters(world)).toBe(before);
    // …whereas the same request through the ClusterIP moves them (so the comparison above can fail).
    const ip = (await run(world, ["kubectl get svc web -o jsonpath='{.spec.clusterIP}'"]))[0]!.output;
    await run(world, [`ssh worker-1 curl -s -o /dev/null http://${ip}/`]);
    expect(await serviceCounters(world)).not.toBe(before);
    // The app saw a client on its own loopback.
    const logs = (await run(world, ['kubectl logs -l app=web --tail=-1']))[0]!.output;
    expect(logs).toMatch(/^127\.0\.0\.1 - - \[.*\] "GET \/ HTTP\/1\.1" 200 615 "-" "curl\/[\d.]+" "-"$/m);
  });

  it("the trace of curl's request shows two TCP connections: workstation loopback :8080, then the pod's loopback :80", async () => {
    const world = createWorld({ profile: 'local', seed: 3 });
    await run(world, [...WEB, 'kubectl port-forward deploy/web 8080:80 &']);
    const before = world.network.traces.requests().length;
    await run(world, ['curl -s -o /dev/null localhost:8080']);
    const req = world.network.traces.requests().slice(before).find((r) => r.label.startsWith('curl'))!;
    const hops = world.network.traces.hops(req.id);
    const local = hops.filter((h) => h.netns === 'workstation' && / 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.8080: /.test(h.packet));
    const inPod = hops.filter((h) => h.netns.startsWith('pod/default/web-') && / 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.80: /.test(h.packet));
    expect(local.length).toBeGreaterThan(0);
    expect(inPod.length).toBeGreaterThan(0);
    const proxy = hops.find((h) => h.kind === 'proxy')!;
    expect(proxy.detail).toContain('bypasses kube-proxy');
    expect(hops.indexOf(proxy)).toBeLessThan(hops.indexOf(inPod[0]!));
    expect(hops.some((h) => h.kind === 'nat' || (h.natAfter ?? '') !== '')).toBe(false);
  });

  it('a Service port maps through a named targetPort to the container port; pods are addressed by container port', async () => {
    const world = createWorld({ profile: 'local', seed: 4 });
    const steps = await run(world, [
      'kubectl create deployment api --image=nginx --port=80',
      'kubectl rollout status deployment/api',
      `kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: api
  ports:
  - name: http
    port: 8000
    targetPort: 80
  - name: web
    port: 9000
    targetPort: www
EOF`,
      'kubectl port-forward svc/api 8080:8000 &',
      'kubectl port-forward svc/api :http &',
      'kubectl port-forward svc/api 9001:web',
      'curl -s -o /dev/null -w "%{http_code}\\n" localhost:8080',
    ]);
    expect(steps[3]!.output).toContain('Forwarding from 127.0.0.1:8080 -> 80\n');
    expect(steps[4]!.output).toMatch(/Forwarding from 127\.0\.0\.1:(\d+) -> 80\nForwarding from \[::1\]:\1 -> 80\n/);
    expect(steps[5]!.output).toMatch(/^error: Pod 'api-[a-z0-9]+-[a-z0-9]+' does not have a named port 'www'\n$/);
    expect(steps[6]!.output).toBe('Handling connection for 8080\n200\n');
  });

  it('--address 0.0.0.0 listens on every address: a node reaches the forward on the workstation, localhost-only does not', async () => {
    const world = createWorld({ profile: 'local', seed: 12 });
    const steps = await run(world, [
      ...WEB,
      'kubectl port-forward svc/web 8080:80 &',
      'kubectl port-forward --address 0.0.0.0 svc/web 8081:80 &',
      'ssh worker-1 curl -sS http://172.18.0.1:8081/ | grep title',
      'ssh worker-1 curl -sS http://172.18.0.1:8080/',
    ]);
    expect(steps[4]!.output).toBe('[2] 4344\nForwarding from 0.0.0.0:8081 -> 80\n');
    expect(steps[5]!.output).toBe('Handling connection for 8081\n<title>Welcome to nginx!</title>\n');
    expect(steps[6]!.output).toMatch(/^curl: \(7\) Failed to connect to 172\.18\.0\.1 port 8080 after \d+ ms: Couldn't connect to server\n$/);
  });

  it('a random local port (`:80`) is the same for the same seed', async () => {
    const ports: string[] = [];
    for (const seed of [5, 5]) {
      const world = createWorld({ profile: 'local', seed });
      const steps = await run(world, [...WEB, 'kubectl port-forward pod/$(kubectl get pods -o name | head -1 | cut -d/ -f2) :80 &']);
      const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(steps[3]!.output)!;
      expect(Number(m[1])).toBeGreaterThanOrEqual(32768);
      expect(Number(m[1])).toBeLessThanOrEqual(60999);
      ports.push(m[1]!);
    }
    expect(ports[0]).toBe(ports[1]);
  });

  it('a Service resolves to its most active pod: of two Ready pods, the one Ready longer', async () => {
    // Find a seed where the newer pod's name sorts first, so that name order alone would pick the wrong one.
    for (let seed = 1; seed < 30; seed++) {
      const world = createWorld({ profile: 'local', seed });
      await run(world, ['kubectl create deployment web --image=nginx', 'kubectl expose deployment web --port=80', 'kubectl rollout status deployment/web']);
      const old = (await run(world, ["kubectl get pods -o jsonpath='{.items[0].metadata.name}'"]))[0]!.output;
      await run(world, ['kubectl scale deployment web --replicas=2', 'kubectl rollout status deployment/web', 'sleep 5']);
      const names = (await run(world, ["kubectl get pods -o jsonpath='{.items[*].metadata.name}'"]))[0]!.output.split(' ');
      if (names[0] === old) continue;
      await run(world, ['kubectl port-forward svc/web 8080:80 &', 'curl -s -o /dev/null localhost:8080']);
      const logsOld = (await run(world, [`kubectl logs ${old} --tail=1`]))[0]!.output;
      const logsNew = (await run(world, [`kubectl logs ${names[0]} --tail=1`]))[0]!.output;
      expect(logsOld).toMatch(/^127\.0\.0\.1 /);
      expect(logsNew).not.toMatch(/^127\.0\.0\.1 /);
      return;
    }
    throw new Error('no seed where the newer pod sorts first');
  });
});

describe('kubectl port-forward: errors as kubectl prints them', () => {
  it('not found, missing Service port, usage, bad ports and addresses', async () => {
    const world = createWorld({ profile: 'local', seed: 6 });
    const steps = await run(world, [
      ...WEB,
      'kubectl port-forward svc/x 8080:80',
      'kubectl port-forward deploy/x 80',
      'kubectl port-forward svc/web 8080:8080',
      'kubectl port-forward svc/web',
      'kubectl port-forward svc/web 80:abc',
      'kubectl port-forward svc/web 8080:80 --address 10.9.9.9',
      'kubectl port-forward svc/web 8080:80 --address nope',
      'kubectl port-forward configmap/kube-root-ca.crt 80',
    ]);
    expect(steps.slice(3).map((s) => [s.output, s.exitCode])).toEqual([
      ['Error from server (NotFound): services "x" not found\n', 1],
      ['Error from server (NotFound): deployments.apps "x" not found\n', 1],
      ['error: Service web does not have a service port 8080\n', 1],
      ["error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n", 1],
      ["error: Service 'web' does not have a named port 'abc'\n", 1],
      [
        'Unable to listen on port 8080: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 10.9.9.9:8080: bind: cannot assign requested address]\n' +
          'error: unable to listen on any of the requested ports: [{8080 80}]\n',
        1,
      ],
      ['error: nope is not a valid IP\n', 1],
      ['error: cannot attach to *v1.ConfigMap: selector for *v1.ConfigMap not implemented\n', 1],
    ]);
  });

  it('a pod that is not Running is refused with its phase', async () => {
    const world = createWorld({ profile: 'local', seed: 7 });
    const steps = await run(world, [
      `kubectl apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  nodeSelector:
    disktype: ssd
  containers:
  - name: web
    image: nginx
EOF`,
      'kubectl port-forward broken 8080:80',
    ]);
    expect(steps[1]!.output).toBe('error: unable to forward port because pod is not running. Current status=Pending\n');
    expect(steps[1]!.exitCode).toBe(1);
  });

  it('a port already held by another forward: kubectl lists both listener errors, then gives up', async () => {
    const world = createWorld({ profile: 'local', seed: 8 });
    const steps = await run(world, [...WEB, 'kubectl port-forward svc/web 8080:80 &', 'kubectl port-forward deploy/web 8080:80', 'kubectl port-forward deploy/web 8080:80 8081:80 &']);
    expect(steps[4]!.output).toBe(
      'Unable to listen on port 8080: Listeners failed to create with the following errors: [unable to create listener: Error listen tcp4 127.0.0.1:8080: bind: address already in use unable to create listener: Error listen tcp6 [::1]:8080: bind: address already in use]\n' +
        'error: unable to listen on any of the requested ports: [{8080 80}]\n',
    );
    // One port of two is enough to go on.
    expect(steps[5]!.output).toMatch(/^\[2\] \d+\nUnable to listen on port 8080: .*\nForwarding from 127\.0\.0\.1:8081 -> 80\nForwarding from \[::1\]:8081 -> 80\n$/);
  });

  it('a refused connection in the pod: the client gets an empty reply, kubectl logs the runtime error and the forward ends', async () => {
    const world = createWorld({ profile: 'local', seed: 9 });
    const steps = await run(world, [...WEB, 'kubectl port-forward deploy/web 9090:81 &', 'curl -sS localhost:9090', 'jobs']);
    const lines = steps[4]!.output.split('\n');
    expect(lines[0]).toBe('Handling connection for 9090');
    expect(lines[1]).toMatch(
      /^E\d{4} \d\d:\d\d:\d\d\.\d{6} {1,7}\d+ portforward\.go:\d+\] an error occurred forwarding 9090 -> 81: error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace "\/var\/run\/netns\/cni-[0-9a-f-]{36}": failed to connect to localhost:81 inside namespace "[0-9a-f]{64}", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused IPv6 dial tcp6 \[::1\]:81: connect: connection refused$/,
    );
    expect(lines).toContain('error: lost connection to pod');
    expect(lines).toContain('curl: (52) Empty reply from server');
    expect(steps[5]!.output).toBe('[1]+  Exit 1                  kubectl port-forward deploy/web 9090:81\n');
  });

  it('deleting the pod ends the forward with kubectl\'s message', async () => {
    const world = createWorld({ profile: 'local', seed: 10 });
    const steps = await run(world, [
      'kubectl run solo --image=nginx',
      'kubectl wait --for=condition=Ready pod/solo',
      'kubectl port-forward pod/solo 8080:80 &',
      'kubectl delete pod solo',
      'sleep 1',
      'jobs',
      'curl -sS localhost:8080',
    ]);
    // The job's last words land before the next prompt after the pod is gone.
    expect(steps[3]!.output + steps[4]!.output).toContain('error: lost connection to pod\n');
    expect(steps[5]!.output).toBe('[1]+  Exit 1                  kubectl port-forward pod/solo 8080:80\n');
    expect(steps[6]!.output).toBe('curl: (7) Failed to connect to localhost port 8080 after 0 ms: Couldn\'t connect to server\n');
  });

  it('the same script gives the same transcript for the same seed', async () => {
    const script = [...WEB, 'kubectl port-forward svc/web :80 &', 'kubectl port-forward deploy/web 9090:81 &', 'curl -s localhost:9090', 'jobs'];
    const a = await run(createWorld({ profile: 'local', seed: 11 }), script);
    const b = await run(createWorld({ profile: 'local', seed: 11 }), script);
    expect(a.map((s) => s.output)).toEqual(b.map((s) => s.output));
  });

  it('errors kubectl gives before it contacts a server, and --help, match the real kubectl 1.32', async () => {
    const cases = [['svc/web'], ['svc/web', '80', '--pod-running-timeout=0'], ['svc/web', '80', '--pod-running-timeout=abc'], ['--help']];
    const world = createWorld({ profile: 'local', seed: 13 });
    const ours = await run(world, cases.map((c) => `kubectl port-forward ${c.join(' ')}`));
    expect(ours[0]!.output).toBe("error: TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples\n");
    expect(ours[1]!.output).toBe("error: --pod-running-timeout must be higher than zero\nSee 'kubectl port-forward -h' for help and examples\n");
    expect(ours[3]!.output).toMatch(/^Forward one or more local ports to a pod\.\n/);
    const probe = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log(`skipping the real-kubectl comparison: ${probe.error?.message ?? probe.stderr}`);
      return;
    }
    cases.forEach((c, i) => {
      const real = spawnSync('kubectl', ['port-forward', ...c], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } });
      // The project words flag-parse errors `error: …` where cobra says `Error: …` (flags.ts, for every verb).
      expect(ours[i]!.output, c.join(' ')).toBe((real.stdout + real.stderr).replace(/^Error: /, 'error: '));
    });
  });
});

describe('kubectl port-forward: Tab completion', () => {
  it('completes the verb, objects with pods (POD or TYPE/NAME) and the flags', async () => {
    const world = createWorld({ profile: 'local', seed: 14 });
    await run(world, WEB);
    const ctx = { world, host: world.loginHost };
    expect(complete(['port-'], ctx)).toEqual(['port-forward']);
    expect(complete(['port-forward', 'svc/'], ctx)).toEqual(['svc/kubernetes', 'svc/web']);
    expect(complete(['port-forward', 'deployment/w'], ctx)).toEqual(['deployment/web']);
    expect(complete(['port-forward', 'web-'], ctx)).toHaveLength(2);
    expect(complete(['port-forward', 'svc/web', '--a'], ctx)).toEqual(['--address']);
  });
});
