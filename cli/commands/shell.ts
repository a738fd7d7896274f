/**
 * `svclab shell`: the same shell as the app's terminal, in the user's own terminal. Keys go to the emulator's
 * line discipline unchanged (raw mode), so prompts, editing, completion and Ctrl-C behave exactly as in the app;
 * virtual time follows the wall clock, as in the app.
 */
import { createWorld } from '../../emulator/world';
import { createTerminalSession } from '../../emulator/shell/terminal';
import { WorldClock } from '../../main/services/world-clock';
import { parseArgs, profileFlag, seedFlag, CliUsageError, type CliCommand, type CliIo } from '../cli-command';

export const shell: CliCommand = {
  name: 'shell',
  summary: 'Open the lab shell in this terminal (exit or Ctrl-D to leave)',
  usage: 'svclab shell [--profile local|cloud] [--seed N]',
  run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs(args, { profile: 'string', seed: 'string' }, 'shell');
    const profile = profileFlag(parsed, 'shell');
    const seed = seedFlag(parsed, 'shell');
    if (parsed.positionals.length > 0) throw new CliUsageError(`shell: unexpected argument '${parsed.positionals[0]}'`);
    const world = createWorld({ profile, seed });
    const out = io.stdout;
    const session = createTerminalSession(world, { interactive: true, cols: out.columns || 80, rows: out.rows || 24 });
    const clock = new WorldClock(world.scheduler);
    const stdin = io.stdin;
    const tty = stdin.isTTY === true && typeof stdin.setRawMode === 'function';

    return new Promise<number>((resolve) => {
      let finished = false;
      const finish = (code: number) => {
        if (finished) return;
        finished = true;
        clock.stop();
        if (tty) stdin.setRawMode!(false);
        stdin.removeListener('data', onData);
        stdin.pause();
        session.dispose();
        resolve(code);
      };
      const onData = (chunk: Buffer | string) => {
        // Without a TTY the input is lines from a pipe: make them keystrokes (Enter is \r).
        const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
        session.input(tty ? text : text.replace(/\r?\n/g, '\r'));
        clock.tick();
      };
      session.onOutput((data) => out.write(data));
      session.onLogout((code) => finish(code));
      if (tty) stdin.setRawMode!(true);
      stdin.on('data', onData);
      stdin.on('end', () => {
        // Piped input ran out: let the last command finish, then leave as Ctrl-D would.
        const wait = setInterval(() => {
          if (!session.busy) {
            clearInterval(wait);
            out.write('\r\n');
            finish(session.shell.lastStatus());
          }
        }, 20);
      });
      if ('on' in out && typeof (out as NodeJS.WriteStream).on === 'function' && tty) {
        (out as NodeJS.WriteStream).on('resize', () => session.resize(out.columns || 80, out.rows || 24));
      }
      clock.start();
      out.write(session.prompt());
    });
  },
};
