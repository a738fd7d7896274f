/**
 * kube-scheduler, reduced to what the labs observe: pods without `spec.nodeName` are bound to a Ready, schedulable
 * node whose taints they tolerate, preferring the node with the fewest pods (ties broken by the seeded stream, as
 * the real scheduler picks randomly among equal scores). A pod that fits nowhere stays Pending with the
 * scheduler's `FailedScheduling` message and is retried when nodes change.
 */
import { rfc3339 } from '../api/meta';
import type { KubeObject, Node } from '../api/types';
import type { Rng } from '../core/rng';
import type { Disposable } from '../core/events';
import { OWNED, WorkQueue, disposeAll, nsName, type Controller, type ControllerContext } from './runtime';

const SOURCE = { component: 'default-scheduler' };

function tolerates(pod: KubeObject, taint: { key: string; value?: string; effect: string }): boolean {
  const tolerations = (pod.spec?.tolerations ?? NONE) as any[];
  for (let i = 0; i < tolerations.length; i++) {
    const t = tolerations[i];
    if (t.effect && t.effect !== taint.effect) continue;
    if (t.operator === 'Exists' && (!t.key || t.key === taint.key)) return true;
    if ((t.operator ?? 'Equal') === 'Equal' && t.key === taint.key && (t.value ?? '') === (taint.value ?? '')) return true;
  }
  return false;
}

const NONE: readonly never[] = [];

