/**
 * Differential tests for the generators that need an API server even with `--dry-run=client` (`run` maps the
 * resource through discovery; `expose` reads the object it exposes). A tiny read-only HTTP facade serves discovery
 * and the emulator's store to the real kubectl; both kubectls must then print the same bytes.
 * Skipped, with the reason printed, where /usr/bin/kubectl is absent.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError } from '../../api/errors';
import { RESOURCE_LIST } from '../../api/resources';
import { TestShell } from '../../shell/testing/run-line';
import { createWorld } from '../../world';

const KUBECTL = '/usr/bin/kubectl';
const haveKubectl = existsSync(KUBECTL);
if (!haveKubectl) console.log(`dry-run-server.spec: skipping: ${KUBECTL} is not installed`);

let sh: TestShell;
let server: Server;
let url = '';

function discovery(path: string): unknown {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }] };
  if (path === '/apis') {
    const groups = [...new Set(RESOURCE_LIST.filter((r) => r.group).map((r) => r.group))];
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groups.map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } })),
    };
  }
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)$/.exec(path);
  if (m) {
    const group = m[1] ?? '';
    return {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: group ? `${group}/v1` : 'v1',
      resources: RESOURCE_LIST.filter((r) => r.group === group).map((r) => ({
        name: r.resource,
        singularName: r.singular,
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: r.verbs,
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      })),
    };
  }
  return undefined;
}

/** A dotted field path (`involvedObject.name`, `spec.nodeName`) of a JSON object, as a string. */
function field(o: unknown, path: string): string {
  let v: unknown = o;
  for (const part of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[part] : undefined;
  return v === undefined || v === null ? '' : String(v);
}

/** GET of one object or a list (with labelSelector / fieldSelector), answered from the emulator's store. */
function fromStore(path: string, query: URLSearchParams): { status: number; body: unknown } | undefined {
  // Kinds the emulator does not model are simply empty on a fresh cluster (describe ns lists them).
  const none = /\/namespaces\/[^/]+\/(resourcequotas|limitranges)$/.exec(path);
  if (none) return { status: 200, body: { kind: none[1] === 'limitranges' ? 'LimitRangeList' : 'ResourceQuotaList', apiVersion: 'v1', metadata: {}, items: [] } };
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const group = m[1] ?? '';
  const info = RESOURCE_LIST.find((r) => r.resource === m[3] && r.group === group);
  if (!info) return undefined;
  const ns = m[2];
  if (m[4]) {
    try {
      return { status: 200, body: sh.world.store.get(info.resource, ns, m[4]) };
    } catch (e) {
      const err = e as ApiError;
      return { status: err.status, body: err.toStatus() };
    }
  }
  let items = sh.world.store.list(info.resource, { namespace: ns, labelSelector: query.get('labelSelector') || undefined }).items;
  for (const req of (query.get('fieldSelector') ?? '').split(',').filter(Boolean)) {
    const [k, v] = req.split('=');
    items = items.filter((o) => field(o, k!) === v);
  }
  return { status: 200, body: { kind: `${info.kind}List`, apiVersion: info.apiVersion, metadata: { resourceVersion: sh.world.store.resourceVersion }, items } };
}

beforeAll(async () => {
  if (!haveKubectl) return;
  sh = new TestShell({ world: createWorld({ profile: 'local', seed: 1 }) });
  await sh.run('kubectl create deployment currency-exchange --image=in28min/currency-exchange:0.0.1-RELEASE --replicas=2 --port=8000');
  await sh.run('kubectl create deployment multi --image=nginx --port=80');
  await sh.run('kubectl patch deployment multi --type=json -p \'[{"op":"add","path":"/spec/template/spec/containers/0/ports/-","value":{"containerPort":443}}]\'');
  await sh.run('kubectl create deployment noport --image=nginx');
  await sh.run('kubectl create service clusterip web --tcp=80:8080');
  await sh.run('kubectl expose deployment currency-exchange --port=80 --target-port=8000');
  await sh.run('kubectl create configmap app-config --from-literal=URL=http://currency-exchange --from-literal=multi="a\nb"');
  await sh.run('kubectl create configmap one --from-literal=multi="a\nb"');
  await sh.run('kubectl create secret generic one --from-literal=password=s3cr3t-wörd');
  await sh.run('kubectl create serviceaccount robot');
  await sh.run('kubectl create ingress shop --class=nginx --rule=shop.example.com/=currency-exchange:80 --rule="/api*=web:80,tls=cert"');
  await sh.run('kubectl rollout status deployment/currency-exchange');
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const d = discovery(u.pathname);
    const r = d !== undefined ? { status: 200, body: d } : fromStore(u.pathname, u.searchParams);
    if (r === undefined) {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', code: 404 }));
      return;
    }
    res.writeHead(r.status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(r.body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server?.close();
});

function real(args: string[]): Promise<{ out: string; err: string; status: number }> {
  return new Promise((resolve) => {
    const p = spawn(KUBECTL, [`--server=${url}`, ...args], { env: { ...process.env, KUBECONFIG: '/dev/null', HOME: '/tmp' } });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ out, err, status: code ?? -1 }));
  });
}

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/** The real kubectl (against the facade) and ours print the same stdout and stderr and exit the same. */
async function expectSameAsReal(args: string[]): Promise<void> {
  const want = await real(args);
  const got = await sh.run(['kubectl', ...args].map(quote).join(' '));
  expect(got.out).toBe(want.out);
  expect(got.err).toBe(want.err);
  expect(got.status).toBe(want.status);
}

