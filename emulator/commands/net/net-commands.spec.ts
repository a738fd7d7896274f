import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../net/addr';
import { httpGet, serveHello } from '../../net/testkit';
import { ipCommand } from './ip';
import { pingCommand } from './ping';
import { ssCommand } from './ss';
import { tcpdumpCommand } from './tcpdump';
import { tracerouteCommand } from './traceroute';
import { createWorld, hostFor, podHost, runCmd } from './testctx';

function world() {
  return createWorld({ profile: 'local', seed: 3 });
}

describe('ip', () => {
  it('ip route on a node: default, pod routes via the other nodes, connected routes (with trailing spaces)', async () => {
    const w = world();
    const r = await runCmd(w, hostFor(w, 'node/worker-1'), ipCommand, 'ip route');
    expect(r.stdout).toBe(
      'default via 172.18.0.1 dev eth0 \n' +
        '10.244.0.0/24 via 172.18.0.2 dev eth0 \n' +
        '10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 \n' +
        '10.244.2.0/24 via 172.18.0.4 dev eth0 \n' +
        '172.18.0.0/16 dev eth0 proto kernel scope link src 172.18.0.3 \n',
    );
  });

  it('ip route get and ip addr in a pod', async () => {
    const w = world();
    const pod = podHost(w, 'web', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    expect((await runCmd(w, pod, ipCommand, 'ip route get 10.244.1.6')).stdout).toBe('10.244.1.6 dev eth0 src 10.244.1.5 uid 0 \n    cache \n');
    expect((await runCmd(w, pod, ipCommand, 'ip r get 10.96.0.1')).stdout).toBe('10.96.0.1 via 10.244.1.1 dev eth0 src 10.244.1.5 uid 0 \n    cache \n');
    const a = await runCmd(w, pod, ipCommand, 'ip addr');
    const lines = a.stdout.split('\n');
    expect(lines[0]).toBe('1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000');
    expect(lines[6]).toMatch(/^\d+: eth0@if\d+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000$/);
    expect(lines[7]).toMatch(/^    link\/ether ([0-9a-f]{2}:){5}[0-9a-f]{2} brd ff:ff:ff:ff:ff:ff link-netnsid 0$/);
    expect(lines[8]).toBe('    inet 10.244.1.5/24 brd 10.244.1.255 scope global eth0');
    expect(lines[10]).toMatch(/^    inet6 fe80::[0-9a-f:]+\/64 scope link $/);
    // the pod's eth0@ifN names the node-side veth's ifindex, which the node shows as master cni0
    const peerIndex = Number(/eth0@if(\d+)/.exec(lines[6]!)![1]);
    const node = await runCmd(w, hostFor(w, 'node/worker-1'), ipCommand, 'ip link');
    expect(node.stdout).toMatch(new RegExp(`^${peerIndex}: veth[0-9a-f]{8}@if\\d+: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cni0 state UP mode DEFAULT group default qlen 1000$`, 'm'));
    const brief = await runCmd(w, pod, ipCommand, 'ip -br a');
    expect(brief.stdout.split('\n')[0]).toBe('lo               UNKNOWN        127.0.0.1/8 ::1/128 ');
  });

  it('ip neigh shows the ARP entries a conversation created', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    await runCmd(w, a, pingCommand, 'ping -c 1 10.244.1.6');
    const r = await runCmd(w, a, ipCommand, 'ip neigh');
    expect(r.stdout).toMatch(/^10\.244\.1\.6 dev eth0 lladdr ([0-9a-f]{2}:){5}[0-9a-f]{2} REACHABLE \n$/);
  });
});

