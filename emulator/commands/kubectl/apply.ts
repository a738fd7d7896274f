/**
 * `kubectl apply -f`: client-side apply. Each object carries its last applied configuration in the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation (compact JSON, sorted keys, with a trailing
 * newline, exactly as kubectl writes it); an existing object gets a three-way patch (fields removed from the
 * manifest are deleted, fields that differ from the manifest are set), and kubectl reports `created`,
 * `configured` or `unchanged`.
 */
import { isApiError } from '../../api/errors';
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { objectRef, type Kube } from './context';
import { dryRunOf, withSource } from './create';
import { readManifests } from './manifests';
import { checkOutputFormat, printStructured } from './printers';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const APPLY_FLAGS: FlagDef[] = [
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'server-side', type: 'bool', default: false },
  { name: 'force-conflicts', type: 'bool', default: false },
  { name: 'field-manager', type: 'string', default: 'kubectl-client-side-apply' },
  { name: 'validate', type: 'string', default: 'strict', noOptDefault: 'strict' },
  { name: 'prune', type: 'bool', default: false },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'overwrite', type: 'bool', default: true },
  { name: 'force', type: 'bool', default: false },
  { name: 'wait', type: 'bool', default: false },
  { name: 'kustomize', short: 'k', type: 'string', default: '' },
];

/** Go's json.Marshal of an unstructured map: sorted keys, compact, `<>&` escaped. */
export function goJsonCompact(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string')
    return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
  if (typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJsonCompact).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${goJsonCompact(o[k])}`).join(',')}}`;
}

/** The annotation value kubectl stores: the manifest (namespace filled in, annotation itself removed). */
export function lastAppliedOf(obj: KubeObject): string {
  const c = JSON.parse(JSON.stringify(obj)) as KubeObject;
  const annots = { ...(c.metadata.annotations ?? {}) };
  delete annots[LAST_APPLIED];
  c.metadata.annotations = annots;
  return goJsonCompact(c) + '\n';
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Is everything the manifest says already true of the live object? Maps: every key matches; lists: same length,
 * element by element. Fields the server defaulted (protocol, imagePullPolicy, …) do not count as differences.
 */
export function appliedIn(m: unknown, l: unknown): boolean {
  if (isMap(m)) return isMap(l) && Object.keys(m).every((k) => appliedIn(m[k], l[k]));
  if (Array.isArray(m)) return Array.isArray(l) && m.length === l.length && m.every((x, i) => appliedIn(x, l[i]));
  return JSON.stringify(m) === JSON.stringify(l);
}

/**
 * Three-way patch: fields the previous apply set and the manifest no longer has are deleted; fields whose manifest
 * value is not already live are set (maps merge key by key, lists are replaced whole and re-defaulted by the server).
 */
export function threeWayPatch(original: unknown, modified: unknown, live: unknown): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const o = isMap(original) ? original : {};
  const m = isMap(modified) ? modified : {};
  const l = isMap(live) ? live : {};
  for (const key of Object.keys(o)) if (!(key in m) && key in l) patch[key] = null;
  for (const key of Object.keys(m)) {
    const mv = m[key];
    const lv = l[key];
    if (isMap(mv) && isMap(lv)) {
      const sub = threeWayPatch(o[key], mv, lv);
      if (Object.keys(sub).length) patch[key] = sub;
    } else if (!appliedIn(mv, lv)) patch[key] = mv;
  }
  return patch;
}

export async function apply(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, APPLY_FLAGS, 'kubectl apply'));
  const output = flags.str('output');
  checkOutputFormat(output);
  if (flags.args.length && flags.args[0] === 'view-last-applied') return viewLastApplied(k, flags);
  if (flags.str('kustomize')) throw new KubectlError(`error: must build at directory: not a valid directory: evalsymlink failure on '${flags.str('kustomize')}' : lstat ${flags.str('kustomize')}: no such file or directory`);
  if (flags.list('filename').length === 0) throw new KubectlError(`error: must specify one of -f and -k`);
  if (flags.args.length) throw new KubectlError(`error: Unexpected args: [${flags.args.join(' ')}]\nSee 'kubectl apply -h' for help and examples`);
  const dry = dryRunOf(flags);
  const docs = readManifests(k, flags.list('filename'), flags.bool('recursive'));
  if (docs.length === 0) throw new KubectlError('error: no objects passed to apply');
  const flagNs = flags.changed('namespace') ? flags.str('namespace') : undefined;
  for (const d of docs) {
    const ns = d.obj.metadata.namespace;
    if (d.info.namespaced && flagNs && ns && ns !== flagNs)
      throw new KubectlError(
        `error: the namespace from the provided object "${ns}" does not match the namespace "${flagNs}". You must pass '--namespace=${ns}' to perform this operation.`,
      );
  }
  const store = k.store;
  let failed = false;
  const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
  for (const d of docs) {
    const obj = JSON.parse(JSON.stringify(d.obj)) as KubeObject;
    if (d.info.namespaced) obj.metadata.namespace = obj.metadata.namespace || k.namespace(flags);
    else delete obj.metadata.namespace;
    const name = obj.metadata.name;
    try {
      if (!name) throw new KubectlError(`error: error when retrieving current configuration of:\nResource: "${d.info.qualifiedResource}", GroupVersionKind: "${d.info.apiVersion.includes('/') ? d.info.apiVersion : '/' + d.info.apiVersion}, Kind=${d.info.kind}"\nName: "", Namespace: "${obj.metadata.namespace ?? ''}"\nfrom server for: "${d.source}": resource name may not be empty`);
      const modified = lastAppliedOf(obj);
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [LAST_APPLIED]: modified };
      const live = store.tryGet(d.info.resource, obj.metadata.namespace, name);
      let result: KubeObject;
      let verb: string;
      if (!live) {
        result = dry === 'client' ? obj : store.create(d.info.resource, obj, { dryRun: dry === 'server', fieldManager: 'kubectl-client-side-apply' });
        verb = 'created';
      } else {
        const original = live.metadata.annotations?.[LAST_APPLIED];
        if (original === undefined)
          k.err(
            `Warning: resource ${d.info.qualifiedResource}/${name} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`,
          );
        let originalObj: unknown = {};
        try {
          originalObj = original ? JSON.parse(original) : {};
        } catch {
          originalObj = {};
        }
        const patch = threeWayPatch(originalObj, obj, live);
        if (Object.keys(patch).length === 0) {
          result = live;
          verb = 'unchanged';
        } else {
          result = dry === 'client' ? live : store.patch(d.info.resource, obj.metadata.namespace, name, 'strategic', patch, { dryRun: dry === 'server' });
          verb = 'configured';
        }
      }
      if (output) k.out(printStructured([result], output, true, () => d.info));
      else k.out(`${objectRef(d.info, name)} ${verb}${suffix}\n`);
    } catch (e) {
      if (e instanceof KubectlError) {
        failed = true;
        k.report(e);
        continue;
      }
      failed = true;
      k.report(isApiError(e) ? withSource(e, live(e) ? 'patching' : 'creating', d.source) : e);
    }
  }
  return failed ? 1 : 0;
}

function live(e: unknown): boolean {
  return isApiError(e) && e.reason === 'Conflict';
}

function viewLastApplied(k: Kube, flags: Flags): number {
  throw new KubectlError(`error: kubectl apply view-last-applied is not supported here; use kubectl get ${flags.args.slice(1).join(' ')} -o yaml`);
}
