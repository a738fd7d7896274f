/**
 * `endpoints.kubernetes.io/last-change-trigger-time`, as the Endpoints and EndpointSlice controllers compute it
 * (their TriggerTimeTracker): for a Service seen for the first time, its creation time; afterwards the earliest
 * of the trigger times that moved since the last sync — a selected pod's Ready-condition transition, the Service's
 * creation — or none, and then the annotation is removed. kube-proxy and latency SLOs read it to know when the
 * change that produced an Endpoints update happened.
 */
import type { Pod, Service } from '../api/types';

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  lastPodTriggerTimes: Map<string, string>;
  lastServiceTriggerTime: string;
}

/** RFC 3339 timestamps (seconds, UTC, `Z`) compare as strings. */
function after(a: string, b: string | undefined): boolean {
  return b === undefined || a > b;
}

export class TriggerTimeTracker {
  readonly #services = new Map<string, ServiceState>();

  /** The time to write on the Service's Endpoints/EndpointSlices now, or undefined (remove the annotation). */
  compute(svc: Service, pods: readonly Pod[]): string | undefined {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const known = this.#services.get(key);
    const podTimes = new Map<string, string>();
    let minChanged: string | undefined;
    for (const pod of pods) {
      const t = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
      if (!t) continue;
      podTimes.set(pod.metadata.name!, t);
      if (after(t, known?.lastPodTriggerTimes.get(pod.metadata.name!)) && (minChanged === undefined || t < minChanged)) minChanged = t;
    }
    const svcTime = svc.metadata.creationTimestamp ?? '';
    if (svcTime && after(svcTime, known?.lastServiceTriggerTime) && (minChanged === undefined || svcTime < minChanged)) minChanged = svcTime;
    this.#services.set(key, { lastPodTriggerTimes: podTimes, lastServiceTriggerTime: svcTime });
    if (!known) return svcTime || undefined;
    return minChanged;
  }

  /** The Service is gone: a Service created again under its name is new. */
  forget(namespace: string, name: string): void {
    this.#services.delete(`${namespace}/${name}`);
  }
}

/** `annotations` with the trigger time set or removed; undefined when nothing is left (the API omits `{}`). */
export function withTriggerTime(annotations: Record<string, string> | undefined, time: string | undefined): Record<string, string> | undefined {
  const out = { ...(annotations ?? {}) };
  if (time) out[LAST_CHANGE_TRIGGER_TIME] = time;
  else delete out[LAST_CHANGE_TRIGGER_TIME];
  return Object.keys(out).length > 0 ? out : undefined;
}
