/**
 * The engine's default runtime: a world from `createWorld`, a shell on its login host, and the cluster view.
 * Commands run as in `svclab run`: the world settles before each command, output is captured with stdout and
 * stderr interleaved and ANSI escapes stripped, exactly what the app's transcript records.
 */
import { createWorld, type World } from '../../emulator/world';
import { Shell } from '../../emulator/shell/interpreter';
import { stripAnsi } from '../../emulator/shell/script-runner';
import type { TranscriptEntry } from '../../emulator/shell/terminal-api';
import type { LabRuntime, LabShell } from './session';
import { clusterViewOf } from './world-adapter';

export function shellFor(world: World): LabShell {
  const shell = new Shell(world, world.loginHost, { interactive: false, columns: () => 120 });
  const never = new AbortController().signal;
  const silentIo = { stdin: '', stdout: { write() {} }, stderr: { write() {} }, stdoutIsTerminal: false };
  return {
    async submit(line: string, opts?: { readonly onHost?: string }): Promise<TranscriptEntry> {
      world.settle();
      if (opts?.onHost && opts.onHost !== shell.host.id) {
        const target = world.hosts.get(opts.onHost);
        // Back out to a host already on the stack (the learner typed `exit` there), or step into the recorded host
        // (an interactive `kubectl exec -it POD -- sh` that this non-interactive replay ran without entering it).
        const stack = shell.hostStack.map((h) => h.id);
        if (target && stack.includes(opts.onHost)) {
          for (let guard = stack.length; guard > 0 && shell.host.id !== opts.onHost; guard--) await shell.run('exit\n', silentIo, never);
        } else if (target) shell.enterHost(target);
      }
      const host = shell.host.id;
      const prompt = shell.prompt();
      const startedAt = world.scheduler.now();
      let text = '';
      const sink = { write: (t: string) => void (text += t) };
      shell.addHistory(line);
      const exitCode = await shell.run(line.endsWith('\n') ? line : line + '\n', { stdin: '', stdout: sink, stderr: sink, stdoutIsTerminal: true }, never, {
        heredocAtEof: 'terminate',
      });
      return { host, prompt, command: line, output: stripAnsi(text), exitCode, startedAt };
    },
    state: () => ({ host: shell.host.id, hostStack: shell.hostStack.map((h) => h.id), cwd: shell.cwd, env: new Map(shell.env), history: [...shell.history()] }),
  };
}

export const defaultRuntime: LabRuntime = {
  createWorld: (profile, seed) => createWorld({ profile, seed }),
  createShell: shellFor,
  clusterView: clusterViewOf,
};