function nodeReady(n: Node): boolean {
  return (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

type Taint = { key: string; value?: string; effect: string };

/** What filtering reads of a node, worked out once per version of the node instead of once per pod. */
interface NodeFacts {
  readonly node: Node;
  readonly ready: boolean;
  /** Taints that keep pods off (NoSchedule, NoExecute), in the node's order, with their text in messages. */
  readonly taints: readonly { readonly taint: Taint; readonly text: string }[];
}

function nodeFacts(n: Node): NodeFacts {
  const taints = ((n.spec?.taints ?? []) as Taint[])
    .filter((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute')
    .map((t) => ({ taint: t, text: `{${t.key}: ${t.value ?? ''}}` }));
  return { node: n, ready: nodeReady(n), taints };
}

/** The first taint of the node the pod does not tolerate, if any. */
function blockingTaint(pod: KubeObject, facts: NodeFacts): { readonly taint: Taint; readonly text: string } | undefined {
  const taints = facts.taints;
  for (let i = 0; i < taints.length; i++) if (!tolerates(pod, taints[i]!.taint)) return taints[i];
  return undefined;
}

function selectorMismatch(pod: KubeObject, n: Node): boolean {
  return !!pod.spec.nodeSelector && Object.entries(pod.spec.nodeSelector as Record<string, string>).some(([k, v]) => n.metadata.labels?.[k] !== v);
}

/** Filtering: a Ready, schedulable node whose taints the pod tolerates and whose labels its nodeSelector matches. */
function fits(pod: KubeObject, facts: NodeFacts): boolean {
  return facts.ready && !facts.node.spec?.unschedulable && !blockingTaint(pod, facts) && !selectorMismatch(pod, facts.node);
}

/**
 * The scheduler's FailedScheduling message: why each node was filtered out, by the first filter plugin that
 * rejected it in the default profile's order (NodeUnschedulable, TaintToleration, NodeAffinity).
 */
function unschedulableMessage(pod: KubeObject, nodes: readonly NodeFacts[]): string {
  let unschedulable = 0;
  let notReady = 0;
  let selectorMisses = 0;
  const taintCounts = new Map<string, number>();
  for (const facts of nodes) {
    if (!facts.ready) {
      notReady++;
      continue;
    }
    if (facts.node.spec?.unschedulable) {
      unschedulable++;
      continue;
    }
    const blocking = blockingTaint(pod, facts);
    if (blocking) taintCounts.set(blocking.text, (taintCounts.get(blocking.text) ?? 0) + 1);
    else if (selectorMismatch(pod, facts.node)) selectorMisses++;
  }
  const reasons: string[] = [];
  if (selectorMisses) reasons.push(`${selectorMisses} node(s) didn't match Pod's node affinity/selector`);
  for (const [t, c] of taintCounts) reasons.push(`${c} node(s) had untolerated taint ${t}`);
  if (unschedulable) reasons.push(`${unschedulable} node(s) were unschedulable`);
  if (notReady) reasons.push(`${notReady} node(s) had untolerated taint {node.kubernetes.io/not-ready: }`);
  reasons.sort();
  const total = nodes.length;
  return `0/${total} nodes are available: ${reasons.join(', ')}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
}

export class SchedulerController implements Controller {
  readonly name = 'scheduler';
  readonly #queue: WorkQueue;
  readonly #subs: Disposable[] = [];
  readonly #rng: Rng;
  /** Pods (uids) bound per node, kept from watch events, so scoring is O(nodes). */
  readonly #podsOnNode = new Map<string, Set<string>>();
  /** The node each counted pod (uid) is on. */
  readonly #nodeOfPod = new Map<string, string>();
  readonly #unschedulable = new Set<string>();
  /** Nodes in name order with what filtering reads of them, rebuilt after any Node change. */
  #nodes: NodeFacts[] | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.#rng = ctx.rng.fork('scheduler');
    this.#queue = new WorkQueue(ctx.scheduler, 'scheduler', (k) => this.#schedule(k));
    this.#subs.push(
      ctx.store.watch('pods', {}, (ev) => {
        const p = ev.object;
        const node = ev.type === 'DELETED' ? undefined : (p.spec?.nodeName as string | undefined);
        this.#place(p.metadata.uid!, node);
        if (node) return;
        const key = `${p.metadata.namespace}/${p.metadata.name}`;
        if (ev.type === 'DELETED') this.#unschedulable.delete(key);
        else if (!p.metadata.deletionTimestamp && (p.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler') this.#queue.add(key);
      }),
      ctx.store.watch('nodes', {}, () => {
        this.#nodes = undefined;
        for (const k of this.#unschedulable) this.#queue.add(k);
      }),
    );
  }

  #schedule(key: string): void {
    const [ns, name] = nsName(key);
    const pod = this.ctx.store.peek('pods', ns, name);
    if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp) return;
    const nodes = (this.#nodes ??= [...this.ctx.store.peekList<Node>('nodes')].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1)).map(nodeFacts));
    // Filter and score in one pass: the nodes that fit with the fewest pods, in name order (the first `count`
    // entries of a list kept from pod to pod).
    const candidates = this.#candidates;
    let count = 0;
    let best = Infinity;
    for (let i = 0; i < nodes.length; i++) {
      const facts = nodes[i]!;
      if (!fits(pod, facts)) continue;
      const n = facts.node;
      const load = this.#podsOnNode.get(n.metadata.name!)?.size ?? 0;
      if (load < best) {
        best = load;
        count = 0;
      } else if (load !== best) continue;
      candidates[count++] = n;
    }
    if (count === 0) {
      this.#unschedulable.add(key);
      const message = unschedulableMessage(pod, nodes);
      const cond = { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(this.ctx.scheduler.now()), reason: 'Unschedulable', message };
      const prev = (pod.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
      if (!prev || prev.message !== message) {
        this.ctx.store.updateStatus('pods', { ...pod, status: { ...pod.status, conditions: [cond] } }, OWNED);
        this.ctx.events.warning(pod, 'FailedScheduling', message, SOURCE);
      }
      return;
    }
    this.#unschedulable.delete(key);
    // As rng.pick over the candidates: one draw, only when there is a choice.
    const chosen = count === 1 ? candidates[0]! : candidates[this.#rng.int(count)]!;
    const nodeName = chosen.metadata.name!;
    // Count the binding now so a burst of pods in one drain spreads out.
    this.#place(pod.metadata.uid!, nodeName);
    this.ctx.store.bind(ns, name, nodeName, OWNED);
    this.ctx.events.normal(pod, 'Scheduled', `Successfully assigned ${ns}/${name} to ${nodeName}`, SOURCE);
  }

  /** The fitting nodes with the fewest pods: its first entries, up to a count, for the pod being scheduled. */
  readonly #candidates: Node[] = [];

  /** Count pod `uid` on `node` (undefined: on no node). */
  #place(uid: string, node: string | undefined): void {
    const was = this.#nodeOfPod.get(uid);
    if (was === node) return;
    if (was !== undefined) this.#podsOnNode.get(was)!.delete(uid);
    if (node === undefined) {
      this.#nodeOfPod.delete(uid);
      return;
    }
    this.#nodeOfPod.set(uid, node);
    let s = this.#podsOnNode.get(node);
    if (!s) this.#podsOnNode.set(node, (s = new Set()));
    s.add(uid);
  }

  dispose(): void {
    disposeAll(this.#subs);
    this.#queue.dispose();
  }
}
