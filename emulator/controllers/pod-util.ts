/** Pod predicates shared by controllers (k8s.io/kubernetes/pkg/api/v1/pod and controller utilities). */
import type { KubeObject, Pod, ServicePort } from '../api/types';

export function isPodReady(p: KubeObject): boolean {
  // Asked of every pod at every ReplicaSet, Endpoints and EndpointSlice sync: a plain loop, no callback.
  const conditions = p.status?.conditions;
  if (conditions)
    for (let i = 0; i < conditions.length; i++) {
      const c = conditions[i];
      if (c.type === 'Ready' && c.status === 'True') return true;
    }
  return false;
}

export function isTerminating(p: KubeObject): boolean {
  return p.metadata.deletionTimestamp !== undefined;
}

/** Counted by ReplicaSets: not being deleted, not finished. */
export function isActive(p: KubeObject): boolean {
  const phase = p.status?.phase;
  return !isTerminating(p) && phase !== 'Succeeded' && phase !== 'Failed';
}

export function podKey(p: KubeObject): string {
  return `${p.metadata.namespace}/${p.metadata.name}`;
}

/** A targetPort naming a container port (`http`) rather than giving its number. */
export function isNamedPort(targetPort: number | string): boolean {
  return typeof targetPort === 'string' && !/^\d+$/.test(targetPort);
}

/**
 * A Service's selected pods grouped by the ports its target ports resolve to on each pod (Endpoints subsets,
 * EndpointSlices). Numeric target ports resolve the same on every pod: then there is one group and no per-pod port
 * list or signature.
 */
export class PortGroups<P, G> {
  readonly #groups = new Map<string, G>();
  readonly #shared: boolean;

  constructor(
    targetPorts: readonly (number | string)[],
    private readonly portsOf: (pod: Pod) => P[],
    private readonly makeGroup: (ports: P[]) => G,
  ) {
    this.#shared = targetPorts.every((t) => !isNamedPort(t));
  }

  groupOf(pod: Pod): G {
    const ports = this.#shared && this.#groups.size ? undefined : this.portsOf(pod);
    const sig = this.#shared ? '' : JSON.stringify(ports);
    let g = this.#groups.get(sig);
    if (!g) this.#groups.set(sig, (g = this.makeGroup(ports!)));
    return g;
  }

  /** The groups, in the order their first pod came. */
  values(): G[] {
    return [...this.#groups.values()];
  }
}

/** A Service's ports resolved on a pod (those whose named target port the pod lacks are left out), shaped by `make`. */
export function resolvePorts<T>(pod: Pod, svcPorts: readonly ServicePort[], make: (p: ServicePort, port: number, protocol: string) => T): T[] {
  const out: T[] = [];
  for (const p of svcPorts) {
    const protocol = p.protocol ?? 'TCP';
    const port = resolveTargetPort(pod, p.targetPort ?? p.port, protocol);
    if (port !== undefined) out.push(make(p, port, protocol));
  }
  return out;
}

/** Resolve a Service targetPort (number or named container port) against a pod; undefined if the name is absent. */
export function resolveTargetPort(pod: Pod, targetPort: number | string, protocol: string): number | undefined {
  if (typeof targetPort === 'number') return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  for (const c of pod.spec.containers ?? []) for (const p of c.ports ?? []) if (p.name === targetPort && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

/** ActivePods ordering of the ReplicaSet controller: the first pods are the first to delete when scaling down. */
export function deletionRank(a: KubeObject, b: KubeObject): number {
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  const phaseA = phaseRank(a);
  const phaseB = phaseRank(b);
  if (phaseA !== phaseB) return phaseA - phaseB;
  const readyA = isPodReady(a) ? 1 : 0;
  const readyB = isPodReady(b) ? 1 : 0;
  if (readyA !== readyB) return readyA - readyB;
  const restartsA = restartsOf(a);
  const restartsB = restartsOf(b);
  if (restartsA !== restartsB) return restartsB - restartsA;
  const ca = a.metadata.creationTimestamp ?? '';
  const cb = b.metadata.creationTimestamp ?? '';
  if (ca !== cb) return ca > cb ? -1 : 1;
  return a.metadata.name! < b.metadata.name! ? 1 : -1;
}

const PHASE_RANK = { Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>;

function phaseRank(p: KubeObject): number {
  return PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0;
}

function restartsOf(p: KubeObject): number {
  let n = 0;
  for (const c of (p.status?.containerStatuses ?? []) as any[]) n += c.restartCount ?? 0;
  return n;
}
