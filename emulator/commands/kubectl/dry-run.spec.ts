/**
 * Differential tests: `kubectl … --dry-run=client -o yaml|json|name` must print byte for byte what the real
 * kubectl v1.32 prints for the same arguments (it needs no server for these). Error cases compare stderr and the
 * exit status too. Skipped, with the reason printed, where /usr/bin/kubectl is absent.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TestShell } from '../../shell/testing/run-line';
import { createWorld } from '../../world';

const KUBECTL = '/usr/bin/kubectl';
const haveKubectl = existsSync(KUBECTL);
if (!haveKubectl) console.log(`dry-run.spec: skipping the differential cases: ${KUBECTL} is not installed`);

function real(args: string[]): { out: string; err: string; status: number } {
  const r = spawnSync(KUBECTL, args, { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } });
  return { out: r.stdout, err: r.stderr, status: r.status ?? -1 };
}

const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

// One booted world serves every case: --dry-run=client and client-side errors leave it untouched.
let shared: TestShell | undefined;
async function ours(args: string[]) {
  const sh = (shared ??= new TestShell({ world: createWorld({ profile: 'local', seed: 1 }) }));
  const r = await sh.run(['kubectl', ...args].map(quote).join(' '));
  return { out: r.out, err: r.err, status: r.status };
}

const OUTPUTS = [
  ['-o', 'yaml'],
  ['-o', 'json'],
  ['-o', 'name'],
  [],
];

const GENERATORS: string[][] = [
  ['create', 'deployment', 'currency-exchange', '--image=in28min/currency-exchange:0.0.1-RELEASE', '--replicas=2'],
  ['create', 'deployment', 'web', '--image=nginx', '--port=80', '--replicas=3'],
  ['create', 'deployment', 'web', '--image=nginx:1.25', '-n', 'dev'],
  ['create', 'deploy', 'multi', '--image=nginx', '--image=busybox:1.36', '--image=registry.k8s.io/e2e-test-images/agnhost:2.39'],
  ['create', 'deployment', 'sleeper', '--image=busybox', '--', 'sleep', '3600'],
  ['create', 'deployment', 'under_score', '--image=my_repo/my_image@sha256:abc'],
  ['create', 'service', 'clusterip', 'currency-exchange', '--tcp=80:8000'],
  ['create', 'service', 'clusterip', 'web', '--tcp=80', '--tcp=443:8443'],
  ['create', 'service', 'clusterip', 'named', '--tcp=80:http'],
  ['create', 'service', 'clusterip', 'headless', '--clusterip=None', '--tcp=5432'],
  ['create', 'svc', 'nodeport', 'web', '--tcp=80:8080', '--node-port=30080'],
  ['create', 'service', 'nodeport', 'web', '--tcp=80:8080'],
  ['create', 'service', 'loadbalancer', 'shop-lb', '--tcp=80:8000'],
  ['create', 'service', 'externalname', 'legacy-db', '--external-name=db.example.com'],
  ['create', 'service', 'externalname', 'api', '--external-name=api.external.com', '--tcp=443'],
  ['create', 'namespace', 'dev'],
  ['create', 'ns', 'team-a'],
  ['create', 'configmap', 'app-config', '--from-literal=URL=http://currency-exchange', '--from-literal=RETRIES=3', '--from-literal=DEBUG=true'],
  ['create', 'cm', 'empty'],
  ['create', 'secret', 'generic', 'db', '--from-literal=user=admin', '--from-literal=password=p@ss wörd'],
  ['create', 'secret', 'generic', 'typed', '--from-literal=a=b', '--type=kubernetes.io/basic-auth'],
  ['create', 'serviceaccount', 'robot'],
  ['create', 'sa', 'robot', '-n', 'dev'],
  ['create', 'ingress', 'shop', '--rule=shop.example.com/=web:80'],
  ['create', 'ingress', 'api', '--class=nginx', '--rule=/currency-exchange*=currency-exchange:80', '--rule=/currency-conversion*=currency-conversion:80'],
  ['create', 'ingress', 'tls', '--rule=secure.example.com/*=web:443,tls=web-cert', '--rule=other.example.com/app=app:http,tls'],
  ['create', 'ingress', 'dflt', '--default-backend=fallback:8080', '--annotation=nginx.ingress.kubernetes.io/rewrite-target=/'],
  ['create', 'ingress', 'samehost', '--rule=a.example.com/x=x:80', '--rule=a.example.com/y*=y:80', '--rule=b.example.com/=z:80'],
];

const ERRORS: string[][] = [
  ['create', 'deployment', '--image=nginx'],
  ['create', 'deployment', 'a', 'b', '--image=nginx'],
  ['create', 'service', 'clusterip', 'x'],
  ['create', 'service', 'clusterip'],
  ['create', 'service', 'nodeport', 'x', '--tcp=abc'],
  ['create', 'service', 'clusterip', 'x', '--tcp=80:abc_d'],
  ['create', 'namespace'],
  ['create', 'secret', 'generic'],
  ['create', 'configmap', 'x', '--from-literal=abc'],
  ['create', 'ingress', 'x'],
  ['create', 'ingress', 'x', '--rule=foo'],
  ['create', 'deployment', 'x', '--image=nginx', '--replicas=two'],
];

/** Cases whose arguments must stay exactly as written (a trailing flag that lacks its value). */
const RAW_ERRORS: string[][] = [['create', 'deployment', 'x', '--image'], ['get', '--foo'], ['get', 'pods', '-z']];

