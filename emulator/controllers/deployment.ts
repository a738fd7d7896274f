/**
 * The Deployment controller: one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`), a rolling update
 * bounded by maxSurge / maxUnavailable (25% / 25% by default) or Recreate, revision annotations, old ReplicaSets
 * pruned beyond revisionHistoryLimit, and status with the Available and Progressing conditions.
 * `kubectl rollout restart` needs nothing special: it changes a template annotation, so the hash changes.
 */
import { clone, controllerOf, deepEqual, ownerRef, rfc3339, SAFE_ALPHABET } from '../api/meta';
import type { Deployment, KubeObject, ReplicaSet } from '../api/types';
import type { Disposable } from '../core/events';
import { OWNED, WorkQueue, disposeAll, nsName, type Controller, type ControllerContext } from './runtime';

const SOURCE = { component: 'deployment-controller' };
const REVISION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';

/** JSON with sorted keys: a stable rendering of the template for hashing. */
function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const keys = Object.keys(v as object)
    .filter((k) => (v as any)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson((v as any)[k])}`).join(',')}}`;
}

/**
 * pod-template-hash as controller.ComputeHash makes it: FNV-32a over the template (Kubernetes renders it with spew;
 * we render stable JSON), the collision count appended when set, the decimal uint32 then mapped character by
 * character through rand.SafeEncodeString — which is why real hashes only ever use the letters bcdf and 4–9.
 */
