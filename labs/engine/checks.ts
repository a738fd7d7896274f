/**
 * Check builders shared by the labs. Each returns a `CheckDef` whose failure message is computed from the state
 * it looked at ("Endpoints empty: selector app=web matches 0 pods"), so the learner knows what to do next.
 * Behavioural checks read the replayed transcript (real output of real commands) and packet traces, so a
 * shortcut that only creates the right objects, or a request that bypassed the Service, does not pass.
 */
import type { TranscriptEntry } from '../../emulator/shell/terminal-api';
import type { Pod, Service } from '../../emulator/api/types';
import { isPodReady, labelsMatch, selectorText, type ClusterView, type TraceView } from './cluster-view';
import { render } from './params';
import { fail, pass, type CheckContext, type CheckDef, type CheckOutcome } from './types';

type Text = string | ((ctx: CheckContext) => string);
const txt = (t: Text, ctx: CheckContext): string => render(typeof t === 'function' ? t(ctx) : t, ctx.params);

export function check(id: string, description: string, evaluate: (ctx: CheckContext) => CheckOutcome): CheckDef {
  return { id, description, evaluate };
}

// ---------------------------------------------------------------------------------------------------------------
// State

/** Explain why a Service has no (ready) endpoints, from the selector, the pods and their labels. */
export function explainEndpoints(cluster: ClusterView, ns: string, name: string): CheckOutcome {
  const svc = cluster.service(ns, name);
  if (!svc) return fail(missingObjectMessage(cluster, 'services', 'Service', ns, name));
  const sel = svc.spec.selector;
  if (!sel || Object.keys(sel).length === 0) return fail(`Service ${name} has no selector, so no Endpoints are managed for it.`);
  const ips = cluster.endpointIPs(ns, name);
  if (ips.length > 0) return pass;
  const matched = cluster.podsMatching(ns, sel);
  if (matched.length === 0) {
    const near = cluster.list<Pod>('pods', ns).filter((p) => !p.metadata.deletionTimestamp);
    const labels = [...new Set(near.map((p) => selectorText(p.metadata.labels)))].slice(0, 3);
    return fail(
      `Endpoints empty: selector ${selectorText(sel)} matches 0 pods in namespace ${ns}` +
        (labels.length ? ` (pods there are labelled ${labels.join('; ')})` : ' (there are no pods in that namespace)'),
    );
  }
  const ready = matched.filter(isPodReady).length;
  if (ready === 0) return fail(`Endpoints empty: selector ${selectorText(sel)} matches ${matched.length} pod(s) but none is Ready yet`);
  return fail(`Endpoints of ${name} are empty although ${ready} pod(s) are Ready — wait for the endpoints controller`);
}

function missingObjectMessage(cluster: ClusterView, resource: string, kind: string, ns: string, name: string): string {
  const elsewhere = cluster
    .list(resource)
    .filter((o) => o.metadata.name === name && o.metadata.namespace !== ns)
    .map((o) => o.metadata.namespace);
  return elsewhere.length > 0
    ? `${kind} ${name} is not in namespace ${ns}; it exists in ${elsewhere.join(', ')}`
    : `${kind} ${name} not found in namespace ${ns}`;
}

export function objectExists(id: string, resource: string, kind: string, ns: Text, name: Text, description?: string): CheckDef {
  return check(id, description ?? `${kind} ${typeof name === 'string' ? name : ''} exists`.replace('  ', ' '), (ctx) => {
    const n = txt(name, ctx);
    const namespace = txt(ns, ctx);
    return ctx.cluster.get(resource, namespace, n) ? pass : fail(missingObjectMessage(ctx.cluster, resource, kind, namespace, n));
  });
}

export function serviceHas(
  id: string,
  description: string,
  ns: Text,
  name: Text,
  predicate: (svc: Service, ctx: CheckContext) => string | undefined,
): CheckDef {
  return check(id, description, (ctx) => {
    const n = txt(name, ctx);
    const namespace = txt(ns, ctx);
    const svc = ctx.cluster.service(namespace, n);
    if (!svc) return fail(missingObjectMessage(ctx.cluster, 'services', 'Service', namespace, n));
    const problem = predicate(svc, ctx);
    return problem === undefined ? pass : fail(problem);
  });
}

