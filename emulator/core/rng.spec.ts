import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('fork depends on the seed and label, not on how far the parent has been drawn', () => {
    const a = new Rng(7);
    const f1 = a.fork('replicaset').next();
    a.next();
    a.next();
    expect(a.fork('replicaset').next()).toBe(f1);
    expect(a.fork('kube-proxy').next()).not.toBe(f1);
  });

  it('int stays in range and covers it roughly uniformly', () => {
    const r = new Rng(1);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 20000; i++) counts[r.int(10)]++;
    for (const c of counts) expect(c).toBeGreaterThan(1700);
    for (const c of counts) expect(c).toBeLessThan(2300);
  });

  it('string draws only from the alphabet', () => {
    const s = new Rng(3).string(200, 'bcdfghjklmnpqrstvwxz2456789');
    expect(s).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{200}$/);
  });
});
