/**
 * Makes a world's virtual time follow the wall clock in the app, so pods become Ready while the learner watches.
 * The emulator never reads a clock; this ticker (main process only) advances `world.scheduler` by the real
 * milliseconds that elapsed since the last tick. The CLI and tests drive the scheduler directly instead.
 */

export interface WallClock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: WallClock = {
  now: () => performance.now(),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
};

export interface Advanceable {
  advance(ms: number): number;
}

/** Longest single step: after the machine slept, catch up in one bounded step rather than replaying hours. */
export const MAX_STEP_MS = 60_000;

export class WorldClock {
  readonly #scheduler: Advanceable;
  readonly #clock: WallClock;
  readonly #periodMs: number;
  #last: number;
  #handle: unknown = undefined;

  constructor(scheduler: Advanceable, clock: WallClock = systemClock, periodMs = 50) {
    this.#scheduler = scheduler;
    this.#clock = clock;
    this.#periodMs = periodMs;
    this.#last = clock.now();
  }

  start(): void {
    if (this.#handle !== undefined) return;
    this.#last = this.#clock.now();
    this.#handle = this.#clock.setInterval(() => this.tick(), this.#periodMs);
  }

  /** Advance virtual time by the wall time elapsed since the last tick (also called right after input). */
  tick(): void {
    const now = this.#clock.now();
    const elapsed = Math.min(Math.max(0, now - this.#last), MAX_STEP_MS);
    this.#last = now;
    this.#scheduler.advance(Math.round(elapsed));
  }

  stop(): void {
    if (this.#handle === undefined) return;
    this.#clock.clearInterval(this.#handle);
    this.#handle = undefined;
  }

  get running(): boolean {
    return this.#handle !== undefined;
  }
}
