/**
 * The API server and its etcd in one object: validated, defaulted, versioned Kubernetes objects with list,
 * label/field selectors and watch. Controllers reconcile over it; kubectl reads and writes it; a later HTTP facade
 * can serve it to the real kubectl unchanged.
 *
 * Reads from `get`/`tryGet`/`list` are private deep copies (mutate them freely, then `update`). Watch events and
 * the controller-side cache reads (`peek`, `peekList`, `dependentsOf`) hand out the stored object itself, which is
 * shared: a controller never mutates them, as client-go's informer cache demands (a `strict` store deep-freezes them).
 *
 * Watch events are delivered on the world's scheduler (same virtual instant, after the current task), never
 * re-entrantly.
 */
import type { Disposable } from '../core/events';
import type { Rng } from '../core/rng';
import type { Scheduler } from '../core/scheduler';
import { defaultObject } from './defaults';
import { ApiError, alreadyExists, badRequest, conflict, forbidden, invalidObject, notFound, type FieldError } from './errors';
import { clone, deepEqual, deepFreeze, randomSuffix, rfc3339, uuidV4, withField } from './meta';
import { RESOURCES, type Resource, type ResourceInfo } from './resources';
import { parseFieldSelector, parseLabelSelector } from './selectors';
import type { KubeObject, ObjectList, WatchEvent } from './types';
import { validateObject, validateUpdate } from './validation';

export type { Resource } from './resources';

export interface CreateOptions {
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  /**
   * For controllers: the caller hands the object over (it builds a fresh top level and metadata, and never
   * mutates what it passed or what it reads) and gets the stored object back instead of a copy. Saves the deep
   * copies on the hot path; kubectl and tests leave it unset.
   */
  readonly trusted?: boolean;
}

export interface UpdateOptions {
  readonly dryRun?: boolean;
  /** See CreateOptions.trusted. */
  readonly trusted?: boolean;
}

export interface DeleteOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly dryRun?: boolean;
}

export interface ListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

export interface WatchOptions extends ListOptions {
  /** Unset or '0': synthetic ADDED for every current object, then changes. Otherwise changes after that version. */
  readonly resourceVersion?: string;
}

export type PatchType = 'merge' | 'strategic' | 'json';

/**
 * Admission: what the API server does synchronously inside a write, after validation and before storage — the
 * ClusterIP and NodePort allocators live here, so a taken port fails the `kubectl create` that asked for it.
 */
export interface AdmissionPlugin {
  readonly name: string;
  /** May change `obj` (allocations) or throw an ApiError. `old` is set on update. With dryRun, check but keep nothing. */
  admit?(resource: Resource, obj: KubeObject, old: KubeObject | undefined, dryRun: boolean): void;
  /** The object left storage for good (release what admit took). */
  released?(resource: Resource, obj: KubeObject): void;
}

interface Watcher {
  readonly resource: Resource;
  /** Registration number: deliveries to the watchers of one event go in this order. */
  readonly seq: number;
  readonly namespace?: string;
  /** Undefined for a watch of every object of the resource (most controllers' watches): nothing to evaluate. */
  readonly matches: ((o: KubeObject) => boolean) | undefined;
  readonly handler: (ev: WatchEvent) => void;
  active: boolean;
}

/** Recent watch events of a resource with their resourceVersions, as two parallel arrays (no object per entry). */
interface History {
  rvs: number[];
  events: WatchEvent[];
}

const HISTORY_LIMIT = 2000;
/**
 * kube-apiserver's `--event-ttl` (default 1h): etcd holds each Event under a lease of that length from its last
 * write, so an Event nobody repeats disappears an hour later (`kubectl get events` shows the last hour).
 */
export const EVENT_TTL_MS = 3_600_000;
/** Resources with `metadata.generation` (spec-bearing workload and config objects). */
const GENERATION = new Set<Resource>(['deployments', 'replicasets', 'ingresses', 'ingressclasses', 'endpointslices']);
const SERVER_OWNED_META: ReadonlySet<string> = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']);
/** Resources whose status is a subresource: a plain update keeps the stored status. */
const STATUS_SUBRESOURCE = new Set<Resource>(['pods', 'services', 'deployments', 'replicasets', 'nodes', 'namespaces', 'ingresses']);

