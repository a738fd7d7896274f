import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dropPrefix, Scheduler, VIRTUAL_EPOCH_MS, type TaskHandle } from './scheduler';

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
  it('property: same-instant tasks, nested scheduling and cancels run exactly as a naive (due, insertion) list', () => {
    // The reference: every pending task in one array, the minimum by (due, seq) taken each step.
    class Naive {
      now = 0;
      seq = 0;
      tasks: { due: number; seq: number; fn: () => void; cancelled: boolean }[] = [];
      after(d: number, fn: () => void) {
        const t = { due: this.now + Math.max(0, d), seq: ++this.seq, fn, cancelled: false };
        this.tasks.push(t);
        return t;
      }
      cancel(t: { cancelled: boolean } | undefined) { if (t) t.cancelled = true; }
      advance(ms: number) {
        const limit = this.now + ms;
        for (;;) {
          this.tasks = this.tasks.filter((t) => !t.cancelled);
          if (this.tasks.length === 0) break;
          const next = this.tasks.reduce((a, b) => (b.due < a.due || (b.due === a.due && b.seq < a.seq) ? b : a));
          if (next.due > limit) break;
          this.tasks.splice(this.tasks.indexOf(next), 1);
          this.now = Math.max(this.now, next.due);
          next.fn();
        }
        this.now = Math.max(this.now, limit);
      }
    }
    // A program: each task, when run, logs itself, schedules children (delay 0 often) and may cancel an earlier one.
    const step = fc.record({ delays: fc.array(fc.constantFrom(0, 0, 0, 1, 2, 5), { maxLength: 3 }), cancel: fc.option(fc.nat(40)) });
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 40 }), fc.array(fc.constantFrom(0, 1, 3), { minLength: 1, maxLength: 4 }), (program, advances) => {
      const run = (sched: { now(): number; after(d: number, fn: () => void): unknown; cancel(h: never): void; advance(ms: number): unknown }) => {
        const log: string[] = [];
        const handles: unknown[] = [];
        let n = 0;
        const spawn = (delay: number): void => {
          const me = n++;
          handles.push(sched.after(delay, () => {
            const st = program[me % program.length]!;
            log.push(`${me}@${sched.now()}`);
            if (n < 120) for (const d of st.delays) spawn(d);
            if (st.cancel !== null) sched.cancel(handles[st.cancel % handles.length] as never);
          }));
        };
        spawn(0);
        spawn(1);
        for (const a of advances) sched.advance(a);
        return log;
      };
      const naive = new Naive();
      const real = new Scheduler(0);
      expect(run(real)).toEqual(run({ now: () => naive.now, after: (d, fn) => naive.after(d, fn), cancel: (h) => naive.cancel(h), advance: (ms) => naive.advance(ms) }));
    }), { numRuns: 300 });
  });

  it('cancel ignores handles of another scheduler and tasks that already ran', () => {
    const a = new Scheduler(0), b = new Scheduler(0);
    let ran = 0;
    const h = a.after(5, () => ran++);
    b.cancel(h);
    expect(b.pendingForeground()).toBe(0);
    a.advance(10);
    expect(ran).toBe(1);
    a.cancel(h);
    expect(a.pendingForeground()).toBe(0);
  });
  it('property: mass cancellation (the heap compacts) keeps the order of the remaining tasks', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 400 }), fc.boolean()), { minLength: 300, maxLength: 1500 }), (spec) => {
      const s = new Scheduler(0);
      const ran: number[] = [];
      const handles = spec.map(([d], i) => s.after(d, () => ran.push(i)));
      spec.forEach(([, cancel], i) => { if (cancel) s.cancel(handles[i]); });
      s.after(200, () => { for (let i = 0; i < 50; i++) s.after(i % 3, () => ran.push(10_000 + i)); });
      s.advance(1000);
      const expected = spec.map(([d, c], i) => ({ d, c, i })).filter((x) => !x.c).map((x) => ({ due: x.d, id: x.i, v: x.i }));
      for (let i = 0; i < 50; i++) expected.push({ due: 200 + (i % 3), id: spec.length + 1 + i, v: 10_000 + i });
      expected.sort((a, b) => a.due - b.due || a.id - b.id);
      expect(ran).toEqual(expected.map((x) => x.v));
      expect(s.pendingForeground()).toBe(0);
    }), { numRuns: 40 });
  });
  it('property: fixed-delay lanes (a few delays, time moving between batches, mass cancels) merge with `at` tasks in (due, insertion) order', () => {
    const op = fc.record({ delay: fc.constantFrom(0.005, 2, 2, 5000, 7, 0), absolute: fc.boolean(), cancel: fc.boolean(), step: fc.constantFrom(0, 0, 1, 3) });
    fc.assert(fc.property(fc.array(op, { minLength: 300, maxLength: 1200 }), (ops) => {
      const s = new Scheduler(0);
      const ran: number[] = [];
      const expected: { due: number; id: number }[] = [];
      const handles: { h: ReturnType<Scheduler['after']>; due: number; id: number }[] = [];
      ops.forEach((o, i) => {
        const due = s.now() + o.delay;
        const h = o.absolute ? s.at(due, () => ran.push(i)) : s.after(o.delay, () => ran.push(i));
        handles.push({ h, due, id: i });
        if (o.step > 0) s.advance(o.step); // tasks due by then run now: the expectation takes them in order below
      });
      // Cancel every other still-pending task chosen by the program (hundreds: the lanes compact).
      const pendingNow = new Set<number>(handles.map((x) => x.id).filter((id) => !ran.includes(id)));
      ops.forEach((o, i) => { if (o.cancel && pendingNow.has(i)) { s.cancel(handles[i]!.h); pendingNow.delete(i); } });
      const before = [...ran];
      s.advance(10_000);
      for (const x of handles) if (pendingNow.has(x.id)) expected.push({ due: x.due, id: x.id });
      expected.sort((a, b) => a.due - b.due || a.id - b.id);
      expect(ran.slice(before.length)).toEqual(expected.map((x) => x.id));
      // What ran while time moved between batches ran in (due, insertion) order too.
      const early = before.map((id) => handles[id]!).sort((a, b) => a.due - b.due || a.id - b.id).map((x) => x.id);
      expect(before).toEqual(early);
      expect(s.pendingForeground()).toBe(0);
    }), { numRuns: 40 });
  });

  it('a lane that empties hundreds of times (its task list is replaced now and then) keeps running its tasks in order with the other lanes', () => {
    const s = new Scheduler(0);
    const ran: string[] = [];
    const expected: string[] = [];
    for (let round = 0; round < 300; round++) {
      // Two tasks on the 2 ms lane, one on the 3 ms lane between them in time; then the 2 ms lane empties.
      s.after(2, () => ran.push(`a${round}`));
      s.after(3, () => ran.push(`c${round}`));
      s.advance(0.5);
      s.after(2, () => ran.push(`b${round}`));
      s.advance(4);
      expected.push(`a${round}`, `b${round}`, `c${round}`);
    }
    expect(ran).toEqual(expected);
    expect(s.pendingForeground()).toBe(0);
  });

  it('property: a timer re-armed with atReusing runs exactly as with at (order, times, foreground count)', () => {
    const op = fc.record({ delay: fc.constantFrom(0, 0, 1, 2, 5), rearms: fc.constantFrom(0, 1, 2, 3, 7), reuse: fc.boolean(), background: fc.boolean() });
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 60 }), (ops) => {
      const run = (useReuse: boolean): string[] => {
        const s = new Scheduler(0);
        const log: string[] = [];
        ops.forEach((o, i) => {
          const opts = { background: o.background };
          let handle: TaskHandle | undefined;
          let left = o.rearms;
          const fire = (): void => {
            log.push(`${i}@${s.now()}`);
            if (left-- > 0) handle = useReuse && o.reuse ? s.atReusing(handle, s.now() + o.delay, fire, opts) : s.at(s.now() + o.delay, fire, opts);
          };
          handle = s.at(s.now() + o.delay, fire, opts);
          s.after(o.delay, () => log.push(`plain ${i}@${s.now()}`)); // same-instant ties with other tasks
          if (i % 7 === 6) s.advance(1);
        });
        log.push(`foreground ${s.pendingForeground()}`);
        s.advance(100);
        log.push(`foreground ${s.pendingForeground()}`);
        return log;
      };
      expect(run(true)).toEqual(run(false));
    }), { numRuns: 200 });
  });

  it('a task queued with a reserved order runs where a task queued at the reservation would (also when due now)', () => {
    const s = new Scheduler(0);
    const ran: string[] = [];
    s.at(10, () => ran.push('before'));
    const order = s.reserveOrder();
    s.at(10, () => ran.push('after'));
    s.after(0, () => ran.push('now, after'));
    s.atReusing(undefined, 10, () => ran.push('reserved'), {}, order);
    const nowOrder = s.reserveOrder();
    s.after(0, () => ran.push('now, later'));
    s.atReusing(undefined, 0, () => ran.push('now, reserved'), {}, nowOrder);
    s.advance(20);
    expect(ran).toEqual(['now, after', 'now, reserved', 'now, later', 'before', 'reserved', 'after']);
  });

  it('atReusing reuses only a finished task of its own scheduler; a pending one keeps running as scheduled', () => {
    const a = new Scheduler(0), b = new Scheduler(0);
    const ran: string[] = [];
    const h = a.at(5, () => ran.push('h'));
    const h2 = a.atReusing(h, 3, () => ran.push('h2'));
    expect(h2).not.toBe(h);
    const other = b.at(1, () => undefined);
    b.advance(2);
    expect(a.atReusing(other, 4, () => ran.push('other'))).not.toBe(other);
    a.advance(10);
    expect(ran).toEqual(['h2', 'other', 'h']);
    const again = a.atReusing(h, 12, () => ran.push('again'));
    expect(again).toBe(h);
    expect(again.due).toBe(12);
    expect(a.pendingForeground()).toBe(1);
    a.advance(5);
    expect(ran.at(-1)).toBe('again');
    expect(a.pendingForeground()).toBe(0);
  });
});

describe('dropPrefix', () => {
  it('removes the first n entries in place and keeps the rest in order (as splice(0, n) would)', () => {
    fc.assert(fc.property(fc.array(fc.integer()), fc.nat(), (xs, k) => {
      const n = xs.length === 0 ? 0 : k % (xs.length + 1);
      const a = [...xs];
      dropPrefix(a, n);
      const b = [...xs];
      b.splice(0, n);
      expect(a).toEqual(b);
    }));
  });
});
