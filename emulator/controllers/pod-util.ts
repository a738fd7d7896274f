/** Pod predicates shared by controllers (k8s.io/kubernetes/pkg/api/v1/pod and controller utilities). */
import type { KubeObject, Pod } from '../api/types';

export function isPodReady(p: KubeObject): boolean {
  return (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
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

/** Resolve a Service targetPort (number or named container port) against a pod; undefined if the name is absent. */
export function resolveTargetPort(pod: Pod, targetPort: number | string, protocol: string): number | undefined {
  if (typeof targetPort === 'number') return targetPort;
  if (/^\d+$/.test(targetPort)) return Number(targetPort);
  for (const c of pod.spec.containers ?? []) for (const p of c.ports ?? []) if (p.name === targetPort && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  return undefined;
}

/** ActivePods ordering of the ReplicaSet controller: the first pods are the first to delete when scaling down. */
export function deletionRank(a: KubeObject, b: KubeObject): number {
  const assigned = (p: KubeObject) => (p.spec?.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phaseRank = (p: KubeObject) => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[p.status?.phase ?? 'Pending'] ?? 0;
  if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
  const ready = (p: KubeObject) => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  const restarts = (p: KubeObject) => (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const ca = a.metadata.creationTimestamp ?? '';
  const cb = b.metadata.creationTimestamp ?? '';
  if (ca !== cb) return ca > cb ? -1 : 1;
  return a.metadata.name! < b.metadata.name! ? 1 : -1;
}
