import type { World } from '../../world';
import { conntrack } from './conntrack';
import { iptables, iptablesRestore, iptablesSave } from './iptables';

export { conntrack } from './conntrack';
export { hostNetfilter, iptables, iptablesRestore, iptablesSave } from './iptables';

export function registerNetfilterCommands(world: Pick<World, 'registerCommand'>): void {
  for (const c of [iptables, iptablesSave, iptablesRestore, conntrack]) world.registerCommand(c);
}
