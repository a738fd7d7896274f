import { describe, expect, it } from 'vitest';
import { hostMatches, IngressRoutingTable, pathMatches, type IngressLike, type PathType } from './routing';

function ingress(paths: Array<[PathType, string, string]>, host?: string, name = 'ing', defaultSvc?: string): IngressLike {
  return {
    metadata: { name, namespace: 'default' },
    spec: {
      ...(defaultSvc ? { defaultBackend: { service: { name: defaultSvc, port: { number: 80 } } } } : {}),
      rules: [
        {
          ...(host !== undefined ? { host } : {}),
          http: { paths: paths.map(([pathType, path, svc]) => ({ path, pathType, backend: { service: { name: svc, port: { number: 80 } } } })) },
        },
      ],
    },
  };
}

// The table in the Kubernetes docs (Ingress › Examples), row by row.
const docsTable: Array<[string, Array<[PathType, string]>, string, string | null]> = [
  ['Prefix /', [['Prefix', '/']], '/anything/at/all', '/'],
  ['Exact /foo', [['Exact', '/foo']], '/foo', '/foo'],
  ['Exact /foo vs /bar', [['Exact', '/foo']], '/bar', null],
  ['Exact /foo vs /foo/', [['Exact', '/foo']], '/foo/', null],
  ['Exact /foo/ vs /foo', [['Exact', '/foo/']], '/foo', null],
  ['Prefix /foo vs /foo', [['Prefix', '/foo']], '/foo', '/foo'],
  ['Prefix /foo vs /foo/', [['Prefix', '/foo']], '/foo/', '/foo'],
  ['Prefix /foo/ vs /foo', [['Prefix', '/foo/']], '/foo', '/foo/'],
  ['Prefix /foo/ vs /foo/', [['Prefix', '/foo/']], '/foo/', '/foo/'],
  ['Prefix /aaa/bb vs /aaa/bbb', [['Prefix', '/aaa/bb']], '/aaa/bbb', null],
  ['Prefix /aaa/bbb vs /aaa/bbb', [['Prefix', '/aaa/bbb']], '/aaa/bbb', '/aaa/bbb'],
  ['Prefix /aaa/bbb/ vs /aaa/bbb', [['Prefix', '/aaa/bbb/']], '/aaa/bbb', '/aaa/bbb/'],
  ['Prefix /aaa/bbb vs /aaa/bbb/', [['Prefix', '/aaa/bbb']], '/aaa/bbb/', '/aaa/bbb'],
  ['Prefix /aaa/bbb vs /aaa/bbb/ccc', [['Prefix', '/aaa/bbb']], '/aaa/bbb/ccc', '/aaa/bbb'],
  ['Prefix /aaa/bbb vs /aaa/bbbxyz', [['Prefix', '/aaa/bbb']], '/aaa/bbbxyz', null],
  ['Prefix /, /aaa vs /aaa/ccc', [['Prefix', '/'], ['Prefix', '/aaa']], '/aaa/ccc', '/aaa'],
  ['Prefix /, /aaa, /aaa/bbb vs /aaa/bbb', [['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], '/aaa/bbb', '/aaa/bbb'],
  ['Prefix /, /aaa, /aaa/bbb vs /ccc', [['Prefix', '/'], ['Prefix', '/aaa'], ['Prefix', '/aaa/bbb']], '/ccc', '/'],
  ['Prefix /aaa vs /ccc', [['Prefix', '/aaa']], '/ccc', null],
];

describe('Ingress path matching (Kubernetes docs table)', () => {
  for (const [name, rules, request, expected] of docsTable) {
    it(name, () => {
      const table = new IngressRoutingTable([ingress(rules.map(([t, p]) => [t, p, `svc${p}`]))]);
      const m = table.match('example.com', request);
      if (expected === null) {
        expect(m.kind).toBe('none');
      } else {
        expect(m.kind).toBe('rule');
        expect(m.route!.path).toBe(expected);
      }
    });
  }

  it('Exact beats Prefix on the same path', () => {
    const table = new IngressRoutingTable([ingress([['Prefix', '/foo', 'prefix-svc'], ['Exact', '/foo', 'exact-svc']])]);
    expect(table.match('x', '/foo').route!.backend.service).toBe('exact-svc');
    expect(table.match('x', '/foo/bar').route!.backend.service).toBe('prefix-svc');
  });

  it('YAML order does not matter: the longest path wins', () => {
    const a = new IngressRoutingTable([ingress([['Prefix', '/', 'root'], ['Prefix', '/api', 'api']])]);
    const b = new IngressRoutingTable([ingress([['Prefix', '/api', 'api'], ['Prefix', '/', 'root']])]);
    expect(a.match('h', '/api/v1').route!.backend.service).toBe('api');
    expect(b.match('h', '/api/v1').route!.backend.service).toBe('api');
  });

  it('query strings are not part of the path', () => {
    expect(pathMatches('Exact', '/foo', '/foo')).toBe(true);
    const t = new IngressRoutingTable([ingress([['Exact', '/foo', 's']])]);
    expect(t.match('h', '/foo?x=1').kind).toBe('rule');
  });

  it("the seed's two-path manifest routes each prefix to its own Service and /other nowhere", () => {
    const t = new IngressRoutingTable([
      ingress([
        ['Prefix', '/currency-exchange', 'currency-exchange'],
        ['Prefix', '/currency-conversion', 'currency-conversion'],
      ]),
    ]);
    expect(t.match('203.0.113.50', '/currency-exchange/from/USD/to/INR').route!.backend.service).toBe('currency-exchange');
    expect(t.match('203.0.113.50', '/currency-conversion/from/USD/to/INR/quantity/10').route!.backend.service).toBe('currency-conversion');
    expect(t.match('203.0.113.50', '/other').kind).toBe('none');
    expect(t.match('203.0.113.50', '/currency-exchangeX').kind).toBe('none');
  });
});

describe('Ingress host matching', () => {
  it.each([
    ['*.foo.com', 'bar.foo.com', true],
    ['*.foo.com', 'baz.bar.foo.com', false],
    ['*.foo.com', 'foo.com', false],
    ['foo.bar.com', 'foo.bar.com', true],
    ['foo.bar.com', 'FOO.bar.com', true],
    ['foo.bar.com', 'foo.bar.com:8080', true],
    ['foo.bar.com', 'bar.foo.com', false],
    ['', 'anything.example', true],
  ])('rule host %s vs Host %s → %s', (rule, host, expected) => {
    expect(hostMatches(rule, host)).toBe(expected);
  });

  it('exact host beats wildcard beats host-less rules', () => {
    const t = new IngressRoutingTable([
      ingress([['Prefix', '/', 'any']], undefined, 'a'),
      ingress([['Prefix', '/', 'wild']], '*.example.com', 'b'),
      ingress([['Prefix', '/', 'exact']], 'api.example.com', 'c'),
    ]);
    expect(t.match('api.example.com', '/').route!.backend.service).toBe('exact');
    expect(t.match('web.example.com', '/').route!.backend.service).toBe('wild');
    expect(t.match('example.com', '/').route!.backend.service).toBe('any');
    expect(t.match('a.b.example.com', '/').route!.backend.service).toBe('any');
  });

  it('a host that has rules but no matching path falls to the default backend, not to host-less rules', () => {
    const t = new IngressRoutingTable([
      ingress([['Prefix', '/', 'any']], undefined, 'a'),
      ingress([['Exact', '/only', 'exact']], 'api.example.com', 'c', 'fallback'),
    ]);
    const m = t.match('api.example.com', '/other');
    expect(m.kind).toBe('default-backend');
    expect(m.defaultRoute!.backend.service).toBe('fallback');
  });
});
