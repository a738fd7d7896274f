import { describe, expect, it } from 'vitest';
import { formatIpv4, ipv4 } from './addr';
import { addPod, httpGet, serveHello, testNet } from './testkit';
import { Network } from './network';
import { Scheduler } from '../core/scheduler';
import { Rng } from '../core/rng';
import { packetOf, type Ipv4Packet } from './packet/ipv4';
import { rawData } from './packet/http';

describe('packet network (local profile)', () => {
  it('pod to pod across nodes: handshake, request, response, teardown', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    const b = addPod(t, 'b', 'worker-2', '10.244.2.7', '10.244.2.0/24');
    serveHello(b, 8000, 'b');
    const r = httpGet(a, '10.244.2.7', 8000);
    t.scheduler.runUntil(() => r.done, t.scheduler.now() + 5000);
    expect(r.error).toBeUndefined();
    expect(r.response?.status).toBe(200);
    expect(r.response?.body).toBe('hello from b\n');
    // client ends in TIME-WAIT, server connection is gone
    const clientConns = [...a.tcpConns.values()].flatMap((m) => [...m.values()]);
    expect(clientConns.map((c) => c.state)).toEqual(['TIME-WAIT']);
    t.scheduler.advance(10); // the client's last ACK reaches the server
    expect(b.tcpConns.size).toBe(0);
    t.scheduler.advance(61_000);
    expect(a.tcpConns.size).toBe(0);
  });

  it('closed port answers RST: ECONNREFUSED without delay', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    addPod(t, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    const start = t.scheduler.now();
    const r = httpGet(a, '10.244.1.6', 9999);
    t.scheduler.runUntil(() => r.done, start + 5000);
    expect(r.error).toBe('ECONNREFUSED');
    expect(t.scheduler.now() - start).toBeLessThan(5);
  });

  it('deleted pod: ARP fails, the connection reports host unreachable', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    addPod(t, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    t.cni.removePod('default/b');
    const start = t.scheduler.now();
    const r = httpGet(a, '10.244.1.6', 8000);
    t.scheduler.runUntil(() => r.done, start + 200_000);
    expect(r.error).toBe('EHOSTUNREACH');
    // three ARP requests one second apart, then the kernel gives up
    expect(t.scheduler.now() - start).toBeGreaterThanOrEqual(3000);
    expect(t.scheduler.now() - start).toBeLessThan(3100);
  });

  it('SYN retransmission follows Linux backoff (1, 2, 4, … s) and times out', () => {
    const t = testNet();
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    // a destination routed out to the internet where nobody answers: blackhole it at the workstation
    t.topology.loginNs.addRoute({ dst: ipv4('10.96.0.0'), prefix: 12, type: 'blackhole' });
    const sent: number[] = [];
    t.network.attachCapture(a, { iface: 'eth0', onFrame: (time, _i, f, dir) => { if (dir === 'Out' && !('kind' in f.payload)) sent.push(time); } });
    const start = t.scheduler.now();
    const r = httpGet(a, '10.96.45.12', 80);
    t.scheduler.runUntil(() => r.done, start + 300_000);
    expect(r.error).toBe('ETIMEDOUT');
    const offsets = sent.map((x) => Math.round(x - start));
    expect(offsets).toEqual([0, 1000, 3000, 7000, 15000, 31000, 63000]);
    expect(Math.round(t.scheduler.now() - start)).toBe(127000);
  });

  it('ip_forward and routes: each node routes the other podCIDRs via node IPs', () => {
    const t = testNet();
    const w1 = t.topology.nodes.get('worker-1')!;
    const r = w1.routeTo(ipv4('10.244.2.9'))!;
    expect(formatIpv4(r.route.via!)).toBe('172.18.0.4');
    expect(formatIpv4(r.src)).toBe('172.18.0.3');
  });

  it('cloud: laptop reaches a node through its public IP (1:1 NAT at the internet gateway)', () => {
    const t = testNet('cloud');
    const node = t.topology.nodes.get('node-1')!;
    serveHello(node, 30080, 'node-1');
    const r = httpGet(t.topology.loginNs, '203.0.113.101', 30080);
    t.scheduler.runUntil(() => r.done, t.scheduler.now() + 5000);
    expect(r.response?.body).toBe('hello from node-1\n');
  });
});

describe('the internet from the local profile', () => {
  it('a node reaches the public DNS server through docker\'s MASQUERADE on the workstation', async () => {
    const { createWorld } = await import('../world');
    const w = createWorld({ profile: 'local', seed: 2 });
    const { dnsMessage } = await import('./packet/dns');
    const node = w.topology.nodes.get('worker-1')!;
    let answer: string | undefined;
    const sock = node.openUdp((m) => {
      if (m.data.kind === 'dns') answer = m.data.answers.map((a) => (a.rdata.type === 'A' ? a.rdata.address : '')).join(',');
    });
    const seen: string[] = [];
    w.network.attachCapture(w.network.ns('internet/dns')!, { iface: 'eth0', onFrame: (_t, _i, f, dir) => { if (dir === 'In' && !('kind' in f.payload)) seen.push(formatIpv4(f.payload.src)); } });
    sock.send(ipv4('8.8.8.8'), 53, dnsMessage({ id: 7, rd: true, questions: [{ name: 'api.external.com', type: 'A', class: 1 }] }));
    w.scheduler.runUntil(() => answer !== undefined, w.scheduler.now() + 1000);
    expect(seen).toEqual(['198.51.100.7']);
    expect(answer).toBe('203.0.113.10');
  });
});

