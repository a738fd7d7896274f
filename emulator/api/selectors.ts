/**
 * Label and field selectors (k8s.io/apimachinery/pkg/labels and /fields): the string forms kubectl sends
 * (`app=web`, `app!=web`, `app in (a,b)`, `app notin (a)`, `app`, `!app`) and the structured `LabelSelector`
 * of Deployments and ReplicaSets compile to the same requirement list.
 */
import { ApiError } from './errors';
import type { KubeObject, LabelSelector } from './types';

export type Operator = 'Equals' | 'NotEquals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface Requirement {
  readonly key: string;
  readonly op: Operator;
  readonly values: readonly string[];
}

export interface Selector {
  readonly requirements: readonly Requirement[];
  /** True when the selector has no requirements (matches everything). */
  readonly empty: boolean;
  matches(labels: Readonly<Record<string, string>> | undefined): boolean;
}

function matchesRequirement(r: Requirement, labels: Readonly<Record<string, string>> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key]! : undefined;
  switch (r.op) {
    case 'Equals':
      return has && v === r.values[0];
    case 'NotEquals':
      return !has || v !== r.values[0];
    case 'In':
      return has && r.values.includes(v!);
    case 'NotIn':
      return !has || !r.values.includes(v!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

export function makeSelector(requirements: readonly Requirement[]): Selector {
  return {
    requirements,
    empty: requirements.length === 0,
    matches(labels) {
      for (const r of requirements) if (!matchesRequirement(r, labels)) return false;
      return true;
    },
  };
}

export const EVERYTHING: Selector = makeSelector([]);
/** What a nil structured selector selects (nothing), as `metav1.LabelSelectorAsSelector(nil)` gives. */
export const NOTHING: Selector = { requirements: [], empty: false, matches: () => false };

/** Selector from a plain `map[string]string` (Service and ReplicationController selectors). */
export function selectorFromMap(m: Readonly<Record<string, string>> | undefined): Selector {
  if (!m) return EVERYTHING;
  const keys = Object.keys(m).sort();
  return makeSelector(keys.map((k) => ({ key: k, op: 'Equals' as const, values: [m[k]!] })));
}

/** Selector from a structured `LabelSelector` (matchLabels AND matchExpressions). */
export function selectorFromLabelSelector(s: LabelSelector | undefined | null): Selector {
  if (!s) return NOTHING;
  const reqs: Requirement[] = [];
  for (const k of Object.keys(s.matchLabels ?? {}).sort()) reqs.push({ key: k, op: 'Equals', values: [s.matchLabels![k]!] });
  for (const e of s.matchExpressions ?? []) {
    const op: Operator = e.operator;
    reqs.push({ key: e.key, op, values: [...(e.values ?? [])].sort() });
  }
  return makeSelector(reqs);
}

/** `app=web,tier notin (db)` as `labels.Selector.String()` prints it. */
export function selectorToString(s: Selector): string {
  return s.requirements
    .map((r) => {
      switch (r.op) {
        case 'Equals':
          return `${r.key}=${r.values[0]}`;
        case 'NotEquals':
          return `${r.key}!=${r.values[0]}`;
        case 'In':
          return `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
}

/** Split on commas that are not inside parentheses. */
function splitTop(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';

/** Parse a label selector string; throws ApiError BadRequest with apimachinery's wording on bad syntax. */
export function parseLabelSelector(text: string | undefined): Selector {
  if (text === undefined) return EVERYTHING;
  const t = text.trim();
  if (t === '') return EVERYTHING;
  const reqs: Requirement[] = [];
  for (const raw of splitTop(t)) {
    const part = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^!\\s*(${KEY})$`).exec(part))) reqs.push({ key: m[1]!, op: 'DoesNotExist', values: [] });
    else if ((m = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(part)))
      reqs.push({
        key: m[1]!,
        op: m[2] === 'in' ? 'In' : 'NotIn',
        values: m[3]!
          .split(',')
          .map((v) => v.trim())
          .sort(),
      });
    else if ((m = new RegExp(`^(${KEY})\\s*(!=|==|=)\\s*([-A-Za-z0-9_.]*)$`).exec(part)))
      reqs.push({ key: m[1]!, op: m[2] === '!=' ? 'NotEquals' : 'Equals', values: [m[3]!] });
    else if ((m = new RegExp(`^(${KEY})$`).exec(part))) reqs.push({ key: m[1]!, op: 'Exists', values: [] });
    else throw new ApiError('BadRequest', `unable to parse requirement: found '${part}', expected: identifier`);
  }
  // apimachinery sorts requirements by key.
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return makeSelector(reqs);
}

// ---- field selectors ----

export interface FieldRequirement {
  readonly field: string;
  readonly path: readonly string[];
  readonly op: 'Equals' | 'NotEquals';
  readonly value: string;
}

export interface FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  matches(obj: KubeObject): boolean;
}

/** Fields each resource supports in field selectors (metadata.name and metadata.namespace always). */
const FIELD_SUPPORT: Record<string, readonly string[]> = {
  pods: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  nodes: ['spec.unschedulable'],
  namespaces: ['status.phase'],
  replicasets: ['status.replicas'],
  secrets: ['type'],
};

function fieldValue(obj: KubeObject, path: string, parts: readonly string[]): string {
  if (path === 'source') return String(obj.source?.component ?? '');
  let cur: any = obj;
  for (const p of parts) {
    if (cur === undefined || cur === null) return '';
    cur = cur[p];
  }
  if (cur === undefined || cur === null) return '';
  return String(cur);
}

export function parseFieldSelector(text: string | undefined, resource: string): FieldSelector {
  const reqs: FieldRequirement[] = [];
  const t = (text ?? '').trim();
  if (t !== '') {
    for (const raw of t.split(',')) {
      const m = /^\s*([A-Za-z0-9_.]+)\s*(!=|==|=)\s*(.*?)\s*$/.exec(raw);
      if (!m) throw new ApiError('BadRequest', `invalid selector: '${t}'; can't understand '${raw}'`);
      const field = m[1]!;
      const ok = field === 'metadata.name' || field === 'metadata.namespace' || (FIELD_SUPPORT[resource] ?? []).includes(field);
      if (!ok) throw new ApiError('BadRequest', `field label not supported: ${field}`);
      reqs.push({ field, path: field.split('.'), op: m[2] === '!=' ? 'NotEquals' : 'Equals', value: m[3]! });
    }
  }
  return {
    requirements: reqs,
    matches(obj) {
      for (const r of reqs) {
        const v = fieldValue(obj, r.field, r.path);
        if (r.op === 'Equals' ? v !== r.value : v === r.value) return false;
      }
      return true;
    },
  };
}