export class ApiStore {
  readonly #scheduler: Scheduler;
  readonly #uidRng: Rng;
  readonly #nameRng: Rng;
  #rv = 100;
  /** Each resource's objects, watchers and history (one lookup per operation). */
  readonly #tables = new Map<Resource, Table>();
  /** owner uid → its dependents' slots by creation number. */
  readonly #byOwner = new Map<string, Map<number, Slot>>();
  #slots = 0;
  #watcherSeq = 0;
  /** Generated name parts defaulting asks for (the token volume's): one function, not a closure per create. */
  readonly #suffix = (): string => randomSuffix(this.#nameRng, 5);
  readonly #admission: AdmissionPlugin[] = [];
  /** Pending deliveries as parallel arrays (watcher i gets event i): no allocation per delivery on the hot path. */
  #queueW: Watcher[] = [];
  #queueE: WatchEvent[] = [];
  #flushScheduled = false;
  /**
   * Events' leases, in write order (which is expiry order: virtual time never goes back): when each expires, and the
   * stored version that write made. A later write of the same event leaves its earlier entry behind, and the sweep
   * skips an entry whose version is no longer the stored one. One timer, for the earliest expiry.
   */
  #leaseAt: number[] = [];
  #leaseObj: KubeObject[] = [];
  #leaseHead = 0;
  #leaseTimer = false;

  /** Deep-freeze stored objects, so a controller that mutates what it reads fails loudly (tests). */
  readonly #strict: boolean;

  constructor(deps: { scheduler: Scheduler; rng: Rng; strict?: boolean }) {
    this.#strict = deps.strict ?? false;
    this.#scheduler = deps.scheduler;
    this.#uidRng = deps.rng.fork('apiserver-uid');
    this.#nameRng = deps.rng.fork('apiserver-generate-name');
    for (const r of Object.keys(RESOURCES) as Resource[])
      this.#tables.set(r, { info: RESOURCES[r], namespaced: RESOURCES[r].namespaced, objects: new Map(), byNamespace: new Map(), watchers: [], byNode: new Map(), history: { rvs: [], events: [] } });
  }

  addAdmissionPlugin(p: AdmissionPlugin): void {
    this.#admission.push(p);
  }

  /** The current (latest committed) resourceVersion. */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  now(): number {
    return this.#scheduler.now();
  }

  // ---------------------------------------------------------------- reads

  get(resource: Resource, namespace: string | undefined, name: string): KubeObject {
    const o = this.tryGet(resource, namespace, name);
    if (!o) throw notFound(RESOURCES[resource], name);
    return o;
  }

  tryGet(resource: Resource, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.peek(resource, namespace, name);
    return o ? clone(o) : undefined;
  }

