import { describe, expect, it } from 'vitest';
import { Scheduler } from '../core/scheduler';
import { findImage, parseImageRef } from './catalogue';
import { ContainerRuntime } from './runtime';
import type { HttpRequest, PodInfo } from './types';

const pod = (name: string, ip: string, env: Record<string, string> = {}): PodInfo => ({ name, namespace: 'default', podIP: ip, nodeName: 'worker-1', containerName: 'c', image: '', env });
const get = (path: string): HttpRequest => ({ method: 'GET', path, headers: { 'user-agent': 'curl/8.11.1', host: 'x' }, body: '', remoteAddr: '10.244.1.1' });

function run(image: string, p: PodInfo): { rt: ContainerRuntime; scheduler: Scheduler } {
  const scheduler = new Scheduler();
  const rt = new ContainerRuntime(scheduler);
  const ref = parseImageRef(image);
  const img = findImage(ref)!;
  rt.start({ podKey: `default/${p.name}`, name: 'c', image: img, ref, pod: p, argv: [...img.entrypoint, ...img.cmd], ports: img.ports, hostNetwork: false });
  return { rt, scheduler };
}

describe('image catalogue', () => {
  it('normalises references as containerd does', () => {
    expect(parseImageRef('nginx').canonical).toBe('docker.io/library/nginx:latest');
    expect(parseImageRef('in28min/currency-exchange:0.0.1-RELEASE').canonical).toBe('docker.io/in28min/currency-exchange:0.0.1-RELEASE');
    expect(parseImageRef('registry.k8s.io/coredns/coredns:v1.11.3').repository).toBe('registry.k8s.io/coredns/coredns');
    expect(findImage('docker.io/library/nginx:1.27')?.repository).toBe('nginx');
    expect(findImage('curlimages/curl')?.commands).toContain('curl');
    expect(findImage('busybox')?.commands).not.toContain('curl');
    expect(findImage('example/nope')).toBeUndefined();
  });

  it('currency-exchange names the pod and IP that served; unknown paths 404', async () => {
    const { rt } = run('in28min/currency-exchange:0.0.1-RELEASE', pod('currency-exchange-5d9c7b8f4-x7k2p', '10.244.1.5'));
    const res = await rt.serveHttp('10.244.1.5', 8000, get('/currency-exchange/from/USD/to/INR'))!;
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"id":10001,"from":"USD","to":"INR","conversionMultiple":65.00,"environment":"currency-exchange-5d9c7b8f4-x7k2p v1 10.244.1.5"}');
    expect((await rt.serveHttp('10.244.1.5', 8000, get('/nope'))!).status).toBe(404);
    expect(rt.serveHttp('10.244.1.5', 8080, get('/'))).toBeUndefined();
    expect(rt.logs.lines('default/currency-exchange-5d9c7b8f4-x7k2p', 'c')!.some((l) => l.text.includes('retrieveExchangeValue called with USD to INR'))).toBe(true);
  });

  it('currency-conversion calls CURRENCY_EXCHANGE_URI through the outbound API and reports both pods', async () => {
    const { rt } = run('in28min/currency-conversion', pod('currency-conversion-abc', '10.244.2.3', { CURRENCY_EXCHANGE_URI: 'http://currency-exchange:8000' }));
    const calls: string[] = [];
    const outbound = {
      httpGet: async (url: string) => {
        calls.push(url);
        return { status: 200, headers: {}, body: '{"id":10001,"from":"USD","to":"INR","conversionMultiple":65.00,"environment":"currency-exchange-x v1 10.244.1.5"}' };
      },
    };
    const res = await rt.serveHttp('10.244.2.3', 8100, get('/currency-conversion/from/USD/to/INR/quantity/10'), outbound)!;
    expect(calls).toEqual(['http://currency-exchange:8000/currency-exchange/from/USD/to/INR']);
    expect(JSON.parse(res.body)).toMatchObject({ quantity: 10, totalCalculatedAmount: 650, environment: 'currency-exchange-x v1 10.244.1.5 | currency-conversion-abc v1 10.244.2.3' });
    const failing = { httpGet: async () => Promise.reject(new Error('currency-exchange: Name or service not known')) };
    const err = await rt.serveHttp('10.244.2.3', 8100, get('/currency-conversion/from/USD/to/INR/quantity/10'), failing)!;
    expect(err.status).toBe(500);
  });

  it('nginx serves its welcome page and logs in combined format', async () => {
    const { rt, scheduler } = run('nginx', pod('web', '10.244.1.9'));
    scheduler.advance(5000);
    const res = await rt.serveHttp('10.244.1.9', 80, get('/'))!;
    expect(res.status).toBe(200);
    expect(res.headers['Content-Length']).toBe('615');
    expect(res.body).toContain('<title>Welcome to nginx!</title>');
    const last = rt.logs.lines('default/web', 'c')!.at(-1)!.text;
    expect(last).toBe('10.244.1.1 - - [01/Jan/2026:00:00:05 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/8.11.1" "-"');
  });
});
