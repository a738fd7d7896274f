/**
 * What every kubectl verb works with: the command context, the API store (kubectl talks to the store only, as
 * the real one talks to the API server only), the namespace from `-n` and the current context, and kubectl's
 * error printing (`Error from server (NotFound): …`, `The Service "x" is invalid: …`, `error: …`).
 */
import { ApiError } from '../../api/errors';
import type { ApiStore } from '../../api/store';
import type { KubeObject } from '../../api/types';
import { RESOURCES, type Resource, type ResourceInfo } from '../../api/resources';
import type { CommandContext } from '../../shell/types';
import { KubectlError, type Flags } from './flags';
import { defaultNamespace } from './info';

/** What kubectl prints when it cannot reach an API server (a world without a control plane). */
export const CONNECTION_REFUSED = 'The connection to the server localhost:8080 was refused - did you specify the right host or port?';

export class Kube {
  readonly ctx: CommandContext;
  constructor(ctx: CommandContext) {
    this.ctx = ctx;
  }

  get store(): ApiStore {
    const s = (this.ctx.world as unknown as { store?: ApiStore }).store;
    if (!s) throw new KubectlError(CONNECTION_REFUSED);
    return s;
  }

  now(): number {
    return this.ctx.world.scheduler.now();
  }

  out(text: string): void {
    this.ctx.stdout.write(text);
  }

  err(text: string): void {
    this.ctx.stderr.write(text);
  }

  /** `-n`, else the namespace of the current context (`default`). */
  namespace(flags: Flags): string {
    return flags.str('namespace') || defaultNamespace(this.ctx.world);
  }

  /**
   * Wait, as kubectl blocks on a watch, until `done` holds or `timeoutMs` of virtual time passed. Without a
   * terminal nothing else moves the clock, so the world runs forward here (deterministically); in the app the
   * wall-clock ticker moves it and we poll, stopping at Ctrl-C.
   */
  async waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return true;
    const world = this.ctx.world;
    const deadline = world.scheduler.now() + timeoutMs;
    if (!this.ctx.interactive) return world.scheduler.runUntil(done, deadline);
    while (!done()) {
      if (this.ctx.signal.aborted || world.scheduler.now() >= deadline) return false;
      const slept = await world.waitVirtual(Math.min(250, deadline - world.scheduler.now()), this.ctx.signal);
      if (!slept) return done();
    }
    return true;
  }

  /** Print an error as kubectl's `CheckErr` does and return the exit code. */
  report(e: unknown): number {
    if (e instanceof KubectlError && e.stdout) this.out(e.stdout);
    this.err(errorText(e));
    return e instanceof KubectlError ? e.exitCode : 1;
  }
}

/** kubectl's text for an error (with the trailing newline). */
export function errorText(e: unknown): string {
  if (e instanceof KubectlError) return e.message.endsWith('\n') ? e.message : e.message + '\n';
  if (e instanceof ApiError) {
    if (e.reason === 'Invalid' && e.details && (e.details.kind || e.details.name)) {
      const prefix = `The ${e.details.kind ?? ''} "${e.details.name ?? ''}" is invalid: `;
      const causes = e.details.causes ?? [];
      if (causes.length === 0) return `${prefix}${e.message}\n`;
      const msgs = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
      if (msgs.length === 1) return prefix + msgs[0] + '\n';
      return prefix + '\n' + msgs.map((m) => `* ${m}\n`).join('');
    }
    return `Error from server (${e.reason}): ${e.message}\n`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return msg.startsWith('error: ') ? msg + '\n' : `error: ${msg}\n`;
}

/** `deployment.apps/web`, `service/web`: how kubectl names an object in success lines and `-o name`. */
export function kindPrefix(info: ResourceInfo): string {
  return info.group ? `${info.kind.toLowerCase()}.${info.group}` : info.kind.toLowerCase();
}

export function objectRef(info: ResourceInfo, name: string): string {
  return `${kindPrefix(info)}/${name}`;
}

export function infoOf(resource: Resource): ResourceInfo {
  return RESOURCES[resource];
}

export function isKubeObject(v: unknown): v is KubeObject {
  return !!v && typeof v === 'object' && 'metadata' in (v as object);
}
