/**
 * The kubelet of one node: runs the pods bound to it through their lifecycle, as declarative stages with virtual
 * delays (as kwok describes them):
 *
 *   bound → sandbox (pod IP from the node's podCIDR, CNI network, status ContainerCreating)
 *         → image pull per container (Pulling/Pulled, or ErrImagePull → ImagePullBackOff for images not in the
 *           offline catalogue) → Created/Started → Running (Ready at once without a readiness probe, else after
 *           the probe's initial delay)
 *   deletionTimestamp → Killing ("Stopping container …"), Terminating until the process exits or the grace
 *           period ends → containers terminated → final delete; IP released (not reused at once), network removed.
 *
 * It also registers the pod's shell host (`pod/<ns>/<name>`) for `kubectl exec`.
 */
import { CATALOGUE, WORKLOAD_IMAGES, findImage, imageDigest, parseImageRef } from '../apps/catalogue';
import type { ContainerRuntime } from '../apps/runtime';
import type { AppImage, PodInfo } from '../apps/types';
import { isApiError } from '../api/errors';
import { rfc3339 } from '../api/meta';
import type { ApiStore } from '../api/store';
import type { Container, ContainerStatus, KubeObject, Node, Pod, Service } from '../api/types';
import { podHostOptions, serviceLinkEnv } from '../cluster/pod-host';
import type { ShellHostOptions } from '../hosts/shell-host';
import type { Cni } from '../core/cni';
import type { Disposable } from '../core/events';
import type { Rng } from '../core/rng';
import type { TaskHandle, TaskOptions } from '../core/scheduler';
import type { ShellHost } from '../shell/types';
import { cidrContains, intToIp, ipToInt, parseCidr, type Cidr } from './ip';
import { OWNED, disposeAll, type Controller, type ControllerContext } from './runtime';

export interface KubeletDeps {
  readonly nodeName: string;
  readonly runtime: ContainerRuntime;
  /** The network's CNI plugin, looked up at each use (it may be wired after the kubelet starts); absent = no network. */
  readonly cni: () => Cni | undefined;
  readonly hosts: Map<string, ShellHost>;
  /** Builds a shell host (the world's `createShellHost`). */
  readonly createHost: (opts: ShellHostOptions) => ShellHost;
  /** The node's own /etc/resolv.conf (for dnsPolicy Default and hostNetwork pods). */
  readonly nodeResolv?: string;
  /** Service-link variables for a namespace (shared by all kubelets; see ServiceLinkCache). */
  readonly serviceLinks?: ServiceLinkCache;
}

/** Per-node IPAM (host-local style): the next free address after the last one handed out, so a replaced pod gets a new IP. */
export class NodeIpam {
  readonly cidr: Cidr;
  readonly #used = new Set<number>();
  #cursor: number;

  constructor(podCIDR: string) {
    this.cidr = parseCidr(podCIDR);
    this.#cursor = this.cidr.base + 1; // .1 is the bridge (cni0) gateway
  }

  allocate(): string | undefined {
    const first = this.cidr.base + 2;
    const last = this.cidr.base + this.cidr.size - 2;
    const span = last - first + 1;
    for (let k = 0; k < span; k++) {
      let ip = this.#cursor + 1 + k;
      if (ip > last) ip = first + ((ip - first) % span);
      if (!this.#used.has(ip)) {
        this.#used.add(ip);
        this.#cursor = ip;
        return this.#text(ip);
      }
    }
    return undefined;
  }

  /** Dotted text of an address: its first three octets are kept from the last one (pods of a node share them). */
  #text(ip: number): string {
    const upper = ip >>> 8;
    if (upper !== this.#prefixOf) {
      const text = intToIp(ip);
      this.#prefix = text.slice(0, text.lastIndexOf('.') + 1);
      this.#prefixOf = upper;
    }
    return this.#prefix + (ip & 255);
  }

  #prefixOf = -1;
  #prefix = '';

  release(ip: string): void {
    const n = ipToInt(ip);
    if (n !== undefined && cidrContains(this.cidr, n)) this.#used.delete(n);
  }

  get inUse(): number {
    return this.#used.size;
  }
}

type Stage = 'starting' | 'running' | 'backoff' | 'terminating';

interface PodState {
  /** `<namespace>/<name>`: the runtime's and the CNI's key for the pod. */
  readonly key: string;
  uid: string;
  readonly namespace: string;
  readonly name: string;
  stage: Stage;
  podIP: string | undefined;
  netns: string | undefined;
  /** Stage timers, in the order they were set: the pending ones and a few that already ran (see #after). */
  timers: TaskHandle[];
  pullFailures: number;
  restarts: number;
  image: AppImage | undefined;
  startedAt: number | undefined;
}

/** Millisecond delays of each stage (virtual time). */
export const KUBELET_TIMING = {
  sandboxMs: 300,
  createMs: 200,
  startMs: 200,
  presentPullMs: 50,
  pullFailMs: 1200,
  backoffBaseMs: 10_000,
  backoffMaxMs: 300_000,
  sigtermExitMs: 400,
  crashDelayMs: 500,
};