describe.runIf(haveKubectl)('--dry-run=client output matches the real kubectl', () => {
  for (const gen of GENERATORS) {
    for (const o of OUTPUTS) {
      // Flags go before `--`: what follows it is the container's command.
      const dash = gen.indexOf('--');
      const args = dash < 0 ? [...gen, '--dry-run=client', ...o] : [...gen.slice(0, dash), '--dry-run=client', ...o, ...gen.slice(dash)];
      it(args.join(' '), async () => {
        const want = real(args);
        const got = await ours(args);
        // kubectl turns `_` and `.` in a container name into `-` plus 5 random characters: compare the shape.
        const mask = (s: string) => s.replace(/(my-image)-[bcdfghjklmnpqrstvwxz2456789]{5}/g, '$1-RANDOM');
        expect(mask(got.out)).toBe(mask(want.out));
        expect(got.status).toBe(want.status);
      });
    }
  }
});

describe.runIf(haveKubectl)('client-side errors match the real kubectl', () => {
  for (const args0 of ERRORS) {
    const args = [...args0, '--dry-run=client', '-o', 'yaml'];
    it(args.join(' '), async () => {
      const want = real(args);
      const got = await ours(args);
      // gcloud's kubectl build prints cobra's "Error:" prefix for flag errors; upstream kubectl prints "error:".
      expect(got.err).toBe(want.err.replace(/^Error: /, 'error: '));
      expect(got.out).toBe('');
      expect(got.status).toBe(want.status);
    });
  }
});

describe.runIf(haveKubectl)('flag errors match the real kubectl', () => {
  for (const args of RAW_ERRORS) {
    it(args.join(' '), async () => {
      const want = real(args);
      const got = await ours(args);
      expect(got.err).toBe(want.err.replace(/^Error: /, 'error: '));
      expect(got.status).toBe(want.status);
    });
  }
});

describe('dry run changes nothing', () => {
  it('leaves the store untouched', async () => {
    const sh = new TestShell({ world: createWorld({ profile: 'local', seed: 1 }) });
    const before = sh.world.store.resourceVersion;
    const r = await sh.run('kubectl create deployment web --image=nginx --dry-run=client -o yaml');
    expect(r.status).toBe(0);
    expect(r.out).toContain('kind: Deployment');
    expect(sh.world.store.resourceVersion).toBe(before);
    expect(sh.world.store.tryGet('deployments', 'default', 'web')).toBeUndefined();
  });
});