describe('ping', () => {
  it('pod to pod: replies, statistics and rtt line in iputils format', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    const r = await runCmd(w, a, pingCommand, 'ping -c 2 10.244.1.6');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('PING 10.244.1.6 (10.244.1.6) 56(84) bytes of data.');
    expect(lines[1]).toMatch(/^64 bytes from 10\.244\.1\.6: icmp_seq=1 ttl=64 time=0\.\d{3} ms$/);
    expect(lines[2]).toMatch(/^64 bytes from 10\.244\.1\.6: icmp_seq=2 ttl=64 time=0\.\d{3} ms$/);
    expect(lines[3]).toBe('');
    expect(lines[4]).toBe('--- 10.244.1.6 ping statistics ---');
    expect(lines[5]).toMatch(/^2 packets transmitted, 2 received, 0% packet loss, time 100\dms$/);
    expect(lines[6]).toMatch(/^rtt min\/avg\/max\/mdev = \d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3}\/\d+\.\d{3} ms$/);
    expect(r.code).toBe(0);
  });

  it('across nodes the reply has ttl 62 (two forwarding hops)', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-2', '10.244.2.5', '10.244.2.0/24');
    const r = await runCmd(w, a, pingCommand, 'ping -c 1 10.244.2.5');
    expect(r.stdout).toMatch(/icmp_seq=1 ttl=62 time=/);
  });

  it('a deleted pod\'s IP: Destination Host Unreachable from our own address, +errors, pipe', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    w.cni.removePod('default/b');
    const r = await runCmd(w, a, pingCommand, 'ping -c 2 10.244.1.6');
    const lines = r.stdout.split('\n');
    expect(lines.slice(1, 3)).toEqual(['From 10.244.1.5 icmp_seq=1 Destination Host Unreachable', 'From 10.244.1.5 icmp_seq=2 Destination Host Unreachable']);
    expect(lines[5]).toMatch(/^2 packets transmitted, 0 received, \+2 errors, 100% packet loss, time 1000ms$/);
    expect(lines[6]).toBe('pipe 2');
    expect(r.code).toBe(1);
  });

  it('no answer at all: statistics then an empty line, exit 1', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    w.topology.loginNs.addRoute({ dst: ipv4('10.96.0.0'), prefix: 12, type: 'blackhole' });
    const r = await runCmd(w, a, pingCommand, 'ping -c 2 -W 1 10.96.45.12');
    expect(r.stdout).toBe('PING 10.96.45.12 (10.96.45.12) 56(84) bytes of data.\n\n--- 10.96.45.12 ping statistics ---\n2 packets transmitted, 0 received, 100% packet loss, time 1000ms\n\n');
    expect(r.code).toBe(1);
  });
});

describe('traceroute', () => {
  it('node to a pod on another node: the other node, then the pod', async () => {
    const w = world();
    podHost(w, 'b', 'worker-2', '10.244.2.5', '10.244.2.0/24');
    const r = await runCmd(w, hostFor(w, 'node/worker-1'), tracerouteCommand, 'traceroute -n 10.244.2.5');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('traceroute to 10.244.2.5 (10.244.2.5), 30 hops max, 60 byte packets');
    expect(lines[1]).toMatch(/^ 1  172\.18\.0\.4  \d+\.\d{3} ms  \d+\.\d{3} ms  \d+\.\d{3} ms$/);
    expect(lines[2]).toMatch(/^ 2  10\.244\.2\.5  \d+\.\d{3} ms  \d+\.\d{3} ms  \d+\.\d{3} ms$/);
    expect(lines.length).toBe(4);
  });
});

describe('ss', () => {
  it('ss -ltn (not a terminal) packs the columns; listeners on *', async () => {
    const w = world();
    const pod = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    serveHello(w.network.ns(pod.netns!)!, 8000, 'a');
    const r = await runCmd(w, pod, ssCommand, 'ss -ltn');
    expect(r.stdout).toBe('State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\nLISTEN 0      511                *:8000            *:*          \n');
  });

  it('ss -tan shows TIME-WAIT after a request, the client side peer being the server', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    serveHello(w.network.ns(b.netns!)!, 8000, 'b');
    const out = httpGet(w.network.ns(a.netns!)!, '10.244.1.6', 8000);
    w.scheduler.runUntil(() => out.done, w.scheduler.now() + 1000);
    const r = await runCmd(w, a, ssCommand, 'ss -tan');
    expect(r.stdout).toMatch(/^State     Recv-Q Send-Q +Local Address:Port +Peer Address:PortProcess\nTIME-WAIT 0      0      +10\.244\.1\.5:\d{5} +10\.244\.1\.6:8000 *\n$/);
  });

  it('ss -ltn on an 80-column terminal spreads the columns like ss', async () => {
    const w = world();
    const node = hostFor(w, 'node/worker-1');
    const ns = w.network.ns('node/worker-1')!;
    for (const p of [10248, 10249]) ns.listenTcp(p, () => ({}), { addr: ipv4('127.0.0.1'), backlog: 128 });
    for (const p of [10250, 10256]) ns.listenTcp(p, () => ({}), { backlog: 128 });
    const r = await runCmd(w, node, ssCommand, 'ss -ltn', { terminal: true, columns: 80 });
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'State   Recv-Q   Send-Q     Local Address:Port      Peer Address:Port  Process  ',
      'LISTEN  0        128            127.0.0.1:10248          0.0.0.0:*              ',
    ]);
  });
});

