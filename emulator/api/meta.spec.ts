import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng';
import { uuidV4, withField } from './meta';

describe('uuidV4', () => {
  it('is a version 4, variant 10xx UUID laid out from four draws of the seeded stream', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (seed) => {
        const draws = new Rng(seed);
        const [a, b, c, d] = [draws.nextUint32(), draws.nextUint32(), draws.nextUint32(), draws.nextUint32()];
        const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
        const hb = hex((b & 0xffff0fff) | 0x4000);
        const hc = hex((c & 0x3fffffff) | 0x80000000);
        const id = uuidV4(new Rng(seed));
        expect(id).toBe(`${hex(a)}-${hb.slice(0, 4)}-${hb.slice(4)}-${hc.slice(0, 4)}-${hc.slice(4)}${hex(d)}`);
        expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      }),
    );
  });

  it('withField copies like a spread with one more key: same keys, same order, the source untouched', () => {
    const src = { b: 1, a: { x: 1 }, c: 'c' };
    for (const key of ['a', 'z']) {
      const got = withField(src, key, 42);
      expect(Object.keys(got)).toEqual(Object.keys({ ...src, [key]: 42 }));
      expect(got).toEqual({ ...src, [key]: 42 });
      expect(got).not.toBe(src);
    }
    expect(src).toEqual({ b: 1, a: { x: 1 }, c: 'c' });
    expect(withField(undefined, 'k', 1)).toEqual({ k: 1 });
  });
});
