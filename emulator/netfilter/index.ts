/**
 * Netfilter's public face. The IP stack creates one namespace per netns with `createNetfilterNamespace` and calls
 * its `hook()`; commands (`iptables`, `iptables-save`, `conntrack`) and kube-proxy find it again by netns id with
 * `netfilterFor(world, id)`.
 */
import type { World } from '../world';
import { NetfilterNamespaceImpl, type NetfilterNamespaceOptions, type RandomSource } from './namespace';
import type { ConntrackTimeouts } from './conntrack';

export { NetfilterNamespaceImpl } from './namespace';
export type { NetfilterNamespaceOptions, RandomSource } from './namespace';
export { ConntrackTable, defaultTimeouts, formatEntry, formatEvent } from './conntrack';
export type { CtEntry, CtEvent, ConntrackTimeouts } from './conntrack';
export { Ruleset } from './ruleset';
export { IptablesError, parseIptablesArgs, tokenizeRestoreLine } from './parse';
export { ruleSaveLine, saveTables, listTable, listRules } from './render';

const registries = new WeakMap<object, Map<string, NetfilterNamespaceImpl>>();

function registryOf(world: object): Map<string, NetfilterNamespaceImpl> {
  let r = registries.get(world);
  if (!r) registries.set(world, (r = new Map()));
  return r;
}

export interface CreateNetfilterOptions {
  /** The netns id (the same string as `ShellHost.netns`). */
  readonly name: string;
  /** When given: RNG forked from `world.rng` as `netfilter/<name>`, and registered for `netfilterFor`. */
  readonly world?: World;
  /** Overrides the RNG (tests, benches). */
  readonly rng?: RandomSource;
  readonly conntrackTimeouts?: ConntrackTimeouts;
  /** Keep it in the world's registry (default true). The network's own namespaces need not: see `netfilterFor`. */
  readonly register?: boolean;
}

export function createNetfilterNamespace(opts: CreateNetfilterOptions): NetfilterNamespaceImpl {
  const rng = opts.rng ?? opts.world?.rng.fork(`netfilter/${opts.name}`);
  if (!rng) throw new Error('createNetfilterNamespace: pass a world or an rng');
  const o: NetfilterNamespaceOptions = {
    name: opts.name,
    rng,
    ...(opts.conntrackTimeouts ? { conntrackTimeouts: opts.conntrackTimeouts } : {}),
  };
  const ns = new NetfilterNamespaceImpl(o);
  if (opts.world && opts.register !== false) registryOf(opts.world).set(opts.name, ns);
  return ns;
}

/**
 * The netfilter of netns `name`: the one the world's network namespace holds (so a deleted pod's namespace takes
 * its netfilter with it), else one registered by `createNetfilterNamespace`.
 */
export function netfilterFor(world: object, name: string): NetfilterNamespaceImpl | undefined {
  const network = (world as { network?: { ns?(id: string): { netfilter?: unknown } | undefined } }).network;
  const nf = network?.ns?.(name)?.netfilter;
  if (nf instanceof NetfilterNamespaceImpl) return nf;
  return registries.get(world)?.get(name);
}

/** Forget a namespace (netns deleted: pod gone). */
export function removeNetfilterNamespace(world: object, name: string): void {
  registries.get(world)?.delete(name);
}

/** Every registered namespace (for the inspector). */
export function netfilterNamespaces(world: object): ReadonlyMap<string, NetfilterNamespaceImpl> {
  return registryOf(world);
}
