import { beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../../world';
import { runScript, type ScriptStep } from '../../shell/script-runner';

let world: World;
async function one(line: string): Promise<ScriptStep> {
  return (await runScript(world, line))[0]!;
}

beforeAll(async () => {
  world = createWorld({ profile: 'local', seed: 4 });
  await runScript(world, [
    'kubectl create deployment web --image=nginx --replicas=1 --port=80',
    'kubectl expose deployment web --port=80',
    'kubectl create service clusterip empty --tcp=80:80',
    'kubectl run client --image=busybox --restart=Never -- sleep 3600',
    'kubectl run curl --image=curlimages/curl --restart=Never -- sleep 3600',
    'sleep 5',
  ].join('\n'));
}, 60_000);

describe('curl and wget through the cluster network', () => {
  it('a Service without endpoints is refused at once (kube-proxy REJECT): curl exit 7, wget message', async () => {
    const ip = world.store.get('services', 'default', 'empty').spec.clusterIP as string;
    const c = await one('kubectl exec curl -- curl -v http://empty/');
    expect(c.output).toContain(`*   Trying ${ip}:80...\n* connect to ${ip} port 80 failed: Connection refused\n`);
    expect(c.output).toMatch(new RegExp(`curl: \\(7\\) Failed to connect to empty port 80 after \\d+ ms: Couldn't connect to server\\n`));
    const w = await one('kubectl exec client -- wget -O- http://empty/');
    expect(w.output).toBe(`Connecting to empty (${ip}:80)\nwget: can't connect to remote host (${ip}): Connection refused\ncommand terminated with exit code 1\n`);
  });

  it('unknown names: curl (6) and wget bad address, after the search walk', async () => {
    expect((await one('kubectl exec curl -- curl -sS http://nosuch/')).output).toBe('curl: (6) Could not resolve host: nosuch\ncommand terminated with exit code 6\n');
    // without -s and without a terminal (kubectl exec without -t) the progress meter comes first
    const meter = (await one('kubectl exec curl -- curl http://nosuch/')).output;
    expect(meter).toBe('  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
      '                                 Dload  Upload   Total   Spent    Left  Speed\n' +
      '  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0curl: (6) Could not resolve host: nosuch\ncommand terminated with exit code 6\n');
    expect((await one('kubectl exec client -- wget -qO- http://nosuch/')).output).toBe("wget: bad address 'nosuch'\ncommand terminated with exit code 1\n");
  });

  it('busybox wget -O- prints the progress lines around the body', async () => {
    const ip = world.store.get('services', 'default', 'web').spec.clusterIP as string;
    const w = await one('kubectl exec client -- wget -O- http://web/');
    expect(w.output.startsWith(`Connecting to web (${ip}:80)\nwriting to stdout\n<!DOCTYPE html>`)).toBe(true);
    expect(w.output).toMatch(/\n-                    100% \|\*{32}\| +\d+  0:00:00 ETA\nwritten to stdout\n$/);
  });

  it('curl -sI and -w %{http_code} against nginx by name', async () => {
    const head = await one('kubectl exec curl -- curl -sI http://web/');
    expect(head.output.split('\n')[0]).toBe('HTTP/1.1 200 OK');
    const code = await one("kubectl exec curl -- curl -s -o /dev/null -w '%{http_code}' http://web/");
    expect(code.output).toBe('200');
  });

  it('each curl is one traced request with its DNS queries and its TCP connection', async () => {
    await one('kubectl exec curl -- curl -s http://web/');
    const reqs = world.traces.requests();
    const req = reqs[reqs.length - 1]!;
    expect(req.label).toBe('curl -s http://web/');
    const hops = world.traces.hops(req.id);
    expect(hops.some((h) => h.packet.includes('A? web.default.svc.cluster.local.'))).toBe(true);
    expect(hops.some((h) => h.kind === 'hook' && h.natAfter !== undefined && h.packet.includes(': Flags [S]'))).toBe(true);
  });
});