describe.runIf(haveKubectl)('random generator arguments print what the real kubectl prints (property)', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/);
  const image = fc.constantFrom('nginx', 'nginx:1.25', 'busybox:1.36', 'in28min/currency-exchange:0.0.1-RELEASE', 'registry.k8s.io/pause:3.10', 'curlimages/curl:8.8.0');
  const port = fc.integer({ min: 1, max: 65535 });

  it('create deployment', async () => {
    await fc.assert(
      fc.asyncProperty(name, fc.array(image, { minLength: 1, maxLength: 3 }), fc.integer({ min: 0, max: 12 }), fc.option(port, { nil: undefined }), async (n, imgs, replicas, p) => {
        const args = ['create', 'deployment', n, ...imgs.map((i) => `--image=${i}`), `--replicas=${replicas}`, ...(p ? [`--port=${p}`] : []), '--dry-run=client', '-o', 'yaml'];
        expect((await ours(args)).out).toBe(real(args).out);
      }),
      { numRuns: 12 },
    );
  });

  it('create service', async () => {
    const tcp = fc.tuple(port, fc.option(fc.oneof(port, fc.constantFrom('http', 'web', 'metrics')), { nil: undefined })).map(([a, b]) => (b === undefined ? `${a}` : `${a}:${b}`));
    await fc.assert(
      fc.asyncProperty(name, fc.constantFrom('clusterip', 'nodeport', 'loadbalancer'), fc.uniqueArray(tcp, { minLength: 1, maxLength: 3 }), async (n, type, ports) => {
        const args = ['create', 'service', type, n, ...ports.map((t) => `--tcp=${t}`), '--dry-run=client', '-o', 'yaml'];
        const want = real(args);
        const got = await ours(args);
        expect(got.out).toBe(want.out);
        expect(got.status).toBe(want.status);
      }),
      { numRuns: 12 },
    );
  });
});

/** `-o go-template`: Go's text/template over the object; output, partial output and error reports as kubectl's. */
const TEMPLATES = [
  '{{.metadata.name}} {{.spec.replicas}} {{.metadata.labels}} {{.spec.template.spec.containers}}',
  '{{.nope}}|{{.metadata.nope.x}}',
  '{{range .spec.template.spec.containers}}{{.name}}={{.image}}{{"\\n"}}{{end}}',
  '{{index .metadata.labels "app"}} {{len .spec.template.spec.containers}} {{printf "%05d|%-6s|%q|%v" .spec.replicas "ab" "q" .spec.replicas}}',
  '{{if eq .spec.replicas 2}}two{{else if eq .spec.replicas 3}}three{{else}}other{{end}}',
  '{{with .spec}}{{.replicas}}{{end}}{{$x := .metadata.name}}{{$x}}',
  '{{print 1 2 "a" "b" 3}} {{println "x"}}',
  '{{range $i, $c := .spec.template.spec.containers}}{{$i}}:{{$c.name}}{{end}}',
  '{{- "  a  " -}}  {{- "b"}}',
  '{{.spec.strategy}}{{/* a comment */}}',
  '{{.metadata.labels.app | len}}',
  '{{ (index .spec.template.spec.containers 0).image }}',
  '{{not .x}} {{and 1 0}} {{or 0 "" "z"}} {{lt 1 2}} {{ne "a" "b"}}',
  '{{range .metadata.labels}}[{{.}}]{{end}}{{range .nothing}}x{{else}}empty{{end}}',
  '{{"aGVsbG8=" | base64decode}}',
  // errors: parse (nothing printed), execution (partial output and kubectl's report on stdout)
  '{{.x',
  '{{bogus}}',
  'A{{index .spec.template.spec.containers 5}}',
  '{{if eq .spec.replicas 2.0}}two{{end}}',
  '{{"a" | base64decode}}',
  'x\n{{ len 3 }}',
  '{{.metadata.name.x}}',
  '{{if .x}}',
  '<&>{{index .x 1}}',
];

describe.runIf(haveKubectl)('-o go-template matches the real kubectl', () => {
  for (const t of TEMPLATES) {
    for (const replicas of ['2', '3']) {
      const args = ['create', 'deployment', 'web', '--image=nginx', `--replicas=${replicas}`, '--dry-run=client', '-o', `go-template=${t}`];
      it(`${t} (replicas ${replicas})`, async () => {
        const want = real(args);
        const got = await ours(args);
        expect(got.out).toBe(want.out);
        expect(got.err).toBe(want.err);
        expect(got.status).toBe(want.status);
      });
    }
  }
});
