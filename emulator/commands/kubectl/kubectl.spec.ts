/**
 * Behaviour of the kubectl command that does not depend on controllers: flag parsing, errors leaving the store
 * untouched, watch streaming in the app's terminal, edit through the app's editor, tab completion.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandContext, EditorRequest, SessionControl } from '../../shell/types';
import { createWorld, type World } from '../../world';
import { complete } from './complete';
import { KubectlError, parseFlags } from './flags';
import { kubectlCommand } from './index';

interface Run {
  out: string;
  err: string;
  done: Promise<number>;
  abort(): void;
}

function start(world: World, line: string[], opts: { interactive?: boolean; session?: Partial<SessionControl>; stdin?: string } = {}): Run {
  const ac = new AbortController();
  const r: Run = { out: '', err: '', done: Promise.resolve(0), abort: () => ac.abort() };
  const ctx: CommandContext = {
    argv: ['kubectl', ...line],
    stdin: opts.stdin ?? '',
    stdout: { write: (t) => (r.out += t) },
    stderr: { write: (t) => (r.err += t) },
    env: new Map(),
    cwd: '/home/student',
    host: world.loginHost,
    world,
    session: { enterHost: () => {}, clearScreen: () => {}, ...opts.session },
    signal: ac.signal,
    interactive: opts.interactive ?? false,
    resolvePath: (p) => (p.startsWith('/') ? p : `/home/student/${p}`),
  };
  r.done = Promise.resolve(kubectlCommand.run(ctx));
  return r;
}

async function kubectl(world: World, ...args: string[]) {
  const r = start(world, args);
  const status = await r.done;
  return { out: r.out, err: r.err, status };
}

function worldWithDefaultNs(): World {
  const w = createWorld({ profile: 'local', seed: 1 });
  if (!w.store.tryGet('namespaces', undefined, 'default')) w.store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return w;
}

describe('flags (pflag semantics)', () => {
  const defs = [
    { name: 'output', short: 'o', type: 'string' as const, default: '' },
    { name: 'stdin', short: 'i', type: 'bool' as const, default: false },
    { name: 'tty', short: 't', type: 'bool' as const, default: false },
    { name: 'replicas', short: 'r', type: 'int' as const, default: 1 },
  ];
  it('accepts every spelling of a value and bundles bool shorthands', () => {
    for (const argv of [['-o', 'yaml'], ['-oyaml'], ['-o=yaml'], ['--output', 'yaml'], ['--output=yaml']]) {
      expect(parseFlags(argv, defs, 'kubectl get').values.get('output')).toBe('yaml');
    }
    const p = parseFlags(['x', '-it', '--', 'sh', '-c', 'echo'], defs, 'kubectl exec');
    expect(p.values.get('stdin')).toBe(true);
    expect(p.values.get('tty')).toBe(true);
    expect(p.args).toEqual(['x', 'sh', '-c', 'echo']);
    expect(p.argsLenAtDash).toBe(1);
  });
  it('reports errors in pflag words', () => {
    const msg = (argv: string[]) => {
      try {
        parseFlags(argv, defs, 'kubectl get');
        return '';
      } catch (e) {
        return (e as KubectlError).message;
      }
    };
    expect(msg(['--nope'])).toBe("error: unknown flag: --nope\nSee 'kubectl get --help' for usage.");
    expect(msg(['-z'])).toBe("error: unknown shorthand flag: 'z' in -z\nSee 'kubectl get --help' for usage.");
    expect(msg(['-o'])).toBe("error: flag needs an argument: 'o' in -o\nSee 'kubectl get --help' for usage.");
    expect(msg(['--output'])).toBe("error: flag needs an argument: --output\nSee 'kubectl get --help' for usage.");
    expect(msg(['--replicas=x'])).toBe(
      `error: invalid argument "x" for "-r, --replicas" flag: strconv.ParseInt: parsing "x": invalid syntax\nSee 'kubectl get --help' for usage.`,
    );
  });
  it('keeps positional arguments in order around flags (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[a-z][a-z0-9-]{0,8}$/), { maxLength: 5 }), fc.boolean(), (words, flagFirst) => {
        const argv = flagFirst ? ['-o', 'wide', ...words] : [...words, '-o', 'wide'];
        const p = parseFlags(argv, defs, 'kubectl get');
        expect(p.args).toEqual(words);
        expect(p.values.get('output')).toBe('wide');
      }),
    );
  });
});

describe('bad input changes nothing', () => {
  const bad = [
    ['get', 'foo'],
    ['get', '--nope'],
    ['create', 'deployment', 'web'],
    ['create', 'deployment', '--image=nginx'],
    ['create', 'service', 'nodeport', 'web', '--tcp=99999'],
    ['create', 'service', 'clusterip', 'web'],
    ['create', 'ingress', 'x', '--rule=nope'],
    ['expose', 'deployment', 'nope', '--port=80'],
    ['scale', 'deployment', 'nope', '--replicas=2'],
    ['scale', 'deployment', 'nope', '--replicas=-1'],
    ['delete', 'pod', 'nope'],
    ['label', 'pod', 'nope', 'a=b'],
    ['patch', 'deployment', 'nope', '-p', '{}'],
    ['apply', '-f', 'missing.yaml'],
    ['run', 'x'],
    ['exec', 'nope', '--', 'ls'],
    ['logs', 'nope'],
    ['rollout', 'status', 'deployment/nope'],
  ];
  it('fails with status 1 and an error message, and the store keeps its resourceVersion', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...bad), async (args) => {
        const w = worldWithDefaultNs();
        const rv = w.store.resourceVersion;
        const r = await kubectl(w, ...args);
        expect(r.status, args.join(' ')).toBe(1);
        expect(r.err, args.join(' ')).toMatch(/^(error: |Error from server \(|The )/);
        expect(r.out).toBe('');
        expect(w.store.resourceVersion).toBe(rv);
      }),
      { numRuns: bad.length },
    );
  });
});

describe('get -w in the app terminal', () => {
  it('prints the table, then one row per change, until Ctrl-C', async () => {
    const w = worldWithDefaultNs();
    const labels = { test: 'watch' };
    w.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first', namespace: 'default', labels }, data: { a: '1' } });
    const r = start(w, ['get', 'configmaps', '-l', 'test=watch', '-w'], { interactive: true });
    await Promise.resolve();
    w.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second-with-a-long-name', namespace: 'default', labels } });
    w.scheduler.advance(5000);
    w.store.delete('configmaps', 'default', 'first');
    w.scheduler.runDue();
    r.abort();
    expect(await r.done).toBe(0);
    expect(r.out).toBe(
      [
        'NAME    DATA   AGE',
        'first   1      0s',
        'second-with-a-long-name   0      0s',
        'first                     1      5s',
        '',
      ].join('\n'),
    );
  });

  it('without a terminal prints the list and returns', async () => {
    const w = worldWithDefaultNs();
    w.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'only', namespace: 'default', labels: { test: 'w' } } });
    const r = await kubectl(w, 'get', 'cm', '-l', 'test=w', '-w');
    expect(r.out).toBe('NAME   DATA   AGE\nonly   0      0s\n');
    expect(r.status).toBe(0);
  });
});

describe('edit', () => {
  it('opens the YAML with kubectl header in the editor and applies a save', async () => {
    const w = worldWithDefaultNs();
    w.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } });
    let req: EditorRequest | undefined;
    const r = start(w, ['edit', 'cm', 'cfg'], { interactive: true, session: { openEditor: (x) => ((req = x), true) } });
    await Promise.resolve();
    expect(req!.content.startsWith("# Please edit the object below. Lines beginning with a '#' will be ignored,\n")).toBe(true);
    expect(req!.content).toContain('\ndata:\n  a: "1"\n');
    const res = req!.onSave(req!.content.replace('a: "1"', 'a: "2"'));
    expect(res).toEqual({ ok: true, message: 'configmap/cfg edited' });
    expect(await r.done).toBe(0);
    expect(r.out).toBe('configmap/cfg edited\n');
    expect(w.store.get('configmaps', 'default', 'cfg').data).toEqual({ a: '2' });
  });

  it('fails as kubectl does without an editor', async () => {
    const w = worldWithDefaultNs();
    w.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' } });
    const r = await kubectl(w, 'edit', 'cm', 'cfg');
    expect(r.err).toBe('error: unable to launch the editor "vi"\n');
    expect(r.status).toBe(1);
  });
});

describe('tab completion', () => {
  it('completes verbs, resource types, names from the store and flags', () => {
    const w = worldWithDefaultNs();
    w.store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app-config', namespace: 'default' } });
    const ctx = { world: w, host: w.loginHost };
    expect(complete(['ge'], ctx)).toEqual(['get']);
    expect(complete(['get', 'deploy'], ctx)).toEqual(['deploy', 'deployment', 'deployments']);
    expect(complete(['get', 'cm', 'app'], ctx)).toEqual(['app-config']);
    expect(complete(['describe', 'cm/a'], ctx)).toEqual(['cm/app-config']);
    expect(complete(['get', 'pods', '--show-l'], ctx)).toEqual(['--show-labels']);
    expect(complete(['get', 'pods', '-o', ''], ctx)).toContain('yaml');
    expect(complete(['create', 'service', ''], ctx)).toEqual(['clusterip', 'externalname', 'loadbalancer', 'nodeport']);
    expect(complete(['-n', ''], ctx)).toContain('default');
    expect(complete(['se'], ctx)).toEqual(['set']);
    expect(complete(['set', ''], ctx)).toEqual(['image']);
    expect(complete(['set', 'image', 'dep'], ctx)).toEqual(['deployment', 'deployments', 'deploy']);
  });
});

describe('flags before a subcommand (cobra finds it past the values of -n, --timeout, …)', () => {
  it('rollout, create and config take `-n NS` before their subcommand; the subcommand acts in NS', async () => {
    const world = createWorld({ seed: 3 });
    const run = async (...line: string[]) => {
      const r = start(world, line);
      const code = await r.done;
      return { code, out: r.out, err: r.err };
    };
    expect(await run('-n', 'kube-system', 'rollout', 'status', 'deploy/coredns')).toEqual({ code: 0, out: 'deployment "coredns" successfully rolled out\n', err: '' });
    expect(await run('rollout', '-n', 'kube-system', '--timeout', '5s', 'status', 'deploy/coredns')).toMatchObject({ code: 0, err: '' });
    expect(await run('-n', 'kube-system', 'create', 'configmap', 'x', '--from-literal=a=b')).toEqual({ code: 0, out: 'configmap/x created\n', err: '' });
    expect(world.store.get('configmaps', 'kube-system', 'x').data).toEqual({ a: 'b' });
    expect(await run('create', '-n', 'kube-system', 'service', 'clusterip', 'svc-x', '--tcp=80')).toEqual({ code: 0, out: 'service/svc-x created\n', err: '' });
    expect(world.store.get('services', 'kube-system', 'svc-x').spec.ports[0].port).toBe(80);
    expect(await run('--namespace', 'kube-system', 'config', 'current-context')).toMatchObject({ code: 0, err: '' });
    // a value-taking flag without its value still reports what kubectl reports
    expect(await run('-n')).toEqual({ code: 1, out: '', err: "Error: flag needs an argument: 'n' in -n\nSee 'kubectl --help' for usage.\n" });
    expect(await run('--bogus')).toEqual({ code: 1, out: '', err: "Error: unknown flag: --bogus\nSee 'kubectl --help' for usage.\n" });
    expect((await run('-n', 'kube-system')).out).toMatch(/^kubectl controls the Kubernetes cluster manager/);
    // an empty resource type, however it is spelled, is kubectl's "no such type" (checked against kubectl 1.32)
    for (const args of [['get', ''], ['get', 'pods,'], ['expose', '', 'all', 'cm'], ['describe', ''], ['delete', ',']]) {
      expect(await run(...args), args.join(' ')).toEqual({ code: 1, out: '', err: 'error: the server doesn\'t have a resource type ""\n' });
    }
  });
});

describe('kubectl on random arguments (property)', () => {
  const VERBS = ['get', 'describe', 'create', 'delete', 'expose', 'scale', 'label', 'annotate', 'patch', 'apply', 'run', 'logs', 'rollout', 'set', 'edit', 'wait', 'top', 'cordon', 'events', 'config', 'api-resources', 'replace', 'version', 'cluster-info'];
  const WORDS = ['pods', 'svc', 'deploy', 'deployment', 'rs', 'ep', 'endpointslices', 'ing', 'ns', 'nodes', 'cm', 'secret', 'all', 'web', 'kube-dns', 'deployment/web', 'svc/web', 'pod/x', 'status', 'restart', 'undo', 'history', 'image', 'web=nginx:2', 'clusterip', 'nodeport', 'externalname', 'app=web', 'a=b', 'a-', '--', '{}', '{"spec":{"replicas":2}}', '', ',', 'x/y/z', '/', '-', 'a'.repeat(70), 'UPPER', '--image=nginx', '--port=80', '--port=abc', '--replicas=3', '--replicas=-5', '--type=NodePort', '--type=Bad', '-o', 'yaml', 'json', 'wide', 'name', 'jsonpath={.items[*].metadata.name}', 'jsonpath={.bad', 'custom-columns=', 'go-template={{.metadata.name}}', 'go-template={{.x', 'go-template={{index .items 9}}', '-n', 'kube-system', 'nope', '-A', '-l', 'app in (web)', '!app', '--all', '--now', '--grace-period=0', '--dry-run=client', '--dry-run=bogus', '--tcp=80:8080', '--tcp=x', '--overwrite', '--type=json', '-p', '-f', '/etc/hosts', '--timeout=1s', '--for=condition=Ready', '--show-labels', '--sort-by=bad', '--field-selector=bad', '--to-revision=9'];

  it('never fails with an internal error: every outcome is a kubectl message and an exit status', async () => {
    const world = createWorld({ seed: 2 });
    const { TestShell } = await import('../../shell/testing/run-line');
    const sh = new TestShell({ world });
    await sh.run('kubectl create deployment web --image=nginx --replicas=2');
    await sh.run('kubectl expose deployment web --port=80');
    const quote = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...VERBS), fc.array(fc.constantFrom(...WORDS), { maxLength: 6 }), async (verb, words) => {
        const line = ['kubectl', verb, ...words].map(quote).join(' ');
        const r = await sh.run(`${line} </dev/null`);
        expect(r.out + r.err, line).not.toMatch(/TypeError|ReferenceError|RangeError|undefined|NaN|\[object Object\]|is not a function|Cannot read prop/);
        expect([0, 1], line).toContain(r.status);
      }),
      { numRuns: 800, seed: 42 },
    );
  }, 120_000);
});