export function serviceType(id: string, ns: Text, name: Text, type: Service['spec']['type']): CheckDef {
  return serviceHas(id, `Service ${typeof name === 'string' ? name : ''} is of type ${type}`, ns, name, (svc) =>
    svc.spec.type === type ? undefined : `Service ${svc.metadata.name} is of type ${svc.spec.type}, not ${type}`,
  );
}

export function serviceHasEndpoints(id: string, ns: Text, name: Text, min = 1): CheckDef {
  return check(id, `Service ${typeof name === 'string' ? name : ''} has ready endpoints`, (ctx) => {
    const n = txt(name, ctx);
    const namespace = txt(ns, ctx);
    const ips = ctx.cluster.endpointIPs(namespace, n);
    if (ips.length >= min && ips.length > 0) return pass;
    if (ips.length > 0) return fail(`Service ${n} has ${ips.length} ready endpoint(s); expected at least ${min}`);
    return explainEndpoints(ctx.cluster, namespace, n);
  });
}

/** The Service's targetPort reaches a port a selected container actually declares (or listens on). */
export function targetPortMatchesContainer(id: string, ns: Text, name: Text): CheckDef {
  return serviceHas(id, `Service targetPort is a port the pods listen on`, ns, name, (svc, ctx) => {
    const pods = ctx.cluster.podsMatching(svc.metadata.namespace ?? 'default', svc.spec.selector);
    if (pods.length === 0) return `Endpoints empty: selector ${selectorText(svc.spec.selector)} matches 0 pods`;
    const declared = new Map<string | number, number>();
    for (const c of pods[0]!.spec.containers) for (const p of c.ports ?? []) {
      declared.set(p.containerPort, p.containerPort);
      if (p.name) declared.set(p.name, p.containerPort);
    }
    for (const sp of svc.spec.ports ?? []) {
      const tp = sp.targetPort ?? sp.port;
      if (!declared.has(tp)) {
        const ports = [...new Set(declared.values())].join(', ') || 'none declared';
        return `targetPort ${tp} of port ${sp.port} is not a container port of the selected pods (they listen on ${ports})`;
      }
    }
    return undefined;
  });
}

