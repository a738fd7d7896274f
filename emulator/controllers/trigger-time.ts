/**
 * `endpoints.kubernetes.io/last-change-trigger-time`, as the Endpoints and EndpointSlice controllers compute it
 * (their TriggerTimeTracker): for a Service seen for the first time, its creation time; afterwards the earliest
 * of the trigger times that moved since the last sync — a selected pod's Ready-condition transition, the Service's
 * creation — or none, and then the annotation is removed. kube-proxy and latency SLOs read it to know when the
 * change that produced an Endpoints update happened.
 */
import type { Pod, Service } from '../api/types';

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/**
 * What the tracker remembers of a Service's last sync: each selected pod's Ready transition time, as two parallel
 * arrays in the order the pods were listed. The informer lists a namespace's pods in the same order sync after sync,
 * so the next sync finds a pod's previous time at the same position (no map is built or probed per pod); a pod out
 * of that order is looked up in a map built from the arrays the first time one is.
 */
interface ServiceState {
  readonly podNames: readonly string[];
  readonly podTimes: readonly string[];
  readonly lastServiceTriggerTime: string;
}

/** RFC 3339 timestamps (seconds, UTC, `Z`) compare as strings. */
function after(a: string, b: string | undefined): boolean {
  return b === undefined || a > b;
}

/** The pod's Ready condition's lastTransitionTime (of the first Ready condition, as a `find` would). */
function readyTransitionTime(pod: Pod): string | undefined {
  const conditions = pod.status?.conditions;
  if (!conditions) return undefined;
  for (let i = 0; i < conditions.length; i++) if (conditions[i]!.type === 'Ready') return conditions[i]!.lastTransitionTime;
  return undefined;
}

export class TriggerTimeTracker {
  readonly #services = new Map<string, ServiceState>();

  /**
   * A sync of the Service starts: give it each selected pod as the sync lists them (`pod`), then ask `end` for the
   * time to write on the Service's Endpoints/EndpointSlices now, or undefined (remove the annotation). The pods are
   * given in the sync's own pass over them (no list of selected pods kept for a second pass).
   */
  begin(svc: Service): TriggerTimeSync {
    return new TriggerTimeSync(this.#services, svc);
  }

  /** The Service is gone: a Service created again under its name is new. */
  forget(namespace: string, name: string): void {
    this.#services.delete(`${namespace}/${name}`);
  }
}

/** One sync's pass of the tracker (see TriggerTimeTracker.begin). */
export class TriggerTimeSync {
  readonly #key: string;
  readonly #known: ServiceState | undefined;
  readonly #podNames: string[] = [];
  readonly #podTimes: string[] = [];
  #minChanged: string | undefined = undefined;
  /** Where the next pod's previous time is expected in `known` (same listing order), and the fallback map. */
  #cursor = 0;
  #byName: Map<string, string> | undefined = undefined;

  constructor(
    private readonly services: Map<string, ServiceState>,
    private readonly svc: Service,
  ) {
    this.#key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    this.#known = services.get(this.#key);
  }

  /** A selected pod, in the sync's listing order. */
  pod(pod: Pod): void {
    const t = readyTransitionTime(pod);
    if (!t) return;
    const name = pod.metadata.name!;
    this.#podNames.push(name);
    this.#podTimes.push(t);
    const known = this.#known;
    let last: string | undefined;
    if (known) {
      if (known.podNames[this.#cursor] === name) last = known.podTimes[this.#cursor++];
      else last = (this.#byName ??= timesByName(known)).get(name);
    }
    if (after(t, last) && (this.#minChanged === undefined || t < this.#minChanged)) this.#minChanged = t;
  }

  /** The trigger time of this sync; the tracker now remembers the pods given. */
  end(): string | undefined {
    const known = this.#known;
    let minChanged = this.#minChanged;
    const svcTime = this.svc.metadata.creationTimestamp ?? '';
    if (svcTime && after(svcTime, known?.lastServiceTriggerTime) && (minChanged === undefined || svcTime < minChanged)) minChanged = svcTime;
    this.services.set(this.#key, { podNames: this.#podNames, podTimes: this.#podTimes, lastServiceTriggerTime: svcTime });
    if (!known) return svcTime || undefined;
    return minChanged;
  }
}

function timesByName(state: ServiceState): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < state.podNames.length; i++) m.set(state.podNames[i]!, state.podTimes[i]!);
  return m;
}

/** `annotations` with the trigger time set or removed; undefined when nothing is left (the API omits `{}`). */
export function withTriggerTime(annotations: Record<string, string> | undefined, time: string | undefined): Record<string, string> | undefined {
  const out = { ...(annotations ?? {}) };
  if (time) out[LAST_CHANGE_TRIGGER_TIME] = time;
  else delete out[LAST_CHANGE_TRIGGER_TIME];
  return Object.keys(out).length > 0 ? out : undefined;
}
