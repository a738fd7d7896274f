/**
 * What a check may read of the emulated world, in the words of the architecture it teaches: API objects, pods a
 * selector matches, the Endpoints of a Service, a node's iptables, the packet traces. It is read-only and
 * synchronous so checks stay cheap enough to run after every command. `world-adapter.ts` builds it over the
 * emulator's subsystems; tests can build one over plain data.
 */
import type { KubeObject, Pod, Service } from '../../emulator/api/types';
import type { Capability } from './types';

/** A packet trace reduced to what checks ask: where it went and which netfilter chains it passed. */
export interface TraceHopView {
  /** Host or network namespace id where the hop happened (`node/worker-1`, `pod/default/web-…`, `lb/…`). */
  readonly where: string;
  /** Free text of the hop (`PREROUTING nat KUBE-NODEPORTS`, `DNAT 10.244.1.5:8000`, `rx eth0`, `drop …`). */
  readonly what: string;
  /** Netfilter chain of the hop, when it is a rule hit. */
  readonly chain?: string;
}

export interface TraceView {
  readonly id: string;
  /** Host id the first packet left. */
  readonly from: string;
  /** Host id that finally received it (a pod id for a successful Service request), when delivered. */
  readonly deliveredTo?: string;
  /** Original destination as the client addressed it (`10.96.12.7:80`, `172.18.0.3:30080`). */
  readonly dst?: string;
  readonly dropped: boolean;
  readonly hops: readonly TraceHopView[];
}

export interface ClusterView {
  /** Which emulator subsystems are present (labs whose needs are missing are gated). */
  readonly capabilities: ReadonlySet<Capability>;
  list<T extends KubeObject = KubeObject>(resource: string, namespace?: string): T[];
  get<T extends KubeObject = KubeObject>(resource: string, namespace: string | undefined, name: string): T | undefined;
  /** Pods in `namespace` whose labels match `selector` (all labels equal), not terminating. */
  podsMatching(namespace: string, selector: Readonly<Record<string, string>> | undefined): Pod[];
  /** Ready IPs in the Service's Endpoints (empty when the Endpoints object is missing). */
  endpointIPs(namespace: string, service: string): string[];
  service(namespace: string, name: string): Service | undefined;
  /** `iptables-save -t nat` text of a node, when netfilter is present. */
  natRules(node: string): string | undefined;
  /** Packet traces recorded so far, oldest first. */
  traces(): readonly TraceView[];
}

/** The pod-ready test kubectl and the Endpoints controller use. */
export function isPodReady(p: Pod): boolean {
  if (p.metadata.deletionTimestamp) return false;
  return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function selectorText(sel: Readonly<Record<string, string>> | undefined): string {
  if (!sel || Object.keys(sel).length === 0) return '<none>';
  return Object.entries(sel)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export function labelsMatch(labels: Readonly<Record<string, string>> | undefined, sel: Readonly<Record<string, string>>): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels?.[k] !== v) return false;
  return true;
}