export function deploymentReady(id: string, ns: Text, name: Text, replicas?: Text | number): CheckDef {
  return check(id, `Deployment ${typeof name === 'string' ? name : ''} has its replicas ready`, (ctx) => {
    const n = txt(name, ctx);
    const namespace = txt(ns, ctx);
    const d = ctx.cluster.get('deployments', namespace, n);
    if (!d) return fail(missingObjectMessage(ctx.cluster, 'deployments', 'Deployment', namespace, n));
    const want = replicas === undefined ? (d.spec?.replicas ?? 1) : typeof replicas === 'number' ? replicas : Number(txt(replicas, ctx));
    const specReplicas = d.spec?.replicas ?? 1;
    if (specReplicas !== want) return fail(`Deployment ${n} asks for ${specReplicas} replica(s); this step needs ${want}`);
    const pods = ctx.cluster.podsMatching(namespace, d.spec?.selector?.matchLabels);
    const ready = pods.filter(isPodReady).length;
    if (ready !== want) return fail(`Deployment ${n}: ${ready}/${want} pods Ready`);
    return pass;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Transcript (behaviour): what the learner ran and what really came back on replay

export interface CommandPattern {
  /** The command line must match. */
  readonly command: RegExp | ((ctx: CheckContext) => RegExp);
  /** Host id must match (`workstation`, `laptop`, `pod/…`, `node/…`). */
  readonly host?: RegExp;
  /** The real output must match. */
  readonly output?: RegExp | ((ctx: CheckContext) => RegExp);
  /** The real output must not match. */
  readonly notOutput?: RegExp | ((ctx: CheckContext) => RegExp);
  readonly exitCode?: number | 'nonzero';
  /** Only entries after the first entry matching this count. */
  readonly after?: RegExp | ((ctx: CheckContext) => RegExp);
}

const re = (r: RegExp | ((ctx: CheckContext) => RegExp), ctx: CheckContext): RegExp => (typeof r === 'function' ? r(ctx) : r);

/** Entries matching a pattern, in order. */
export function findEntries(ctx: CheckContext, p: CommandPattern): TranscriptEntry[] {
  let start = 0;
  if (p.after) {
    const a = re(p.after, ctx);
    const i = ctx.transcript.findIndex((e) => a.test(e.command));
    if (i < 0) return [];
    start = i + 1;
  }
  const cmd = re(p.command, ctx);
  return ctx.transcript.slice(start).filter((e) => {
    if (!cmd.test(e.command)) return false;
    if (p.host && !p.host.test(e.host)) return false;
    if (p.output && !re(p.output, ctx).test(e.output)) return false;
    if (p.notOutput && re(p.notOutput, ctx).test(e.output)) return false;
    if (p.exitCode === 'nonzero' && e.exitCode === 0) return false;
    if (typeof p.exitCode === 'number' && e.exitCode !== p.exitCode) return false;
    return true;
  });
}

/** The learner ran a command like this and it behaved like this. `failure` says what to do when not. */
export function ran(id: string, description: string, p: CommandPattern, failure: Text): CheckDef {
  return check(id, description, (ctx) => (findEntries(ctx, p).length > 0 ? pass : fail(txt(failure, ctx))));
}

/**
 * Pod names that served requests, read from real replayed output: the catalogue apps name the serving pod in
 * their body (`currency-exchange-5d9c7b8f4-x2x7q`).
 */
export function servingPods(output: string, deployment: string): string[] {
  const pat = new RegExp(`\\b${deployment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[a-z0-9]{6,10}-[a-z0-9]{5}\\b`, 'g');
  return [...new Set(output.match(pat) ?? [])];
}

/** Over all matching commands, responses came from at least `n` distinct pods of `deployment`. */
export function loadBalanced(id: string, description: string, p: CommandPattern, deployment: Text, n: number): CheckDef {
  return check(id, description, (ctx) => {
    const dep = txt(deployment, ctx);
    const seen = new Set<string>();
    const entries = findEntries(ctx, p);
    for (const e of entries) for (const pod of servingPods(e.output, dep)) seen.add(pod);
    if (seen.size >= n) return pass;
    if (entries.length === 0) return fail(`No request through the Service yet: send several requests to it (a for loop helps).`);
    return fail(`Responses came from ${seen.size} pod(s) (${[...seen].join(', ') || 'none'}); send more requests to see the Service spread them over ${n} pods`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Packet traces (behaviour)

export interface TracePattern {
  /** Host the request left. */
  readonly from?: RegExp;
  /** Chain names (or prefixes) the packet must pass, in order. */
  readonly via?: readonly string[];
  /** Host the packet must be delivered to (e.g. /^pod\/default\/web-/). */
  readonly deliveredTo?: RegExp | ((ctx: CheckContext) => RegExp);
  /** Original destination (`ip:port`) must match. */
  readonly dst?: RegExp | ((ctx: CheckContext) => RegExp);
  readonly dropped?: boolean;
}

export function traceMatches(t: TraceView, p: TracePattern, ctx: CheckContext): boolean {
  if (p.from && !p.from.test(t.from)) return false;
  if (p.dropped !== undefined && t.dropped !== p.dropped) return false;
  if (p.deliveredTo && !(t.deliveredTo && re(p.deliveredTo, ctx).test(t.deliveredTo))) return false;
  if (p.dst && !(t.dst && re(p.dst, ctx).test(t.dst))) return false;
  if (p.via) {
    let i = 0;
    for (const h of t.hops) {
      const name = h.chain ?? h.what;
      if (i < p.via.length && name.includes(p.via[i]!)) i++;
    }
    if (i < p.via.length) return false;
  }
  return true;
}

export function traced(id: string, description: string, p: TracePattern, failure: Text): CheckDef {
  return check(id, description, (ctx) => (ctx.cluster.traces().some((t) => traceMatches(t, p, ctx)) ? pass : fail(txt(failure, ctx))));
}

/** All of the given checks must pass; the first failure's message is reported. */
export function allOf(id: string, description: string, checks: readonly CheckDef[]): CheckDef {
  return check(id, description, (ctx) => {
    for (const c of checks) {
      const out = c.evaluate(ctx);
      if (!out.ok) return out;
    }
    return pass;
  });
}

export { labelsMatch };
