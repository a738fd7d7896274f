import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DstRules, DstSlots } from './interpreter';

describe('DstSlots (the flat front of the destination index)', () => {
  it('answers every (destination, key) as the destination map does: the one position, none, or "ask the map"', () => {
    const entry = fc.record({
      dst: fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(0, 0x7fffffff, 0x80000000, 0xffffffff, 0x0a600a00)),
      key: fc.constantFrom(6 * 65536 + 80, 6 * 65536 + 53, 17 * 65536 + 53, 6 * 65536 + 443),
    });
    fc.assert(fc.property(fc.array(entry, { maxLength: 80 }), fc.array(entry, { maxLength: 40 }), (rules, probes) => {
      const byDst = new Map<number, DstRules>();
      rules.forEach((r, pos) => {
        let d = byDst.get(r.dst);
        if (!d) byDst.set(r.dst, (d = new DstRules()));
        d.add(r.key, pos);
      });
      const slots = new DstSlots(byDst);
      for (const q of [...rules, ...probes]) {
        const want = byDst.get(q.dst)?.get(q.key);
        const got = slots.probe(q.dst, q.key);
        if (got === -2) expect(byDst.has(q.dst)).toBe(true);
        else if (got === -1) expect(want).toBeUndefined();
        else expect(want).toEqual([got]);
        // A single position is answered from the slots, not left to the map.
        if (want?.length === 1 && byDst.get(q.dst)!.key0 === q.key) expect(got).toBe(want[0]);
      }
    }), { numRuns: 300 });
  });
});
