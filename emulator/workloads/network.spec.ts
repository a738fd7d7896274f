import { describe, expect, it } from 'vitest';
import { World } from '../world';
import { buildNetworkForProfile } from '../net/install';
import { serveHello } from '../net/testkit';
import { installDns } from '../dns/install';
import { parseHostsFile, parseResolvConf, resolveHost, type LookupResult } from '../dns/resolver';
import { UdpDnsClient } from '../dns/udp';
import { httpFetch, parseUrl, type HttpOutcome } from './http-client';
import { podResolvConf } from './servers';

/** A world with the local topology, CoreDNS in a pod (10.244.1.10) and two app pods; the pods' resolver points
 * straight at the CoreDNS pod (no kube-proxy in this unit test). */
function setup() {
  const world = new World({ seed: 3 });
  const { network, cni } = buildNetworkForProfile(world);
  (world as unknown as { network: unknown }).network = network;
  const store = world.store;
  const mk = (kind: string, res: Parameters<typeof store.create>[0], obj: object) => store.create(res, { apiVersion: kind === 'EndpointSlice' ? 'discovery.k8s.io/v1' : 'v1', kind, ...obj } as never);
  if (!store.tryGet('namespaces', undefined, 'default')) mk('Namespace', 'namespaces', { metadata: { name: 'default' } });
  mk('Service', 'services', { metadata: { name: 'currency-exchange', namespace: 'default' }, spec: { type: 'ClusterIP', clusterIP: 'None', ports: [{ name: 'http', port: 8000, protocol: 'TCP', targetPort: 8000 }] } });
  mk('Service', 'services', { metadata: { name: 'external-api', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'api.external.com' } });
  mk('EndpointSlice', 'endpointslices', {
    metadata: { name: 'currency-exchange-x1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'currency-exchange' } },
    addressType: 'IPv4', ports: [{ name: 'http', port: 8000, protocol: 'TCP' }], endpoints: [{ addresses: ['10.244.2.5'], conditions: { ready: true } }],
  });
  world.settle();
  const add = (key: string, node: string, ip: string, cidr: string) =>
    network.ns(cni.addPod({ podKey: key, nodeName: node, podIP: ip, podCIDR: cidr, hostname: key.split('/')[1]! }).netns)!;
  const dnsPod = add('kube-system/coredns-1', 'worker-1', '10.244.1.10', '10.244.1.0/24');
  const client = add('default/client', 'worker-1', '10.244.1.5', '10.244.1.0/24');
  const server = add('default/currency-exchange-1', 'worker-2', '10.244.2.5', '10.244.2.0/24');
  serveHello(server, 8000, 'currency-exchange-1');
  // Until the nodes masquerade pod traffic to the internet (kindnet's ip-masq rule, netfilter side), let the
  // internet route pod addresses back through the workstation and the nodes.
  const { ipv4 } = { ipv4: (s: string) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0) >>> 0 };
  network.ns('internet')!.addRoute({ dst: ipv4('10.244.0.0'), prefix: 16, type: 'unicast', via: ipv4('198.51.100.7'), dev: 'to-workstation' });
  const ws = network.ns('workstation')!;
  const br = [...ws.ifaces.values()].find((i) => i.kind === 'bridge')!.name;
  ws.addRoute({ dst: ipv4('10.244.1.0'), prefix: 24, type: 'unicast', via: ipv4('172.18.0.3'), dev: br });
  ws.addRoute({ dst: ipv4('10.244.2.0'), prefix: 24, type: 'unicast', via: ipv4('172.18.0.4'), dev: br });
  const dns = installDns(world, network);
  dns.startCoreDns(dnsPod, 'kube-system/coredns-1');
  const resolver = { resolvConf: parseResolvConf(podResolvConf('default', '10.244.1.10')), hosts: parseHostsFile('10.244.1.5\tclient\n') };
  const lookup = (name: string, reqId = 0): { result: LookupResult; queries: string[] } => {
    const queries: string[] = [];
    const t = new UdpDnsClient({ ns: client, scheduler: world.scheduler, rng: world.rng.fork('t'), reqId, onReply: (m) => queries.push(`${m.questions[0]!.type}? ${m.questions[0]!.name} ${m.rcode}`) });
    let result: LookupResult | undefined;
    resolveHost(name, resolver, t, (r) => { result = r; });
    world.scheduler.runUntil(() => result !== undefined, world.scheduler.now() + 60_000);
    return { result: result!, queries };
  };
  return { world, network, client, resolver, lookup, dns };
}

