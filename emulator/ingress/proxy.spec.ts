import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { Scheduler } from '../core/scheduler';
import { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';
import { controllerPodConfig, INGRESS_CONTROLLERS, normaliseRepository, servesIngress } from './controllers';
import { errorResponse, IngressProxyState, nginxAccessLine } from './proxy';

function setup(): ApiStore {
  const store = new ApiStore({ scheduler: new Scheduler(), rng: new Rng(1) });
  store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  store.create('ingressclasses', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
  store.create('ingressclasses', { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'traefik' }, spec: { controller: 'traefik.io/ingress-controller' } });
  return store;
}

function service(store: ApiStore, name: string, ready: string[], notReady: string[] = []): void {
  store.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8000 }] },
  });
  store.create('endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-abcde`, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [{ name: '', port: 8000, protocol: 'TCP' }],
    endpoints: [
      ...ready.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
      ...notReady.map((ip) => ({ addresses: [ip], conditions: { ready: false, serving: false, terminating: true } })),
    ],
  } as KubeObject);
}

function seedIngress(className = 'nginx'): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'gateway-ingress' },
    spec: {
      ingressClassName: className,
      rules: [
        {
          http: {
            paths: [
              { path: '/currency-exchange', pathType: 'Prefix', backend: { service: { name: 'currency-exchange', port: { number: 80 } } } },
              { path: '/currency-conversion', pathType: 'Prefix', backend: { service: { name: 'currency-conversion', port: { number: 80 } } } },
            ],
          },
        },
      ],
    },
  } as KubeObject;
}

const nginxPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'ingress-nginx-controller-x', namespace: 'ingress-nginx' },
  spec: {
    containers: [
      {
        name: 'controller',
        image: 'registry.k8s.io/ingress-nginx/controller:v1.12.0',
        args: ['/nginx-ingress-controller', '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller', '--ingress-class=nginx'],
      },
    ],
  },
} as KubeObject;

describe('controller recognition', () => {
  it('recognises controller images and reads their flags', () => {
    expect(normaliseRepository('docker.io/traefik:v3.3.2')).toBe('traefik');
    expect(normaliseRepository('registry.k8s.io/ingress-nginx/controller:v1.12.0@sha256:abc')).toBe('registry.k8s.io/ingress-nginx/controller');
    const cfg = controllerPodConfig(nginxPod)!;
    expect(cfg.kind.flavor).toBe('nginx');
    expect(cfg.className).toBe('nginx');
    expect(cfg.httpPort).toBe(80);
    expect(cfg.publishService).toBe('ingress-nginx/ingress-nginx-controller');
    const traefik = controllerPodConfig({
      ...nginxPod,
      spec: { containers: [{ name: 't', image: 'docker.io/traefik:v3.3.2', args: ['--entryPoints.web.address=:8000/tcp'] }] },
    } as KubeObject)!;
    expect(traefik.kind.flavor).toBe('traefik');
    expect(traefik.httpPort).toBe(8000);
    expect(controllerPodConfig({ ...nginxPod, spec: { containers: [{ name: 'n', image: 'nginx' }] } } as KubeObject)).toBeUndefined();
  });

  it('a controller serves only Ingresses of its class (by IngressClass controller or the old annotation)', () => {
    const store = setup();
    const cfg = controllerPodConfig(nginxPod)!;
    expect(servesIngress(store, cfg, seedIngress('nginx'))).toBe(true);
    expect(servesIngress(store, cfg, seedIngress('traefik'))).toBe(false);
    const noClass = seedIngress();
    delete noClass.spec.ingressClassName;
    expect(servesIngress(store, cfg, noClass)).toBe(false);
    noClass.metadata.annotations = { 'kubernetes.io/ingress.class': 'nginx' };
    expect(servesIngress(store, cfg, noClass)).toBe(true);
    expect(INGRESS_CONTROLLERS.map((k) => k.flavor)).toEqual(['nginx', 'traefik']);
  });
});