const CASES: string[][] = [
  ['run', 'web', '--image=nginx'],
  ['run', 'web', '--image=nginx', '--port=80', '--labels=app=web,tier=front', '--env=A=1', '--env=B=two'],
  ['run', 'tmp', '--image=busybox', '--restart=Never', '--', 'sh', '-c', 'echo hello; sleep 3600'],
  ['run', 'cmd', '--image=busybox', '--command', '--', 'sleep', '10'],
  ['run', 'pol', '--image=nginx', '--image-pull-policy=IfNotPresent', '--annotations=a=b', '-n', 'dev'],
  ['expose', 'deployment', 'currency-exchange'],
  ['expose', 'deployment', 'currency-exchange', '--type=LoadBalancer'],
  ['expose', 'deployment', 'currency-exchange', '--port=80', '--target-port=8000', '--name=ce', '--type=NodePort'],
  ['expose', 'deployment', 'multi'],
  ['expose', 'deployment', 'multi', '--protocol=UDP', '--port=53'],
  ['expose', 'service', 'web', '--name=web2', '--port=8080'],
  ['expose', 'deploy', 'currency-exchange', '--selector=app=other', '--labels=team=a', '--port=80'],
];

/**
 * The real kubectl measures ages against the wall clock, ours against virtual time: compare event tables with
 * the Age cell masked (keeping the column width, since the tabwriter pads to the widest cell).
 */
function maskAges(text: string): string {
  let inEvents = false;
  return text
    .split('\n')
    .map((line) => {
      if (line === 'Events:') {
        inEvents = true;
        return line;
      }
      if (!inEvents || !line.startsWith('  ')) {
        inEvents = false;
        return line;
      }
      const cells = line.trim().split(/\s{2,}/);
      if (cells.length >= 5 && cells[0] !== 'Type' && cells[0] !== '----') cells[2] = 'AGE';
      return cells.join(' | ');
    })
    .join('\n');
}

/** kubectl describe formats client-side: the real describers, fed from our store, must print what ours print. */
const DESCRIBE: string[][] = [
  ['describe', 'svc', 'currency-exchange'],
  ['describe', 'svc', 'web'],
  ['describe', 'svc', 'kubernetes'],
  ['describe', 'svc', '-n', 'kube-system', 'kube-dns'],
  ['describe', 'deployment', 'currency-exchange'],
  ['describe', 'deployment', '-n', 'kube-system', 'coredns'],
  ['describe', 'endpoints', 'currency-exchange'],
  ['describe', 'endpoints', '-n', 'kube-system', 'kube-dns'],
  ['describe', 'ns', 'default'],
  // kubectl walks ConfigMap data in Go map order (random), so only a one-key ConfigMap has one right answer.
  ['describe', 'cm', 'one'],
  ['describe', 'ingress', 'shop'],
  ['describe', 'secret', 'one'],
  ['describe', 'sa', 'default'],
  ['describe', 'sa', 'robot'],
];

