/**
 * The real world behind a terminal: `createWorld` (the emulator, with every subsystem booted for the profile) and
 * the emulator's shell on its login host. This is the only main-process file that knows how they are built.
 */
import { createTerminalSession } from '../../emulator/shell/terminal';
import { createWorld } from '../../emulator/world';
import { packetTraces } from './packet-traces';
import type { OpenWorldSession } from './terminal-service';
import { WorldViews } from './world-views';

export const openEmulatorSession: OpenWorldSession = (req) => {
  const world = createWorld({ profile: req.profile, seed: req.seed });
  const views = new WorldViews(world);
  const session = createTerminalSession(world, { cols: req.cols, rows: req.rows, openEditor: (r) => views.openEditor(r) });
  return { world, session, traces: () => packetTraces(world.traces), views };
};
