import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../emulator/core/scheduler';
import { MAX_STEP_MS, WorldClock, type WallClock } from './world-clock';

function fakeClock() {
  let now = 1000;
  const timers = new Map<number, () => void>();
  let next = 1;
  const clock: WallClock = {
    now: () => now,
    setInterval: (fn) => {
      timers.set(next, fn);
      return next++;
    },
    clearInterval: (h) => timers.delete(h as number),
  };
  return {
    clock,
    timers,
    /** Wall time passes by `ms` and every interval fires once. */
    pass(ms: number) {
      now += ms;
      for (const fn of timers.values()) fn();
    },
  };
}

describe('WorldClock', () => {
  it('advances virtual time by the real time elapsed between ticks', () => {
    const s = new Scheduler(0);
    const wall = fakeClock();
    const ran: number[] = [];
    s.after(120, () => ran.push(s.now()));
    const c = new WorldClock(s, wall.clock, 50);
    c.start();
    wall.pass(50);
    expect(s.now()).toBe(50);
    wall.pass(53);
    expect(s.now()).toBe(103);
    expect(ran).toEqual([]);
    wall.pass(49);
    expect(ran).toEqual([120]);
    expect(s.now()).toBe(152);
  });

  it('stops advancing when stopped, and does not count the stopped time after a restart', () => {
    const s = new Scheduler(0);
    const wall = fakeClock();
    const c = new WorldClock(s, wall.clock);
    c.start();
    wall.pass(10);
    c.stop();
    expect(wall.timers.size).toBe(0);
    wall.pass(1000);
    expect(s.now()).toBe(10);
    c.start();
    wall.pass(5);
    expect(s.now()).toBe(15);
  });

  it('bounds one step after a long pause (laptop slept)', () => {
    const s = new Scheduler(0);
    const wall = fakeClock();
    const c = new WorldClock(s, wall.clock);
    c.start();
    wall.pass(3_600_000);
    expect(s.now()).toBe(MAX_STEP_MS);
  });
});
