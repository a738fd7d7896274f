/**
 * Which Services select a pod, without scanning every Service: services are indexed by one `key=value` pair of
 * their selector, so a pod event only looks at services sharing one of its labels (the hot path when a
 * Deployment scales to a thousand pods next to hundreds of Services).
 */
import type { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';

export class ServiceSelectorIndex {
  /**
   * namespace → selector key → value → service names. Nested maps looked up with the strings the pod already
   * carries (its namespace, its label keys and values): a pod event builds no key string.
   */
  readonly #byPair = new Map<string, Map<string, Map<string, Set<string>>>>();
  /** namespace → service name → the pair it is indexed under */
  readonly #pairOf = new Map<string, Map<string, readonly [string, string]>>();

  constructor(private readonly store: ApiStore) {}

  /** Keep the index in step with a Service watch event. */
  onService(type: 'ADDED' | 'MODIFIED' | 'DELETED', svc: KubeObject): void {
    const ns = svc.metadata.namespace!;
    const name = svc.metadata.name!;
    let pairs = this.#pairOf.get(ns);
    const prev = pairs?.get(name);
    if (prev !== undefined) {
      this.#byPair.get(ns)?.get(prev[0])?.get(prev[1])?.delete(name);
      pairs!.delete(name);
    }
    if (type === 'DELETED') return;
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    if (!sel || Object.keys(sel).length === 0) return;
    const k = Object.keys(sel).sort()[0]!;
    const v = sel[k]!;
    let byKey = this.#byPair.get(ns);
    if (!byKey) this.#byPair.set(ns, (byKey = new Map()));
    let byValue = byKey.get(k);
    if (!byValue) byKey.set(k, (byValue = new Map()));
    let names = byValue.get(v);
    if (!names) byValue.set(v, (names = new Set()));
    names.add(name);
    if (!pairs) this.#pairOf.set(ns, (pairs = new Map()));
    pairs.set(name, [k, v]);
  }

  /** Names of the Services in the pod's namespace whose selector matches `labels`. */
  servicesFor(namespace: string, labels: Readonly<Record<string, string>> | undefined): string[] {
    const out: string[] = [];
    const byKey = labels && this.#byPair.get(namespace);
    if (!byKey) return out;
    for (const k in labels) {
      const names = byKey.get(k)?.get(labels[k]!);
      if (!names) continue;
      for (const n of names) {
        const svc = this.store.peek('services', namespace, n);
        const sel = svc?.spec?.selector as Record<string, string> | undefined;
        if (sel && selects(sel, labels)) out.push(n);
      }
    }
    return out;
  }
}

export function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (!labels) return false;
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/**
 * Pods each Service selected at its last sync, so that a pod whose labels changed (or that was deleted) still
 * wakes the Services it used to belong to — a watch event carries only the new version of the pod.
 */
export class ServiceMembers {
  /** namespace → pod name → Services (names) that listed it. */
  readonly #members = new Map<string, Map<string, Set<string>>>();
  /** namespace → Service name → the pods it listed. */
  readonly #listed = new Map<string, Map<string, string[]>>();

  /** Services (names) that listed the pod `name` of namespace `ns`. */
  servicesOf(ns: string, name: string): Iterable<string> {
    return this.#members.get(ns)?.get(name) ?? NONE;
  }

  set(ns: string, svcName: string, podNames: string[]): void {
    let listed = this.#listed.get(ns);
    const before = listed?.get(svcName) ?? [];
    let members = this.#members.get(ns);
    if (!members) this.#members.set(ns, (members = new Map()));
    const now = new Set(podNames);
    // Only the difference is applied: a sync of a big Service usually changes one or two members.
    for (const p of before) {
      if (now.has(p)) continue;
      const s = members.get(p);
      s?.delete(svcName);
      if (s && s.size === 0) members.delete(p);
    }
    const had = new Set(before);
    for (const p of podNames) {
      if (had.has(p)) continue;
      let s = members.get(p);
      if (!s) members.set(p, (s = new Set()));
      s.add(svcName);
    }
    if (podNames.length === 0) listed?.delete(svcName);
    else {
      if (!listed) this.#listed.set(ns, (listed = new Map()));
      listed.set(svcName, podNames);
    }
  }
}

const NONE: readonly string[] = [];