describe('fault injection', () => {
  it('with 30% loss on a pod\'s link TCP still delivers every request, by retransmitting (deterministically)', () => {
    const run = () => {
      const t = testNet('local', 21);
      const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
      const b = addPod(t, 'b', 'worker-2', '10.244.2.7', '10.244.2.0/24');
      serveHello(b, 8000, 'b');
      expect(t.network.setLinkFault('pod/default/a', 'eth0', { loss: 0.3 })).toBe(true);
      let ok = 0, elapsed = 0;
      for (let i = 0; i < 20; i++) {
        const start = t.scheduler.now();
        const r = httpGet(a, '10.244.2.7', 8000);
        t.scheduler.runUntil(() => r.done, start + 200_000);
        if (r.response?.status === 200) ok++;
        elapsed += t.scheduler.now() - start;
        t.scheduler.advance(1);
      }
      return { ok, elapsed };
    };
    const first = run();
    expect(first.ok).toBe(20);
    // losses cost retransmission timeouts (≥ 200 ms each), so the run takes far longer than 20 clean requests
    expect(first.elapsed).toBeGreaterThan(1000);
    expect(run()).toEqual(first);
  });

  it('latency on a link shows in ping round trips', () => {
    const t = testNet('local', 3);
    const a = addPod(t, 'a', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    addPod(t, 'b', 'worker-1', '10.244.1.6', '10.244.1.0/24');
    t.network.setLinkFault('pod/default/a', 'eth0', { latencyMs: 5 });
    t.scheduler.advance(1); // the pods' gratuitous ARPs are done
    let rtt = 0;
    const start = t.scheduler.now();
    const s = a.openPing(() => (rtt = t.scheduler.now() - start), () => {});
    s.send(ipv4('10.244.1.6'), 1);
    t.scheduler.runUntil(() => rtt > 0, start + 1000);
    // ARP request and the echo request each cross the slow link once (the replies come back on the fast one)
    expect(rtt).toBeGreaterThanOrEqual(10);
    expect(rtt).toBeLessThan(11);
  });
});

describe('the backlog', () => {
  it('delivers frames from links of different latencies in arrival-time order, equal times in sending order, with more frames in flight than its first slots', () => {
    const scheduler = new Scheduler();
    const net = new Network(scheduler, new Rng(1));
    const a = net.createNamespace('a'), b = net.createNamespace('b');
    const latencies = [0.005, 0.001, 0.05, 0, 0.02];
    const ends = latencies.map((ms, i) => net.vethPair(a, `v${i}`, b, `w${i}`, ms));
    const arrived: { time: number; id: number }[] = [];
    net.attachCapture(b, { iface: undefined, onFrame: (time, _iface, f) => arrived.push({ time, id: (f.payload as Ipv4Packet).id }) });
    const rng = new Rng(5);
    const expected: { time: number; seq: number; id: number }[] = [];
    const sendBurst = (n: number): void => {
      for (let k = 0; k < n; k++) {
        const link = rng.int(latencies.length);
        const id = expected.length + 1;
        const [from, to] = ends[link]!;
        net.send(from, to.mac, from.mac, packetOf(ipv4('10.0.0.1'), ipv4('10.0.0.2'), 17, 1, 2, 0, 0, 0, { kind: 'raw-l4', data: rawData(new Uint8Array(0)) }, 64, true, id, 0, 0, 0), 0);
        expected.push({ time: scheduler.now() + latencies[link]!, seq: id, id });
      }
    };
    sendBurst(40);
    scheduler.after(0.01, () => sendBurst(25));
    scheduler.advance(1);
    expected.sort((x, y) => x.time - y.time || x.seq - y.seq);
    // Within a burst the frames arrive in order of arrival time; the second burst is sent after the first drained.
    expect(arrived.map((f) => f.id)).toEqual([...expected.filter((e) => e.id <= 40), ...expected.filter((e) => e.id > 40)].map((e) => e.id));
    expect(arrived.map((f) => f.time)).toEqual([...expected.filter((e) => e.id <= 40), ...expected.filter((e) => e.id > 40)].map((e) => e.time));
  });

  it('delivers every burst over hundreds of them (its frame list replaced now and then); a frame whose processing threw drops the frames still waiting, and the next burst arrives', () => {
    const scheduler = new Scheduler();
    const net = new Network(scheduler, new Rng(1));
    const a = net.createNamespace('a'), b = net.createNamespace('b');
    const [from, to] = net.vethPair(a, 'v0', b, 'w0', 0.005);
    const arrived: number[] = [];
    let failOn = -1;
    net.attachCapture(b, {
      iface: undefined,
      onFrame: (_time, _iface, f) => {
        const id = (f.payload as Ipv4Packet).id;
        if (id === failOn) throw new Error(`frame ${id}`);
        arrived.push(id);
      },
    });
    let id = 0;
    const sendBurst = (n: number): number[] => {
      const ids: number[] = [];
      for (let k = 0; k < n; k++) {
        ids.push(++id);
        net.send(from, to.mac, from.mac, packetOf(ipv4('10.0.0.1'), ipv4('10.0.0.2'), 17, 1, 2, 0, 0, 0, { kind: 'raw-l4', data: rawData(new Uint8Array(0)) }, 64, true, id, 0, 0, 0), 0);
      }
      return ids;
    };
    const expected: number[] = [];
    for (let burst = 0; burst < 300; burst++) {
      expected.push(...sendBurst(1 + (burst % 5)));
      scheduler.advance(1);
    }
    expect(arrived).toEqual(expected);
    arrived.length = 0;
    const ids = sendBurst(5);
    failOn = ids[1]!;
    expect(() => scheduler.advance(1)).toThrow(`frame ${failOn}`);
    expect(arrived).toEqual([ids[0]]);
    arrived.length = 0;
    const next = sendBurst(3);
    scheduler.advance(1);
    expect(arrived).toEqual(next);
  });

  it('a bridge forwards by its FDB while a port sends to three destinations in turn and a MAC moves to another port', () => {
    const scheduler = new Scheduler();
    const net = new Network(scheduler, new Rng(1));
    const sw = net.createNamespace('sw');
    const br = net.addBridge(sw, 'br0');
    const hosts = [0, 1, 2, 3].map((i) => {
      const h = net.createNamespace(`h${i}`);
      const [port, end] = net.vethPair(sw, `p${i}`, h, 'eth0');
      net.enslave(port, br);
      return { h, end };
    });
    const got: { host: number; id: number }[] = [];
    hosts.forEach(({ h }, i) => net.attachCapture(h, { iface: undefined, onFrame: (_t, _iface, f) => got.push({ host: i, id: (f.payload as Ipv4Packet).id }) }));
    let id = 0;
    const frame = (from: number, dst: number, src = hosts[from]!.end.mac): number => {
      const end = hosts[from]!.end;
      net.send(end, dst, src, packetOf(ipv4('10.0.0.1'), ipv4('10.0.0.2'), 17, 1, 2, 0, 0, 0, { kind: 'raw-l4', data: rawData(new Uint8Array(0)) }, 64, true, ++id, 0, 0, 0), 0);
      scheduler.advance(1);
      return id;
    };
    for (let i = 0; i < 4; i++) frame(i, 0xffffffffffff); // every host's MAC learned on its port
    got.length = 0;
    const expected: { host: number; id: number }[] = [];
    const rng = new Rng(11);
    const owner = [0, 1, 2, 3]; // which port each host's MAC is on
    for (let k = 0; k < 120; k++) {
      if (k === 60) {
        frame(3, hosts[0]!.end.mac, hosts[2]!.end.mac); // host 2's MAC now comes from port 3
        expected.push({ host: 0, id });
        owner[2] = 3;
      }
      const to = 1 + rng.int(3);
      expected.push({ host: owner[to]!, id: frame(0, hosts[to]!.end.mac) });
    }
    expect(got).toEqual(expected);
  });

  it('frames on slow links (scheduled, not in the backlog) arrive in order at their times, more in flight than a link first has slots for', () => {
    const scheduler = new Scheduler(0);
    const net = new Network(scheduler, new Rng(1));
    const a = net.createNamespace('a'), b = net.createNamespace('b');
    const latencies = [2, 0.5];
    const ends = latencies.map((ms, i) => net.vethPair(a, `v${i}`, b, `w${i}`, ms));
    const arrived: { time: number; id: number }[] = [];
    net.attachCapture(b, { iface: undefined, onFrame: (time, _iface, f) => arrived.push({ time, id: (f.payload as Ipv4Packet).id }) });
    const expected: { time: number; id: number }[] = [];
    const rng = new Rng(3);
    let id = 0;
    for (let round = 0; round < 200; round++) {
      const n = round % 7 === 0 ? 21 : 1 + rng.int(3);
      for (let k = 0; k < n; k++) {
        const link = rng.int(latencies.length);
        const [from, to] = ends[link]!;
        net.send(from, to.mac, from.mac, packetOf(ipv4('10.0.0.1'), ipv4('10.0.0.2'), 17, 1, 2, 0, 0, 0, { kind: 'raw-l4', data: rawData(new Uint8Array(0)) }, 64, true, ++id, 0, 0, 0), 0);
        expected.push({ time: scheduler.now() + latencies[link]!, id });
      }
      scheduler.advance(round % 3 === 0 ? 0.25 : 3);
    }
    scheduler.advance(10);
    expected.sort((x, y) => x.time - y.time || x.id - y.id);
    expect(arrived).toEqual(expected);
  });
});