describe('tcpdump', () => {
  it('captures a pod-to-pod HTTP exchange on the pod\'s eth0 in tcpdump format (-c)', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    serveHello(w.network.ns(b.netns!)!, 8000, 'b');
    w.scheduler.after(1, () => httpGet(w.network.ns(a.netns!)!, '10.244.1.6', 8000));
    const r = await runCmd(w, a, tcpdumpCommand, 'tcpdump -i eth0 -n -c 10 tcp');
    expect(r.stderr).toBe(
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n10 packets captured\n10 packets received by filter\n0 packets dropped by kernel\n',
    );
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{6} IP 10\.244\.1\.5\.(\d+) > 10\.244\.1\.6\.8000: Flags \[S\], seq \d+, win 64240, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale 10\], length 0$/);
    expect(lines[1]).toMatch(/IP 10\.244\.1\.6\.8000 > 10\.244\.1\.5\.\d+: Flags \[S\.\], seq \d+, ack \d+, win 65160, options \[mss 1460,sackOK,TS val \d+ ecr \d+,nop,wscale 10\], length 0$/);
    expect(lines[2]).toMatch(/Flags \[\.\], ack 1, win 63, options \[nop,nop,TS val \d+ ecr \d+\], length 0$/);
    expect(lines[3]).toMatch(/Flags \[P\.\], seq 1:(\d+), ack 1, win 63, options \[nop,nop,TS val \d+ ecr \d+\], length \d+$/);
    expect(lines[4]).toMatch(/> 10\.244\.1\.5\.\d+: Flags \[\.\], ack \d+, win 64, /);
    expect(lines[5]).toMatch(/Flags \[P\.\], seq 1:\d+, ack \d+, win 64, /);
    expect(lines[7]).toMatch(/10\.244\.1\.5\.\d+ > 10\.244\.1\.6\.8000: Flags \[F\.\], seq \d+, ack \d+, win 63/);
    expect(lines[8]).toMatch(/10\.244\.1\.6\.8000 > 10\.244\.1\.5\.\d+: Flags \[F\.\], seq \d+, ack \d+, win 64/);
    expect(lines[9]).toMatch(/Flags \[\.\], ack \d+, win 63/);
  });

  it('RST from a closed port prints as in §3.5', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    w.scheduler.after(1, () => httpGet(w.network.ns(a.netns!)!, '10.244.1.6', 9999));
    const r = await runCmd(w, a, tcpdumpCommand, 'tcpdump -i eth0 -n -c 2 tcp or icmp');
    const m = /Flags \[S\], seq (\d+),/.exec(r.stdout)!;
    expect(r.stdout).toContain(`IP 10.244.1.6.9999 > 10.244.1.5.`);
    expect(r.stdout).toContain(`: Flags [R.], seq 0, ack ${Number(m[1]) + 1}, win 0, length 0\n`);
  });

  it('-i any shows interface and direction; -w writes a pcap that -r reads back', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = podHost(w, 'b', 'worker-2', '10.244.2.6', '10.244.2.0/24');
    serveHello(w.network.ns(b.netns!)!, 8000, 'b');
    const node = hostFor(w, 'node/worker-1');
    w.scheduler.after(1, () => httpGet(w.network.ns(a.netns!)!, '10.244.2.6', 8000));
    const live = await runCmd(w, node, tcpdumpCommand, 'tcpdump -i any -n -c 4 tcp');
    expect(live.stderr.split('\n')[0]).toBe('tcpdump: data link type LINUX_SLL2');
    const l = live.stdout.split('\n');
    expect(l[0]).toMatch(/^\S+ veth[0-9a-f]{8} P   IP 10\.244\.1\.5\.\d+ > 10\.244\.2\.6\.8000: Flags \[S\]/);
    expect(l[1]).toMatch(/^\S+ cni0  In  IP 10\.244\.1\.5\.\d+ > 10\.244\.2\.6\.8000: Flags \[S\]/);
    expect(l[2]).toMatch(/^\S+ eth0  Out IP 10\.244\.1\.5\.\d+ > 10\.244\.2\.6\.8000: Flags \[S\]/);
    w.scheduler.advance(70_000);
    w.scheduler.after(1, () => httpGet(w.network.ns(a.netns!)!, '10.244.2.6', 8000));
    const wr = await runCmd(w, node, tcpdumpCommand, 'tcpdump -i eth0 -c 10 -w /tmp/x.pcap');
    expect(wr.stdout).toBe('');
    expect(wr.stderr.split('\n')[0]).toBe('tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes');
    const rd = await runCmd(w, node, tcpdumpCommand, 'tcpdump -r /tmp/x.pcap -n');
    expect(rd.stderr).toBe('reading from file /tmp/x.pcap, link-type EN10MB (Ethernet), snapshot length 262144\n');
    expect(rd.stdout.trimEnd().split('\n')).toHaveLength(10);
    expect(rd.stdout).toMatch(/HTTP|Flags \[P\.\], seq 1:\d+/);
  });
});