describe('pod resolver over the packet network', () => {
  it('walks the search list query by query (the seed\'s four name forms)', () => {
    const { lookup } = setup();
    const short = lookup('currency-exchange');
    expect(short.result).toEqual({ ok: true, name: 'currency-exchange.default.svc.cluster.local.', addresses: ['10.244.2.5'], source: 'dns' });
    expect(short.queries).toEqual(['A? currency-exchange.default.svc.cluster.local 0', 'AAAA? currency-exchange.default.svc.cluster.local 0']);
    const ns = lookup('currency-exchange.default');
    expect(ns.result).toMatchObject({ ok: true, addresses: ['10.244.2.5'] });
    expect(ns.queries.filter((q) => q.startsWith('A?'))).toEqual([
      'A? currency-exchange.default.default.svc.cluster.local 3',
      'A? currency-exchange.default.svc.cluster.local 0',
    ]);
    const fqdn = lookup('currency-exchange.default.svc.cluster.local');
    // 4 dots < ndots 5: the search list still comes first (the classic ndots:5 cost)
    expect(fqdn.queries.filter((q) => q.startsWith('A?'))).toEqual([
      'A? currency-exchange.default.svc.cluster.local.default.svc.cluster.local 3',
      'A? currency-exchange.default.svc.cluster.local.svc.cluster.local 3',
      'A? currency-exchange.default.svc.cluster.local.cluster.local 3',
      'A? currency-exchange.default.svc.cluster.local 0',
    ]);
    const dot = lookup('currency-exchange.default.svc.cluster.local.');
    expect(dot.queries).toEqual(['A? currency-exchange.default.svc.cluster.local 0', 'AAAA? currency-exchange.default.svc.cluster.local 0']);
  });

  it('fails a nonexistent name after the whole walk, forwarding the bare name upstream', () => {
    const { lookup } = setup();
    const r = lookup('nosuch');
    expect(r.result).toEqual({ ok: false, error: 'NXDOMAIN' });
    expect(r.queries.filter((q) => q.startsWith('A?'))).toEqual([
      'A? nosuch.default.svc.cluster.local 3', 'A? nosuch.svc.cluster.local 3', 'A? nosuch.cluster.local 3', 'A? nosuch 3',
    ]);
  });

  it('resolves an ExternalName through CoreDNS → CNAME → the public resolver', () => {
    const { lookup } = setup();
    const r = lookup('external-api');
    expect(r.result).toMatchObject({ ok: true, addresses: ['203.0.113.10'] });
  });

  it('shows the DNS packets and the upstream hop in one traced request', () => {
    const { lookup, network, world } = setup();
    const reqId = network.traces.beginRequest('nslookup api.external.com', 'pod/default/client', world.scheduler.now());
    lookup('api.external.com', reqId);
    const lines = network.traces.hops(reqId).filter((h) => h.kind === 'deliver').map((h) => `${h.netns} ${h.packet}`);
    expect(lines.some((l) => l.startsWith('internet/dns') && l.includes('A? api.external.com.'))).toBe(true);
    expect(lines.some((l) => l.startsWith('pod/kube-system/coredns-1') && l.includes('A? api.external.com.default.svc.cluster.local.'))).toBe(true);
  });

  it('fails fast on a closed DNS port and times out (2 attempts x 5 s) when the server is silent', () => {
    const { lookup, network, world } = setup();
    // CoreDNS stopped: the pod answers ICMP port unreachable, glibc gives up after its two attempts at once.
    network.ns('pod/kube-system/coredns-1')!.udpSockets.get(53)!.close();
    const t0 = world.scheduler.now();
    expect(lookup('currency-exchange').result).toEqual({ ok: false, error: 'CONNREFUSED' });
    expect(world.scheduler.now() - t0).toBeLessThan(100);
    // The pod gone altogether: nothing answers, not even ARP — every attempt waits its full timeout.
    network.removeNamespace('pod/kube-system/coredns-1');
    const t1 = world.scheduler.now();
    expect(lookup('currency-exchange').result).toEqual({ ok: false, error: 'TIMEOUT' });
    expect(world.scheduler.now() - t1).toBe(10_000);
  });

  it('fetches over HTTP by name: DNS, handshake, request, response', () => {
    const { client, resolver, world } = setup();
    let out: HttpOutcome | undefined;
    httpFetch({ ns: client, resolver }, { scheduler: world.scheduler, rng: world.rng.fork('c') }, {
      method: 'GET', url: parseUrl('http://currency-exchange:8000/')!, userAgent: 'curl/7.88.1',
    }, (o) => { out = o; });
    world.scheduler.runUntil(() => out !== undefined, world.scheduler.now() + 60_000);
    expect(out).toMatchObject({ kind: 'response', ip: '10.244.2.5', port: 8000 });
    if (out?.kind === 'response') expect(out.response.body).toBe('hello from currency-exchange-1\n');
  });

  it('reports connection refused and resolve failures', () => {
    const { client, resolver, world } = setup();
    const fetch = (url: string): HttpOutcome => {
      let out: HttpOutcome | undefined;
      httpFetch({ ns: client, resolver }, { scheduler: world.scheduler, rng: world.rng.fork('c') }, { method: 'GET', url: parseUrl(url)! }, (o) => { out = o; });
      world.scheduler.runUntil(() => out !== undefined, world.scheduler.now() + 600_000);
      return out!;
    };
    expect(fetch('http://10.244.2.5:9999/')).toMatchObject({ kind: 'connect-failed', error: 'ECONNREFUSED' });
    expect(fetch('http://nosuch/')).toMatchObject({ kind: 'resolve-failed', error: 'NXDOMAIN' });
  });
});
