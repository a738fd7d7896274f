/** Test helper: a non-interactive shell on a fresh world, returning what a line prints and its status. */
import { World, type WorldOptions } from '../../world';
import { registerBuiltins } from '../../commands/builtins';
import { createLoginHost } from '../../hosts/login-host';
import { Shell } from '../interpreter';

/**
 * A world with only what the shell needs (basic commands, the login host): shell tests do not depend on the
 * cluster, the network or other subsystems booting.
 */
export function shellWorld(opts: WorldOptions = {}): World {
  const world = new World(opts);
  registerBuiltins(world);
  createLoginHost(world);
  return world;
}

export interface LineResult {
  readonly out: string;
  readonly err: string;
  /** stdout and stderr interleaved, as a terminal shows them. */
  readonly all: string;
  readonly status: number;
}

export class TestShell {
  readonly world: World;
  readonly shell: Shell;

  constructor(opts: WorldOptions & { world?: World; interactive?: boolean; loginShell?: boolean } = {}) {
    this.world = opts.world ?? shellWorld(opts);
    this.shell = new Shell(this.world, this.world.loginHost, { interactive: opts.interactive ?? false, loginShell: opts.loginShell ?? false });
  }

  async run(line: string, stdin = ''): Promise<LineResult> {
    let out = '';
    let err = '';
    let all = '';
    const status = await this.shell.run(
      line.endsWith('\n') ? line : line + '\n',
      {
        stdin,
        stdout: { write: (t) => ((out += t), (all += t)) },
        stderr: { write: (t) => ((err += t), (all += t)) },
        stdoutIsTerminal: false,
      },
      new AbortController().signal,
      { heredocAtEof: 'terminate' },
    );
    return { out, err, all, status };
  }
}
