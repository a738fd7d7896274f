/**
 * Boot netfilter for a World: every network namespace (those the topology already built and those created later
 * for pods) gets a real `NetfilterNamespaceImpl`, registered by netns id for the commands and kube-proxy.
 */
import type { World } from '../world';
import { createNetfilterNamespace } from './index';

export function installNetfilter(world: Pick<World, 'network' | 'rng'>): void {
  // Not registered: each lives on its NetNamespace (`netfilterFor` finds it there) and goes away with it.
  const make = (id: string) => createNetfilterNamespace({ name: id, rng: world.rng.fork(`netfilter/${id}`) });
  for (const ns of world.network.namespaces.values()) ns.netfilter = make(ns.id);
  world.network.netfilterFactory = (ns) => make(ns.id);
}
