/**
 * `kubectl edit TYPE NAME`: the object as YAML (with kubectl's header comment) in the app's editor; each save is
 * parsed, checked and sent as an update, and the command returns with `deployment.apps/web edited` once a save
 * succeeds. Without an editor (the CLI) it fails as kubectl does when it cannot start `$KUBE_EDITOR`/`$EDITOR`/`vi`.
 */
import { parse as parseYaml } from 'yaml';
import { ApiError } from '../../api/errors';
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { errorText, objectRef, type Kube } from './context';
import { forDisplay } from './printers';
import { toYaml } from './printers/yaml';
import { resolveTargets } from './resolve';

const EDIT_FLAGS: FlagDef[] = [
  { name: 'output', short: 'o', type: 'string', default: 'yaml' },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'save-config', type: 'bool', default: false },
  { name: 'validate', type: 'string', default: 'strict', noOptDefault: 'strict' },
  { name: 'windows-line-endings', type: 'bool', default: false },
  { name: 'subresource', type: 'string', default: '' },
  { name: 'field-manager', type: 'string', default: 'kubectl-edit' },
  { name: 'show-managed-fields', type: 'bool', default: false },
];

export const EDIT_HEADER =
  "# Please edit the object below. Lines beginning with a '#' will be ignored,\n" +
  '# and an empty file will abort the edit. If an error occurs while saving this file will be\n' +
  '# reopened with the relevant failures.\n' +
  '#\n';

export async function edit(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, EDIT_FLAGS, 'kubectl edit'));
  if (flags.args.length === 0)
    throw new KubectlError(`error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'`);
  const t = resolveTargets(flags.args, { allowAll: false })[0]!;
  if (t.names.length === 0) throw new KubectlError('error: resource(s) were provided, but no name was specified');
  const ns = t.info.namespaced ? k.namespace(flags) : undefined;
  const name = t.names[0]!;
  const original = k.store.get(t.info.resource, ns, name);
  const content = EDIT_HEADER + toYaml(forDisplay(original));
  const editorName = k.ctx.env.get('KUBE_EDITOR') || k.ctx.env.get('EDITOR') || 'vi';

  let resolveDone!: (message: string | undefined) => void;
  const done = new Promise<string | undefined>((r) => (resolveDone = r));
  const onSave = (text: string): { ok: boolean; message: string } => {
    const stripped = text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    if (stripped.trim() === '') {
      resolveDone('Edit cancelled, no changes made.\n');
      return { ok: true, message: 'Edit cancelled, no changes made.' };
    }
    let edited: KubeObject;
    try {
      edited = parseYaml(stripped) as KubeObject;
    } catch (e) {
      return { ok: false, message: `error: error parsing edited object: ${(e as Error).message.split('\n')[0]}` };
    }
    if (!edited || typeof edited !== 'object' || !edited.metadata) return { ok: false, message: 'error: Object \'Kind\' is missing in the edited object' };
    if (JSON.stringify(edited) === JSON.stringify(JSON.parse(JSON.stringify(forDisplay(original))))) {
      resolveDone('Edit cancelled, no changes made.\n');
      return { ok: true, message: 'Edit cancelled, no changes made.' };
    }
    if (edited.metadata.name !== name || edited.kind !== original.kind)
      return { ok: false, message: `error: At least one of apiVersion, kind and name was changed` };
    try {
      k.store.update(t.info.resource, edited);
    } catch (e) {
      if (e instanceof ApiError) {
        const text = errorText(e).trimEnd();
        return { ok: false, message: `error: ${t.info.qualifiedResource} "${name}" is invalid\n${text}` };
      }
      throw e;
    }
    const msg = `${objectRef(t.info, name)} edited\n`;
    resolveDone(msg);
    return { ok: true, message: msg.trimEnd() };
  };

  const opened = k.ctx.session.openEditor?.({ title: `${t.info.resource}/${name}`, content, onSave }) ?? false;
  if (!opened) throw new KubectlError(`error: unable to launch the editor "${editorName}"`);
  const aborted = new Promise<undefined>((r) => {
    if (k.ctx.signal.aborted) r(undefined);
    k.ctx.signal.addEventListener('abort', () => r(undefined), { once: true });
  });
  const message = await Promise.race([done, aborted]);
  if (message === undefined) {
    k.out('Edit cancelled, no changes made.\n');
    return 1;
  }
  k.out(message);
  return 0;
}
