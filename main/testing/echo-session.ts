/**
 * A test double for `TerminalSession`: it echoes keys and, on Enter, reports the line as a command whose output is
 * the line reversed. It lets main-process tests exercise the plumbing without the emulator's shell.
 */
import { Emitter } from '../../emulator/core/events';
import { Scheduler } from '../../emulator/core/scheduler';
import type { TerminalSession, TranscriptEntry } from '../../emulator/shell/terminal-api';
import type { WorldSession } from '../services/terminal-service';

export function echoWorldSession(): WorldSession & { sizes: [number, number][]; disposed: boolean } {
  const out = new Emitter<string>();
  const cmd = new Emitter<TranscriptEntry>();
  const scheduler = new Scheduler();
  let line = '';
  const state = { sizes: [] as [number, number][], disposed: false };
  const run = (command: string): TranscriptEntry => {
    const entry: TranscriptEntry = {
      host: 'workstation',
      prompt: '$ ',
      command,
      output: [...command].reverse().join('') + '\n',
      exitCode: command === 'false' ? 1 : 0,
      startedAt: scheduler.now(),
    };
    out.fire(`\r\n${entry.output.replace(/\n/g, '\r\n')}$ `);
    cmd.fire(entry);
    return entry;
  };
  const session: TerminalSession = {
    input(data) {
      for (const ch of data) {
        if (ch === '\r') {
          const l = line;
          line = '';
          run(l);
        } else {
          line += ch;
          out.fire(ch);
        }
      }
    },
    onOutput: out.event,
    onCommand: cmd.event,
    resize: (c, r) => state.sizes.push([c, r]),
    submit: async (l) => run(l),
    prompt: () => '$ ',
    dispose: () => {
      state.disposed = true;
    },
  };
  return Object.assign(state, {
    world: { scheduler, hosts: new Map([['workstation', { id: 'workstation', kind: 'workstation' as const, hostname: 'workstation' }]]) },
    session,
  });
}