export class Kubelet implements Controller {
  readonly name: string;
  readonly #subs: Disposable[] = [];
  /** namespace → name → state: looked up with the strings the pod carries (no key built per watch event). */
  readonly #pods = new Map<string, Map<string, PodState>>();
  #podCount = 0;
  readonly #images = new Set<string>();
  readonly #ipam: NodeIpam | undefined;
  readonly #rng: Rng;
  readonly #source: { component: string; host: string };
  readonly #nodeIP: string;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly deps: KubeletDeps,
  ) {
    this.name = `kubelet/${deps.nodeName}`;
    this.#foreground = { label: this.name, background: false };
    this.#background = { label: this.name, background: true };
    this.#rng = ctx.rng.fork(`kubelet/${deps.nodeName}`);
    this.#source = { component: 'kubelet', host: deps.nodeName };
    const node = ctx.store.peek<Node>('nodes', undefined, deps.nodeName);
    this.#nodeIP = node?.status?.addresses.find((a) => a.type === 'InternalIP')?.address ?? '';
    this.#ipam = node?.spec.podCIDR ? new NodeIpam(node.spec.podCIDR) : undefined;
    this.#subs.push(
      ctx.store.watch('pods', { fieldSelector: `spec.nodeName=${deps.nodeName}` }, (ev) => {
        if (ev.type === 'DELETED') this.#cleanup(ev.object);
        else this.#observe(ev.object as Pod);
      }),
    );
  }

  /** Image repositories:tags this node has pulled. */
  hasImage(ref: string): boolean {
    return this.#images.has(parseImageRef(ref).canonical);
  }

  #serviceLinks(ns: string, enabled: boolean): ServiceLinks {
    return (this.deps.serviceLinks ?? (this.#ownLinks ??= new ServiceLinkCache(this.ctx.store))).get(ns, enabled);
  }

  #ownLinks: ServiceLinkCache | undefined;

  #state(p: KubeObject): PodState | undefined {
    return this.#pods.get(p.metadata.namespace!)?.get(p.metadata.name!);
  }

  readonly #foreground: TaskOptions;
  readonly #background: TaskOptions;

  /** `background` for retry back-offs: a crash-looping pod must not keep `settle()` busy. */
  #after(st: PodState, ms: number, fn: () => void, background = false): void {
    const timers = st.timers;
    // Handles of tasks that already ran stay in the list until it grows (cancelling such a task does nothing):
    // then those due before now are dropped, as every pending task is due at or after now.
    if (timers.length >= 4) {
      const now = this.ctx.scheduler.now();
      let kept = 0;
      for (let i = 0; i < timers.length; i++) if (timers[i]!.due >= now) timers[kept++] = timers[i]!;
      timers.length = kept;
    }
    timers.push(this.ctx.scheduler.after(ms, fn, background ? this.#background : this.#foreground));
  }

  /** The pod this state is for, as stored now (undefined once it is gone or replaced by a namesake). */
  #current(st: PodState): Pod | undefined {
    const p = this.ctx.store.peek<Pod>('pods', st.namespace, st.name);
    return p && p.metadata.uid === st.uid ? p : undefined;
  }

  /** `current`: the pod as stored now, when the caller has just read it (no store write since, in this task). */
  #writeStatus(st: PodState, mutate: (status: NonNullable<Pod['status']>, pod: Pod) => void, current?: Pod): Pod | undefined {
    const pod = current ?? this.#current(st);
    if (!pod) return undefined;
    // Every stage replaces whole top-level status fields (new arrays, new condition objects) and never edits the
    // stored ones in place, so a copy of the top level is enough: the rest is shared with the stored version.
    const status: NonNullable<Pod['status']> = { ...pod.status };
    mutate(status, pod);
    try {
      // A trusted status write reads the identity and the status of what it is given (not a copy of the whole pod).
      return this.ctx.store.updateStatus('pods', { apiVersion: pod.apiVersion, kind: pod.kind, metadata: pod.metadata, status }, OWNED) as Pod;
    } catch (e) {
      if (isApiError(e, 'NotFound')) return undefined;
      throw e;
    }
  }

  #observe(pod: Pod): void {
    let st = this.#state(pod);
    if (st && st.uid !== pod.metadata.uid) {
      this.#cleanup(pod);
      st = undefined;
    }
    if (pod.metadata.deletionTimestamp) {
      if (!st) {
        this.ctx.store.delete('pods', pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0 });
        return;
      }
      if (st.stage !== 'terminating') this.#terminate(st.key, pod, st);
      return;
    }
    if (st) return;
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const key = `${ns}/${name}`;
    // Every field in the literal, so the later stages' fields fit in the object.
    st = { key, uid: pod.metadata.uid!, namespace: ns, name, stage: 'starting', podIP: undefined, netns: undefined, timers: [], pullFailures: 0, restarts: 0, image: undefined, startedAt: undefined };
    let inNs = this.#pods.get(ns);
    if (!inNs) this.#pods.set(ns, (inNs = new Map()));
    inNs.set(name, st);
    this.#podCount++;
    this.#after(st, KUBELET_TIMING.sandboxMs, () => this.#sandbox(key, st!));
  }

  // ---- stages

  #sandbox(key: string, st: PodState): void {
    const pod = this.#current(st);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const hostNetwork = !!pod.spec.hostNetwork;
    let podIP = this.#nodeIP;
    if (!hostNetwork) {
      const ip = this.#ipam?.allocate();
      if (!ip) {
        this.ctx.events.warning(pod, 'FailedCreatePodSandBox', `Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type="host-local" failed (add): failed to allocate for range 0: no IP addresses available in range set: ${this.#ipam?.cidr.text ?? ''}`, this.#source);
        return;
      }
      podIP = ip;
      const cni = this.deps.cni();
      if (cni) {
        const res = cni.addPod({ podKey: key, nodeName: this.deps.nodeName, podIP, podCIDR: this.#ipam!.cidr.text, hostname: pod.metadata.name! });
        st.netns = res.netns;
      }
    }
    st.podIP = podIP;
    const now = rfc3339(this.ctx.scheduler.now());
    // Read just above; setting up the network writes nothing to the store.
    const written = this.#writeStatus(st, (s, p) => {
      s.phase = 'Pending';
      s.hostIP = this.#nodeIP;
      s.hostIPs = (this.#hostIPs ??= [{ ip: this.#nodeIP }]);
      s.podIP = podIP;
      s.podIPs = [{ ip: podIP }];
      s.startTime = now;
      s.conditions = this.#sandboxConditions(now, unreadyText(p.spec.containers), findCond(p, 'PodScheduled')?.lastTransitionTime ?? now);
      s.containerStatuses = creatingStatuses(p.spec.containers);
      s.qosClass = s.qosClass ?? 'BestEffort';
    }, pod);
    // What the write stored is the pod as stored now (none when it is gone).
    if (written) this.#pull(key, st, written);
  }

  /** The node's `status.hostIPs`, one list shared by its pods' statuses (stored objects are never changed). */
  #hostIPs: { ip: string }[] | undefined;

  /**
   * The conditions a pod gets when its sandbox is up: the same for every pod set up in the same instant with the
   * same containers and scheduling time, so the last list is reused (shared by those pods' statuses; stored objects
   * are never changed, and a strict store freezes them when written).
   */
  #sandboxConditions(now: string, unready: string, scheduledAt: string): NonNullable<Pod['status']>['conditions'] {
    const last = this.#lastSandbox;
    if (last && last.now === now && last.unready === unready && last.scheduledAt === scheduledAt) return last.conditions;
    const conditions = [
      cond('PodReadyToStartContainers', 'True', now),
      cond('Initialized', 'True', now),
      cond('Ready', 'False', now, 'ContainersNotReady', unready),
      cond('ContainersReady', 'False', now, 'ContainersNotReady', unready),
      cond('PodScheduled', 'True', scheduledAt),
    ];
    this.#lastSandbox = { now, unready, scheduledAt, conditions };
    return conditions;
  }

  #lastSandbox: { readonly now: string; readonly unready: string; readonly scheduledAt: string; readonly conditions: NonNullable<Pod['status']>['conditions'] } | undefined;

  /** `current`: the pod as stored now, when the caller has just written it. */
  #pull(key: string, st: PodState, current?: Pod): void {
    const pod = current ?? this.#current(st);
    if (!pod || pod.metadata.deletionTimestamp) return;
    let delay = 0;
    let missing: { c: Container; message: string }[] | undefined;
    for (const c of pod.spec.containers) {
      const ref = parseImageRef(c.image);
      const img = findImage(ref);
      const fieldPath = fieldPathOf(c.name);
      const present = this.#images.has(ref.canonical);
      const policy = c.imagePullPolicy ?? 'IfNotPresent';
      if (policy === 'Never' && !present) {
        (missing ??= []).push({ c, message: `Container image "${c.image}" is not present with pull policy of Never` });
        continue;
      }
      if (present && policy !== 'Always') {
        this.ctx.events.normal(pod, 'Pulled', presentText(c.image), this.#source, fieldPath);
        delay = Math.max(delay, KUBELET_TIMING.presentPullMs);
        continue;
      }
      this.ctx.events.normal(pod, 'Pulling', pullingText(c.image), this.#source, fieldPath);
      if (!img) {
        const msg = `rpc error: code = NotFound desc = failed to pull and unpack image "${ref.canonical}": failed to resolve reference "${ref.canonical}": ${ref.canonical}: not found (this lab cluster is offline; images in its catalogue: ${WORKLOAD_IMAGES.join(', ')})`;
        (missing ??= []).push({ c, message: msg });
        continue;
      }
      const ms = present ? Math.round(img.pullMs / 3) : img.pullMs;
      delay = Math.max(delay, ms);
    }
    if (missing) {
      const failed = missing;
      this.#after(st, KUBELET_TIMING.pullFailMs, () => this.#pullFailed(key, st, failed));
      return;
    }
    this.#after(st, delay, () => this.#pulled(key, st, delay));
  }

  #pullFailed(key: string, st: PodState, missing: { c: Container; message: string }[]): void {
    const pod = this.#current(st);
    if (!pod || pod.metadata.deletionTimestamp) return;
    st.stage = 'backoff';
    st.pullFailures++;
    for (const { c, message } of missing) {
      const fieldPath = fieldPathOf(c.name);
      const never = (c.imagePullPolicy ?? '') === 'Never';
      this.ctx.events.warning(pod, 'Failed', never ? message : `Failed to pull image "${c.image}": ${message}`, this.#source, fieldPath);
      this.ctx.events.warning(pod, 'Failed', `Error: ${never ? 'ErrImageNeverPull' : 'ErrImagePull'}`, this.#source, fieldPath);
    }
    this.#writeStatus(st, (s, p) => {
      s.containerStatuses = p.spec.containers.map((c) => {
        const m = missing.find((x) => x.c.name === c.name);
        const never = (c.imagePullPolicy ?? '') === 'Never';
        return m ? waitingStatus(c, never ? 'ErrImageNeverPull' : 'ErrImagePull', m.message) : waitingStatus(c, 'ContainerCreating');
      });
    });
    if (missing.every((m) => (m.c.imagePullPolicy ?? '') === 'Never')) return;
    // Back-off: the next pull attempt waits 10s, 20s, 40s … up to 5 minutes; meanwhile the status says ImagePullBackOff.
    const backoff = Math.min(KUBELET_TIMING.backoffBaseMs * 2 ** (st.pullFailures - 1), KUBELET_TIMING.backoffMaxMs);
    this.#after(st, 1000, () => {
      const p = this.#current(st);
      if (!p || p.metadata.deletionTimestamp) return;
      for (const { c, message } of missing) {
        const fieldPath = fieldPathOf(c.name);
        this.ctx.events.normal(p, 'BackOff', `Back-off pulling image "${c.image}"`, this.#source, fieldPath);
        this.ctx.events.warning(p, 'Failed', 'Error: ImagePullBackOff', this.#source, fieldPath);
        void message;
      }
      this.#writeStatus(st, (s, pp) => {
        s.containerStatuses = pp.spec.containers.map((c) => {
          const m = missing.find((x) => x.c.name === c.name);
          return m ? waitingStatus(c, 'ImagePullBackOff', `Back-off pulling image "${c.image}": ErrImagePull: ${m.message}`) : waitingStatus(c, 'ContainerCreating');
        });
      });
    });
    this.#after(st, backoff, () => this.#pull(key, st), true);
  }

  #pulled(key: string, st: PodState, pullMs: number): void {
    const pod = this.#current(st);
    if (!pod || pod.metadata.deletionTimestamp) return;
    for (const c of pod.spec.containers) {
      const ref = parseImageRef(c.image);
      const fieldPath = fieldPathOf(c.name);
      const img = findImage(ref)!;
      const policy = c.imagePullPolicy ?? 'IfNotPresent';
      if (!this.#images.has(ref.canonical) || policy === 'Always') {
        this.ctx.events.normal(pod, 'Pulled', pulledText(c.image, pullMs, img.sizeBytes), this.#source, fieldPath);
        this.#images.add(ref.canonical);
      }
    }
    this.#after(st, KUBELET_TIMING.createMs, () => this.#startContainers(key, st));
  }

  #startContainers(key: string, st: PodState): void {
    const pod = this.#current(st);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    const containers = pod.spec.containers;
    const hostNetwork = !!pod.spec.hostNetwork;
    const links = this.#serviceLinks(ns, pod.spec.enableServiceLinks !== false);
    let firstImage: AppImage | undefined;
    // The shell host's own variables: the first container's.
    let hostEnv: Record<string, string> = NO_ENV;
    // What the status and the later stages need, read from each container as it starts (one pass).
    let probeDelay = 0;
    let readyNow = true;
    let crashing: Container[] | undefined;
    for (const c of containers) {
      const ref = parseImageRef(c.image);
      const img = findImage(ref)!;
      if (firstImage === undefined) {
        firstImage = img;
        if (c.env?.length) {
          hostEnv = {};
          for (const e of c.env) if (e.value !== undefined) hostEnv[e.name] = e.value;
        }
      }
      this.ctx.events.normal(pod, 'Created', createdText(c.name), this.#source, fieldPathOf(c.name));
      const argv = effectiveArgv(c, img);
      this.deps.runtime.start({
        podKey: key,
        name: c.name,
        image: img,
        ref,
        pod: new ContainerPodInfo(name, ns, st.podIP!, this.deps.nodeName, c.name, c.image, links, c.env),
        argv,
        ports: img.ports,
        hostNetwork,
      });
      this.ctx.events.normal(pod, 'Started', startedText(c.name), this.#source, fieldPathOf(c.name));
      if (c.readinessProbe) {
        probeDelay = Math.max(probeDelay, (c.readinessProbe.initialDelaySeconds ?? 0) * 1000 + 1000);
        readyNow = false;
      }
      if (!img.longRunning(argv)) (crashing ??= []).push(c);
    }
    st.image = firstImage;
    st.stage = 'running';
    st.startedAt = this.ctx.scheduler.now();
    const host = this.deps.createHost(podHostOptions({ pod, image: firstImage, podIP: st.podIP!, netns: st.netns, links, env: hostEnv, nodeResolv: this.deps.nodeResolv ?? 'nameserver 172.18.0.1\n' }));
    this.deps.hosts.set(host.id, host);

    const now = rfc3339(this.ctx.scheduler.now());
    // The pod read above is still the stored one: events, the runtime and the shell host write no pod.
    this.#writeStatus(st, (s, p) => {
      s.phase = 'Running';
      s.containerStatuses = p.spec.containers.map((c) => runningStatus(c, this.#containerId(), now, readyNow, st.restarts));
      if (readyNow) setReady(s, now, true, p);
    }, pod);
    if (!readyNow)
      this.#after(st, probeDelay, () =>
        this.#writeStatus(st, (s, p) => {
          const t = rfc3339(this.ctx.scheduler.now());
          s.containerStatuses = (s.containerStatuses ?? []).map((cs) => ({ ...cs, ready: !!cs.state.running }));
          setReady(s, t, (s.containerStatuses ?? []).every((cs) => cs.ready), p);
        }),
      );
    if (crashing && pod.spec.restartPolicy !== undefined) {
      const names = crashing.map((c) => c.name);
      this.#after(st, KUBELET_TIMING.crashDelayMs, () => this.#exited(key, st, names));
    }
  }

  /**
   * Main processes that ended by themselves (busybox `sh` without a TTY exits 0: Completed; curl without a URL
   * exits 2: Error). restartPolicy Always restarts them with back-off, OnFailure only those that failed; a pod whose
   * containers have all ended for good is Succeeded, or Failed when one of them failed.
   */
  #exited(key: string, st: PodState, exitedNames: string[]): void {
    const pod = this.#current(st);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const policy = pod.spec.restartPolicy ?? 'Always';
    const now = rfc3339(this.ctx.scheduler.now());
    const codes = new Map<string, number>();
    for (const n of exitedNames) {
      const c = pod.spec.containers.find((x) => x.name === n)!;
      const img = findImage(parseImageRef(c.image));
      codes.set(n, img?.exitCode?.(effectiveArgv(c, img)) ?? 0);
    }
    const names = exitedNames.filter((n) => policy === 'Always' || (policy === 'OnFailure' && codes.get(n) !== 0));
    for (const n of exitedNames) this.deps.runtime.stop(key, n);
    const allDone = names.length === 0 && exitedNames.length === pod.spec.containers.length;
    this.#writeStatus(st, (s, p) => {
      s.containerStatuses = (s.containerStatuses ?? []).map((cs) => {
        if (!codes.has(cs.name)) return cs;
        const started = cs.state.running?.startedAt ?? now;
        const exitCode = codes.get(cs.name)!;
        const terminated = { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: started, finishedAt: now, containerID: cs.containerID };
        if (names.includes(cs.name)) {
          return { ...cs, ready: false, started: false, state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${10 * 2 ** st.restarts}s restarting failed container=${cs.name} pod=${p.metadata.name}_${p.metadata.namespace}(${p.metadata.uid})` } }, lastState: { terminated }, restartCount: cs.restartCount };
        }
        return { ...cs, ready: false, started: false, state: { terminated } };
      });
      if (allDone) {
        const failed = [...codes.values()].some((c) => c !== 0);
        s.phase = failed ? 'Failed' : 'Succeeded';
        setReady(s, now, false, p, 'PodCompleted');
      } else setReady(s, now, false, p);
    });
    if (names.length === 0) return;
    const backoff = Math.min(KUBELET_TIMING.backoffBaseMs * 2 ** st.restarts, KUBELET_TIMING.backoffMaxMs);
    for (const n of names)
      this.ctx.events.warning(pod, 'BackOff', `Back-off restarting failed container ${n} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, this.#source, `spec.containers{${n}}`);
    st.restarts++;
    this.#after(st, backoff, () => {
      const p = this.#current(st);
      if (!p || p.metadata.deletionTimestamp) return;
      for (const n of names) this.deps.runtime.logs.rotate(key, n);
      const t = rfc3339(this.ctx.scheduler.now());
      for (const n of names) {
        const c = p.spec.containers.find((x) => x.name === n)!;
        const ref = parseImageRef(c.image);
        const img = findImage(ref)!;
        this.ctx.events.normal(p, 'Pulled', presentText(c.image), this.#source, `spec.containers{${n}}`);
        this.ctx.events.normal(p, 'Created', `Created container: ${n}`, this.#source, `spec.containers{${n}}`);
        // A restarted container's environment is made anew, as the kubelet does at every container start: its own
        // variables over the service links of the Services that exist now.
        const links = this.#serviceLinks(st.namespace, p.spec.enableServiceLinks !== false);
        const info = new ContainerPodInfo(p.metadata.name!, st.namespace, st.podIP!, this.deps.nodeName, n, c.image, links, c.env);
        this.deps.runtime.start({ podKey: key, name: n, image: img, ref, pod: info, argv: effectiveArgv(c, img), ports: img.ports, hostNetwork: !!p.spec.hostNetwork });
        this.ctx.events.normal(p, 'Started', `Started container ${n}`, this.#source, `spec.containers{${n}}`);
      }
      this.#writeStatus(st, (s, pp) => {
        s.containerStatuses = (s.containerStatuses ?? []).map((cs) =>
          names.includes(cs.name) ? { ...cs, restartCount: cs.restartCount + 1, started: true, ready: true, state: { running: { startedAt: t } }, containerID: this.#containerId() } : cs,
        );
        setReady(s, t, (s.containerStatuses ?? []).every((cs) => cs.ready), pp);
      });
      this.#after(st, KUBELET_TIMING.crashDelayMs, () => this.#exited(key, st, names), true);
    }, true);
  }

  #terminate(key: string, pod: Pod, st: PodState): void {
    for (const t of st.timers) this.ctx.scheduler.cancel(t);
    st.timers.length = 0;
    const wasRunning = st.stage === 'running';
    st.stage = 'terminating';
    const grace = (pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    for (const c of pod.spec.containers) this.ctx.events.normal(pod, 'Killing', `Stopping container ${c.name}`, this.#source, `spec.containers{${c.name}}`);
    // Readiness drops as soon as termination starts (the Endpoints controller already dropped the pod).
    this.#writeStatus(st, (s, p) => {
      const now = rfc3339(this.ctx.scheduler.now());
      s.containerStatuses = (s.containerStatuses ?? []).map((cs) => ({ ...cs, ready: false }));
      if (findCond(p, 'Ready')?.status === 'True') setReady(s, now, false, p);
    });
    const exitsOnTerm = wasRunning ? pod.spec.containers.every((c) => findImage(c.image)?.stopsOnSigterm ?? true) : true;
    const ms = Math.min(grace, exitsOnTerm ? KUBELET_TIMING.sigtermExitMs : grace);
    this.#after(st, ms, () => {
      const p = this.#current(st);
      if (!p) return;
      const now = rfc3339(this.ctx.scheduler.now());
      this.deps.runtime.stop(key);
      this.#writeStatus(st, (s) => {
        s.containerStatuses = (s.containerStatuses ?? []).map((cs) => ({
          ...cs,
          ready: false,
          started: false,
          state: { terminated: { exitCode: exitsOnTerm ? 0 : 137, reason: exitsOnTerm ? 'Completed' : 'Error', startedAt: cs.state.running?.startedAt ?? now, finishedAt: now, ...(cs.containerID ? { containerID: cs.containerID } : {}) } },
        }));
      });
      try {
        this.ctx.store.delete('pods', p.metadata.namespace, p.metadata.name!, { gracePeriodSeconds: 0 });
      } catch (e) {
        if (!isApiError(e, 'NotFound')) throw e;
      }
    });
  }

  #cleanup(pod: KubeObject): void {
    const st = this.#state(pod);
    if (!st) return;
    if (st.uid !== pod.metadata.uid && this.#current(st)) return;
    const key = st.key;
    for (const t of st.timers) this.ctx.scheduler.cancel(t);
    const inNs = this.#pods.get(st.namespace)!;
    inNs.delete(st.name);
    if (inNs.size === 0) this.#pods.delete(st.namespace);
    this.#podCount--;
    this.deps.runtime.stop(key);
    this.deps.runtime.logs.removePod(key);
    this.deps.hosts.delete(`pod/${key}`);
    if (st.podIP && st.podIP !== this.#nodeIP) {
      this.#ipam?.release(st.podIP);
      this.deps.cni()?.removePod(key);
    }
  }

  #containerId(): string {
    // 64 hex digits from 8 draws, written as character codes into one string.
    for (let i = 0; i < 8; i++) {
      let n = this.#rng.nextUint32();
      for (let j = 7; j >= 0; j--) {
        CONTAINER_ID_CODES[CONTAINER_ID_PREFIX.length + i * 8 + j] = HEX_DIGITS.charCodeAt(n & 15);
        n >>>= 4;
      }
    }
    return String.fromCharCode.apply(null, CONTAINER_ID_CODES);
  }

  /** Pod IPs handed out from this node's podCIDR and not yet released. */
  get ipsInUse(): number {
    return this.#ipam?.inUse ?? 0;
  }

  /** Pods this kubelet is running (for tests and the UI). */
  get podCount(): number {
    return this.#podCount;
  }

  dispose(): void {
    disposeAll(this.#subs);
    for (const inNs of this.#pods.values()) for (const st of inNs.values()) for (const t of st.timers) this.ctx.scheduler.cancel(t);
  }
}

/**
 * Event texts made from one string (a container name, an image), built once: every pod of a Deployment reports
 * the same texts, and the correlator then compares one string object with itself.
 */
function textCache(make: (s: string) => string): (s: string) => string {
  const texts = new Map<string, string>();
  return (s) => {
    let t = texts.get(s);
    if (t === undefined) {
      if (texts.size >= 4096) texts.clear();
      texts.set(s, (t = make(s)));
    }
    return t;
  };
}

const fieldPathOf = textCache((container) => `spec.containers{${container}}`);
const createdText = textCache((container) => `Created container: ${container}`);
const startedText = textCache((container) => `Started container ${container}`);
const presentText = textCache((image) => `Container image "${image}" already present on machine`);
const pullingText = textCache((image) => `Pulling image "${image}"`);
const unreadyOne = textCache((container) => `containers with unready status: [${container}]`);

/** The Ready condition's message while none of `containers` is ready yet. */
function unreadyText(containers: readonly Container[]): string {
  if (containers.length === 1) return unreadyOne(containers[0]!.name);
  return `containers with unready status: [${containers.map((c) => c.name).join(' ')}]`;
}

/** The last `Successfully pulled …` text of each image, with its pull time: the pods of a Deployment pull together. */
const pulledTexts = new Map<string, { readonly pullMs: number; readonly text: string }>();

function pulledText(image: string, pullMs: number, sizeBytes: number): string {
  const last = pulledTexts.get(image);
  if (last !== undefined && last.pullMs === pullMs) return last.text;
  const secs = (Math.max(pullMs, 1) / 1000).toFixed(3).replace(/0+$/, '').replace(/\.$/, '');
  const text = `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${sizeBytes} bytes.`;
  if (pulledTexts.size >= 4096) pulledTexts.clear();
  pulledTexts.set(image, { pullMs, text });
  return text;
}

/** The shell host's own variables when the first container sets none (podHostOptions only reads them). */
const NO_ENV: Record<string, string> = Object.freeze({}) as Record<string, string>;

const HEX_DIGITS = '0123456789abcdef';
const CONTAINER_ID_PREFIX = 'containerd://';
const CONTAINER_ID_CODES: number[] = [...CONTAINER_ID_PREFIX].map((c) => c.charCodeAt(0)).concat(new Array(64).fill(0));

function effectiveArgv(c: Container, img: AppImage): readonly string[] {
  // Without command or args it is the image's own command line: one list per image.
  if (c.command === undefined && c.args === undefined) {
    let argv = imageArgv.get(img);
    if (!argv) imageArgv.set(img, (argv = Object.freeze([...img.entrypoint, ...img.cmd])));
    return argv;
  }
  const entry = c.command ?? img.entrypoint;
  const args = c.args ?? (c.command ? [] : img.cmd);
  return [...entry, ...args];
}

const imageArgv = new WeakMap<AppImage, readonly string[]>();

/**
 * The docker-link variables every container gets for the Services of its namespace, computed once per namespace
 * and reused until a Service changes (with hundreds of Services that is thousands of variables per pod).
 */
export class ServiceLinkCache {
  /** namespace → [links off, links on] (looked up with the namespace string the pod carries). */
  readonly #cache = new Map<string, [ServiceLinks | undefined, ServiceLinks | undefined]>();
  readonly #sub: Disposable;

  constructor(private readonly store: ApiStore) {
    this.#sub = store.watch('services', {}, () => this.#cache.clear());
  }

  get(ns: string, enabled: boolean): ServiceLinks {
    let entry = this.#cache.get(ns);
    if (!entry) this.#cache.set(ns, (entry = [undefined, undefined]));
    let links = entry[enabled ? 1 : 0];
    if (!links) {
      // The watch delivers after the current task; a Service created in this same task must count too. The
      // Services are taken now (stored objects never change), their variables are worked out when first read.
      const kubeSvc = this.store.peek<Service>('services', 'default', 'kubernetes');
      links = new ServiceLinks(enabled ? [...this.store.peekList<Service>('services', ns)] : undefined, kubeSvc);
      entry[enabled ? 1 : 0] = links;
    }
    return links;
  }

  dispose(): void {
    this.#sub.dispose();
  }
}

/**
 * The docker-link variables of a namespace's Services as they were at one moment (a container's start). Most are
 * never read (no one runs `env` in most pods): they are built on first read, from the Services of that moment.
 */
export class ServiceLinks {
  #services: readonly Service[] | undefined;
  #kubeSvc: Service | undefined;
  #env: Readonly<Record<string, string>> | undefined;

  constructor(services: readonly Service[] | undefined, kubeSvc: Service | undefined) {
    this.#services = services;
    this.#kubeSvc = kubeSvc;
  }

  get env(): Readonly<Record<string, string>> {
    if (this.#env === undefined) {
      const e: Record<string, string> = this.#services ? serviceLinkEnv(this.#services) : {};
      if (this.#kubeSvc) Object.assign(e, serviceLinkEnv([this.#kubeSvc]), { KUBERNETES_SERVICE_PORT_HTTPS: '443' });
      this.#env = Object.freeze(e);
      this.#services = undefined;
      this.#kubeSvc = undefined;
    }
    return this.#env;
  }
}

/**
 * What a container's process knows of its pod. Its variables (its own over the service links) are put together
 * on first read, from the container's spec and the links of its start.
 */
type EnvVar = NonNullable<Container['env']>[number];

class ContainerPodInfo implements PodInfo {
  readonly #links: ServiceLinks;
  readonly #vars: readonly EnvVar[] | undefined;
  #env: Readonly<Record<string, string>> | undefined;

  constructor(
    readonly name: string,
    readonly namespace: string,
    readonly podIP: string,
    readonly nodeName: string,
    readonly containerName: string,
    readonly image: string,
    links: ServiceLinks,
    vars: readonly EnvVar[] | undefined,
  ) {
    this.#links = links;
    this.#vars = vars;
  }

  get env(): Readonly<Record<string, string>> {
    if (this.#env === undefined) {
      // The container's own variables over the shared service links (prototype chain: lookups see both).
      const env: Record<string, string> = Object.create(this.#links.env);
      if (this.#vars) for (const e of this.#vars) if (e.value !== undefined) env[e.name] = e.value;
      this.#env = env;
    }
    return this.#env;
  }
}

function cond(type: string, status: string, t: string, reason?: string, message?: string) {
  // One literal per shape rather than spreads of the optional fields (a spread into a literal is a generic copy).
  if (reason && message) return { type, status, lastProbeTime: null, lastTransitionTime: t, reason, message };
  if (reason) return { type, status, lastProbeTime: null, lastTransitionTime: t, reason };
  if (message) return { type, status, lastProbeTime: null, lastTransitionTime: t, message };
  return { type, status, lastProbeTime: null, lastTransitionTime: t };
}

function findCond(p: KubeObject, type: string): any {
  const conditions = p.status?.conditions;
  if (conditions) for (let i = 0; i < conditions.length; i++) if (conditions[i].type === type) return conditions[i];
  return undefined;
}

function setReady(s: NonNullable<Pod['status']>, t: string, ready: boolean, p: Pod, reason = 'ContainersNotReady'): void {
  if (ready) {
    s.conditions = readyConditions(s.conditions ?? [], t);
    return;
  }
  // The message names the containers not ready.
  const msg = `containers with unready status: [${(s.containerStatuses ?? []).filter((cs) => !cs.ready).map((cs) => cs.name).join(' ')}]`;
  s.conditions = (s.conditions ?? []).map((c) => {
    if (c.type !== 'Ready' && c.type !== 'ContainersReady') return c;
    const status = ready ? 'True' : 'False';
    if (c.status === status && (ready || c.message === msg)) return c;
    return ready ? cond(c.type, 'True', t) : cond(c.type, 'False', c.status === 'False' ? c.lastTransitionTime : t, reason, reason === 'PodCompleted' ? undefined : msg);
  });
  void p;
}

/**
 * The statuses of containers being created: for a one-container pod the same as the last pod's when its
 * container has the same name and image (shared: stored objects are never changed).
 */
function creatingStatuses(containers: readonly Container[]): ContainerStatus[] {
  if (containers.length !== 1) return containers.map((c) => waitingStatus(c, 'ContainerCreating'));
  const c = containers[0]!;
  if (!lastCreating || lastCreating.name !== c.name || lastCreating.image !== c.image) lastCreating = { name: c.name, image: c.image, statuses: [waitingStatus(c, 'ContainerCreating')] };
  return lastCreating.statuses;
}

let lastCreating: { readonly name: string; readonly image: string; readonly statuses: ContainerStatus[] } | undefined;

type PodConditions = NonNullable<NonNullable<Pod['status']>['conditions']>;

/**
 * `conditions` with Ready and ContainersReady turned True at `t` (those already True kept). Pods whose previous
 * conditions were the same (shared) list become Ready with the same (shared) list.
 */
function readyConditions(conditions: PodConditions, t: string): PodConditions {
  if (conditions === lastReadyFrom && t === lastReadyAt) return lastReadyList;
  const list = conditions.map((c) => ((c.type !== 'Ready' && c.type !== 'ContainersReady') || c.status === 'True' ? c : trueSince(c.type, t)));
  lastReadyFrom = conditions;
  lastReadyAt = t;
  lastReadyList = list;
  return list;
}

let lastReadyFrom: PodConditions | undefined;
let lastReadyAt = '';
let lastReadyList: PodConditions = [];

/** The Ready / ContainersReady condition turned True at `t` (the last instant's kept and shared). */
function trueSince(type: string, t: string): PodConditions[number] {
  if (t !== trueAt) {
    trueAt = t;
    trueConds.clear();
  }
  let c = trueConds.get(type);
  if (!c) trueConds.set(type, (c = cond(type, 'True', t)));
  return c;
}

let trueAt = '';
const trueConds = new Map<string, PodConditions[number]>();

function waitingStatus(c: Container, reason: string, message?: string): ContainerStatus {
  return {
    name: c.name,
    image: c.image,
    imageID: '',
    ready: false,
    started: false,
    restartCount: 0,
    state: { waiting: message ? { reason, message } : { reason } },
    lastState: {},
  };
}

/** A container image's `image` and `imageID` as the runtime reports them (the same for every pod of the image). */
const imageIds = new Map<string, { readonly image: string; readonly imageID: string }>();

function imageIdOf(image: string): { readonly image: string; readonly imageID: string } {
  let id = imageIds.get(image);
  if (!id) {
    if (imageIds.size >= 4096) imageIds.clear();
    const ref = parseImageRef(image);
    id = {
      image: ref.canonical,
      imageID: `${ref.canonical.split(':').slice(0, -1).join(':') || ref.canonical}@${imageDigest(ref)}`,
    };
    imageIds.set(image, id);
  }
  return id;
}

function runningStatus(c: Container, containerID: string, t: string, ready: boolean, restarts: number): ContainerStatus {
  const id = imageIdOf(c.image);
  return {
    name: c.name,
    image: id.image,
    imageID: id.imageID,
    containerID,
    ready,
    started: true,
    restartCount: restarts,
    state: runningSince(t),
    lastState: NO_LAST_STATE,
  };
}

/** `{ running: { startedAt } }` for the last start time (shared by the containers started then). */
function runningSince(t: string): ContainerStatus['state'] {
  if (t !== lastRunningSince) {
    lastRunningSince = t;
    lastRunningState = { running: { startedAt: t } };
  }
  return lastRunningState;
}

let lastRunningSince = '';
let lastRunningState: ContainerStatus['state'] = {};
const NO_LAST_STATE: ContainerStatus['lastState'] = {};

export { CATALOGUE };
