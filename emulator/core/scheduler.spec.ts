import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler, VIRTUAL_EPOCH_MS } from './scheduler';

describe('Scheduler', () => {
  it('starts at the virtual epoch and runs tasks in (due, insertion) order', () => {
    const s = new Scheduler();
    expect(s.now()).toBe(VIRTUAL_EPOCH_MS);
    const order: string[] = [];
    s.after(20, () => order.push('b'));
    s.after(10, () => order.push('a'));
    s.after(20, () => order.push('c'));
    s.after(0, () => order.push('now'));
    s.advance(15);
    expect(order).toEqual(['now', 'a']);
    expect(s.now()).toBe(VIRTUAL_EPOCH_MS + 15);
    s.advance(100);
    expect(order).toEqual(['now', 'a', 'b', 'c']);
  });

  it('a task sees the virtual time it was due at', () => {
    const s = new Scheduler(0);
    const seen: number[] = [];
    s.after(5, () => {
      seen.push(s.now());
      s.after(7, () => seen.push(s.now()));
    });
    s.advance(100);
    expect(seen).toEqual([5, 12]);
    expect(s.now()).toBe(100);
  });

  it('cancel prevents a task from running and stops counting it as foreground work', () => {
    const s = new Scheduler(0);
    let ran = false;
    const h = s.after(10, () => (ran = true));
    expect(s.pendingForeground()).toBe(1);
    s.cancel(h);
    expect(s.pendingForeground()).toBe(0);
    s.advance(20);
    expect(ran).toBe(false);
  });

  it('settle advances until foreground work is done, ignoring periodic background tasks', () => {
    const s = new Scheduler(0);
    let ticks = 0;
    const tick = () => {
      ticks++;
      s.after(1000, tick, { background: true });
    };
    s.after(1000, tick, { background: true });
    let done = false;
    s.after(2500, () => s.after(2500, () => (done = true)));
    const elapsed = s.settle();
    expect(done).toBe(true);
    expect(elapsed).toBe(5000);
    expect(ticks).toBe(5);
  });

  it('settle stops at its limit when work keeps coming', () => {
    const s = new Scheduler(0);
    const loop = () => s.after(100, loop);
    loop();
    expect(s.settle(1000)).toBe(1000);
  });

  it('runUntil returns as soon as the condition holds, or rests at the deadline', () => {
    const s = new Scheduler(0);
    let flag = false;
    s.after(300, () => (flag = true));
    expect(s.runUntil(() => flag, 1000)).toBe(true);
    expect(s.now()).toBe(300);
    expect(s.runUntil(() => false, 5000)).toBe(false);
    expect(s.now()).toBe(5000);
  });

  it('property: tasks always run in nondecreasing due order, ties by insertion', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }), (delays) => {
        const s = new Scheduler(0);
        const ran: Array<[number, number]> = [];
        delays.forEach((d, i) => s.after(d, () => ran.push([s.now(), i])));
        s.advance(100);
        const expected = delays.map((d, i) => [d, i] as [number, number]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(ran).toEqual(expected);
      }),
    );
  });
});
