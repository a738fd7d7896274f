import { describe, expect, it } from 'vitest';
import { World } from '../world';
import type { DnsMessage } from '../net/packet/dns';
import { CoreDns } from './coredns';
import { StoreDnsView } from './store-view';
import { answerPublic } from './public-dns';
import { dnsQuery } from './message';

function setup() {
  const world = new World({ seed: 7 });
  const store = world.store;
  if (!store.tryGet('namespaces', undefined, 'default')) store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  store.create('services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'currency-exchange', namespace: 'default' },
    spec: { type: 'ClusterIP', clusterIP: '10.96.120.7', selector: { app: 'currency-exchange' }, ports: [{ name: 'http', port: 8000, protocol: 'TCP', targetPort: 8000 }] },
  });
  store.create('services', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'external-api', namespace: 'default' },
    spec: { type: 'ExternalName', externalName: 'api.external.com' },
  });
  store.create('endpointslices', {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'currency-exchange-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'currency-exchange' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
    endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }, { addresses: ['10.244.2.6'], conditions: { ready: false } }],
  });
  world.settle();
  const view = new StoreDnsView(store, () => world.scheduler.now());
  const forwarded: DnsMessage[] = [];
  const dns = new CoreDns({
    view, now: () => world.scheduler.now(), rng: world.rng.fork('coredns'), dnsServiceIP: '10.96.0.10',
    forward: (q, done) => { forwarded.push(q); done(answerPublic(q)); },
  });
  const ask = (name: string, type: 'A' | 'AAAA' | 'PTR' | 'SRV' = 'A'): DnsMessage => {
    let out: DnsMessage | undefined;
    dns.handle(dnsQuery(4242, name, type), (m) => { out = m; });
    if (!out) throw new Error('no synchronous reply');
    return out;
  };
  return { world, store, view, dns, ask, forwarded };
}

describe('CoreDNS server', () => {
  it('answers cluster names authoritatively without RA, echoing the id and question', () => {
    const { ask } = setup();
    const m = ask('currency-exchange.default.svc.cluster.local');
    expect(m).toMatchObject({ id: 4242, qr: true, aa: true, ra: false, rd: true, rcode: 0 });
    expect(m.questions[0]!.name).toBe('currency-exchange.default.svc.cluster.local');
    expect(m.answers.map((a) => [a.ttl, a.rdata])).toEqual([[30, { type: 'A', address: '10.96.120.7' }]]);
  });

  it('reads the PTR of a ready endpoint from the EndpointSlice and skips not-ready ones', () => {
    const { ask } = setup();
    expect(ask('5.1.244.10.in-addr.arpa', 'PTR').answers[0]!.rdata).toEqual({ type: 'PTR', target: '10-244-1-5.currency-exchange.default.svc.cluster.local' });
    // not ready: not ours, forwarded, and the public resolver says NXDOMAIN
    const m = ask('6.2.244.10.in-addr.arpa', 'PTR');
    expect(m.rcode).toBe(3);
    expect(m.ra).toBe(true);
  });

  it('forwards other names upstream and returns the recursive answer (RA, not AA)', () => {
    const { ask, forwarded } = setup();
    const m = ask('api.external.com');
    expect(forwarded.map((q) => q.questions[0]!.name)).toEqual(['api.external.com']);
    expect(m).toMatchObject({ aa: false, ra: true, rcode: 0 });
    expect(m.answers[0]!.rdata).toEqual({ type: 'A', address: '203.0.113.10' });
    const nx = ask('nosuch');
    expect(nx.rcode).toBe(3);
    expect(nx.authority[0]!.rdata).toMatchObject({ type: 'SOA', mname: 'a.root-servers.net' });
  });

  it('chases an ExternalName CNAME through the upstream', () => {
    const { ask } = setup();
    const m = ask('external-api.default.svc.cluster.local');
    expect(m.aa).toBe(true);
    expect(m.answers.map((a) => a.rdata)).toEqual([
      { type: 'CNAME', target: 'api.external.com' },
      { type: 'A', address: '203.0.113.10' },
    ]);
  });

  it('caches answers for at most 30 s, counting TTLs down, then sees changes', () => {
    const { ask, world, store } = setup();
    expect(ask('nosuch.default.svc.cluster.local').rcode).toBe(3);
    world.scheduler.advance(12_000);
    const again = ask('currency-exchange.default.svc.cluster.local');
    expect(again.answers[0]!.ttl).toBe(30);
    world.scheduler.advance(10_000);
    expect(ask('currency-exchange.default.svc.cluster.local').answers[0]!.ttl).toBe(20);
    store.create('services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'nosuch', namespace: 'default' },
      spec: { type: 'ClusterIP', clusterIP: '10.96.5.5', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] },
    });
    world.settle();
    // negative answer still cached (created 22 s ago)
    const cached = ask('nosuch.default.svc.cluster.local');
    expect(cached.rcode).toBe(3);
    expect(cached.authority[0]!.ttl).toBe(8);
    world.scheduler.advance(9_000);
    expect(ask('nosuch.default.svc.cluster.local').answers[0]!.rdata).toEqual({ type: 'A', address: '10.96.5.5' });
  });

  it('knows a namespace by its Namespace or by a Service in it, and follows both through the watch', () => {
    const { ask, world, store, dns } = setup();
    expect(ask('default.svc.cluster.local').rcode).toBe(0);
    expect(ask('shop.svc.cluster.local').rcode).toBe(3);
    store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    store.create('services', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'cart', namespace: 'shop' },
      spec: { type: 'ClusterIP', clusterIP: '10.96.7.7', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] },
    });
    world.settle();
    dns.clearCache();
    expect(ask('shop.svc.cluster.local').rcode).toBe(0);
    expect(ask('cart.shop.svc.cluster.local').answers[0]!.rdata).toEqual({ type: 'A', address: '10.96.7.7' });
    store.delete('services', 'shop', 'cart');
    world.settle();
    dns.clearCache();
    expect(ask('cart.shop.svc.cluster.local').rcode).toBe(3);
    expect(ask('shop.svc.cluster.local').rcode).toBe(0);
  });

  it('follows Service deletion through its watch', () => {
    const { ask, world, store, dns } = setup();
    store.delete('services', 'default', 'currency-exchange');
    world.settle();
    dns.clearCache();
    expect(ask('currency-exchange.default.svc.cluster.local').rcode).toBe(3);
  });
});
