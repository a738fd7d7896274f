import { beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../../world';
import { runScript, type ScriptStep } from '../../shell/script-runner';

let world: World;
let svcIP: string;
async function run(...lines: string[]): Promise<ScriptStep[]> {
  return runScript(world, lines.join('\n'));
}
async function one(line: string): Promise<ScriptStep> {
  return (await run(line))[0]!;
}

beforeAll(async () => {
  world = createWorld({ profile: 'local', seed: 1 });
  await run(
    'kubectl create deployment currency-exchange --image=in28min/currency-exchange:0.0.1-RELEASE --replicas=2 --port=8000',
    'kubectl expose deployment currency-exchange --port=8000',
    'kubectl create service externalname external-api --external-name api.external.com',
    'kubectl create namespace other',
    'kubectl run client --image=busybox --restart=Never -- sleep 3600',
    'kubectl run client2 -n other --image=busybox --restart=Never -- sleep 3600',
  );
  svcIP = world.store.get('services', 'default', 'currency-exchange').spec.clusterIP;
}, 60_000);

describe('busybox nslookup in a pod (reference §7.1)', () => {
  it('expands a dotless name over the search list and prints every result, exit 1', async () => {
    const s = await one('kubectl exec client -- nslookup currency-exchange');
    expect(s.output).toBe([
      'Server:\t\t10.96.0.10', 'Address:\t10.96.0.10:53', '',
      'Name:\tcurrency-exchange.default.svc.cluster.local', `Address: ${svcIP}`, '',
      "** server can't find currency-exchange.svc.cluster.local: NXDOMAIN", '',
      "** server can't find currency-exchange.cluster.local: NXDOMAIN", '',
      '',
      "** server can't find currency-exchange.svc.cluster.local: NXDOMAIN", '',
      "** server can't find currency-exchange.cluster.local: NXDOMAIN", '',
      'command terminated with exit code 1', '',
    ].join('\n'));
  });

  it('queries the FQDN literally (exit 0) and a dotted name without the search list', async () => {
    const fq = await one('kubectl exec client -- nslookup currency-exchange.default.svc.cluster.local');
    expect(fq.output).toBe(`Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\nName:\tcurrency-exchange.default.svc.cluster.local\nAddress: ${svcIP}\n\n\n`);
    const dotted = await one('kubectl exec client -- nslookup currency-exchange.default');
    // not expanded by busybox: forwarded upstream → NXDOMAIN (a real cluster; the reference's stand-in said REFUSED)
    expect(dotted.output).toContain("** server can't find currency-exchange.default: NXDOMAIN");
  });

  it('answers ExternalName with the CNAME and the external address', async () => {
    const s = await one('kubectl exec client -- nslookup external-api');
    expect(s.output).toContain('external-api.default.svc.cluster.local\tcanonical name = api.external.com\nName:\tapi.external.com\nAddress: 203.0.113.10\n');
  });

  it('resolves across namespaces only with the namespace in the name', async () => {
    const short = await one('kubectl exec -n other client2 -- wget -qO- http://currency-exchange:8000/currency-exchange/from/EUR/to/INR');
    expect(short.output).toBe("wget: bad address 'currency-exchange'\ncommand terminated with exit code 1\n");
    const w = await one('kubectl exec -n other client2 -- wget -qO- http://currency-exchange.default:8000/currency-exchange/from/EUR/to/INR');
    expect(w.output).toContain('"from":"EUR","to":"INR","conversionMultiple":75.00');
    const fq = await one('kubectl exec -n other client2 -- wget -qO- http://currency-exchange.default.svc.cluster.local.:8000/currency-exchange/from/EUR/to/INR');
    expect(fq.exitCode).toBe(0);
  });
});

describe('dig and bind nslookup on a node (reference §7.2, §7.3)', () => {
  it('dig prints the reference layout with CoreDNS authority counts', async () => {
    const s = await one('ssh worker-1 dig @10.96.0.10 currency-exchange.default.svc.cluster.local');
    const lines = s.output.split('\n');
    expect(lines.slice(0, 14)).toEqual([
      '',
      '; <<>> DiG 9.18.49-1~deb12u3-Debian <<>> @10.96.0.10 currency-exchange.default.svc.cluster.local',
      '; (1 server found)',
      ';; global options: +cmd',
      ';; Got answer:',
      ';; WARNING: .local is reserved for Multicast DNS',
      ';; You are currently testing what happens when an mDNS query is leaked to DNS',
      expect.stringMatching(/^;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: \d+$/),
      ';; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1',
      ';; WARNING: recursion requested but not available',
      '',
      ';; OPT PSEUDOSECTION:',
      '; EDNS: version: 0, flags:; udp: 1232',
      ';; QUESTION SECTION:',
    ]);
    expect(s.output).toContain(';currency-exchange.default.svc.cluster.local. IN A\n\n;; ANSWER SECTION:\n');
    expect(s.output).toContain(`;; ANSWER SECTION:\ncurrency-exchange.default.svc.cluster.local. 30 IN A ${svcIP}\n\n;; Query time: `);
    // bind's column rule: a name past column 24 pushes TTL, class and type along with single spaces
    expect(s.output).toMatch(/;; SERVER: 10\.96\.0\.10#53\(10\.96\.0\.10\) \(UDP\)\n;; WHEN: \w{3} \w{3} \d\d \d\d:\d\d:\d\d UTC 2026\n;; MSG SIZE {2}rcvd: \d+\n\n$/);
  });

  it('dig +short, NXDOMAIN with the SOA, and -x', async () => {
    expect((await one('ssh worker-1 dig +short @10.96.0.10 currency-exchange.default.svc.cluster.local')).output).toBe(`${svcIP}\n`);
    const nx = await one('ssh worker-1 dig @10.96.0.10 nosuch.default.svc.cluster.local');
    expect(nx.exitCode).toBe(0);
    expect(nx.output).toContain('status: NXDOMAIN');
    expect(nx.output).toMatch(/;; AUTHORITY SECTION:\ncluster\.local\.\t\t30\tIN\tSOA\tns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 30\n/);
    expect((await one(`ssh worker-1 dig -x ${svcIP} +short @10.96.0.10`)).output).toBe('currency-exchange.default.svc.cluster.local.\n');
  });

  it('host: addresses, the explicit-server header, NXDOMAIN', async () => {
    const ok = await one('ssh worker-1 host currency-exchange.default.svc.cluster.local 10.96.0.10');
    expect(ok.output).toBe(`Using domain server:\nName: 10.96.0.10\nAddress: 10.96.0.10#53\nAliases: \n\ncurrency-exchange.default.svc.cluster.local has address ${svcIP}\n`);
    const nx = await one('ssh worker-1 host nosuch.default.svc.cluster.local 10.96.0.10');
    expect(nx.exitCode).toBe(1);
    expect(nx.output.endsWith('Host nosuch.default.svc.cluster.local not found: 3(NXDOMAIN)\n')).toBe(true);
  });

  it('dig +tcp talks to CoreDNS over TCP 53 (kube-dns dns-tcp port)', async () => {
    const s = await one('ssh worker-1 dig +tcp @10.96.0.10 currency-exchange.default.svc.cluster.local');
    expect(s.output).toContain(`30 IN A ${svcIP}\n`);
    expect(s.output).toContain(';; SERVER: 10.96.0.10#53(10.96.0.10) (TCP)\n');
    const reqs = world.traces.requests();
    const hops = world.traces.hops(reqs[reqs.length - 1]!.id);
    expect(hops.some((h) => h.netns.startsWith('pod/kube-system/coredns') && h.kind === 'deliver' && h.packet.includes('.53: Flags [S]'))).toBe(true);
  });

  it('the workstation cannot resolve cluster names; nodes resolve external ones through their upstream', async () => {
    const ws = await one('nslookup currency-exchange.default.svc.cluster.local');
    expect(ws.exitCode).toBe(1);
    expect(ws.output).toContain("** server can't find currency-exchange.default.svc.cluster.local: NXDOMAIN");
    const ext = await one('ssh worker-1 nslookup api.external.com');
    expect(ext.output).toBe('Server:\t\t172.18.0.1\nAddress:\t172.18.0.1#53\n\nNon-authoritative answer:\nName:\tapi.external.com\nAddress: 203.0.113.10\n\n');
  });
});

describe('CoreDNS scaled to zero', () => {
  it('lookups time out like a real cluster, then recover when it is back', async () => {
    await run('kubectl -n kube-system scale deployment coredns --replicas=0', 'sleep 40');
    const s = await one('kubectl exec client -- nslookup currency-exchange');
    expect(s.output).toBe(';; connection timed out; no servers could be reached\n\ncommand terminated with exit code 1\n');
    const c = await one('kubectl exec client -- wget -qO- http://currency-exchange:8000/');
    expect(c.output).toContain("wget: bad address 'currency-exchange'");
    await run('kubectl -n kube-system scale deployment coredns --replicas=2', 'sleep 40');
    const back = await one('kubectl exec client -- nslookup currency-exchange.default.svc.cluster.local');
    expect(back.exitCode).toBe(0);
  });
});
