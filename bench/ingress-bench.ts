/**
 * Ingress bench: full HTTP requests from the workstation through a NodePort to the ingress-nginx controller pod,
 * which routes among 100 Ingress rules and opens a new TCP connection to a backend pod — two handshakes, two
 * request/response exchanges, two teardowns per request, every packet through the nodes' kube-proxy rules.
 * Tracing off. Run with `node bench/ingress.mjs [--requests=2000]`.
 */
import { createWorld } from '../emulator/world';
import { runScript } from '../emulator/shell/script-runner';
import { httpFetch, parseUrl, type HttpOutcome } from '../emulator/workloads/http-client';
import { parseHostsFile, parseResolvConf } from '../emulator/dns/resolver';

const RULES = 100;

export async function main(argv: string[]): Promise<void> {
  const requests = Number(argv.find((a) => a.startsWith('--requests='))?.split('=')[1] ?? 2000);
  const world = createWorld({ profile: 'local', seed: 1 });
  const ingresses: string[] = [];
  for (let i = 0; i < RULES; i++) {
    ingresses.push(`---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: rule-${i}
spec:
  ingressClassName: nginx
  rules:
  - host: app-${i}.example.com
    http:
      paths:
      - path: /currency-exchange
        pathType: Prefix
        backend:
          service:
            name: currency-exchange
            port:
              number: 80`);
  }
  world.hosts.get('workstation')!.fs.writeFile('/home/student/rules.yaml', ingresses.join('\n') + '\n');
  await runScript(world, 'kubectl apply -f ~/manifests/currency-apps.yaml\nkubectl apply -f ~/manifests/ingress-nginx.yaml\nkubectl apply -f rules.yaml\nsleep 30');
  const svc = world.store.get('services', 'ingress-nginx', 'ingress-nginx-controller');
  const nodePort: number = svc.spec.ports[0].nodePort;
  world.traces.enabled = false;
  const ns = world.network.ns('workstation')!;
  const resolver = { resolvConf: parseResolvConf(''), hosts: parseHostsFile('') };
  const deps = { scheduler: world.scheduler, rng: world.rng.fork('bench') };
  // Hosts hit the last rule half the time: the routing table is searched, not short-circuited on the first entry.
  const url = (i: number) => parseUrl(`http://172.18.0.${3 + (i % 2)}:${nodePort}/currency-exchange/from/USD/to/INR`)!;
  const host = (i: number) => `app-${i % 2 ? RULES - 1 : RULES - 2}.example.com`;

  let ok = 0;
  let failed = 0;
  const one = (i: number): void => {
    let outcome: HttpOutcome | undefined;
    httpFetch({ ns, resolver }, deps, { method: 'GET', url: url(i), headers: [['Host', host(i)]], userAgent: 'bench', connectTimeoutMs: 5000, maxTimeMs: 10000 }, (o) => (outcome = o));
    world.scheduler.runUntil(() => outcome !== undefined, world.scheduler.now() + 20_000);
    if (outcome?.kind === 'response' && outcome.response.status === 200) ok++;
    else {
      failed++;
      if (failed <= 3) console.error('failed:', outcome?.kind, outcome?.kind === 'response' ? `${outcome.response.status} ${outcome.response.body.slice(0, 120)}` : '');
    }
  };
  for (let i = 0; i < 50; i++) one(i); // warm-up
  ok = 0;
  failed = 0;
  const writes = new Map<string, number>();
  if (argv.includes('--count-writes'))
    for (const r of ['pods', 'services', 'endpoints', 'endpointslices', 'events', 'ingresses', 'nodes', 'deployments', 'replicasets', 'configmaps'] as const)
      world.store.watch(r, {}, (ev) => writes.set(`${r} ${ev.type}`, (writes.get(`${r} ${ev.type}`) ?? 0) + 1));
  const profiling = argv.includes('--profile-loop');
  const { Session } = await import('node:inspector');
  const session = new Session();
  const post = (m: string, params?: object) => new Promise<any>((res, rej) => session.post(m, params ?? {}, (e, r) => (e ? rej(e) : res(r))));
  if (profiling) {
    session.connect();
    await post('Profiler.enable');
    await post('Profiler.start');
  }
  const v0 = world.scheduler.now();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < requests; i++) one(i);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (profiling) {
    const { profile } = await post('Profiler.stop');
    const self = new Map<string, number>();
    const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
    for (const id of profile.samples) {
      const cf = byId.get(id).callFrame;
      const k = `${cf.functionName || '(anon)'} :${cf.lineNumber}`;
      self.set(k, (self.get(k) ?? 0) + 1);
    }
    console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `  ${v}\t${k}`).join('\n'));
  }
  const virtualMs = (world.scheduler.now() - v0) / requests;
  const heapMB = process.memoryUsage().heapUsed / 1048576;
  console.log(`ingress: ${RULES} Ingress rules, ${requests} requests (workstation → NodePort → ingress-nginx → pod, new upstream connection each)`);
  console.log(`  ${(requests / cpuSeconds).toFixed(0)} requests per CPU-second (${(requests / seconds).toFixed(0)}/s wall), ${((cpuSeconds / requests) * 1e6).toFixed(1)} µs CPU/request (${virtualMs.toFixed(2)} virtual ms each), ${ok} ok, ${failed} failed, heap ${heapMB.toFixed(1)} MB`);
  if (writes.size) console.log('  API writes during the run:', Object.fromEntries(writes));
  if (failed > 0) process.exitCode = 1;
}
