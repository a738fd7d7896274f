/**
 * `kubectl delete`: by type and names, `TYPE/NAME`, `-l`, `--all`, `-f`. Deletion is graceful (`--grace-period`,
 * `--now`, `--force`) and, as kubectl waits for the objects to disappear (`--wait=true`), the world runs until they
 * are gone: a pod stays Terminating through its grace period, then the command returns.
 */
import { isApiError } from '../../api/errors';
import type { ResourceInfo } from '../../api/resources';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { kindPrefix, type Kube } from './context';
import { dryRunOf, withSource } from './create';
import { readManifests } from './manifests';
import { resolveTargets } from './resolve';

const DELETE_FLAGS: FlagDef[] = [
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'field-selector', type: 'string', default: '' },
  { name: 'all', type: 'bool', default: false },
  { name: 'all-namespaces', short: 'A', type: 'bool', default: false },
  { name: 'grace-period', type: 'int', default: -1 },
  { name: 'now', type: 'bool', default: false },
  { name: 'force', type: 'bool', default: false },
  { name: 'wait', type: 'bool', default: true },
  { name: 'timeout', type: 'string', default: '0s' },
  { name: 'ignore-not-found', type: 'bool', default: false },
  { name: 'cascade', type: 'string', default: 'background', noOptDefault: 'background' },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'interactive', short: 'i', type: 'bool', default: false },
  { name: 'raw', type: 'string', default: '' },
];

const NO_RESOURCES = `error: You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`;

interface Victim {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string;
  source?: string;
}

export async function del(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, DELETE_FLAGS, 'kubectl delete'));
  let grace = flags.int('grace-period');
  if (flags.bool('now')) {
    if (flags.changed('grace-period')) throw new KubectlError('error: --now and --grace-period cannot be specified together');
    grace = 1;
  }
  if (grace === 0 && !flags.bool('force')) grace = 1;
  if (flags.bool('force') && grace < 0) grace = 0;
  const cascade = flags.str('cascade');
  const propagation = cascade === 'orphan' ? 'Orphan' : cascade === 'foreground' ? 'Foreground' : cascade === 'background' || cascade === 'true' ? 'Background' : undefined;
  if (!propagation) throw new KubectlError(`error: invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan".`);
  const dry = dryRunOf(flags);
  const ns = k.namespace(flags);
  const store = k.store;

  const victims: Victim[] = [];
  const errors: unknown[] = [];
  if (flags.list('filename').length) {
    if (flags.args.length) throw new KubectlError(`error: Unexpected args: [${flags.args.join(' ')}]\nSee 'kubectl delete -h' for help and examples`);
    for (const d of readManifests(k, flags.list('filename'), flags.bool('recursive'))) {
      victims.push({ info: d.info, namespace: d.info.namespaced ? d.obj.metadata.namespace || ns : undefined, name: d.obj.metadata.name ?? '', source: d.source });
    }
  } else {
    if (flags.args.length === 0) throw new KubectlError(NO_RESOURCES);
    const targets = resolveTargets(flags.args, { allowAll: true });
    const bySelector = flags.str('selector') !== '' || flags.str('field-selector') !== '' || flags.bool('all');
    for (const t of targets) {
      const namespace = t.info.namespaced ? ns : undefined;
      if (t.names.length) {
        if (bySelector && flags.str('selector')) throw new KubectlError(`error: name cannot be provided when a selector is specified`);
        for (const name of t.names) victims.push({ info: t.info, namespace, name });
      } else {
        if (!bySelector) throw new KubectlError('error: resource(s) were provided, but no name was specified');
        const list = store.list(t.info.resource, {
          namespace: flags.bool('all-namespaces') ? undefined : namespace,
          labelSelector: flags.str('selector') || undefined,
          fieldSelector: flags.str('field-selector') || undefined,
        });
        for (const o of list.items) victims.push({ info: t.info, namespace: o.metadata.namespace, name: o.metadata.name! });
      }
    }
    if (victims.length === 0) {
      k.out('No resources found\n');
      return 0;
    }
  }

  if (flags.bool('force') && grace === 0)
    k.err('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');

  const deleted: { v: Victim; uid: string | undefined }[] = [];
  for (const v of victims) {
    try {
      const opts: { gracePeriodSeconds?: number; propagationPolicy: 'Background' | 'Foreground' | 'Orphan'; dryRun?: boolean } = { propagationPolicy: propagation };
      if (grace >= 0) opts.gracePeriodSeconds = grace;
      if (dry !== 'none') {
        store.get(v.info.resource, v.namespace, v.name);
        if (dry === 'server') store.delete(v.info.resource, v.namespace, v.name, { ...opts, dryRun: true });
      } else {
        const before = store.get(v.info.resource, v.namespace, v.name);
        store.delete(v.info.resource, v.namespace, v.name, opts);
        deleted.push({ v, uid: before.metadata.uid });
      }
      const what = flags.bool('force') && grace === 0 ? 'force deleted' : 'deleted';
      const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
      if (flags.str('output') === 'name') k.out(`${kindPrefix(v.info)}/${v.name}\n`);
      else k.out(`${kindPrefix(v.info)} "${v.name}" ${what}${suffix}\n`);
    } catch (e) {
      if (isApiError(e, 'NotFound') && flags.bool('ignore-not-found')) continue;
      errors.push(v.source ? withSource(e, 'deleting', v.source) : e);
    }
  }
  for (const e of errors) k.report(e);

  if (flags.bool('wait') && deleted.length) {
    const gone = () => deleted.every(({ v, uid }) => store.peek(v.info.resource, v.namespace, v.name)?.metadata.uid !== uid);
    const timeout = parseDuration(flags.str('timeout'));
    await k.waitUntil(gone, timeout > 0 ? timeout : 10 * 60_000);
  }
  return errors.length ? 1 : 0;
}

/** Go's time.ParseDuration for the simple forms kubectl users type (`30s`, `2m`, `1h`, `0`). */
export function parseDuration(s: string): number {
  if (s === '0' || s === '') return 0;
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s))) {
    consumed += m[0].length;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
  }
  if (consumed !== s.length) throw new KubectlError(`error: time: invalid duration "${s}"`);
  return total;
}
