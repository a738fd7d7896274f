/**
 * The basic commands every login host has: the shell's builtins, file and text utilities, and session commands.
 * `registerBuiltins(world)` is called by `createWorld`; subsystems register their own commands (kubectl, curl, …)
 * after it and may replace one of these by registering the same name.
 */
import type { World } from '../../world';
import type { CommandSpec } from '../../shell/types';
import { SHELL_BUILTINS } from './shell-builtins';
import { FILE_COMMANDS } from './files';
import { TEXT_COMMANDS } from './text';
import { SYSTEM_COMMANDS } from './system';
import { PROCESS_COMMANDS } from './process';
import { SED_AWK_COMMANDS } from './sed-awk';
import { MISC_COMMANDS } from './misc';

export const BASIC_COMMANDS: readonly CommandSpec[] = [
  ...SHELL_BUILTINS,
  ...FILE_COMMANDS,
  ...TEXT_COMMANDS,
  ...SED_AWK_COMMANDS,
  ...SYSTEM_COMMANDS,
  ...PROCESS_COMMANDS,
  ...MISC_COMMANDS,
];

/**
 * Non-builtin basic commands a BusyBox image provides (for a pod host's `commands` set, together with its own
 * tools such as `nslookup` and `wget`). No `ssh`, `sudo` or editors beyond `vi`.
 */
export const BUSYBOX_APPLETS: ReadonlySet<string> = new Set([
  'cat', 'ls', 'mkdir', 'rm', 'touch', 'cp', 'mv', 'grep', 'head', 'tail', 'wc', 'sort', 'uniq', 'seq', 'cut', 'tr',
  'tee', 'sleep', 'env', 'hostname', 'whoami', 'date', 'vi', 'sh', 'ash', 'printenv', 'uname', 'id', 'which', 'sed', 'awk', 'xargs', 'less', 'more', 'basename', 'dirname', 'base64',
]);

export function registerBuiltins(world: World): void {
  for (const spec of BASIC_COMMANDS) world.registerCommand(spec);
}