describe('IngressProxyState', () => {
  it("routes the seed's paths to ready pod endpoints, round robin, skipping terminating pods", () => {
    const store = setup();
    service(store, 'currency-exchange', ['10.244.1.5', '10.244.2.7'], ['10.244.1.9']);
    service(store, 'currency-conversion', ['10.244.2.8']);
    store.create('ingresses', seedIngress());
    const state = new IngressProxyState(store, controllerPodConfig(nginxPod)!);
    const picks = [0, 1, 2, 3].map(() => state.decide('203.0.113.50', '/currency-exchange/from/USD/to/INR'));
    expect(picks.map((p) => (p.kind === 'upstream' ? `${p.ip}:${p.port}` : p.kind))).toEqual([
      '10.244.1.5:8000',
      '10.244.2.7:8000',
      '10.244.1.5:8000',
      '10.244.2.7:8000',
    ]);
    expect(picks[0]!.upstreamName).toBe('default-currency-exchange-80');
    const conv = state.decide('203.0.113.50', '/currency-conversion/from/EUR/to/INR/quantity/10');
    expect(conv.kind === 'upstream' && conv.ip).toBe('10.244.2.8');
  });

  it('no matching rule → 404; Service without ready endpoints or missing → 503', () => {
    const store = setup();
    service(store, 'currency-exchange', []);
    store.create('ingresses', seedIngress());
    const state = new IngressProxyState(store, controllerPodConfig(nginxPod)!);
    const other = state.decide('x', '/other');
    expect(other.kind === 'local' && other.status).toBe(404);
    const empty = state.decide('x', '/currency-exchange/x');
    expect(empty.kind === 'local' && empty.status).toBe(503);
    expect(empty.kind === 'local' && empty.reason).toContain('has no ready endpoints');
    const missing = state.decide('x', '/currency-conversion');
    expect(missing.kind === 'local' && missing.reason).toContain('does not exist');
  });

  it('sees new Ingresses only after invalidate() (the watch does that)', () => {
    const store = setup();
    service(store, 'currency-exchange', ['10.244.1.5']);
    const state = new IngressProxyState(store, controllerPodConfig(nginxPod)!);
    expect(state.decide('x', '/currency-exchange').kind).toBe('local');
    store.create('ingresses', seedIngress());
    state.invalidate();
    expect(state.decide('x', '/currency-exchange').kind).toBe('upstream');
  });
});

describe('responses and logs', () => {
  it("nginx's error pages and the 503 body size", () => {
    const r = errorResponse('nginx', 503);
    expect(r.body).toBe(
      '<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    );
    expect(r.body.length).toBe(190);
    expect(errorResponse('nginx', 404).body).toContain('<head><title>404 Not Found</title></head>');
    expect(errorResponse('traefik', 404).body).toBe('404 page not found\n');
  });

  it('access log line in ingress-nginx log-format-upstream', () => {
    const line = nginxAccessLine({
      remoteAddr: '198.51.100.7',
      timeMs: Date.UTC(2026, 10, 28, 6, 13, 13),
      method: 'GET',
      target: '/currency-exchange/from/USD/to/INR',
      httpVersion: 'HTTP/1.1',
      status: 200,
      bodyBytes: 137,
      userAgent: 'curl/7.88.1',
      requestLength: 109,
      requestTimeS: 0.003,
      upstreamName: 'default-currency-exchange-80',
      upstreamAddr: '10.244.1.5:8000',
      upstreamResponseLength: 137,
      upstreamResponseTimeS: 0.003,
      upstreamStatus: 200,
      requestId: '4f0c1b2a9d3e8f7a6b5c4d3e2f1a0b9c',
    });
    expect(line).toBe(
      '198.51.100.7 - - [28/Nov/2026:06:13:13 +0000] "GET /currency-exchange/from/USD/to/INR HTTP/1.1" 200 137 "-" "curl/7.88.1" 109 0.003 [default-currency-exchange-80] [] 10.244.1.5:8000 137 0.003 200 4f0c1b2a9d3e8f7a6b5c4d3e2f1a0b9c',
    );
  });
});
