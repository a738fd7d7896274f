import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { Scheduler } from '../core/scheduler';
import { ApiError } from '../api/errors';
import { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';

function newStore(): ApiStore {
  const store = new ApiStore({ scheduler: new Scheduler(), rng: new Rng(1) });
  store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return store;
}

function ing(spec: unknown, name = 'gw', annotations?: Record<string, string>): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, ...(annotations ? { annotations } : {}) }, spec } as KubeObject;
}

const svc = (name = 'web', port: unknown = { number: 80 }) => ({ service: { name, port } });

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e.message;
    throw e;
  }
  throw new Error('expected the API server to reject the object');
}

describe('Ingress validation (API server texts)', () => {
  it("accepts the seed's manifest", () => {
    const store = newStore();
    const created = store.create(
      'ingresses',
      ing({
        rules: [
          {
            http: {
              paths: [
                { path: '/currency-exchange', pathType: 'Prefix', backend: svc('currency-exchange') },
                { path: '/currency-conversion', pathType: 'Prefix', backend: svc('currency-conversion') },
              ],
            },
          },
        ],
      }),
    );
    expect(created.spec.rules[0].http.paths[1].pathType).toBe('Prefix');
  });

  it('a path without pathType is rejected (v1 has no default)', () => {
    const store = newStore();
    expect(messageOf(() => store.create('ingresses', ing({ rules: [{ http: { paths: [{ path: '/x', backend: svc() }] } }] })))).toBe(
      'Ingress.networking.k8s.io "gw" is invalid: spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    );
    expect(store.list('ingresses').items).toHaveLength(0);
  });

  it('a backend naming both a service and a resource is rejected', () => {
    const store = newStore();
    const backend = { ...svc(), resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } };
    expect(messageOf(() => store.create('ingresses', ing({ rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } }] })))).toBe(
      'Ingress.networking.k8s.io "gw" is invalid: spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends',
    );
  });

  it('port name and number together, and no port at all, are rejected', () => {
    const store = newStore();
    expect(
      messageOf(() => store.create('ingresses', ing({ defaultBackend: svc('web', { name: 'http', number: 80 }) }))),
    ).toBe('Ingress.networking.k8s.io "gw" is invalid: spec.defaultBackend: Invalid value: "": cannot set both port name & port number');
    expect(messageOf(() => store.create('ingresses', ing({ defaultBackend: svc('web', {}) })))).toBe(
      'Ingress.networking.k8s.io "gw" is invalid: spec.defaultBackend: Required value: port name or number is required',
    );
  });

  it('an Ingress with neither rules nor defaultBackend is rejected', () => {
    expect(messageOf(() => newStore().create('ingresses', ing({})))).toBe(
      'Ingress.networking.k8s.io "gw" is invalid: spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
    );
  });

  it('paths: relative, `//`, trailing `/..`, unknown pathType', () => {
    const store = newStore();
    const one = (path: string, pathType: string) =>
      messageOf(() => store.create('ingresses', ing({ rules: [{ http: { paths: [{ path, pathType, backend: svc() }] } }] })));
    expect(one('api', 'Prefix')).toContain('spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path');
    expect(one('/a//b', 'Exact')).toContain(`spec.rules[0].http.paths[0].path: Invalid value: "/a//b": must not contain '//'`);
    expect(one('/a/..', 'Prefix')).toContain(`spec.rules[0].http.paths[0].path: Invalid value: "/a/..": cannot end with '/..'`);
    expect(one('/a', 'Regex')).toContain(
      'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    );
  });

  it('hosts: IP addresses and malformed wildcards are rejected, one-label wildcards accepted', () => {
    const store = newStore();
    const withHost = (host: string, name: string) =>
      store.create('ingresses', ing({ rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: svc() }] } }] }, name));
    expect(messageOf(() => withHost('203.0.113.10', 'a'))).toContain('spec.rules[0].host: Invalid value: "203.0.113.10": must be a DNS name, not an IP address');
    expect(messageOf(() => withHost('foo.*.com', 'b'))).toContain("a wildcard DNS-1123 subdomain must start with '*.'");
    expect(withHost('*.example.com', 'c').spec.rules[0].host).toBe('*.example.com');
  });

  it('the deprecated class annotation must agree with ingressClassName', () => {
    const store = newStore();
    const spec = { ingressClassName: 'nginx', defaultBackend: svc() };
    expect(messageOf(() => store.create('ingresses', ing(spec, 'gw', { 'kubernetes.io/ingress.class': 'traefik' })))).toBe(
      'Ingress.networking.k8s.io "gw" is invalid: annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified',
    );
  });
});

describe('IngressClass validation', () => {
  const cls = (controller?: string): KubeObject =>
    ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: controller ? { controller } : {} }) as KubeObject;

  it('requires a domain-prefixed controller and keeps it immutable', () => {
    const store = newStore();
    expect(messageOf(() => store.create('ingressclasses', cls()))).toBe(
      'IngressClass.networking.k8s.io "nginx" is invalid: spec.controller: Required value',
    );
    expect(messageOf(() => store.create('ingressclasses', cls('nginx')))).toContain('spec.controller: Invalid value: "nginx"');
    const created = store.create('ingressclasses', cls('k8s.io/ingress-nginx'));
    expect(
      messageOf(() => store.update('ingressclasses', { ...created, spec: { controller: 'traefik.io/ingress-controller' } })),
    ).toContain('spec.controller: Invalid value: "traefik.io/ingress-controller": field is immutable');
  });
});

describe('DefaultIngressClass admission', () => {
  const cls = (name: string, isDefault: boolean): KubeObject =>
    ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name, ...(isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}) },
      spec: { controller: `example.com/${name}` },
    }) as KubeObject;
  const classless = (name: string) => ing({ defaultBackend: svc() }, name);

  it('gives a class-less Ingress the default class on create only, and refuses when two are default', async () => {
    const { defaultIngressClassAdmission } = await import('./admission');
    const store = newStore();
    store.addAdmissionPlugin(defaultIngressClassAdmission(store));
    expect(store.create('ingresses', classless('before')).spec.ingressClassName).toBeUndefined();
    store.create('ingressclasses', cls('nginx', true));
    expect(store.create('ingresses', classless('after')).spec.ingressClassName).toBe('nginx');
    expect(store.get('ingresses', 'default', 'before').spec.ingressClassName).toBeUndefined();
    const explicit = store.create('ingresses', ing({ ingressClassName: 'other', defaultBackend: svc() }, 'explicit'));
    expect(explicit.spec.ingressClassName).toBe('other');
    store.create('ingressclasses', cls('traefik', true));
    expect(messageOf(() => store.create('ingresses', classless('third')))).toBe(
      'ingresses.networking.k8s.io "third" is forbidden: 2 default IngressClasses were found, only 1 allowed',
    );
  });
});
