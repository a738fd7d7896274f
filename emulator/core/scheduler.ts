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
  /** What the task is, for someone reading the code that schedules it (not kept by the scheduler). */
  readonly label?: string;
}

export interface TaskHandle {
  readonly id: number;
  readonly due: number;
}

const PENDING = 0, DONE = 1, CANCELLED = 2;

/**
 * A scheduled task; it is also the handle `after`/`at` return (no second object per task), so `cancel` is O(1)
 * without a lookup table: it marks the task, which is dropped when it reaches the front.
 */
class Task implements TaskHandle {
  state = PENDING;
  /**
   * Where it waits: the now-queue (null), the heap (`IN_HEAP`) or a fixed-delay lane; a cancel in the heap or a
   * lane counts towards compacting it. One field for both (a task record is made for every packet hop).
   */
  lane: Lane | null = null;
  // `declare`: no field definitions before the constructor's stores. A class field starts out undefined, and a
  // field that held undefined before a number keeps every later number as a reference to a number object: each
  // store of a due time (`atReusing`) then allocates one, and storing it into a long-lived task takes the write
  // barrier's slow path. Stored first with a number, `due` holds the double itself and a store overwrites it.
  declare readonly owner: Scheduler;
  /** Mutable only for `atReusing`, which queues a finished task again as a new one. */
  declare id: number;
  declare due: number;
  declare fn: (() => void) | null;
  declare background: boolean;
  constructor(owner: Scheduler, id: number, due: number, fn: (() => void) | null, background: boolean) {
    this.owner = owner;
    this.id = id;
    this.due = due;
    this.fn = fn;
    this.background = background;
  }
}

/**
 * Tasks scheduled with one fixed delay (a link's latency, a resolver's timeout). Now never goes back, so their due
 * times never decrease: each such delay keeps its tasks in (due, id) order in a FIFO, appended and taken at O(1)
 * instead of heap pushes and pops. The scheduler runs the earliest of every lane's head, the heap's top and the
 * now-queue's head, so the order is exactly the one a single heap would give.
 */
class Lane {
  /**
   * Waiting tasks from `head` to `tail`; undefined elsewhere (see `Scheduler.#nowQueue` on keeping the storage).
   * Replaced by a copy (every entry undefined) every `LANE_RENEWAL` times the lane empties, so that it stays young:
   * a task is a young object, and storing it into a list that lives on takes the write barrier's slow path (about
   * 50 instructions; the LB path appends 20 link frames a request). See `Network.#bFrames`.
   */
  tasks: Task[] = [];
  head = 0;
  tail = 0;
  cancelled = 0;
  /** Times the lane emptied since `tasks` was last replaced. */
  emptied = 0;
  constructor(readonly delay: number) {}
}

/** The `lane` of a task in the heap. */
const IN_HEAP = new Lane(-1);

/**
 * Empties of a lane between renewals of its list: young-generation collections (which promote what survives two)
 * come thousands of empties apart on the HTTP bench.
 */
const LANE_RENEWAL = 64;

/** Distinct delays given lanes (the first ones seen; later delays go to the heap). */
const MAX_LANES = 8;

/** Whether task a runs before task b: by due time, then by insertion. */
function before(a: Task, b: Task): boolean {
  return a.due < b.due || (a.due === b.due && a.id < b.id);
}

const NO_OPTIONS: TaskOptions = {};

/**
 * Remove the first `n` entries in place: splice would also build an array of the removed ones, and
 * `copyWithin` is a generic builtin (a property lookup per element, ten times slower than this loop).
 */
export function dropPrefix(a: unknown[], n: number): void {
  const len = a.length;
  for (let i = n; i < len; i++) a[i - n] = a[i];
  a.length = len - n;
}

/** 2026-01-01T00:00:00Z: every cluster boots at the same virtual instant, so AGE and timestamps are reproducible. */
export const VIRTUAL_EPOCH_MS = Date.UTC(2026, 0, 1, 0, 0, 0);

