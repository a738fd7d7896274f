/** Test helper: a non-interactive shell on a fresh world, returning what a line prints and its status. */
import { createWorld, type World, type WorldOptions } from '../../world';
import { Shell } from '../interpreter';

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

  constructor(opts: WorldOptions & { world?: World; interactive?: boolean } = {}) {
    this.world = opts.world ?? createWorld(opts);
    this.shell = new Shell(this.world, this.world.loginHost, { interactive: opts.interactive ?? false });
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
