/**
 * Which Services select a pod, without scanning every Service: services are indexed by one `key=value` pair of
 * their selector, so a pod event only looks at services sharing one of its labels (the hot path when a
 * Deployment scales to a thousand pods next to hundreds of Services).
 */
import type { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';

export class ServiceSelectorIndex {
  /** `ns\u0000key=value` → service names */
  readonly #byPair = new Map<string, Set<string>>();
  /** `ns/name` → the pair it is indexed under */
  readonly #pairOf = new Map<string, string>();

  constructor(private readonly store: ApiStore) {}

  /** Keep the index in step with a Service watch event. */
  onService(type: 'ADDED' | 'MODIFIED' | 'DELETED', svc: KubeObject): void {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const prev = this.#pairOf.get(key);
    if (prev !== undefined) {
      this.#byPair.get(prev)?.delete(svc.metadata.name!);
      this.#pairOf.delete(key);
    }
    if (type === 'DELETED') return;
    const sel = svc.spec?.selector as Record<string, string> | undefined;
    if (!sel || Object.keys(sel).length === 0) return;
    const k = Object.keys(sel).sort()[0]!;
    const pair = `${svc.metadata.namespace}\u0000${k}=${sel[k]}`;
    let s = this.#byPair.get(pair);
    if (!s) this.#byPair.set(pair, (s = new Set()));
    s.add(svc.metadata.name!);
    this.#pairOf.set(key, pair);
  }

  /** Names of the Services in the pod's namespace whose selector matches `labels`. */
  servicesFor(namespace: string, labels: Readonly<Record<string, string>> | undefined): string[] {
    if (!labels) return [];
    const out: string[] = [];
    for (const [k, v] of Object.entries(labels)) {
      const names = this.#byPair.get(`${namespace}\u0000${k}=${v}`);
      if (!names) continue;
      for (const n of names) {
        const svc = this.store.peek('services', namespace, n);
        const sel = svc?.spec?.selector as Record<string, string> | undefined;
        if (sel && Object.entries(sel).every(([sk, sv]) => labels[sk] === sv)) out.push(n);
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
  readonly #members = new Map<string, Set<string>>();
  readonly #listed = new Map<string, string[]>();

  /** Services (names) that listed the pod `ns/name`. */
  servicesOf(podKey: string): Iterable<string> {
    return this.#members.get(podKey) ?? [];
  }

  set(ns: string, svcName: string, podNames: string[]): void {
    const key = `${ns}/${svcName}`;
    const before = this.#listed.get(key) ?? [];
    const now = new Set(podNames);
    // Only the difference is applied: a sync of a big Service usually changes one or two members.
    for (const p of before) {
      if (now.has(p)) continue;
      const s = this.#members.get(`${ns}/${p}`);
      s?.delete(svcName);
      if (s && s.size === 0) this.#members.delete(`${ns}/${p}`);
    }
    const had = new Set(before);
    for (const p of podNames) {
      if (had.has(p)) continue;
      const k = `${ns}/${p}`;
      let s = this.#members.get(k);
      if (!s) this.#members.set(k, (s = new Set()));
      s.add(svcName);
    }
    if (podNames.length === 0) this.#listed.delete(key);
    else this.#listed.set(key, podNames);
  }
}