describe.runIf(haveKubectl)('describe matches the real kubectl (served from our store)', () => {
  for (const args of DESCRIBE) {
    it(args.join(' '), async () => {
      const want = await real(args);
      const got = await sh.run(['kubectl', ...args].map(quote).join(' '));
      expect(maskAges(got.out)).toBe(maskAges(want.out));
      expect(got.status).toBe(want.status);
    });
  }
  it('describe pod and replicaset', async () => {
    const pod = sh.world.store.list('pods', { namespace: 'default', labelSelector: 'app=currency-exchange' }).items[0]!.metadata.name!;
    const rs = sh.world.store.list('replicasets', { namespace: 'default' }).items.find((r) => r.metadata.name!.startsWith('currency-exchange'))!.metadata.name!;
    for (const args of [['describe', 'pod', pod], ['describe', 'rs', rs]]) {
      const want = await real(args);
      const got = await sh.run(['kubectl', ...args].map(quote).join(' '));
      expect(maskAges(got.out)).toBe(maskAges(want.out));
    }
  });
});

/** kubectl's structured printers (-o yaml|json|name|jsonpath|custom-columns) run client-side on the JSON served. */
const GET: string[][] = [
  ['get', 'svc', 'kubernetes', '-o', 'yaml'],
  ['get', 'svc', '-o', 'yaml'],
  ['get', 'svc', '-A', '-o', 'json'],
  ['get', 'deploy', 'currency-exchange', '-o', 'json'],
  ['get', 'pods', '-n', 'kube-system', '-o', 'name'],
  ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}{"\\t"}{.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}'],
  ['get', 'pods', '-A', '-o', 'custom-columns=NS:.metadata.namespace,NAME:.metadata.name,IP:.status.podIP,NODE:.spec.nodeName'],
  ['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.ports[0]}'],
  ['get', 'cm', 'one', '-o', 'yaml'],
  ['get', 'ingress', 'shop', '-o', 'yaml'],
  ['get', 'endpointslices', '-o', 'yaml'],
  ['get', 'svc', 'currency-exchange', '-o', 'go-template={{(index .spec.ports 0).port}} {{(index .spec.ports 0).nodePort}}'],
  ['get', 'pods', '-A', '-o', 'go-template={{range .items}}{{.metadata.namespace}}/{{.metadata.name}} {{.status.podIP}}{{"\n"}}{{end}}'],
  ['get', 'svc', '-o', 'go-template={{range .items}}{{if eq .spec.type "ClusterIP"}}{{.metadata.name}}={{.spec.clusterIP}} {{end}}{{end}}'],
  ['get', 'secret', 'one', '-o', 'go-template={{.data.password | base64decode}}'],
  ['get', 'svc', 'kubernetes', '-o', 'go-template={{index .spec.ports 3}}'],
  // empty results: only the table printer says "No resources found"
  ['get', 'deploy', 'currency-exchange', '-o', 'jsonpath={.status.nothing}'],
  ['get', 'pods', '-n', 'nothing-here', '-o', 'jsonpath={.items[*].metadata.name}'],
  ['get', 'pods', '-n', 'nothing-here', '-o', 'name'],
  ['get', 'pods', '-n', 'nothing-here', '-o', 'custom-columns=N:.metadata.name'],
  ['get', 'pods', '-n', 'nothing-here'],
];

describe.runIf(haveKubectl)('get -o structured output matches the real kubectl (served from our store)', () => {
  for (const args of GET) it(args.join(' '), () => expectSameAsReal(args));
});