export class Scheduler {
  /**
   * A number from the start (as `Task.due`): declared without one, the field would hold undefined first and keep
   * each later time as a reference to a number object, stored into this long-lived scheduler through the write
   * barrier's slow path on every task run.
   */
  #now = VIRTUAL_EPOCH_MS;
  #seq = 0;
  /** Tasks due later than now, as a binary heap by (due, id). */
  #heap: Task[] = [];
  /**
   * Tasks due now (`after(0)`: the network backlog, deferred callbacks), in insertion order: every task in the
   * heap is due at or after now, so these run in (due, id) order by merging the two fronts, at O(1) each.
   */
  #nowQueue: Task[] = [];
  #nowHead = 0;
  /**
   * End of the now-queue's tasks; the entries from here on are undefined. The list keeps its length when it
   * empties (after nearly every burst of packets): setting the length to 0 drops the list's storage, so the next
   * task grew it again (a builtin call), and the engine stores a length through a generic store.
   */
  #nowTail = 0;
  #foreground = 0;
  /** Cancelled tasks still in the heap (a DNS timeout cancelled by its reply waits seconds to reach the top). */
  #heapCancelled = 0;
  readonly #lanes: Lane[] = [];
  /**
   * The earliest head of all lanes, while `#laneBestValid`: `#front` runs before every task, and on a path with a
   * few latency lanes (the LB bench path: its links' frames) scanning every lane each time cost more than the
   * task it picked. A scan leaves every lane's head pending (cancelled heads dropped) or the lane empty; from then
   * on only three things change a head: a task appended to an empty lane (compared here), a lane task run and a
   * cancel (both clear the flag, and the next `#front` scans again). The lane is kept rather than its head task:
   * a lane is long-lived, a task young, and a young object stored into this long-lived scheduler takes the write
   * barrier's slow path.
   */
  #laneBest: Lane | null = null;
  #laneBestValid = false;

  constructor(startMs: number = VIRTUAL_EPOCH_MS) {
    this.#now = startMs;
  }

  /** Current virtual time in milliseconds since the Unix epoch. */
  now(): number {
    return this.#now;
  }

  /** Schedule `fn` to run `delayMs` from now (0 = as soon as the current task finishes). */
  after(delayMs: number, fn: () => void, opts: TaskOptions = NO_OPTIONS): TaskHandle {
    const now = this.#now;
    if (delayMs > 0 && now + delayMs > now) {
      const lane = this.#laneFor(delayMs);
      if (lane !== null) {
        const background = opts.background === true;
        const task = new Task(this, ++this.#seq, now + delayMs, fn, background);
        if (!background) this.#foreground++;
        task.lane = lane;
        if (lane.head >= lane.tail && this.#laneBestValid === true) {
          // The lane's new head (it was empty): the earliest head if it comes before the one known.
          const best = this.#laneBest;
          if (best === null || before(task, best.tasks[best.head]!)) this.#laneBest = lane;
        }
        lane.tasks[lane.tail++] = task;
        return task;
      }
    }
    return this.at(delayMs > 0 ? now + delayMs : now, fn, opts);
  }

  #laneFor(delayMs: number): Lane | null {
    const lanes = this.#lanes;
    for (let i = 0; i < lanes.length; i++) if (lanes[i]!.delay === delayMs) return lanes[i]!;
    if (lanes.length >= MAX_LANES) return null;
    const lane = new Lane(delayMs);
    lanes.push(lane);
    return lane;
  }

