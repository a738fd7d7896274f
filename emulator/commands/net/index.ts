/** The network tools: `ip`, `ss`, `ping`, `traceroute`, `tcpdump`, `tc`. */
import type { World } from '../../world';
import type { CommandSpec } from '../../shell/types';
import { ipCommand } from './ip';
import { pingCommand } from './ping';
import { ssCommand } from './ss';
import { tcpdumpCommand } from './tcpdump';
import { tracerouteCommand } from './traceroute';
import { tcCommand } from './tc';

export const NET_COMMANDS: readonly CommandSpec[] = [ipCommand, ssCommand, pingCommand, tracerouteCommand, tcpdumpCommand, tcCommand];

export function registerNetCommands(world: World): void {
  for (const spec of NET_COMMANDS) world.registerCommand(spec);
}
