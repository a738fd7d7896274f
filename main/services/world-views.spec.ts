import { describe, expect, it } from 'vitest';
import { createTerminalSession } from '../../emulator/shell/terminal';
import { createWorld } from '../../emulator/world';
import { dnsSequence } from '../../renderer/lib/inspector/inspector-model';
import { protocolOf, serviceChainLines, WorldViews } from './world-views';

/** Run a command line as the learner does, moving virtual time until it finishes (the app's ticker does this). */
async function run(world: ReturnType<typeof createWorld>, term: ReturnType<typeof createTerminalSession>, line: string) {
  let done = false;
  const p = term.submit(line).finally(() => (done = true));
  for (let i = 0; i < 600 && !done; i++) {
    world.scheduler.advance(100);
    await new Promise((r) => setImmediate(r));
  }
  return p;
}

describe('WorldViews on a real world', () => {
  const world = createWorld({ profile: 'local', seed: 1 });
  const term = createTerminalSession(world, { cols: 120, rows: 40 });
  const views = new WorldViews(world);
  let nodePort = 0;

  it('a curl to a NodePort is recorded hop by hop, with the KUBE-SEP DNAT rule text', async () => {
    world.scheduler.advance(30_000);
    await run(world, term, 'kubectl create deployment web --image=nginx --replicas=2');
    await run(world, term, 'kubectl expose deployment web --port=80 --type=NodePort');
    world.scheduler.advance(20_000);
    const svc = (await run(world, term, "kubectl get svc web -o jsonpath='{.spec.ports[0].nodePort}'")).output;
    nodePort = Number(svc.trim());
    expect(nodePort).toBeGreaterThan(30000);
    const out = await run(world, term, `curl -s http://172.18.0.3:${nodePort}/`);
    expect(out.exitCode).toBe(0);
    const req = views.requests().find((r) => r.label.startsWith('curl'));
    expect(req).toBeDefined();
    const hops = views.hops(req!.id);
    expect(hops.length).toBeGreaterThan(5);
    const dnat = hops.find((h) => h.steps?.some((s) => /^-A KUBE-SEP-\w+ .*-j DNAT/.test(s.ruleText)));
    expect(dnat?.where).toBe('node/worker-1');
    expect(dnat?.natBefore).toContain(`172.18.0.3:${nodePort}`);
    expect(dnat?.natAfter).toMatch(/ > 10\.244\.\d+\.\d+:80$/);
    expect(hops.some((h) => h.protocol === 'HTTP')).toBe(true);
    expect(hops.some((h) => h.protocol === 'TCP')).toBe(true);
    // A live view asks only for what is new.
    const mid = hops[Math.floor(hops.length / 2)]!.seq;
    expect(views.hops(req!.id, mid)).toEqual(hops.filter((h) => h.seq > mid));
    expect(views.hops(req!.id, hops.at(-1)!.seq)).toEqual([]);
  });

  it('exports the request as a pcap with the frames seen on its origin host', () => {
    const req = views.requests().find((r) => r.label.startsWith('curl'))!;
    const pcap = views.pcap(req.id);
    const bytes = Buffer.from(pcap.base64, 'base64');
    expect(bytes.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(pcap.packets).toBeGreaterThanOrEqual(6); // SYN, SYN-ACK, ACK, GET, response, FINs
    expect(pcap.fileName).toMatch(/^request-\d+-curl-.*\.pcap$/);
    expect(() => views.pcap(99_999)).toThrow(/no captured request/);
  });

  it('the topology has nodes, pods inside nodes, the Service linked to its endpoint pods', () => {
    const g = views.topology('t1');
    const ws = g.nodes.find((n) => n.kind === 'workstation');
    expect(ws?.ips).toContain('198.51.100.7');
    const worker = g.nodes.find((n) => n.id === 'node/worker-1');
    expect(worker?.ips[0]).toBe('172.18.0.3');
    const webPods = g.nodes.filter((n) => n.kind === 'pod' && n.label.startsWith('web-'));
    expect(webPods).toHaveLength(2);
    for (const p of webPods) expect(p.status).toBe('ready');
    const svc = g.nodes.find((n) => n.id === 'svc/default/web');
    expect(svc?.detail).toContain(`80:${nodePort}`);
    const epLinks = g.links.filter((l) => l.from === 'svc/default/web');
    expect(new Set(epLinks.map((l) => l.to))).toEqual(new Set(webPods.map((p) => p.id)));
    expect(g.nodes.some((n) => n.roles.includes('coredns'))).toBe(true);
    for (const l of g.links) {
      expect(g.nodes.some((n) => n.id === l.from)).toBe(true);
      expect(g.nodes.some((n) => n.id === l.to)).toBe(true);
    }
  });

  it('the resource tree, one object as YAML with Endpoints beside a Service, and its chains on a node', () => {
    const tree = views.resourceTree();
    const def = tree.groups.find((g) => g.namespace === 'default');
    expect(def?.kinds.find((k) => k.kind === 'Service')?.names).toContain('web');
    expect(tree.groups.at(-1)?.namespace).toBe('');
    const d = views.resource('services', 'default', 'web');
    expect(d.yaml).toMatch(/^apiVersion: v1\nkind: Service\n/);
    expect(d.endpointsYaml).toContain('kind: Endpoints');
    expect(d.nodes).toContain('worker-1');
    expect(() => views.resource('services', 'default', 'nope')).toThrow('Error from server (NotFound): services "nope" not found');
    const chains = views.serviceChains('default', 'web', 'worker-1');
    expect(chains.lines[0]).toMatch(/^-A KUBE-(SERVICES|NODEPORTS) /);
    expect(chains.lines.at(-1)).toMatch(/^-A KUBE-SEP-/);
    expect(chains.lines.some((l) => /^-A KUBE-SERVICES .*default\/web.* -j KUBE-SVC-/.test(l))).toBe(true);
    expect(chains.lines.filter((l) => /^-A KUBE-SEP-\w+ .*-j DNAT/.test(l))).toHaveLength(2);
    expect(chains.lines.some((l) => /kube-dns/.test(l))).toBe(false);
  });

  it("a pod's wget by a short name: the inspector model shows the search-list expansion query by query, from real hops", async () => {
    await run(world, term, 'kubectl run dnsc --image=busybox --restart=Never -- sleep 3600');
    world.scheduler.advance(20_000);
    const out = await run(world, term, 'kubectl exec dnsc -- wget -q -O - http://web.default/');
    expect(out.output).toContain('Welcome to nginx!');
    const req = [...views.requests()].reverse().find((r) => r.label.includes('wget'))!;
    expect(req.host).toMatch(/^pod\/default\/dnsc/);
    const seq = dnsSequence(views.hops(req.id), req.host);
    const queries = seq.filter((d) => d.kind === 'query').map((d) => d.name);
    expect(queries[0]).toBe('web.default.default.svc.cluster.local.');
    expect(queries).toContain('web.default.svc.cluster.local.');
    expect(seq.some((d) => d.kind === 'answer' && d.name === 'NXDOMAIN')).toBe(true);
  });

  it('announces trace growth and topology changes, coalesced', async () => {
    const traces: number[] = [];
    let topo = 0;
    const off1 = views.onTraceChanged((id) => traces.push(id));
    const off2 = views.onTopologyChanged(() => topo++);
    await run(world, term, 'kubectl scale deployment web --replicas=3');
    await run(world, term, 'curl -s -m 2 http://172.18.0.2:' + nodePort + '/');
    await new Promise((r) => setTimeout(r, 150));
    off1();
    off2();
    expect(traces.length).toBeGreaterThanOrEqual(1);
    // Coalesced: far fewer announcements than hops (one per request per 30 ms window, not one per hop). Exact
    // uniqueness would depend on how much wall time the commands took, so it is not asserted.
    const hopCount = [...new Set(traces)].reduce((n, id) => n + views.hops(id).length, 0);
    expect(hopCount).toBeGreaterThan(10);
    expect(traces.length).toBeLessThan(hopCount / 4);
    expect(topo).toBeGreaterThanOrEqual(1);
  });
});

describe('WorldViews in the cloud profile', () => {
  it("a LoadBalancer Service's ELB is a load-balancer box linked to its Service, and on the curl's path", async () => {
    const world = createWorld({ profile: 'cloud', seed: 1 });
    const term = createTerminalSession(world, { cols: 120, rows: 40 });
    const views = new WorldViews(world);
    world.scheduler.advance(30_000);
    await run(world, term, 'kubectl create deployment web --image=nginx --replicas=2');
    await run(world, term, 'kubectl expose deployment web --port=80 --type=LoadBalancer');
    world.scheduler.advance(20_000);
    const ip = (await run(world, term, "kubectl get svc web -o jsonpath='{.status.loadBalancer.ingress[0].ip}'")).output.trim();
    expect((await run(world, term, `curl -s http://${ip}/`)).output).toContain('Welcome to nginx!');
    const g = views.topology('t');
    const elb = g.nodes.find((n) => n.kind === 'loadbalancer' && n.id.startsWith('lb/'));
    expect(elb).toMatchObject({ label: 'ELB web', status: 'ready', roles: ['load-balancer'] });
    expect(elb!.id).toMatch(/^lb\/a[0-9a-f]{31}$/);
    expect(g.links.some((l) => l.from === elb!.id && l.to === 'svc/default/web')).toBe(true);
    const req = views.requests().find((r) => r.label.startsWith('curl'))!;
    expect(views.hops(req.id).some((h) => h.where === elb!.id && h.kind === 'deliver')).toBe(true);
    views.dispose();
  });
});

describe('protocolOf', () => {
  it.each([
    ['IP 10.244.1.5.38782 > 10.96.0.10.53: 4660+ A? web.default.svc.cluster.local. (48)', 'DNS'],
    ['IP 198.51.100.7.40000 > 172.18.0.3.30080: Flags [S], seq 1, win 64240, length 0', 'TCP'],
    ['IP 198.51.100.7.40000 > 172.18.0.3.30080: Flags [P.], seq 1:80, ack 1, win 502, length 79: HTTP: GET / HTTP/1.1', 'HTTP'],
    ['IP 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64', 'ICMP'],
    ['ARP, Request who-has 172.18.0.3 tell 172.18.0.1, length 28', 'ARP'],
  ])('%s → %s', (packet, proto) => expect(protocolOf(packet)).toBe(proto));
});

describe('serviceChainLines', () => {
  const nat = [
    '-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment "kube-system/kube-dns:dns cluster IP" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU',
    '-A KUBE-SERVICES -d 10.96.1.2/32 -p tcp -m comment --comment "default/web cluster IP" -m tcp --dport 80 -j KUBE-SVC-ABC',
    '-A KUBE-SVC-ABC -m comment --comment "default/web -> 10.244.1.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-ONE',
    '-A KUBE-SVC-ABC -m comment --comment "default/web -> 10.244.2.2:80" -j KUBE-SEP-TWO',
    '-A KUBE-SEP-ONE -p tcp -m comment --comment default/web -m tcp -j DNAT --to-destination 10.244.1.2:80',
    '-A KUBE-SEP-TWO -p tcp -m comment --comment default/web -m tcp -j DNAT --to-destination 10.244.2.2:80',
    '-A KUBE-SVC-TCOU7JCQXEZGVUNU -j KUBE-SEP-DNS',
    '-A KUBE-SVC-WEB2 -m comment --comment "default/web2 cluster IP" -j KUBE-SEP-W2',
  ].join('\n');
  it('follows jumps from the lines naming the Service and leaves other Services out', () => {
    const lines = serviceChainLines(nat, 'default/web');
    expect(lines).toHaveLength(5);
    expect(lines.join('\n')).not.toMatch(/kube-dns|web2|KUBE-SEP-DNS/);
  });
});
