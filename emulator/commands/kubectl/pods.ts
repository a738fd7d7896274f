/**
 * Finding a pod for `logs`/`exec`/`run` and talking to its container: `POD`, `pod/POD`, `deploy/NAME`,
 * `rs/NAME`, `svc/NAME` (kubectl picks the first pod of the object's selector), the container by `-c` or the
 * default (first) one, and the states in which the kubelet refuses (waiting, completed).
 */
import { RESOURCES } from '../../api/resources';
import type { KubeObject } from '../../api/types';
import type { ShellHost } from '../../shell/types';
import { KubectlError } from './flags';
import type { Kube } from './context';
import { resolveType } from './resolve';

export interface LogSource {
  lines(podKey: string, container: string, opts?: { previous?: boolean }): readonly { t: number; text: string }[] | undefined;
  onLine(listener: (ev: { podKey: string; container: string; line: { t: number; text: string } }) => void): { dispose(): void };
}

/** The container runtime's log buffers (emulator/apps/runtime.ts), when the world has a runtime. */
export function logSource(k: Kube): LogSource | undefined {
  const w = k.ctx.world as unknown as { cluster?: { runtime?: { logs?: LogSource } } };
  return w.cluster?.runtime?.logs;
}

function selectorMatches(sel: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

/** Resolve `POD` or `TYPE/NAME` to one pod; `note` is told when kubectl would say which pod it picked. */
export function findPod(k: Kube, ref: string, namespace: string, note?: (msg: string) => void): KubeObject {
  const slash = ref.indexOf('/');
  if (slash < 0) return k.store.get('pods', namespace, ref);
  const info = resolveType(ref.slice(0, slash));
  const name = ref.slice(slash + 1);
  if (info.resource === 'pods') return k.store.get('pods', namespace, name);
  const owner = k.store.get(info.resource, namespace, name);
  let selector: Record<string, string>;
  if (info.resource === 'services') selector = owner.spec?.selector ?? {};
  else if (info.resource === 'deployments' || info.resource === 'replicasets') selector = owner.spec?.selector?.matchLabels ?? {};
  else throw new KubectlError(`error: cannot attach to *v1.${info.kind}: selector for *v1.${info.kind} not implemented`);
  const pods = k.store
    .list('pods', { namespace })
    .items.filter((p) => selectorMatches(selector, p.metadata.labels) && !p.metadata.deletionTimestamp);
  if (pods.length === 0) throw new KubectlError(`error: no pods found for ${info.kind.toLowerCase()}/${name}`.replace(/^error: no pods found for service/, 'error: timed out waiting for the condition'));
  // kubectl sorts by "activeness": running and ready first, then the older one.
  const rank = (p: KubeObject) => (p.status?.phase === 'Running' ? 0 : 1);
  pods.sort((a, b) => rank(a) - rank(b) || Date.parse(a.metadata.creationTimestamp!) - Date.parse(b.metadata.creationTimestamp!));
  if (pods.length > 1 && note) note(`Found ${pods.length} pods, using pod/${pods[0]!.metadata.name}\n`);
  return pods[0]!;
}

/** `-c` or the default container (kubectl 1.32 tells which one it defaulted to when there are several). */
export function pickContainer(pod: KubeObject, requested: string, note: (msg: string) => void): string {
  const names: string[] = (pod.spec?.containers ?? []).map((c: any) => c.name);
  if (requested) {
    const all = [...names, ...(pod.spec?.initContainers ?? []).map((c: any) => c.name)];
    if (!all.includes(requested)) throw new KubectlError(`Error from server (BadRequest): container ${requested} is not valid for pod ${pod.metadata.name}`);
    return requested;
  }
  const dflt = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'] ?? names[0]!;
  if (names.length > 1) note(`Defaulted container "${dflt}" out of: ${names.join(', ')}\n`);
  return dflt;
}

/** Why the kubelet cannot stream from / exec into this container now, or undefined when it can. */
export function containerWaiting(pod: KubeObject, container: string): string | undefined {
  const st = (pod.status?.containerStatuses ?? []).find((c: any) => c.name === container);
  if (st?.state?.waiting) {
    const reason = st.state.waiting.reason;
    const detail = reason === 'ImagePullBackOff' || reason === 'ErrImagePull' ? 'trying and failing to pull image' : reason;
    return `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${detail}`;
  }
  if (!st) return `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`;
  return undefined;
}

export function podHost(k: Kube, pod: KubeObject): ShellHost | undefined {
  return k.ctx.world.hosts.get(`pod/${pod.metadata.namespace}/${pod.metadata.name}`);
}

export const POD_INFO = RESOURCES.pods;