  at(dueMs: number, fn: () => void, opts: TaskOptions = NO_OPTIONS): TaskHandle {
    const now = this.#now;
    const background = opts.background === true;
    const task = new Task(this, ++this.#seq, dueMs > now ? dueMs : now, fn, background);
    this.#queue(task, now);
    return task;
  }

  /**
   * `at`, reusing the record of `done` when it is a task of this scheduler that has run: a periodic timer that
   * re-arms itself (TCP's retransmission queues) then allocates nothing, as the kernel's timer wheel re-arms a
   * timer_list. The task is new in every other respect (it takes the next sequence number, as `at` would), so the
   * order of tasks is the same as with `at`. Only for a handle nobody else holds: a later `cancel` of the old
   * handle would cancel the new task. With `order` (from `reserveOrder`) the task takes that sequence number
   * instead of the next one.
   */
  atReusing(done: TaskHandle | undefined, dueMs: number, fn: () => void, opts: TaskOptions = NO_OPTIONS, order?: number): TaskHandle {
    const now = this.#now;
    const due = dueMs > now ? dueMs : now;
    const id = order ?? ++this.#seq;
    let task: Task;
    if (!(done instanceof Task) || done.owner !== this || done.state !== DONE) task = new Task(this, id, due, fn, opts.background === true);
    else {
      task = done;
      task.state = PENDING;
      task.lane = null;
      task.id = id;
      task.due = due;
      task.fn = fn;
      task.background = opts.background === true;
    }
    this.#queue(task, now, order !== undefined);
    return task;
  }

  /**
   * Take the sequence number a task queued now would get, for a task queued later (`atReusing`'s `order`) that
   * must run exactly where this one would have: among the tasks due at the same instant, after those queued before
   * this call and before those queued after it. A deadline kept outside the scheduler (TCP's retransmission
   * queues) thus orders as if it had its own task from the moment it was set.
   */
  reserveOrder(): number {
    return ++this.#seq;
  }

  /**
   * Put a new task in the now-queue or the heap. The now-queue is in sequence order, so a task with a reserved
   * (earlier) sequence number goes to the heap even when due now (the heap orders by due time, then sequence).
   */
  #queue(task: Task, now: number, reserved = false): void {
    if (!task.background) this.#foreground++;
    if (task.due === now && !reserved) this.#nowQueue[this.#nowTail++] = task;
    else {
      task.lane = IN_HEAP;
      this.#push(task);
    }
  }

  cancel(handle: TaskHandle | undefined): void {
    if (!(handle instanceof Task) || handle.owner !== this || handle.state !== PENDING) return;
    handle.state = CANCELLED;
    handle.fn = null;
    if (!handle.background) this.#foreground--;
    // Mostly-dead heaps make every push and pop slower: rebuild without the cancelled tasks (O(1) amortised).
    if (handle.lane === IN_HEAP && ++this.#heapCancelled > 256 && this.#heapCancelled * 2 > this.#heap.length) this.#compactHeap();
    // A lane keeps a cancelled task until it reaches the front; many of them (timeouts answered in time) are
    // dropped together, keeping the order of the rest.
    const lane = handle.lane;
    if (lane !== null && lane !== IN_HEAP) this.#laneBestValid = false;
    if (lane !== null && lane !== IN_HEAP && ++lane.cancelled > 256 && lane.cancelled * 2 > lane.tail - lane.head) {
      const live = lane.tasks.slice(lane.head, lane.tail).filter((t) => t.state === PENDING);
      lane.tasks = live;
      lane.head = 0;
      lane.tail = live.length;
      lane.cancelled = 0;
    }
  }

  #compactHeap(): void {
    const live = this.#heap.filter((t) => t.state === PENDING);
    this.#heap = [];
    this.#heapCancelled = 0;
    live.sort((a, b) => a.due - b.due || a.id - b.id); // a sorted array is a valid heap
    this.#heap = live;
  }

  /** Number of pending non-background tasks. */
  pendingForeground(): number {
    return this.#foreground;
  }