describe('tcpdump -i any on a node, pod → ClusterIP → pod on the same node (§3.1)', () => {
  it('shows the client veth before DNAT and the backend veth after it, never cni0 (br_netfilter)', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    serveHello(w.network.ns(b.netns!)!, 8000, 'b');
    const nf = w.network.ns('node/worker-1')!.netfilter as unknown as { restore(t: string, o: { noflush: boolean }): void };
    nf.restore('*nat\n-A PREROUTING -d 10.96.45.12/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.244.1.6:8000\nCOMMIT\n', { noflush: true });
    // resolve ARP first so the capture holds only the TCP exchange
    await runCmd(w, a, pingCommand, 'ping -c 1 10.244.1.1');
    await runCmd(w, hostFor(w, 'node/worker-1'), pingCommand, 'ping -c 1 10.244.1.6');
    w.scheduler.after(1, () => httpGet(w.network.ns(a.netns!)!, '10.96.45.12', 80));
    const r = await runCmd(w, hostFor(w, 'node/worker-1'), tcpdumpCommand, 'tcpdump -i any -n -c 4 tcp');
    const l = r.stdout.trim().split('\n').map((x) => x.replace(/^\S+ /, '').replace(/, options .*$/, ''));
    expect(l[0]).toMatch(/^veth[0-9a-f]{8} P   IP 10\.244\.1\.5\.\d+ > 10\.96\.45\.12\.80: Flags \[S\], seq \d+, win 64240$/);
    expect(l[1]).toMatch(/^veth[0-9a-f]{8} Out IP 10\.244\.1\.5\.\d+ > 10\.244\.1\.6\.8000: Flags \[S\], seq \d+, win 64240$/);
    expect(l[2]).toMatch(/^veth[0-9a-f]{8} P   IP 10\.244\.1\.6\.8000 > 10\.244\.1\.5\.\d+: Flags \[S\.\], seq \d+, ack \d+, win 65160$/);
    expect(l[3]).toMatch(/^veth[0-9a-f]{8} Out IP 10\.96\.45\.12\.80 > 10\.244\.1\.5\.\d+: Flags \[S\.\], seq \d+, ack \d+, win 65160$/);
    expect(r.stdout).not.toMatch(/cni0/);
  });
});

