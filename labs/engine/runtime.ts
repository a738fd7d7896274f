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
  return {
    async submit(line: string): Promise<TranscriptEntry> {
      world.settle();
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
  };
}

export const defaultRuntime: LabRuntime = {
  createWorld: (profile, seed) => createWorld({ profile, seed }),
  createShell: shellFor,
  clusterView: clusterViewOf,
};