  list(resource: Resource, opts: ListOptions = {}): ObjectList {
    const ls = parseLabelSelector(opts.labelSelector);
    const fs = parseFieldSelector(opts.fieldSelector, resource);
    const items: KubeObject[] = [];
    for (const o of this.#sorted(resource, opts.namespace)) {
      if (!ls.empty && !ls.matches(o.metadata.labels)) continue;
      if (fs.requirements.length && !fs.matches(o)) continue;
      items.push(clone(o));
    }
    return { items, resourceVersion: String(this.#rv) };
  }

  /** Controller cache read: the stored, frozen object. */
  peek<T extends KubeObject = KubeObject>(resource: Resource, namespace: string | undefined, name: string): T | undefined {
    const t = this.#tables.get(resource)!;
    const ns = t.namespaced ? namespace : '';
    return (ns === undefined ? undefined : t.byNamespace.get(ns)?.get(name)?.obj) as T | undefined;
  }

  /** Controller cache read: stored, frozen objects of a resource (one namespace, or all), unordered. */
  peekList<T extends KubeObject = KubeObject>(resource: Resource, namespace?: string): Iterable<T> {
    const t = this.#tables.get(resource)!;
    if (namespace !== undefined && t.namespaced) {
      const m = t.byNamespace.get(namespace);
      return (m ? objectsIn(m.values()) : []) as Iterable<T>;
    }
    return objectsIn(t.objects.values()) as Iterable<T>;
  }

  count(resource: Resource, namespace?: string): number {
    const t = this.#tables.get(resource)!;
    if (namespace !== undefined && t.namespaced) return t.byNamespace.get(namespace)?.size ?? 0;
    return t.objects.size;
  }

  /** Stored objects whose ownerReferences name `ownerUid` (the garbage collector's graph). */
  dependentsOf(ownerUid: string): { resource: Resource; object: KubeObject }[] {
    const out: { resource: Resource; object: KubeObject }[] = [];
    const deps = this.#byOwner.get(ownerUid);
    if (!deps) return out;
    for (const slot of deps.values()) out.push({ resource: slot.resource, object: slot.obj });
    return out;
  }

  #sorted(resource: Resource, namespace?: string): KubeObject[] {
    const arr = [...this.peekList(resource, namespace)];
    arr.sort((a, b) => {
      const an = a.metadata.namespace ?? '';
      const bn = b.metadata.namespace ?? '';
      if (an !== bn) return an < bn ? -1 : 1;
      return a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0;
    });
    return arr;
  }

  // ---------------------------------------------------------------- writes

  create(resource: Resource, input: KubeObject, opts: CreateOptions = {}): KubeObject {
    const info = RESOURCES[resource];
    const obj = this.#prepareInput(info, input, opts.trusted, true);
    const meta = obj.metadata;
    if (info.namespaced) {
      meta.namespace = meta.namespace || 'default';
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix(this.#nameRng, 5);
    if (info.namespaced) {
      const ns = this.peek('namespaces', undefined, meta.namespace!);
      if (!ns) throw notFound(RESOURCES.namespaces, meta.namespace!);
      if (ns.metadata.deletionTimestamp && resource !== 'events')
        throw forbidden(info, meta.name ?? '', `unable to create new content in namespace ${meta.namespace} because it is being terminated`);
    }
    // Fields the server owns (a controller's object has none of them: no delete, which would slow the object down).
    // Its own keys are few: checking each against the set costs less than six `in` lookups that miss. A controller
    // may name them with no value (JSON cannot), so that the values written below fit in the object it built.
    for (const k in meta) if (SERVER_OWNED_META.has(k) && meta[k] !== undefined) delete meta[k];
    defaultObject(info, obj, undefined, this.#suffix);
    const errs = validateObject(info, obj);
    if (errs.length) throw invalidObject(info, meta.name ?? '', errs);
    if (this.peek(resource, meta.namespace, meta.name!)) throw alreadyExists(info, meta.name!);
    for (const p of this.#admission) p.admit?.(resource, obj, undefined, opts.dryRun ?? false);

    meta.uid = uuidV4(this.#uidRng);
    meta.creationTimestamp = rfc3339(this.now());
    if (GENERATION.has(resource)) meta.generation = 1;
    if (opts.dryRun) {
      meta.resourceVersion = undefined;
      return clone(obj);
    }
    meta.resourceVersion = String(++this.#rv);
    this.#commit(info, obj, undefined, 'ADDED');
    return opts.trusted ? obj : clone(obj);
  }

  update(resource: Resource, input: KubeObject, opts: UpdateOptions = {}): KubeObject {
    return this.#update(resource, input, opts, false);
  }

  updateStatus(resource: Resource, input: KubeObject, opts: UpdateOptions = {}): KubeObject {
    return this.#update(resource, input, opts, true);
  }

  #update(resource: Resource, input: KubeObject, opts: UpdateOptions, statusOnly: boolean): KubeObject {
    const info = RESOURCES[resource];
    const name = input.metadata?.name;
    if (!name) throw invalidObject(info, '', [{ type: 'Required value', field: 'metadata.name', detail: 'name or generateName is required' }]);
    const ns = info.namespaced ? input.metadata.namespace || 'default' : undefined;
    const old = this.peek(resource, ns, name);
    if (!old) throw notFound(info, name);
    if (input.metadata.resourceVersion && input.metadata.resourceVersion !== old.metadata.resourceVersion) throw conflict(info, name);
    const out = (o: KubeObject) => (opts.trusted ? o : clone(o));
    let next: KubeObject;
    if (statusOnly) {
      // Only status changes: share the rest with the stored version (stored objects are never mutated). A trusted
      // caller hands its status over, so nothing of the input needs copying.
      if (opts.trusted) this.#checkKind(info, input);
      const obj = opts.trusted ? input : this.#prepareInput(info, input, false);
      // Only status can differ from the stored version: a write that leaves it as it is is a no-op (below).
      if (deepEqual('status' in obj ? obj.status : old.status, old.status)) return out(old);
      next = { ...old, metadata: { ...old.metadata } };
      if ('status' in obj) next.status = obj.status;
    } else {
      const obj = this.#prepareInput(info, input, opts.trusted);
      next = obj;
      const m = next.metadata;
      m.namespace = old.metadata.namespace;
      m.uid = old.metadata.uid;
      m.creationTimestamp = old.metadata.creationTimestamp;
      if (old.metadata.deletionTimestamp) {
        m.deletionTimestamp = old.metadata.deletionTimestamp;
        if (old.metadata.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
      } else {
        delete m.deletionTimestamp;
        delete m.deletionGracePeriodSeconds;
      }
      if (!info.namespaced) delete m.namespace;
      if (STATUS_SUBRESOURCE.has(resource)) {
        if (old.status !== undefined) next.status = old.status;
        else delete next.status;
      }
      defaultObject(info, next, old);
      const errs: FieldError[] = [...validateObject(info, next), ...validateUpdate(info, next, old)];
      if (errs.length) throw invalidObject(info, name, errs);
      for (const p of this.#admission) p.admit?.(resource, next, old, opts.dryRun ?? false);
      if (GENERATION.has(resource)) {
        const specChanged = !deepEqual(specOf(next), specOf(old));
        m.generation = (old.metadata.generation ?? 1) + (specChanged ? 1 : 0);
      }
    }
    next.metadata.resourceVersion = old.metadata.resourceVersion;
    // A write that changes nothing is a no-op: same resourceVersion, no watch event (controllers rely on this).
    if (!statusOnly && deepEqual(next, old)) return out(old);
    if (opts.dryRun) return clone(next);
    next.metadata.resourceVersion = String(++this.#rv);
    const m = next.metadata;
    // An object being deleted goes once its last finalizer is removed (a pod in its grace period waits for the
    // kubelet's final delete instead).
    const finished =
      m.deletionTimestamp !== undefined &&
      (m.finalizers?.length ?? 0) === 0 &&
      (m.deletionGracePeriodSeconds ?? 0) === 0 &&
      !(resource === 'namespaces' && (next.spec?.finalizers?.length ?? 0) > 0);
    if (finished) {
      this.#remove(info, next);
      return out(next);
    }
    this.#commit(info, next, old, 'MODIFIED');
    return out(next);
  }

  /**
   * The pods/binding subresource (what the scheduler POSTs): sets `spec.nodeName` and the PodScheduled condition
   * in one write. Binding an already bound pod is a Conflict, as on the API server.
   */
  bind(namespace: string, name: string, nodeName: string, opts: UpdateOptions = {}): KubeObject {
    const info = RESOURCES.pods;
    const old = this.peek('pods', namespace, name);
    if (!old) throw notFound(info, name);
    if (old.spec?.nodeName)
      throw new ApiError('Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${old.spec.nodeName}"`, { name, kind: 'pods' });
    if (old.metadata.deletionTimestamp) throw new ApiError('Conflict', `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is being deleted, cannot be assigned to a host`, { name, kind: 'pods' });
    const t = rfc3339(this.now());
    const conditions = [
      ...((old.status?.conditions ?? []) as { type: string }[]).filter((c) => c.type !== 'PodScheduled'),
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: t },
    ];
    // A pending pod has no nodeName (and maybe no conditions) yet: added with withField, not a spread (see there).
    const next: KubeObject = { ...old, metadata: { ...old.metadata, resourceVersion: String(++this.#rv) }, spec: withField(old.spec, 'nodeName', nodeName), status: withField(old.status, 'conditions', conditions) };
    this.#commit(info, next, old, 'MODIFIED');
    return opts.trusted ? next : clone(next);
  }

  patch(resource: Resource, namespace: string | undefined, name: string, patchType: PatchType, patch: unknown, opts: UpdateOptions = {}): KubeObject {
    const info = RESOURCES[resource];
    const current = this.tryGet(resource, info.namespaced ? namespace || 'default' : undefined, name);
    if (!current) throw notFound(info, name);
    let patched: KubeObject;
    if (patchType === 'json') patched = applyJsonPatch(current, patch);
    else {
      if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
      patched = mergePatch(current, patch, patchType === 'strategic') as KubeObject;
    }
    if (!patched.metadata) patched.metadata = {};
    patched.metadata.name = name;
    if (info.namespaced) patched.metadata.namespace = current.metadata.namespace;
    const rvInPatch = (patch as any)?.metadata?.resourceVersion;
    if (!rvInPatch) patched.metadata.resourceVersion = current.metadata.resourceVersion;
    // Patches may write status for resources without a status subresource; with one, status is ignored here.
    return this.#update(resource, patched, opts, false);
  }

  delete(resource: Resource, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const info = RESOURCES[resource];
    const ns = info.namespaced ? namespace || 'default' : undefined;
    const old = this.peek(resource, ns, name);
    if (!old) throw notFound(info, name);
    const now = this.now();
    const next = clone(old);
    const m = next.metadata;

    if (resource === 'namespaces') {
      if (['default', 'kube-system', 'kube-public'].includes(name))
        throw forbidden(info, name, `this namespace may not be deleted`);
      if (m.deletionTimestamp) return clone(old);
      m.deletionTimestamp = rfc3339(now);
      m.deletionGracePeriodSeconds = 0;
      next.status = { ...(next.status ?? {}), phase: 'Terminating' };
      return this.#writeDeleting(info, next, opts);
    }

    if (resource === 'pods') {
      const specGrace = old.spec?.terminationGracePeriodSeconds ?? 30;
      let grace = opts.gracePeriodSeconds ?? specGrace;
      if (grace < 0) grace = 0;
      // An unbound pod, or one that never ran, goes at once; a running pod gets its grace period (kubelet finishes).
      const graceful = grace > 0 && !!old.spec?.nodeName && old.status?.phase !== 'Succeeded' && old.status?.phase !== 'Failed';
      if (graceful) {
        const curDeadline = m.deletionTimestamp ? Date.parse(m.deletionTimestamp) : Infinity;
        const deadline = now + grace * 1000;
        if (deadline >= curDeadline) return clone(old);
        m.deletionTimestamp = rfc3339(deadline);
        m.deletionGracePeriodSeconds = grace;
        this.#applyPropagation(m, opts.propagationPolicy);
        return this.#writeDeleting(info, next, opts);
      }
    }

    this.#applyPropagation(m, opts.propagationPolicy);
    if ((m.finalizers?.length ?? 0) > 0) {
      if (!m.deletionTimestamp) {
        m.deletionTimestamp = rfc3339(now);
        m.deletionGracePeriodSeconds = 0;
      }
      return this.#writeDeleting(info, next, opts);
    }
    if (opts.dryRun) return clone(old);
    this.#remove(info, old);
    return clone(old);
  }

  #applyPropagation(m: KubeObject['metadata'], policy: DeleteOptions['propagationPolicy']): void {
    const fin = new Set(m.finalizers ?? []);
    if (policy === 'Foreground') fin.add('foregroundDeletion');
    else if (policy === 'Orphan') fin.add('orphan');
    if (fin.size) m.finalizers = [...fin];
  }

  #writeDeleting(info: ResourceInfo, next: KubeObject, opts: DeleteOptions): KubeObject {
    if (opts.dryRun) return clone(next);
    const old = this.peek(info.resource, next.metadata.namespace, next.metadata.name!);
    next.metadata.resourceVersion = String(++this.#rv);
    this.#commit(info, next, old, 'MODIFIED');
    return clone(next);
  }

  // ---------------------------------------------------------------- watch

  watch(resource: Resource, opts: WatchOptions, handler: (ev: WatchEvent) => void): Disposable {
    const ls = parseLabelSelector(opts.labelSelector);
    const fs = parseFieldSelector(opts.fieldSelector, resource);
    const namespace = RESOURCES[resource].namespaced ? opts.namespace : undefined;
    const w: Watcher = {
      resource,
      seq: ++this.#watcherSeq,
      namespace,
      matches:
        namespace === undefined && ls.empty && fs.requirements.length === 0
          ? undefined
          : (o) =>
              (namespace === undefined || o.metadata.namespace === namespace) &&
              (ls.empty || ls.matches(o.metadata.labels)) &&
              (fs.requirements.length === 0 || fs.matches(o)),
      handler,
      active: true,
    };
    const rv = opts.resourceVersion;
    if (rv === undefined || rv === '' || rv === '0') {
      for (const o of this.#sorted(resource, namespace)) if (!w.matches || w.matches(o)) this.#enqueue(w, { type: 'ADDED', object: o });
    } else {
      const from = Number(rv);
      const { rvs, events } = this.#tables.get(resource)!.history;
      if (rvs.length && rvs[0]! > from + 1 && from < this.#rv - HISTORY_LIMIT)
        throw new ApiError('Expired', `too old resource version: ${rv} (${rvs[0]! - 1})`);
      for (let i = 0; i < rvs.length; i++) if (rvs[i]! > from && (!w.matches || w.matches(events[i]!.object))) this.#enqueue(w, events[i]!);
    }
    // A watch of the pods of one node (each kubelet's) is filed under its node: a pod event reaches the one
    // kubelet whose node it names, without the other kubelets' selectors being evaluated.
    const table = this.#tables.get(resource)!;
    const node = namespace === undefined && ls.empty && fs.requirements.length === 1 && fs.requirements[0]!.field === 'spec.nodeName' && fs.requirements[0]!.op === 'Equals' && fs.requirements[0]!.value !== ''
      ? fs.requirements[0]!.value
      : undefined;
    const list = node === undefined ? table.watchers : (table.byNode.get(node) ?? (table.byNode.set(node, []), table.byNode.get(node)!));
    list.push(w);
    return {
      dispose: () => {
        w.active = false;
        const i = list.indexOf(w);
        if (i >= 0) list.splice(i, 1);
        if (node !== undefined && list.length === 0) table.byNode.delete(node);
      },
    };
  }

  #enqueue(w: Watcher, ev: WatchEvent): void {
    this.#queueW.push(w);
    this.#queueE.push(ev);
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#scheduler.after(0, () => this.#flush(), { label: 'apiserver-watch' });
    }
  }

  #flush(): void {
    this.#flushScheduled = false;
    // Handlers may write (and so enqueue more); those go to the next flush, after this one.
    const ws = this.#queueW;
    const evs = this.#queueE;
    this.#queueW = [];
    this.#queueE = [];
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      if (w.active) w.handler(evs[i]!);
    }
  }

  // ---------------------------------------------------------------- storage

  /** `ownMetadata`: a trusted create hands over a metadata object of its own too (no copy). */
  #prepareInput(info: ResourceInfo, input: KubeObject, trusted = false, ownMetadata = false): KubeObject {
    if (input === null || typeof input !== 'object') throw badRequest('the body of the request was in an unknown format');
    // Trusted callers hand over a fresh top level; metadata and spec are still copied because the store writes
    // into them (server-owned metadata, defaulting, allocation) and they may be shared with the stored version.
    let obj: KubeObject;
    if (trusted) {
      // The top level is the caller's to hand over (no copy), and a create's metadata too; an update's metadata may
      // be a stored object's, a spec a template's.
      obj = input;
      if (!ownMetadata || !input.metadata) obj.metadata = input.metadata ? { ...input.metadata } : {};
      if (input.spec !== undefined) obj.spec = clone(input.spec);
    } else obj = clone(input);
    this.#checkKind(info, obj);
    obj.apiVersion = info.apiVersion;
    obj.kind = info.kind;
    if (!obj.metadata || typeof obj.metadata !== 'object') obj.metadata = {};
    return obj;
  }

  #checkKind(info: ResourceInfo, obj: KubeObject): void {
    if (obj.apiVersion && obj.apiVersion !== info.apiVersion)
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${info.apiVersion})`);
    if (obj.kind && obj.kind !== info.kind) throw badRequest(`the kind in the data (${obj.kind}) does not match the expected kind (${info.kind})`);
  }

  #commit(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, type: 'ADDED' | 'MODIFIED'): void {
    if (this.#strict) deepFreeze(obj);
    const meta = obj.metadata;
    const table = this.#tables.get(info.resource)!;
    const byNs = table.byNamespace;
    const ns = info.namespaced ? meta.namespace! : '';
    let m = byNs.get(ns);
    if (!m) byNs.set(ns, (m = new Map()));
    let slot = old && m.get(meta.name!);
    // A new version replaces the old one in its slot: an update writes no map.
    if (slot) slot.obj = obj;
    else {
      slot = { resource: info.resource, seq: ++this.#slots, obj };
      m.set(meta.name!, slot);
      table.objects.set(slot.seq, slot);
    }
    this.#indexOwners(slot, old, obj);
    if (info.resource === 'events') this.#lease(obj);
    this.#publish(table, { type, object: obj });
  }

  #lease(obj: KubeObject): void {
    const at = this.now() + EVENT_TTL_MS;
    this.#leaseAt.push(at);
    this.#leaseObj.push(obj);
    if (!this.#leaseTimer) this.#armLeaseTimer(at);
  }

  #armLeaseTimer(at: number): void {
    this.#leaseTimer = true;
    // Background: an hour-long lease must not keep `settle()` running.
    this.#scheduler.at(at, () => this.#expireLeases(), { background: true, label: 'etcd-event-lease' });
  }

  #expireLeases(): void {
    this.#leaseTimer = false;
    const now = this.now();
    const at = this.#leaseAt;
    const objs = this.#leaseObj;
    let i = this.#leaseHead;
    for (; i < at.length && at[i]! <= now; i++) {
      const m = objs[i]!.metadata;
      // Written again since (a repeat's count), or deleted: that write's lease, if any, is further down the list.
      if (this.peek('events', m.namespace, m.name!) === objs[i]) this.#remove(RESOURCES.events, objs[i]!);
    }
    if (i === at.length) {
      this.#leaseAt = [];
      this.#leaseObj = [];
      this.#leaseHead = 0;
      return;
    }
    this.#leaseHead = i;
    // Drop the expired front now and then, not on every sweep.
    if (i > 1024 && i * 2 > at.length) {
      this.#leaseAt = at.slice(i);
      this.#leaseObj = objs.slice(i);
      this.#leaseHead = 0;
    }
    this.#armLeaseTimer(this.#leaseAt[this.#leaseHead]!);
  }

  #remove(info: ResourceInfo, obj: KubeObject): void {
    const meta = obj.metadata;
    const table = this.#tables.get(info.resource)!;
    const byNs = table.byNamespace;
    const ns = info.namespaced ? meta.namespace! : '';
    const m = byNs.get(ns);
    const slot = m?.get(meta.name!);
    m?.delete(meta.name!);
    if (m && m.size === 0) byNs.delete(ns);
    if (slot) {
      table.objects.delete(slot.seq);
      this.#indexOwners(slot, slot.obj, undefined);
    }
    const final = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.#rv) } };
    if (this.#strict) deepFreeze(final);
    for (const p of this.#admission) p.released?.(info.resource, final);
    this.#publish(table, { type: 'DELETED', object: final });
  }

  #indexOwners(slot: Slot, old: KubeObject | undefined, next: KubeObject | undefined): void {
    const before = old?.metadata.ownerReferences;
    const after = next?.metadata.ownerReferences;
    if (!before?.length && !after?.length) return;
    // Unchanged owners (a status write): the index already holds this object under them.
    if (before === after) return;
    for (const r of before ?? []) {
      const s = this.#byOwner.get(r.uid);
      s?.delete(slot.seq);
      if (s && s.size === 0) this.#byOwner.delete(r.uid);
    }
    for (const r of after ?? []) {
      let s = this.#byOwner.get(r.uid);
      if (!s) this.#byOwner.set(r.uid, (s = new Map()));
      s.set(slot.seq, slot);
    }
  }

  #publish(table: Table, ev: WatchEvent): void {
    const hist = table.history;
    hist.rvs.push(this.#rv);
    hist.events.push(ev);
    if (hist.rvs.length > HISTORY_LIMIT * 2) {
      hist.rvs.splice(0, hist.rvs.length - HISTORY_LIMIT);
      hist.events.splice(0, hist.events.length - HISTORY_LIMIT);
    }
    const ws = table.watchers;
    // The watchers of the object's node (at most one node) are delivered in registration order among the rest.
    const nodeName = table.byNode.size ? ev.object.spec?.nodeName : undefined;
    const byNode = nodeName === undefined || nodeName === null ? undefined : table.byNode.get(typeof nodeName === 'string' ? nodeName : String(nodeName));
    if (byNode === undefined) {
      for (let i = 0; i < ws.length; i++) {
        const w = ws[i]!;
        if (!w.matches || w.matches(ev.object)) this.#enqueue(w, ev);
      }
      return;
    }
    let j = 0;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      for (; j < byNode.length && byNode[j]!.seq < w.seq; j++) this.#enqueue(byNode[j]!, ev);
      if (!w.matches || w.matches(ev.object)) this.#enqueue(w, ev);
    }
    for (; j < byNode.length; j++) this.#enqueue(byNode[j]!, ev);
  }
}

/** One resource's storage. */
interface Table {
  readonly info: ResourceInfo;
  readonly namespaced: boolean;
  /** Every object's slot by creation number, in creation order (what `list` sorts and a watch from 0 replays). */
  readonly objects: Map<number, Slot>;
  /** namespace ('' for cluster-scoped resources) → name → slot: how reads address objects. */
  readonly byNamespace: Map<string, Map<string, Slot>>;
  /** Watchers in registration order, but for those of one node's pods (`spec.nodeName=<node>`), in `byNode`. */
  readonly watchers: Watcher[];
  readonly byNode: Map<string, Watcher[]>;
  readonly history: History;
}

/** Where a stored object lives: each new version replaces the last in the same slot. */
interface Slot {
  readonly resource: Resource;
  /** Creation number, unique in the store: a map key that costs nothing to hash. */
  readonly seq: number;
  obj: KubeObject;
}

function* objectsIn(slots: Iterable<Slot>): Generator<KubeObject> {
  for (const s of slots) yield s.obj;
}

function specOf(o: KubeObject): unknown {
  // Objects without `spec` (ConfigMap, EndpointSlice) bump generation on any non-metadata change.
  if (o.spec !== undefined) return o.spec;
  const { metadata: _m, status: _s, ...rest } = o;
  return rest;
}

// ---------------------------------------------------------------- patches

/** RFC 7386 JSON merge patch; with `strategic`, lists of named things (containers, ports, env) merge by key. */
export function mergePatch(target: unknown, patch: unknown, strategic = false, path = ''): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    if (strategic && Array.isArray(patch) && Array.isArray(target)) {
      const key = STRATEGIC_KEYS[path.split('.').pop() ?? ''];
      if (key) return mergeList(target, patch, key, path);
    }
    return clone(patch);
  }
  const out: Record<string, unknown> = target !== null && typeof target === 'object' && !Array.isArray(target) ? clone(target as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v, strategic, path ? `${path}.${k}` : k);
  }
  return out;
}

const STRATEGIC_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'port',
  ownerReferences: 'uid',
  tolerations: 'key',
  imagePullSecrets: 'name',
};

function mergeList(target: unknown[], patch: unknown[], key: string, path: string): unknown[] {
  const out = target.map((x) => clone(x)) as Record<string, unknown>[];
  const k = path.endsWith('ports') && out.some((x) => x && 'containerPort' in x) ? 'containerPort' : key;
  for (const p of patch as Record<string, unknown>[]) {
    if (p && typeof p === 'object' && k in p) {
      const i = out.findIndex((x) => x && x[k] === p[k]);
      if ((p as any).$patch === 'delete') {
        if (i >= 0) out.splice(i, 1);
      } else if (i >= 0) out[i] = mergePatch(out[i], p, true, path) as Record<string, unknown>;
      else out.push(clone(p));
    } else out.push(clone(p));
  }
  return out;
}

/** RFC 6902 JSON patch. */
export function applyJsonPatch(doc: KubeObject, patch: unknown): KubeObject {
  if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let root: any = clone(doc);
  const parse = (p: string): string[] => {
    if (p === '') return [];
    if (!p.startsWith('/')) throw badRequest(`the server rejected our request due to an error in our request`);
    return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  };
  const parentOf = (parts: string[]): [any, string] => {
    let cur = root;
    for (const s of parts.slice(0, -1)) {
      if (cur === null || typeof cur !== 'object' || !(s in cur)) throw badRequest(`doc is missing path: "/${parts.join('/')}": missing value`);
      cur = cur[s];
    }
    return [cur, parts[parts.length - 1]!];
  };
  const getAt = (parts: string[]): any => {
    let cur = root;
    for (const s of parts) {
      if (cur === null || typeof cur !== 'object' || !(s in cur)) throw badRequest(`doc is missing path: "/${parts.join('/')}": missing value`);
      cur = cur[s];
    }
    return cur;
  };
  const add = (parts: string[], value: unknown): void => {
    if (parts.length === 0) {
      root = clone(value);
      return;
    }
    const [parent, last] = parentOf(parts);
    if (Array.isArray(parent)) {
      const idx = last === '-' ? parent.length : Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw badRequest(`add operation does not apply: doc is missing path: "/${parts.join('/')}": missing value`);
      parent.splice(idx, 0, clone(value));
    } else parent[last] = clone(value);
  };
  const remove = (parts: string[]): unknown => {
    const [parent, last] = parentOf(parts);
    if (Array.isArray(parent)) {
      const idx = Number(last);
      if (!(idx >= 0 && idx < parent.length)) throw badRequest(`remove operation does not apply: doc is missing path: "/${parts.join('/')}": missing value`);
      return parent.splice(idx, 1)[0];
    }
    if (parent === null || typeof parent !== 'object' || !(last in parent))
      throw badRequest(`remove operation does not apply: doc is missing path: "/${parts.join('/')}": missing value`);
    const v = parent[last];
    delete parent[last];
    return v;
  };
  for (const op of patch as { op: string; path: string; value?: unknown; from?: string }[]) {
    const parts = parse(op.path);
    switch (op.op) {
      case 'add':
        add(parts, op.value);
        break;
      case 'remove':
        remove(parts);
        break;
      case 'replace':
        remove(parts);
        add(parts, op.value);
        break;
      case 'move': {
        const v = remove(parse(op.from ?? ''));
        add(parts, v);
        break;
      }
      case 'copy':
        add(parts, getAt(parse(op.from ?? '')));
        break;
      case 'test':
        if (!deepEqual(getAt(parts), op.value)) throw new ApiError('Invalid', `the server rejected our request due to an error in our request`);
        break;
      default:
        throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return root as KubeObject;
}
