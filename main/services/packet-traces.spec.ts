import { describe, expect, it } from 'vitest';
import { TraceStore } from '../../emulator/net/trace';
import { packetTraces } from './packet-traces';

describe('packetTraces', () => {
  it('turns each traced request and its hops into plain contract data, in order', () => {
    const store = new TraceStore();
    const req = store.beginRequest('curl http://web', 'workstation', 1000);
    const base = { reqId: req, pid: 1, time: 1000.5 };
    store.record({ ...base, netns: 'workstation', kind: 'xmit', iface: 'eth0', dir: 'out', packet: 'IP 172.18.0.1.40000 > 10.96.0.10.80: Flags [S]' });
    store.record({
      ...base,
      time: 1001,
      netns: 'node/worker-1',
      kind: 'hook',
      hook: 'PREROUTING',
      verdict: 'accept',
      natBefore: '172.18.0.1:40000 > 10.96.0.10:80',
      natAfter: '172.18.0.1:40000 > 10.244.1.5:80',
      packet: 'IP 172.18.0.1.40000 > 10.96.0.10.80: Flags [S]',
    });
    store.record({ ...base, reqId: 0, netns: 'x', kind: 'drop', packet: 'background' });
    expect(packetTraces(store)).toEqual([
      {
        id: String(req),
        summary: 'curl http://web on workstation',
        hops: [
          { at: 1000.5, where: 'workstation', what: 'xmit eth0 out', summary: 'IP 172.18.0.1.40000 > 10.96.0.10.80: Flags [S]' },
          {
            at: 1001,
            where: 'node/worker-1',
            what: 'hook PREROUTING accept 172.18.0.1:40000 > 10.96.0.10:80 → 172.18.0.1:40000 > 10.244.1.5:80',
            summary: 'IP 172.18.0.1.40000 > 10.96.0.10.80: Flags [S]',
          },
        ],
      },
    ]);
  });
});