export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let text = stableJson(template);
  if (collisionCount !== undefined && collisionCount !== null) text += String(collisionCount);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const decimal = String(h >>> 0);
  let out = '';
  for (let i = 0; i < decimal.length; i++) out += SAFE_ALPHABET[decimal.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** intstr percent or int against a total; surge rounds up, unavailable rounds down. */
export function resolveIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function templateWithoutHash(t: any): any {
  const c = clone(t ?? {});
  if (c.metadata?.labels) {
    delete c.metadata.labels[HASH_LABEL];
  }
  return c;
}

function revisionOf(o: KubeObject): number {
  return Number(o.metadata.annotations?.[REVISION] ?? 0) || 0;
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];

  constructor(private readonly ctx: ControllerContext) {
    this.#queue = new WorkQueue(ctx.scheduler, 'deployment', (k) => this.#sync(k));
    this.#subs.push(
      ctx.store.watch('deployments', {}, (ev) => {
        if (ev.type !== 'DELETED') this.#queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
      }),
      ctx.store.watch('replicasets', {}, (ev) => {
        const ref = controllerOf(ev.object);
        if (ref?.kind === 'Deployment') this.#queue.add(`${ev.object.metadata.namespace}/${ref.name}`);
      }),
      // Recreate waits for the old pods to be gone, terminating ones included.
      ctx.store.watch('pods', {}, (ev) => {
        if (ev.type !== 'DELETED') return;
        const rsRef = controllerOf(ev.object);
        if (rsRef?.kind !== 'ReplicaSet') return;
        const rs = ctx.store.peek('replicasets', ev.object.metadata.namespace, rsRef.name);
        const dRef = rs && controllerOf(rs);
        if (dRef?.kind === 'Deployment') this.#queue.add(`${ev.object.metadata.namespace}/${dRef.name}`);
      }),
    );
  }

  #owned(d: Deployment): ReplicaSet[] {
    const uid = d.metadata.uid!;
    const out: ReplicaSet[] = [];
    for (const x of this.ctx.store.dependentsOf(uid)) if (x.resource === 'replicasets' && controllerOf(x.object)?.uid === uid) out.push(x.object as ReplicaSet);
    // Oldest first (creation, then name), as controller.ReplicaSetsByCreationTimestamp.
    return out.sort((a, b) =>
      a.metadata.creationTimestamp === b.metadata.creationTimestamp
        ? a.metadata.name! < b.metadata.name!
          ? -1
          : 1
        : a.metadata.creationTimestamp! < b.metadata.creationTimestamp!
          ? -1
          : 1,
    );
  }

  #scale(d: Deployment, rs: ReplicaSet, to: number, extraAnnotations: Record<string, string> = {}): ReplicaSet {
    const from = rs.spec.replicas ?? 0;
    const annotations = { ...(rs.metadata.annotations ?? {}), ...extraAnnotations };
    const maxSurge = resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.replicas ?? 1, true);
    annotations['deployment.kubernetes.io/desired-replicas'] = String(d.spec.replicas ?? 1);
    annotations['deployment.kubernetes.io/max-replicas'] = String((d.spec.replicas ?? 1) + (d.spec.strategy?.type === 'Recreate' ? 0 : maxSurge));
    const updated = this.ctx.store.update('replicasets', { ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rs.spec, replicas: to } }, OWNED) as ReplicaSet;
    if (from !== to)
      this.ctx.events.normal(d, 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`, SOURCE);
    return updated;
  }

  #sync(key: string): void {
    const [ns, name] = nsName(key);
    const store = this.ctx.store;
    const d = store.peek<Deployment>('deployments', ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const replicas = d.spec.replicas ?? 1;
    let all = this.#owned(d);
    const wanted = templateWithoutHash(d.spec.template);
    let newRS = all.find((rs) => deepEqual(templateWithoutHash(rs.spec.template), wanted));
    let createdNew = false;
    const maxRevision = all.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const strategy = d.spec.strategy?.type ?? 'RollingUpdate';
    const maxSurge = strategy === 'Recreate' ? 0 : resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge, replicas, true);
    let maxUnavailable = strategy === 'Recreate' ? replicas : resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxUnavailable, replicas, false);
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;

    if (d.spec.paused) {
      this.#writeStatus(d, all, newRS, false, maxUnavailable);
      return;
    }

    if (!newRS) {
      const hash = podTemplateHash(d.spec.template, d.status?.collisionCount);
      const tmpl = clone(d.spec.template);
      tmpl.metadata ??= {};
      tmpl.metadata.labels = { ...(tmpl.metadata.labels ?? {}), [HASH_LABEL]: hash };
      const revision = String(maxRevision + 1);
      newRS = store.create('replicasets', {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${name}-${hash}`,
          namespace: ns,
          labels: { ...(d.spec.template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(replicas),
            'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge),
            [REVISION]: revision,
          },
          ownerReferences: [ownerRef(d)],
        },
        spec: {
          replicas: 0,
          minReadySeconds: d.spec.minReadySeconds ?? 0,
          selector: { ...clone(d.spec.selector), matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [HASH_LABEL]: hash } },
          template: tmpl,
        },
      }, OWNED) as ReplicaSet;
      createdNew = true;
      all = [...all, newRS];
    } else if (revisionOf(newRS) < maxRevision) {
      // A rollback to an older template takes the next revision number.
      newRS = this.#scale(d, newRS, newRS.spec.replicas ?? 0, { [REVISION]: String(maxRevision + 1) });
      all = all.map((rs) => (rs.metadata.uid === newRS!.metadata.uid ? newRS! : rs));
    }
    const old = all.filter((rs) => rs !== newRS);
    const specReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 0;
    const available = (rs: ReplicaSet) => rs.status?.availableReplicas ?? 0;

    if (strategy === 'Recreate') {
      const oldActive = old.some((rs) => specReplicas(rs) > 0 || this.ctx.store.dependentsOf(rs.metadata.uid!).some((d) => d.resource === 'pods'));
      for (const rs of old) if (specReplicas(rs) > 0) this.#scale(d, rs, 0);
      if (!oldActive && specReplicas(newRS) !== replicas) newRS = this.#scale(d, newRS, replicas);
    } else {
      const oldTotal = old.reduce((n, rs) => n + specReplicas(rs), 0);
      if (oldTotal === 0) {
        if (specReplicas(newRS) !== replicas) newRS = this.#scale(d, newRS, replicas);
      } else {
        // reconcileNewReplicaSet
        const current = all.reduce((n, rs) => n + specReplicas(rs), 0);
        const maxTotal = replicas + maxSurge;
        let target = specReplicas(newRS);
        if (target > replicas) target = replicas;
        else if (current < maxTotal) target = Math.min(replicas, target + (maxTotal - current));
        if (target !== specReplicas(newRS)) newRS = this.#scale(d, newRS, target);
        // reconcileOldReplicaSets
        const allPods = old.reduce((n, rs) => n + specReplicas(rs), 0) + specReplicas(newRS);
        const minAvailable = replicas - maxUnavailable;
        const newUnavailable = Math.max(0, specReplicas(newRS) - available(newRS));
        let budget = allPods - minAvailable - newUnavailable;
        if (budget > 0) {
          // First the unhealthy old replicas, then healthy ones as availability allows.
          for (const rs of old) {
            if (budget <= 0) break;
            const unhealthy = specReplicas(rs) - available(rs);
            if (unhealthy <= 0) continue;
            const by = Math.min(budget, unhealthy);
            const to = specReplicas(rs) - by;
            budget -= by;
            const upd = this.#scale(d, rs, to);
            old[old.indexOf(rs)] = upd;
          }
          const availableAll = old.reduce((n, rs) => n + Math.min(available(rs), specReplicas(rs)), 0) + available(newRS);
          let scaleDown = Math.min(budget, availableAll - minAvailable);
          for (const rs of old) {
            if (scaleDown <= 0) break;
            const by = Math.min(scaleDown, specReplicas(rs));
            if (by <= 0) continue;
            scaleDown -= by;
            old[old.indexOf(rs)] = this.#scale(d, rs, specReplicas(rs) - by);
          }
        }
      }
    }
    all = this.#owned(d);
    newRS = all.find((rs) => rs.metadata.uid === newRS!.metadata.uid) ?? newRS;
    this.#cleanup(d, all, newRS);
    this.#writeStatus(d, all, newRS, createdNew, maxUnavailable);
  }

  #cleanup(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = all.filter((rs) => rs !== newRS && (rs.spec.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0);
    const excess = idle.length - limit;
    for (let i = 0; i < excess; i++) this.ctx.store.delete('replicasets', d.metadata.namespace, idle[i]!.metadata.name!);
  }

  #writeStatus(d: Deployment, all: ReplicaSet[], newRS: ReplicaSet | undefined, createdNew: boolean, maxUnavailable: number): void {
    const store = this.ctx.store;
    const replicas = d.spec.replicas ?? 1;
    const sum = (f: (rs: ReplicaSet) => number) => all.reduce((n, rs) => n + f(rs), 0);
    const statusReplicas = sum((rs) => rs.status?.replicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
    const available = sum((rs) => rs.status?.availableReplicas ?? 0);
    const now = rfc3339(this.ctx.scheduler.now());
    const prev = (d.status?.conditions ?? []) as any[];
    const cond = (type: string, status: string, reason: string, message: string) => {
      const p = prev.find((c) => c.type === type);
      const same = p && p.status === status && p.reason === reason && p.message === message;
      return {
        type,
        status,
        lastUpdateTime: same ? p.lastUpdateTime : now,
        lastTransitionTime: p && p.status === status ? p.lastTransitionTime : now,
        reason,
        message,
      };
    };
    const availableCond =
      available >= replicas - maxUnavailable
        ? cond('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
        : cond('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.');
    const rsName = newRS?.metadata.name ?? '';
    const complete = updated === replicas && available === replicas && statusReplicas === replicas && (newRS?.status?.availableReplicas ?? 0) === replicas;
    const prevProgress = prev.find((c) => c.type === 'Progressing');
    let progressing;
    if (createdNew) progressing = cond('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${rsName}"`);
    else if (complete) progressing = cond('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`);
    else if (prevProgress?.reason === 'NewReplicaSetCreated' && prevProgress.message === `Created new replica set "${rsName}"` && statusReplicas === 0)
      progressing = prevProgress;
    else progressing = cond('Progressing', 'True', 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`);
    // Progress moves lastUpdateTime even when the reason stays "is progressing".
    if (progressing.reason === 'ReplicaSetUpdated' && prevProgress && (prevProgress.message !== progressing.message || statusReplicas !== (d.status?.replicas ?? 0) || available !== (d.status?.availableReplicas ?? 0)))
      progressing = { ...progressing, lastUpdateTime: now };
    const status: Record<string, unknown> = { observedGeneration: d.metadata.generation ?? 1 };
    if (statusReplicas) status.replicas = statusReplicas;
    if (updated) status.updatedReplicas = updated;
    if (ready) status.readyReplicas = ready;
    if (available) status.availableReplicas = available;
    if (replicas - available > 0) status.unavailableReplicas = replicas - available;
    status.conditions = [availableCond, progressing];
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    let latest = store.peek<Deployment>('deployments', d.metadata.namespace, d.metadata.name!)!;
    const rev = newRS ? newRS.metadata.annotations?.[REVISION] : undefined;
    if (rev && latest.metadata.annotations?.[REVISION] !== rev) {
      latest = store.update('deployments', { ...latest, metadata: { ...latest.metadata, annotations: { ...(latest.metadata.annotations ?? {}), [REVISION]: rev } } }, OWNED) as Deployment;
    }
    store.updateStatus('deployments', { ...latest, status }, OWNED);
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}
