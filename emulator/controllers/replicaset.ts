/**
 * The ReplicaSet controller: keeps `spec.replicas` active pods stamped from the template (names `<rs>-<5 chars>`
 * from the API server's generateName), deletes the least valuable pods first when scaling down, and reports
 * replicas / readyReplicas / availableReplicas in status.
 */
import { controllerOf, ownerRef } from '../api/meta';
import { selectorFromLabelSelector } from '../api/selectors';
import type { KubeObject, ReplicaSet } from '../api/types';
import type { Disposable } from '../core/events';
import { deletionRank, isActive, isPodReady } from './pod-util';
import { OWNED, WorkQueue, disposeAll, nsName, type Controller, type ControllerContext } from './runtime';

const SOURCE = { component: 'replicaset-controller' };

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];

  constructor(private readonly ctx: ControllerContext) {
    this.#queue = new WorkQueue(ctx.scheduler, 'replicaset', (k) => this.#sync(k));
    this.#subs.push(
      ctx.store.watch('replicasets', {}, (ev) => {
        if (ev.type !== 'DELETED') this.#queue.add(`${ev.object.metadata.namespace}/${ev.object.metadata.name}`);
      }),
      ctx.store.watch('pods', {}, (ev) => {
        const ref = controllerOf(ev.object);
        if (ref?.kind === 'ReplicaSet') this.#queue.addNamed(ev.object.metadata.namespace!, ref.name);
      }),
    );
  }

  #sync(key: string): void {
    const [ns, name] = nsName(key);
    const store = this.ctx.store;
    const rs = store.peek<ReplicaSet>('replicasets', ns, name);
    if (!rs) return;
    const uid = rs.metadata.uid!;
    const sel = selectorFromLabelSelector(rs.spec.selector);
    // The pods it controls that match its selector and are active (not being deleted, not finished).
    const active: KubeObject[] = [];
    const dependents = store.dependentsOf(uid);
    for (let i = 0; i < dependents.length; i++) {
      const d = dependents[i]!;
      if (d.resource !== 'pods' || controllerOf(d.object)?.uid !== uid) continue;
      if (sel.matches(d.object.metadata.labels)) {
        if (isActive(d.object)) active.push(d.object);
      } else if (!d.object.metadata.deletionTimestamp) {
        // Relabelled out of the selector: release it (the pod lives on, orphaned) and replace it.
        const refs = (d.object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
        store.update('pods', { ...d.object, metadata: { ...d.object.metadata, ownerReferences: refs.length ? refs : undefined } }, OWNED);
      }
    }
    const desired = rs.spec.replicas ?? 1;
    let current = active;
    if (!rs.metadata.deletionTimestamp) {
      const diff = desired - active.length;
      if (diff > 0) {
        const tmpl = rs.spec.template;
        const generateName = `${name}-`;
        const tmplAnnotations = tmpl.metadata?.annotations;
        for (let i = 0; i < diff; i++) {
          const labels = { ...(tmpl.metadata?.labels ?? {}) };
          const ownerReferences = [ownerRef(rs)];
          // The fields the API server fills in (name from generateName, uid, …, status) are named without a value,
          // so they fit in the objects built here (key order as before).
          const metadata = tmplAnnotations
            ? { generateName, namespace: ns, labels, annotations: { ...tmplAnnotations }, ownerReferences, name: undefined, uid: undefined, creationTimestamp: undefined, resourceVersion: undefined }
            : { generateName, namespace: ns, labels, ownerReferences, name: undefined, uid: undefined, creationTimestamp: undefined, resourceVersion: undefined };
          // The store copies a trusted write's spec before defaulting fills it: the template stays as it is.
          const pod = store.create('pods', { apiVersion: 'v1', kind: 'Pod', metadata, spec: tmpl.spec, status: undefined }, OWNED);
          this.ctx.events.normal(rs, 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, SOURCE);
        }
        current = [...active];
        const counted = new Set(active);
        for (const d of store.dependentsOf(uid)) if (d.resource === 'pods' && isActive(d.object) && !counted.has(d.object)) current.push(d.object);
      } else if (diff < 0) {
        const victims = [...active].sort(deletionRank).slice(0, -diff);
        for (const v of victims) {
          store.delete('pods', ns, v.metadata.name!);
          this.ctx.events.normal(rs, 'SuccessfulDelete', `Deleted pod: ${v.metadata.name}`, SOURCE);
        }
        const gone = new Set(victims);
        current = active.filter((p) => !gone.has(p));
      }
    }
    let ready = 0;
    let labeled = 0;
    for (let i = 0; i < current.length; i++) {
      const p = current[i]!;
      if (isPodReady(p)) ready++;
      if (sel.matches(p.metadata.labels)) labeled++;
    }
    const status: Record<string, number> = { replicas: current.length };
    if (labeled) status.fullyLabeledReplicas = labeled;
    if (ready) status.readyReplicas = ready;
    if (ready) status.availableReplicas = ready;
    status.observedGeneration = rs.metadata.generation ?? 1;
    const latest = store.peek('replicasets', ns, name)!;
    store.updateStatus('replicasets', { ...latest, status }, OWNED);
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}
