import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolvesAsNonString, sortedYamlKeys, toYaml } from './yaml';

const KUBECTL = '/usr/bin/kubectl';
const haveKubectl = existsSync(KUBECTL);
if (!haveKubectl) console.log(`yaml.spec: ${KUBECTL} is absent; the differential cases compare against fixed expectations only`);

/** The YAML the real kubectl prints for a ConfigMap with these literals (client-side, no server needed). */
function realConfigMap(data: Record<string, string>): string {
  const args = ['create', 'configmap', 'c', '--dry-run=client', '-o', 'yaml'];
  for (const [k, v] of Object.entries(data)) args.push(`--from-literal=${k}=${v}`);
  return execFileSync(KUBECTL, args, { encoding: 'utf8' });
}

function ourConfigMap(data: Record<string, string>): string {
  return toYaml({ apiVersion: 'v1', data, kind: 'ConfigMap', metadata: { creationTimestamp: null, name: 'c' } });
}

describe('go-yaml v2 emitter', () => {
  it('writes a Deployment as kubectl does', () => {
    const out = toYaml({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
    expect(out).toBe(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  creationTimestamp: null',
        '  labels:',
        '    app: web',
        '  name: web',
        'spec:',
        '  replicas: 2',
        '  selector:',
        '    matchLabels:',
        '      app: web',
        '  strategy: {}',
        '  template:',
        '    metadata:',
        '      creationTimestamp: null',
        '      labels:',
        '        app: web',
        '    spec:',
        '      containers:',
        '      - image: nginx',
        '        name: nginx',
        '        ports:',
        '        - containerPort: 80',
        '        resources: {}',
        'status: {}',
        '',
      ].join('\n'),
    );
  });

  it('quotes what would read back as another type, and only that', () => {
    for (const s of ['1', 'true', 'y', 'No', 'null', '', '0x1F', '1e3', '2024-01-01', '.5', '-1', '+2', '0755', '1_000']) {
      expect(resolvesAsNonString(s), s).toBe(true);
    }
    for (const s of ['web', 'nginx:1.25', '10.96.0.1', 'v1', 'yes-please', '1.2.3', 'Y2', '-x', '80/TCP']) {
      expect(resolvesAsNonString(s), s).toBe(false);
    }
    // A plain scalar starting with `.` goes to Go's strconv.ParseFloat, which takes underscores between digits
    // (kubectl 1.32 quotes exactly the first list: checked with `kubectl create configmap --from-literal`).
    for (const s of ['.0_0', '.1_2e1_0', '.0e5_0', '.0e5']) expect(resolvesAsNonString(s), s).toBe(true);
    for (const s of ['._0', '.0__0', '.0_', '.0_e5', '.0e_5', '.5.5', '.0e', '.']) expect(resolvesAsNonString(s), s).toBe(false);
    expect(toYaml({ a: '80', b: 'x: y', c: "it's", d: '- x', e: 'a\nb', f: '1:20', g: 'x\ty' })).toBe(
      `a: "80"\nb: 'x: y'\nc: it's\nd: '- x'\ne: |-\n  a\n  b\nf: "1:20"\ng: "x\\ty"\n`,
    );
  });

  it('orders keys as go-yaml does (digits by value, non-letters first)', () => {
    expect(sortedYamlKeys({ a10: 1, a2: 1, 'a.b': 1, A: 1, _x: 1, 'a-b': 1, b: 1 })).toEqual(['_x', 'A', 'a-b', 'a.b', 'a2', 'a10', 'b']);
  });

  it('folds long scalars at column 80 like the real kubectl', () => {
    const data = { long: 'word '.repeat(30) };
    expect(ourConfigMap(data)).toBe(
      haveKubectl
        ? realConfigMap(data)
        : `apiVersion: v1\ndata:\n  long: 'word word word word word word word word word word word word word word word\n    word word word word word word word word word word word word word word word '\nkind: ConfigMap\nmetadata:\n  creationTimestamp: null\n  name: c\n`,
    );
  });

  it.runIf(haveKubectl)('matches the real kubectl for random ConfigMap literals (differential)', () => {
    const keyArb = fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/);
    const charArb = fc.constantFrom(...'ab z09:#-\'"!&*{}[],?|>%@`.\t\\é'.split(''), 'word ', 'true', '\n');
    const valueArb = fc.array(charArb, { maxLength: 40 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(fc.dictionary(keyArb, valueArb, { minKeys: 1, maxKeys: 4 }), (data) => {
        // kubectl rejects keys `.` and `..*`; skip those.
        fc.pre(Object.keys(data).every((k) => k !== '.' && !k.startsWith('..')));
        expect(ourConfigMap(data)).toBe(realConfigMap(data));
      }),
      { numRuns: 40 },
    );
  });
});
