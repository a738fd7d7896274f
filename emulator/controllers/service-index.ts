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

  /**
   * Calls `visit(namespace, name)` for each Service of the pod's namespace whose selector matches `labels` (a pod
   * event's hot path: a visitor the controller made once, no list built per event).
   */
  forEachServiceFor(namespace: string, labels: Readonly<Record<string, string>> | undefined, visit: (namespace: string, name: string) => void): void {
    const byKey = labels && this.#byPair.get(namespace);
    if (!byKey) return;
    for (const k in labels) {
      const names = byKey.get(k)?.get(labels[k]!);
      if (!names) continue;
      for (const n of names) {
        const svc = this.store.peek('services', namespace, n);
        const sel = svc?.spec?.selector as Record<string, string> | undefined;
        if (sel && selects(sel, labels)) visit(namespace, n);
      }
    }
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

  /** Calls `visit(ns, service)` for each Service (name) that listed the pod `name` of namespace `ns`. */
  forEachServiceOf(ns: string, name: string, visit: (namespace: string, name: string) => void): void {
    const services = this.#members.get(ns)?.get(name);
    if (services) for (const s of services) visit(ns, s);
  }

  set(ns: string, svcName: string, podNames: string[]): void {
    let listed = this.#listed.get(ns);
    const before = listed?.get(svcName) ?? NONE;
    // The usual sync lists the same pods in the same order (the informer's order): nothing to apply.
    if (sameList(before, podNames)) return;
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

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const NONE: readonly string[] = [];

/**
 * What a Service-side controller keeps about each pod it listed (an Endpoints address, an EndpointSlice endpoint),
 * by namespace and pod name: kept across pod versions, so the next Endpoints version shares an unchanged pod's entry
 * with the last one (the writer checks the entry still describes the pod), and forgotten when the pod is deleted.
 */
export class ByPodName<V> {
  readonly #byNamespace = new Map<string, Map<string, V>>();

  /** The namespace's entries (created empty when it has none). */
  in(namespace: string): Map<string, V> {
    let m = this.#byNamespace.get(namespace);
    if (!m) this.#byNamespace.set(namespace, (m = new Map()));
    return m;
  }

  forget(namespace: string, name: string): void {
    const m = this.#byNamespace.get(namespace);
    if (m && m.delete(name) && m.size === 0) this.#byNamespace.delete(namespace);
  }
}
