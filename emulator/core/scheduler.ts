/**
 * Virtual time. Nothing in the emulator reads a wall clock: every delay (a pod becoming Ready, kube-proxy's sync,
 * a TCP retransmission, a conntrack timeout) is a task on this scheduler, and tests, the CLI and the app decide
 * how fast virtual time moves by calling `advance`, `settle` or `runUntil`.
 *
 * Ordering is total and deterministic: tasks run by (due time, insertion sequence).
 */

export interface TaskOptions {
  /** Periodic housekeeping (conntrack GC, probes) that must not keep `settle()` busy forever. */
  readonly background?: boolean;
  /** Shown in debugging dumps. */
  readonly label?: string;
}

export interface TaskHandle {
  readonly id: number;
  readonly due: number;
}

interface Task {
  readonly id: number;
  readonly due: number;
  readonly seq: number;
  readonly fn: () => void;
  readonly background: boolean;
  readonly label: string;
  cancelled: boolean;
}

/** 2026-01-01T00:00:00Z: every cluster boots at the same virtual instant, so AGE and timestamps are reproducible. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

export class Scheduler {
  #now: number;
  #seq = 0;
  #heap: Task[] = [];
  /** Pending tasks by id, so `cancel` is O(1) (TCP cancels a retransmission timer per acknowledged segment). */
  #pending = new Map<number, Task>();
  #foreground = 0;

  constructor(startMs: number = VIRTUAL_EPOCH_MS) {
    this.#now = startMs;
  }

  /** Current virtual time in milliseconds since the Unix epoch. */
  now(): number {
    return this.#now;
  }

  /** Schedule `fn` to run `delayMs` from now (0 = as soon as the current task finishes). */
  after(delayMs: number, fn: () => void, opts: TaskOptions = {}): TaskHandle {
    return this.at(this.#now + Math.max(0, delayMs), fn, opts);
  }

  at(dueMs: number, fn: () => void, opts: TaskOptions = {}): TaskHandle {
    const task: Task = {
      id: ++this.#seq,
      due: Math.max(dueMs, this.#now),
      seq: this.#seq,
      fn,
      background: opts.background ?? false,
      label: opts.label ?? '',
      cancelled: false,
    };
    if (!task.background) this.#foreground++;
    this.#pending.set(task.id, task);
    this.#push(task);
    return { id: task.id, due: task.due };
  }

  cancel(handle: TaskHandle | undefined): void {
    if (!handle) return;
    const t = this.#pending.get(handle.id);
    if (!t) return;
    this.#pending.delete(handle.id);
    t.cancelled = true;
    if (!t.background) this.#foreground--;
  }

  /** Number of pending non-background tasks. */
  pendingForeground(): number {
    return this.#foreground;
  }

  /** Due time of the next pending task, or undefined when nothing is pending. */
  nextDue(): number | undefined {
    this.#dropCancelled();
    return this.#heap[0]?.due;
  }

  /** Run every task due at or before the current time (including tasks they schedule for now). */
  runDue(): number {
    return this.#runUntilTime(this.#now);
  }

  /** Move virtual time forward by `ms`, running every task that falls due on the way, in order. */
  advance(ms: number): number {
    return this.#runUntilTime(this.#now + Math.max(0, ms));
  }

  /** Move virtual time to `timeMs` (never backwards). */
  advanceTo(timeMs: number): number {
    return this.#runUntilTime(Math.max(this.#now, timeMs));
  }

  /**
   * Advance until no foreground task is pending (controllers quiescent), or `limitMs` of virtual time passed.
   * Background tasks that fall due on the way still run. Returns the virtual milliseconds that elapsed.
   */
  settle(limitMs = 10 * 60_000): number {
    const start = this.#now;
    const deadline = start + limitMs;
    while (this.#foreground > 0) {
      const next = this.nextDue();
      if (next === undefined || next > deadline) break;
      this.#runUntilTime(next);
    }
    return this.#now - start;
  }

  /**
   * Run tasks in order until `done()` holds or virtual time would pass `deadlineMs`; time then rests at the
   * deadline (as a blocking call that timed out would). Returns whether `done()` held.
   */
  runUntil(done: () => boolean, deadlineMs: number): boolean {
    if (done()) return true;
    for (;;) {
      const next = this.nextDue();
      if (next === undefined || next > deadlineMs) {
        this.#now = Math.max(this.#now, deadlineMs);
        return done();
      }
      this.#runOne();
      if (done()) return true;
    }
  }

  #runUntilTime(limit: number): number {
    let ran = 0;
    for (;;) {
      this.#dropCancelled();
      const top = this.#heap[0];
      if (!top || top.due > limit) break;
      this.#runOne();
      ran++;
    }
    this.#now = Math.max(this.#now, limit);
    return ran;
  }

  #runOne(): void {
    const task = this.#pop();
    if (!task || task.cancelled) return;
    this.#pending.delete(task.id);
    if (!task.background) this.#foreground--;
    if (task.due > this.#now) this.#now = task.due;
    task.fn();
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && this.#heap[0]!.cancelled) this.#pop();
  }

  // A binary heap keeps scheduling O(log n) on the hot packet path (TCP timers are scheduled per segment).
  #less(a: Task, b: Task): boolean {
    return a.due < b.due || (a.due === b.due && a.seq < b.seq);
  }

  #push(t: Task): void {
    const h = this.#heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  #pop(): Task | undefined {
    const h = this.#heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.#less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.#less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
