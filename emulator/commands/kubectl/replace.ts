/** `kubectl replace -f FILE [--force]`: PUT the whole object (it must exist); `--force` deletes and re-creates it. */
import { isApiError } from '../../api/errors';
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { kindPrefix, objectRef, type Kube } from './context';
import { dryRunOf, withSource } from './create';
import { readManifests } from './manifests';
import { checkOutputFormat, printStructured } from './printers';

const REPLACE_FLAGS: FlagDef[] = [
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'force', type: 'bool', default: false },
  { name: 'grace-period', type: 'int', default: -1 },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'save-config', type: 'bool', default: false },
  { name: 'validate', type: 'string', default: 'strict', noOptDefault: 'strict' },
  { name: 'wait', type: 'bool', default: false },
];

export async function replace(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, REPLACE_FLAGS, 'kubectl replace'));
  const output = flags.str('output');
  checkOutputFormat(output);
  if (flags.list('filename').length === 0) throw new KubectlError("error: must specify --filename to replace\nSee 'kubectl replace -h' for help and examples");
  const dry = dryRunOf(flags);
  const docs = readManifests(k, flags.list('filename'), flags.bool('recursive'));
  let failed = false;
  for (const d of docs) {
    const obj = JSON.parse(JSON.stringify(d.obj)) as KubeObject;
    if (d.info.namespaced) obj.metadata.namespace = obj.metadata.namespace || k.namespace(flags);
    const name = obj.metadata.name ?? '';
    try {
      let result: KubeObject;
      if (flags.bool('force')) {
        if (dry === 'none') {
          const old = k.store.tryGet(d.info.resource, obj.metadata.namespace, name);
          if (old) {
            k.store.delete(d.info.resource, obj.metadata.namespace, name, { gracePeriodSeconds: Math.max(0, flags.int('grace-period')) });
            k.out(`${kindPrefix(d.info)} "${name}" deleted\n`);
            await k.waitUntil(() => k.store.peek(d.info.resource, obj.metadata.namespace, name)?.metadata.uid !== old.metadata.uid, 10 * 60_000);
          }
          delete obj.metadata.resourceVersion;
          result = k.store.create(d.info.resource, obj);
        } else result = obj;
      } else {
        // Replace requires the object to exist; the server keeps immutable fields it owns (clusterIP, nodeName, …).
        const live = k.store.get(d.info.resource, obj.metadata.namespace, name);
        if (d.info.resource === 'services') {
          obj.spec = { ...obj.spec };
          if (!obj.spec.clusterIP && live.spec?.clusterIP) {
            obj.spec.clusterIP = live.spec.clusterIP;
            obj.spec.clusterIPs = live.spec.clusterIPs;
          }
        }
        result = dry === 'client' ? obj : k.store.update(d.info.resource, obj, { dryRun: dry === 'server' });
      }
      if (output) k.out(printStructured([result], output, true, () => d.info));
      else k.out(`${objectRef(d.info, name)} replaced${dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : ''}\n`);
    } catch (e) {
      if (e instanceof KubectlError) throw e;
      failed = true;
      k.report(isApiError(e) ? withSource(e, 'replacing', d.source) : e);
    }
  }
  return failed ? 1 : 0;
}
