/**
 * `kubectl label` and `kubectl annotate`: `key=value` sets, `key-` removes, an existing key needs `--overwrite`
 * (`error: 'app' already has a value (web), and --overwrite is false`), `--all`, `-l`, `--list`.
 */
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { objectRef, type Kube } from './context';
import { dryRunOf } from './create';
import { resolveTargets } from './resolve';

const FLAGS: FlagDef[] = [
  { name: 'overwrite', type: 'bool', default: false },
  { name: 'all', type: 'bool', default: false },
  { name: 'all-namespaces', short: 'A', type: 'bool', default: false },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'field-selector', type: 'string', default: '' },
  { name: 'list', type: 'bool', default: false },
  { name: 'local', type: 'bool', default: false },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'resource-version', type: 'string', default: '' },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'field-manager', type: 'string', default: 'kubectl-label' },
];

const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

function validateKey(key: string): string | undefined {
  const parts = key.split('/');
  let name = key;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix) || prefix.length > 253)
      return `prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  } else if (parts.length > 2)
    return "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  if (name.length === 0) return 'name part must be non-empty';
  if (name.length > 63) return 'name part must be no more than 63 characters';
  if (!QUALIFIED_NAME.test(name))
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  return undefined;
}

function validLabelValue(v: string): boolean {
  return v === '' || (v.length <= 63 && /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$/.test(v));
}

async function labelOrAnnotate(k: Kube, argv: string[], kind: 'label' | 'annotate'): Promise<number> {
  const flags = new Flags(parseFlags(argv, FLAGS, `kubectl ${kind}`));
  const field = kind === 'label' ? 'labels' : 'annotations';
  // Split resource arguments from key=value / key- arguments.
  const resArgs: string[] = [];
  const changes: string[] = [];
  for (const a of flags.args) {
    if (a.includes('=') || (a.endsWith('-') && resArgs.length > 0 && !a.includes('/'))) changes.push(a);
    else resArgs.push(a);
  }
  if (resArgs.length === 0)
    throw new KubectlError('error: one or more resources must be specified as <resource> <name> or <resource>/<name>');
  if (changes.length === 0 && !flags.bool('list'))
    throw new KubectlError(`error: at least one ${kind === 'label' ? 'label' : 'annotation'} update is required\nSee 'kubectl ${kind} -h' for help and examples`);
  const set: Record<string, string> = {};
  const remove: string[] = [];
  for (const c of changes) {
    if (c.endsWith('-') && !c.includes('=')) {
      remove.push(c.slice(0, -1));
      continue;
    }
    const i = c.indexOf('=');
    const key = c.slice(0, i);
    const value = c.slice(i + 1);
    const keyErr = validateKey(key);
    if (keyErr) throw new KubectlError(`error: invalid ${kind === 'label' ? 'label' : 'annotation'} spec: ${c}, ${keyErr}`);
    if (kind === 'label' && !validLabelValue(value))
      throw new KubectlError(
        `error: invalid label value: "${c}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      );
    set[key] = value;
  }
  for (const r of remove) if (r in set) throw new KubectlError(`error: can not both modify and remove ${kind === 'label' ? 'a label' : 'an annotation'} in the same command`);

  const ns = k.namespace(flags);
  const dry = dryRunOf(flags);
  const targets = resolveTargets(resArgs, { allowAll: false });
  let failed = false;
  for (const t of targets) {
    let objs: KubeObject[] = [];
    if (t.names.length) {
      for (const n of t.names) {
        try {
          objs.push(k.store.get(t.info.resource, t.info.namespaced ? ns : undefined, n));
        } catch (e) {
          failed = true;
          k.report(e);
        }
      }
    } else {
      if (!flags.bool('all') && !flags.str('selector') && !flags.str('field-selector'))
        throw new KubectlError(`error: resource(s) were provided, but no name was specified`);
      objs = k.store.list(t.info.resource, {
        namespace: flags.bool('all-namespaces') || !t.info.namespaced ? undefined : ns,
        labelSelector: flags.str('selector') || undefined,
        fieldSelector: flags.str('field-selector') || undefined,
      }).items;
    }
    for (const o of objs) {
      const current: Record<string, string> = { ...((o.metadata as any)[field] ?? {}) };
      if (flags.bool('list')) {
        for (const key of Object.keys(current).sort()) k.out(`${key}=${current[key]}\n`);
        continue;
      }
      if (!flags.bool('overwrite')) {
        for (const key of Object.keys(set)) {
          if (key in current && current[key] !== set[key]) {
            throw new KubectlError(`error: '${key}' already has a value (${current[key]}), and --overwrite is false`);
          }
        }
      }
      const next = { ...current, ...set };
      for (const r of remove) delete next[r];
      const changed = JSON.stringify(Object.entries(next).sort()) !== JSON.stringify(Object.entries(current).sort());
      const patchValue: Record<string, string | null> = { ...set };
      for (const r of remove) if (r in current) patchValue[r] = null;
      if (changed && dry !== 'client')
        k.store.patch(t.info.resource, o.metadata.namespace, o.metadata.name!, 'merge', { metadata: { [field]: patchValue } }, { dryRun: dry === 'server' });
      let verb: string;
      if (kind === 'label') verb = !changed ? 'not labeled' : Object.keys(set).length === 0 ? 'unlabeled' : 'labeled';
      else verb = !changed ? 'not annotated' : 'annotated';
      const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
      k.out(`${objectRef(t.info, o.metadata.name!)} ${verb}${suffix}\n`);
    }
  }
  return failed ? 1 : 0;
}

export const label = (k: Kube, argv: string[]) => labelOrAnnotate(k, argv, 'label');
export const annotate = (k: Kube, argv: string[]) => labelOrAnnotate(k, argv, 'annotate');
