/** `kubectl scale (deployment|replicaset) NAME --replicas=N [--current-replicas=M]`. */
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { objectRef, type Kube } from './context';
import { dryRunOf } from './create';
import { resolveTargets } from './resolve';

const SCALE_FLAGS: FlagDef[] = [
  { name: 'replicas', type: 'int', default: -1 },
  { name: 'current-replicas', type: 'int', default: -1 },
  { name: 'resource-version', type: 'string', default: '' },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'all', type: 'bool', default: false },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'timeout', type: 'string', default: '0s' },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
];

export async function scale(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, SCALE_FLAGS, 'kubectl scale'));
  if (!flags.changed('replicas')) throw new KubectlError('error: required flag(s) "replicas" not set');
  const replicas = flags.int('replicas');
  if (replicas < 0) throw new KubectlError('error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  if (flags.args.length === 0)
    throw new KubectlError(`error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'`);
  const ns = k.namespace(flags);
  const dry = dryRunOf(flags);
  let failed = false;
  const targets = resolveTargets(flags.args, { allowAll: false });
  for (const t of targets) {
    if (t.info.resource !== 'deployments' && t.info.resource !== 'replicasets')
      throw new KubectlError(`error: no scaler has been implemented for {"${t.info.group}" "${t.info.kind}"}`);
    let names = t.names;
    if (names.length === 0) {
      if (!flags.bool('all') && !flags.str('selector')) throw new KubectlError('error: resource(s) were provided, but no name was specified');
      names = k.store.list(t.info.resource, { namespace: ns, labelSelector: flags.str('selector') || undefined }).items.map((o) => o.metadata.name!);
      if (names.length === 0) {
        k.err(`No resources found in ${ns} namespace.\n`);
        continue;
      }
    }
    for (const name of names) {
      try {
        const obj = k.store.get(t.info.resource, ns, name);
        const current = obj.spec?.replicas ?? 1;
        if (flags.int('current-replicas') >= 0 && flags.int('current-replicas') !== current)
          throw new KubectlError(`error: Expected replicas to be ${flags.int('current-replicas')}, was ${current}`);
        if (dry === 'none' || dry === 'server') k.store.patch(t.info.resource, ns, name, 'merge', { spec: { replicas } }, { dryRun: dry === 'server' });
        k.out(`${objectRef(t.info, name)} scaled${dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : ''}\n`);
      } catch (e) {
        if (e instanceof KubectlError) throw e;
        failed = true;
        k.report(e);
      }
    }
  }
  return failed ? 1 : 0;
}
