/**
 * The emulated world: virtual time, randomness, and (as the subsystems land) the API store, controllers, the
 * packet network and the hosts a learner can open a shell on. One `World` is one lab session; the same profile,
 * seed and commands give the same world.
 */
import { ApiStore } from './api/store';
import { Rng } from './core/rng';
import { Scheduler } from './core/scheduler';
import type { CommandSpec, ShellHost } from './shell/types';

export type ProfileName = 'local' | 'cloud';

export interface WorldOptions {
  readonly profile?: ProfileName;
  readonly seed?: number;
}

export class World {
  readonly profile: ProfileName;
  readonly seed: number;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  /** Commands by name; subsystems register theirs at construction. */
  readonly commands = new Map<string, CommandSpec>();
  /** Hosts by id (`workstation`, `node/worker-1`, `pod/default/web-…`). */
  readonly hosts = new Map<string, ShellHost>();
  /** The Kubernetes API (object store, validation, watch): emulator/api/store.ts. */
  readonly store: ApiStore;

  constructor(opts: WorldOptions = {}) {
    this.profile = opts.profile ?? 'local';
    this.seed = opts.seed ?? 1;
    this.scheduler = new Scheduler();
    this.rng = new Rng(this.seed);
    this.store = new ApiStore({ scheduler: this.scheduler, rng: this.rng });
  }

  registerCommand(spec: CommandSpec): void {
    this.commands.set(spec.name, spec);
  }

  /** The host a learner's terminal starts on. */
  get loginHost(): ShellHost {
    const id = this.profile === 'cloud' ? 'laptop' : 'workstation';
    const h = this.hosts.get(id);
    if (!h) throw new Error(`world has no login host ${id}`);
    return h;
  }

  /** Let every controller reach quiescence (virtual time moves; bounded). */
  settle(limitMs?: number): number {
    return this.scheduler.settle(limitMs);
  }
}

export function createWorld(opts: WorldOptions = {}): World {
  return new World(opts);
}
