import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Iface } from './iface';
import type { NetNamespace } from './netns';
import { testNet, addPod } from './testkit';

describe('interface receive times (confirm neighbours in DELAY)', () => {
  it('answers as a plain MAC → time map would, whatever the order of senders, reads and forgets', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('rx' as const), mac: fc.integer({ min: 1, max: 4 }), dt: fc.integer({ min: 0, max: 3 }) }),
      fc.record({ kind: fc.constant('read' as const), mac: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ kind: fc.constant('forget' as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const iface = new Iface(null as unknown as NetNamespace, 2, 'eth0', 'veth', 0x0a0000000001, 1500);
        const model = new Map<number, number>();
        let now = 0;
        for (const o of ops) {
          if (o.kind === 'rx') {
            now += o.dt;
            iface.noteRx(o.mac, now);
            model.set(o.mac, now);
          } else if (o.kind === 'read') expect(iface.lastRx(o.mac)).toBe(model.get(o.mac));
          else {
            iface.forgetRx();
            model.clear();
          }
        }
        for (let mac = 1; mac <= 5; mac++) expect(iface.lastRx(mac)).toBe(model.get(mac));
      }),
    );
  });
});

describe('NetNamespace.isLocal', () => {
  it('agrees with the address set after any mix of lookups, additions and removals', () => {
    const addrs = [0x0a000001, 0xc0a80001, 0x7f000005];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('ask' as const), i: fc.integer({ min: 0, max: addrs.length - 1 }) }),
      fc.record({ kind: fc.constant('add' as const), i: fc.integer({ min: 0, max: addrs.length - 1 }) }),
      fc.record({ kind: fc.constant('del' as const), i: fc.integer({ min: 0, max: addrs.length - 1 }) }),
    );
    // One namespace throughout: each run starts from whatever set and memo the previous run left.
    const ns = addPod(testNet(), 'p', 'worker-1', '10.244.1.5', '10.244.1.0/24');
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        for (const o of ops) {
          const a = addrs[o.i]!;
          if (o.kind === 'add') ns.localAddrs.add(a);
          else if (o.kind === 'del') ns.localAddrs.delete(a);
          else expect(ns.isLocal(a)).toBe(ns.localAddrs.has(a) || a >>> 24 === 127);
        }
      }),
      { numRuns: 500 },
    );
  });
});
