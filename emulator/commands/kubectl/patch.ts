/** `kubectl patch TYPE NAME -p PATCH [--type strategic|merge|json]` (the patch may be JSON or YAML). */
import { parse as parseYaml } from 'yaml';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { objectRef, type Kube } from './context';
import { dryRunOf } from './create';
import { checkOutputFormat, printStructured } from './printers';
import { resolveTargets } from './resolve';

const PATCH_FLAGS: FlagDef[] = [
  { name: 'patch', short: 'p', type: 'string', default: '' },
  { name: 'patch-file', type: 'string', default: '' },
  { name: 'type', type: 'string', default: 'strategic' },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'local', type: 'bool', default: false },
  { name: 'subresource', type: 'string', default: '' },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'field-manager', type: 'string', default: 'kubectl-patch' },
];

export async function patch(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, PATCH_FLAGS, 'kubectl patch'));
  const output = flags.str('output');
  checkOutputFormat(output);
  const type = flags.str('type');
  if (!['strategic', 'merge', 'json'].includes(type))
    throw new KubectlError(`error: --type must be one of [json merge strategic], not "${type}"`);
  let text = flags.str('patch');
  if (flags.str('patch-file')) {
    const t = k.ctx.host.fs.readFile(k.ctx.resolvePath(flags.str('patch-file')));
    if (t === undefined) throw new KubectlError(`error: unable to read patch file: open ${flags.str('patch-file')}: no such file or directory`);
    text = t;
  }
  if (!text) throw new KubectlError(`error: must specify --patch or --patch-file containing the contents of the patch\nSee 'kubectl patch -h' for help and examples`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    try {
      body = parseYaml(text);
    } catch (e) {
      throw new KubectlError(`error: unable to parse "${text}": yaml: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  if (flags.args.length === 0)
    throw new KubectlError(`error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'`);
  const targets = resolveTargets(flags.args, { allowAll: false });
  const ns = k.namespace(flags);
  const dry = dryRunOf(flags);
  for (const t of targets) {
    if (t.names.length === 0) throw new KubectlError('error: resource(s) were provided, but no name was specified');
    for (const name of t.names) {
      const namespace = t.info.namespaced ? ns : undefined;
      const before = k.store.get(t.info.resource, namespace, name);
      const after = k.store.patch(t.info.resource, namespace, name, type as 'strategic' | 'merge' | 'json', body, { dryRun: dry !== 'none' });
      if (output) {
        k.out(printStructured([after], output, true, () => t.info));
        continue;
      }
      const unchanged = before.metadata.resourceVersion === after.metadata.resourceVersion && JSON.stringify(before) === JSON.stringify(after);
      const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
      k.out(`${objectRef(t.info, name)} patched${unchanged ? ' (no change)' : ''}${suffix}\n`);
    }
  }
  return 0;
}