describe('ip route add/del, ip link set, tc netem', () => {
  it('a blackhole route makes ping fail; deleting it restores the path', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-2', '10.244.2.5', '10.244.2.0/24');
    const node = hostFor(w, 'node/worker-1');
    expect((await runCmd(w, node, ipCommand, 'ip route replace blackhole 10.244.2.0/24')).code).toBe(0);
    expect((await runCmd(w, node, ipCommand, 'ip route')).stdout).toContain('blackhole 10.244.2.0/24 \n');
    expect((await runCmd(w, a, pingCommand, 'ping -c 1 -W 1 10.244.2.5')).code).toBe(1);
    expect((await runCmd(w, node, ipCommand, 'ip route del 10.244.2.0/24')).code).toBe(0);
    expect((await runCmd(w, node, ipCommand, 'ip route add 10.244.2.0/24 via 172.18.0.4')).code).toBe(0);
    expect((await runCmd(w, node, ipCommand, 'ip route add 10.244.2.0/24 via 172.18.0.4')).stderr).toBe('RTNETLINK answers: File exists\n');
    expect((await runCmd(w, a, pingCommand, 'ping -c 1 10.244.2.5')).code).toBe(0);
  });

  it('ip link set eth0 down shows DOWN and cuts the pod off', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    await runCmd(w, a, ipCommand, 'ip link set eth0 down');
    expect((await runCmd(w, a, ipCommand, 'ip -br link')).stdout).toMatch(/^eth0@if\d+ +DOWN /m);
    expect((await runCmd(w, a, pingCommand, 'ping -c 1 -W 1 10.244.1.6')).code).toBe(1);
  });

  it('tc qdisc add … netem delay shows in ping times', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    const { tcCommand } = await import('./tc');
    expect((await runCmd(w, a, tcCommand, 'tc qdisc add dev eth0 root netem delay 100ms')).code).toBe(0);
    expect((await runCmd(w, a, tcCommand, 'tc qdisc show dev eth0')).stdout).toBe('qdisc netem 8001: dev eth0 root refcnt 2 limit 1000 delay 100ms\n');
    const r = await runCmd(w, a, pingCommand, 'ping -c 2 10.244.1.6');
    expect(r.stdout).toMatch(/icmp_seq=2 ttl=64 time=100 ms/);
  });
});

describe('tcpdump as a background job (cmd &)', () => {
  it('returns control at once, captures the next command\'s packets, prints the footer at -c, and only then ends', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    serveHello(w.network.ns(b.netns!)!, 8000, 'b');
    let out = '';
    const ctx = {
      argv: ['tcpdump', '-i', 'eth0', '-n', '-c', '3', 'tcp'], stdin: '', env: new Map(), cwd: '/', host: a, world: w,
      stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (out += t) },
      session: { enterHost() {}, clearScreen() {} }, signal: new AbortController().signal, interactive: false,
      background: true, resolvePath: (p: string) => p,
    };
    const before = w.scheduler.now();
    let ended: number | undefined;
    void Promise.resolve(tcpdumpCommand.run(ctx)).then((status) => (ended = status));
    await Promise.resolve();
    expect(w.scheduler.now()).toBe(before);
    expect(ended).toBeUndefined();
    const r = httpGet(w.network.ns(a.netns!)!, '10.244.1.6', 8000);
    w.scheduler.runUntil(() => r.done, w.scheduler.now() + 1000);
    w.scheduler.advance(5);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ended).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines.filter((l) => / IP /.test(l))).toHaveLength(3);
    expect(lines.slice(-3)).toEqual(['3 packets captured', '3 packets received by filter', '0 packets dropped by kernel']);
  });
});

describe('ss -tan on the server side', () => {
  it('a connection accepted by a dual-stack listener shows IPv4-mapped addresses (§5.2)', async () => {
    const w = world();
    const a = podHost(w, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = podHost(w, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    w.network.ns(b.netns!)!.listenTcp(8000, () => ({}));
    w.network.ns(a.netns!)!.connectTcp({ dst: ipv4('10.244.1.6'), dport: 8000, events: {} });
    w.scheduler.advance(5);
    const r = await runCmd(w, b, ssCommand, 'ss -tan');
    expect(r.stdout).toMatch(/^ESTAB +0 +0 +\[::ffff:10\.244\.1\.6\]:8000 +\[::ffff:10\.244\.1\.5\]:\d+ *$/m);
    expect(r.stdout).toMatch(/^LISTEN +0 +511 +\*:8000 +\*:\* *$/m);
  });
});