describe.runIf(haveKubectl)('run and expose --dry-run=client match the real kubectl (served from our store)', () => {
  for (const c of CASES) {
    for (const o of [['-o', 'yaml'], ['-o', 'json']]) {
      const dash = c.indexOf('--');
      const args = dash < 0 ? [...c, '--dry-run=client', ...o] : [...c.slice(0, dash), '--dry-run=client', ...o, ...c.slice(dash)];
      it(args.join(' '), async () => {
        const want = await real(args);
        const got = await sh.run(['kubectl', ...args].map(quote).join(' '));
        expect(got.out).toBe(want.out);
        expect(got.status).toBe(want.status);
      });
    }
  }

  for (const args of [
    ['expose', 'deployment', 'nope', '--port=80', '--dry-run=client', '-o', 'yaml'],
    ['describe', 'svc', 'nope'],
  ]) {
    it(`${args.join(' ')} fails the same way`, async () => {
      const want = await real(args);
      const got = await sh.run(['kubectl', ...args].map(quote).join(' '));
      expect(got.err).toBe(want.err);
      expect(got.status).toBe(want.status);
    });
  }

  it('expose without a port fails the same way', async () => {
    const args = ['expose', 'deployment', 'noport', '--type=LoadBalancer', '--dry-run=client', '-o', 'yaml'];
    const want = await real(args);
    const got = await sh.run(['kubectl', ...args].map(quote).join(' '));
    expect(got.err).toBe(want.err);
    expect(got.status).toBe(want.status);
  });
});

describe.runIf(haveKubectl)('set image --dry-run=client matches the real kubectl (served from our store)', () => {
  for (const args of [
    ['set', 'image', 'deployment/currency-exchange', 'currency-exchange=in28min/currency-exchange:0.0.2-RELEASE', '--dry-run=client', '-o', 'yaml'],
    ['set', 'image', 'deploy', 'multi', '*=nginx:1.27', '--dry-run=client', '-o', 'yaml'],
    // -o json prints the typed struct: Go's field order, not sorted keys
    ['set', 'image', 'deploy', 'multi', '*=nginx:1.27', '--dry-run=client', '-o', 'json'],
    ['set', 'image', 'rs', '-l', 'app=currency-exchange', 'currency-exchange=x:2', '--dry-run=client', '-o', 'json'],
    ['set', 'image', 'deploy', 'multi', 'nginx=nginx', '--dry-run=client'],
    ['set', 'image', 'deployment/currency-exchange', 'currency-exchange=x:1', '--dry-run=client'],
    ['set', 'image', 'deployment/currency-exchange', 'nope=x:1', '--dry-run=client'],
    ['set', 'image', 'deployment/currency-exchange', '--dry-run=client'],
    ['set', 'image', 'deployment/nope', 'a=b', '--dry-run=client'],
    ['set', 'image', 'a=b'],
    ['-n', 'kube-system', 'set', 'image', 'deployment/coredns', 'coredns=registry.k8s.io/coredns/coredns:v1.11.3', '--dry-run=client', '-o', 'name'],
  ]) {
    it(args.join(' '), () => expectSameAsReal(args));
  }
});

describe.runIf(haveKubectl)('expose -f FILE matches the real kubectl (the object as the file has it)', () => {
  const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: from-file\n  labels:\n    app: ff\nspec:\n  containers:\n  - name: c\n    image: nginx\n    ports:\n    - containerPort: 8080\n';
  it('expose -f pod.yaml --port=80 --dry-run=client -o yaml', async () => {
    const path = `/tmp/svclab-expose-${process.pid}.yaml`;
    writeFileSync(path, POD);
    await sh.run(`cat > ${path} <<'EOF'\n${POD}EOF`);
    try {
      for (const extra of [['--port=80'], []]) {
        const args = ['expose', '-f', path, ...extra, '--dry-run=client', '-o', 'yaml'];
        const want = await real(args);
        const got = await sh.run(['kubectl', ...args].map(quote).join(' '));
        expect(got.out).toBe(want.out);
        expect(got.status).toBe(want.status);
      }
    } finally {
      rmSync(path, { force: true });
    }
  });
});
