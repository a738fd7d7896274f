/**
 * Waiting in virtual time from a command (`sleep 5`, `kubectl get -w`, `ping` intervals, `rollout status`).
 *
 * Who moves the clock depends on the mode:
 *  - interactive (the app's terminal): the app's wall-clock ticker (main/services/world-clock.ts) advances
 *    `world.scheduler`; a command awaits `world.waitVirtual(ms, signal)`, a background task due at the deadline
 *    that resolves when the ticker runs it. Ctrl-C aborts the signal and the wait resolves `false` at once.
 *  - non-interactive (`svclab run`, tests, lab grading): nothing else drives the clock, so the command advances it
 *    itself, synchronously, running every controller task that falls due on the way: `sleep 30` is 30 s of
 *    cluster time, and the output is deterministic.
 *
 * Commands call `sleepVirtual(ctx, ms)` and do not care which mode they are in.
 */
import type { CommandContext } from './types';

/** Wait `ms` of virtual time. Resolves true when the time passed, false when interrupted (Ctrl-C). */
export async function sleepVirtual(ctx: Pick<CommandContext, 'world' | 'interactive' | 'signal'>, ms: number): Promise<boolean> {
  if (ctx.signal.aborted) return false;
  if (!ctx.interactive) {
    ctx.world.scheduler.advance(ms);
    return true;
  }
  return ctx.world.waitVirtual(ms, ctx.signal);
}