  /** Due time of the next pending task, or undefined when nothing is pending. */
  nextDue(): number | undefined {
    return this.#front()?.due;
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
      const next = this.#front();
      if (next === undefined || next.due > deadlineMs) {
        this.#now = Math.max(this.#now, deadlineMs);
        return done();
      }
      this.#run(next);
      if (done()) return true;
    }
  }

  #runUntilTime(limit: number): number {
    let ran = 0;
    for (;;) {
      const next = this.#front();
      if (next === undefined || next.due > limit) break;
      this.#run(next);
      ran++;
    }
    if (limit > this.#now) this.#now = limit;
    return ran;
  }

  /**
   * The next task to run (cancelled ones dropped on the way), left in place: the front of the now-queue unless
   * the heap's top comes first by (due, id). Every heap task is due at or after now, so only a tie can win.
   */
  #front(): Task | undefined {
    const q = this.#nowQueue;
    while (this.#nowHead < this.#nowTail && q[this.#nowHead]!.state !== PENDING) q[this.#nowHead++] = undefined!;
    if (this.#nowHead >= this.#nowTail && this.#nowTail > 0) {
      this.#nowTail = 0;
      this.#nowHead = 0;
    }
    const h = this.#heap;
    while (h.length > 0 && h[0]!.state !== PENDING) {
      if (h[0]!.state === CANCELLED) this.#heapCancelled--;
      this.#pop();
    }
    let best = h.length > 0 ? h[0]! : undefined;
    if (this.#nowHead < this.#nowTail) {
      const first = q[this.#nowHead]!;
      if (best === undefined || !before(best, first)) best = first;
    }
    const lane = this.#laneBestValid === true ? this.#laneBest : this.#scanLanes();
    if (lane !== null) {
      const first = lane.tasks[lane.head]!;
      if (best === undefined || before(first, best)) best = first;
    }
    return best;
  }

  /** The lane with the earliest head (cancelled heads dropped on the way), which `#laneBest` keeps from now on. */
  #scanLanes(): Lane | null {
    let best: Task | undefined;
    let bestLane: Lane | null = null;
    const lanes = this.#lanes;
    for (let i = 0; i < lanes.length; i++) {
      const lane = lanes[i]!;
      const tasks = lane.tasks;
      while (lane.head < lane.tail && tasks[lane.head]!.state !== PENDING) {
        if (tasks[lane.head]!.state === CANCELLED) lane.cancelled--;
        tasks[lane.head++] = undefined!;
      }
      if (lane.head >= lane.tail) {
        if (lane.tail > 0) {
          lane.tail = 0;
          lane.head = 0;
          if (++lane.emptied === LANE_RENEWAL) {
            lane.emptied = 0;
            lane.tasks = tasks.slice();
          }
        }
        continue;
      }
      const first = tasks[lane.head]!;
      if (best === undefined || before(first, best)) {
        best = first;
        bestLane = lane;
      }
    }
    this.#laneBest = bestLane;
    this.#laneBestValid = true;
    return bestLane;
  }

  /** Run the task `#front` returned, taking it off its queue first. */
  #run(task: Task): void {
    const q = this.#nowQueue;
    const lane = task.lane;
    if (lane === IN_HEAP) this.#pop(); // `#front` returned the heap's top
    else if (lane !== null) {
      // `#front` returned the lane's head.
      this.#laneBestValid = false;
      const tasks = lane.tasks;
      tasks[lane.head++] = undefined!;
      if (lane.head > 4096 && lane.head * 2 > lane.tail) {
        tasks.length = lane.tail;
        dropPrefix(tasks, lane.head);
        lane.head = 0;
        lane.tail = tasks.length;
      }
    } else if (this.#nowHead < this.#nowTail && q[this.#nowHead] === task) {
      q[this.#nowHead++] = undefined!;
      // A long run of same-instant tasks: drop the consumed prefix now and then (it is O(1) amortised).
      if (this.#nowHead > 4096 && this.#nowHead * 2 > this.#nowTail) {
        q.length = this.#nowTail;
        dropPrefix(q, this.#nowHead);
        this.#nowHead = 0;
        this.#nowTail = q.length;
      }
    } else this.#pop();
    task.state = DONE;
    if (!task.background) this.#foreground--;
    if (task.due > this.#now) this.#now = task.due;
    const fn = task.fn!;
    task.fn = null;
    fn();
  }

  // A binary heap keeps scheduling O(log n) on the hot packet path (TCP timers are scheduled per segment).
  #push(t: Task): void {
    const h = this.#heap;
    let i = h.length;
    h.push(t);
    const due = t.due, id = t.id;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const q = h[p]!;
      if (q.due < due || (q.due === due && q.id < id)) break;
      h[i] = q;
      i = p;
    }
    h[i] = t;
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    const due = last.due, id = last.id;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      let c = h[l]!;
      const r = l + 1;
      if (r < n) {
        const rc = h[r]!;
        if (rc.due < c.due || (rc.due === c.due && rc.id < c.id)) { m = r; c = rc; }
      }
      if (due < c.due || (due === c.due && id < c.id)) break;
      h[i] = c;
      i = m;
    }
    h[i] = last;
  }
}
