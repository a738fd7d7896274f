/** `kubectl get`: tables, `-o` formats, selectors, `-A`, `-w`. */
import { isApiError } from '../../api/errors';
import type { KubeObject, WatchEvent } from '../../api/types';
import type { ResourceInfo } from '../../api/resources';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import type { Kube } from './context';
import { errorText } from './context';
import { checkOutputFormat, printStructured, renderRows, tableRows, customColumns } from './printers';
import { jsonpathValues } from './printers/jsonpath';
import { Tabwriter } from './printers/tabwriter';
import { resolveTargets } from './resolve';
import { readManifests } from './manifests';

export const GET_FLAGS: FlagDef[] = [
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'field-selector', type: 'string', default: '' },
  { name: 'all-namespaces', short: 'A', type: 'bool', default: false },
  { name: 'watch', short: 'w', type: 'bool', default: false },
  { name: 'watch-only', type: 'bool', default: false },
  { name: 'output-watch-events', type: 'bool', default: false },
  { name: 'show-labels', type: 'bool', default: false },
  { name: 'show-kind', type: 'bool', default: false },
  { name: 'no-headers', type: 'bool', default: false },
  { name: 'label-columns', short: 'L', type: 'stringSlice' },
  { name: 'sort-by', type: 'string', default: '' },
  { name: 'ignore-not-found', type: 'bool', default: false },
  { name: 'chunk-size', type: 'int', default: 500 },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'show-managed-fields', type: 'bool', default: false },
  { name: 'server-print', type: 'bool', default: true },
  { name: 'raw', type: 'string', default: '' },
  { name: 'subresource', type: 'string', default: '' },
  { name: 'template', type: 'string', default: '' },
  { name: 'allow-missing-template-keys', type: 'bool', default: true },
];

const MISSING_TYPE =
  'You must specify the type of resource to get. Use "kubectl api-resources" for a complete list of supported resources.\n\n' +
  'error: Required resource not specified.\n' +
  'Use "kubectl explain <resource>" for a detailed description of that resource (e.g. kubectl explain pods).\n' +
  "See 'kubectl get -h' for help and examples";

interface Found {
  info: ResourceInfo;
  items: KubeObject[];
}

function sortItems(items: KubeObject[], sortBy: string): KubeObject[] {
  if (!sortBy) return items;
  const key = (o: KubeObject) => jsonpathValues(sortBy, JSON.parse(JSON.stringify(o)))[0];
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    const xs = x === undefined ? '' : String(x);
    const ys = y === undefined ? '' : String(y);
    return xs < ys ? -1 : xs > ys ? 1 : 0;
  });
}

export async function get(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, GET_FLAGS, 'kubectl get'));
  const output = flags.str('output');
  checkOutputFormat(output);
  const ns = k.namespace(flags);
  const all = flags.bool('all-namespaces');
  const store = k.store;
  const errors: string[] = [];
  const found: Found[] = [];
  let singleNamed = false;

  if (flags.list('filename').length) {
    const docs = readManifests(k, flags.list('filename'), flags.bool('recursive'));
    for (const d of docs) {
      try {
        const o = store.get(d.info.resource, d.info.namespaced ? d.obj.metadata?.namespace || ns : undefined, d.obj.metadata?.name ?? '');
        const prev = found.find((f) => f.info === d.info);
        if (prev) prev.items.push(o);
        else found.push({ info: d.info, items: [o] });
      } catch (e) {
        errors.push(errorText(e));
      }
    }
    singleNamed = docs.length === 1;
  } else {
    if (flags.args.length === 0) throw new KubectlError(MISSING_TYPE);
    const targets = resolveTargets(flags.args);
    const namedCount = targets.reduce((n, t) => n + t.names.length, 0);
    singleNamed = namedCount === 1;
    for (const t of targets) {
      const namespace = t.info.namespaced ? ns : undefined;
      if (t.names.length) {
        const items: KubeObject[] = [];
        for (const name of t.names) {
          try {
            items.push(store.get(t.info.resource, namespace, name));
          } catch (e) {
            if (flags.bool('ignore-not-found') && isApiError(e, 'NotFound')) continue;
            errors.push(errorText(e));
          }
        }
        if (items.length) found.push({ info: t.info, items });
      } else {
        const list = store.list(t.info.resource, {
          namespace: all || !t.info.namespaced ? undefined : namespace,
          labelSelector: flags.str('selector') || undefined,
          fieldSelector: flags.str('field-selector') || undefined,
        });
        if (list.items.length) found.push({ info: t.info, items: list.items });
        else if (flags.bool('watch') || flags.bool('watch-only')) found.push({ info: t.info, items: [] });
      }
    }
  }
  for (const f of found) f.items = sortItems(f.items, flags.str('sort-by'));

  const structured = output !== '' && output !== 'wide' && !output.startsWith('custom-columns=');
  let written = 0;
  if (structured) {
    const items = found.flatMap((f) => f.items);
    const infoByObj = new Map<KubeObject, ResourceInfo>();
    for (const f of found) for (const o of f.items) infoByObj.set(o, f.info);
    // A listing prints a List even when it is empty; named objects that were not found print nothing.
    const named = singleNamed || flags.args.slice(1).length > 0 || flags.args.some((a) => a.includes('/')) || flags.list('filename').length > 0;
    if (items.length > 0 || (!named && output !== 'name')) {
      const text = printStructured(items, output, singleNamed && items.length === 1, (o) => infoByObj.get(o)!);
      k.out(text);
      written += text.length;
    }
  } else if (output.startsWith('custom-columns=')) {
    // Its header prints even over an empty listing.
    const items = found.flatMap((f) => f.items);
    const text = customColumns(output.slice('custom-columns='.length), items, flags.bool('no-headers'));
    k.out(text);
    written += text.length;
  } else {
    const withKind = flags.bool('show-kind') || found.filter((f) => f.items.length).length > 1;
    let first = true;
    for (const f of found) {
      // Empty groups print nothing (they are only kept as the watch target); --watch-only skips the listing.
      if (!f.items.length || flags.bool('watch-only')) continue;
      const rows = tableRows(f.info, f.items, k.now(), {
        output,
        noHeaders: flags.bool('no-headers'),
        showLabels: flags.bool('show-labels'),
        labelColumns: flags.list('label-columns'),
        withNamespace: all,
        withKind,
      });
      const text = (first ? '' : '\n') + renderRows(rows);
      first = false;
      k.out(text);
      written += text.length;
    }
  }

  for (const e of errors) k.err(e);
  const watching = flags.bool('watch') || flags.bool('watch-only');
  // Only the table printer says "No resources found"; -o name/jsonpath/go-template/custom-columns print what they print.
  const humanReadable = !structured && !output.startsWith('custom-columns=');
  if (humanReadable && written === 0 && errors.length === 0 && !flags.bool('ignore-not-found') && !(watching && k.ctx.interactive)) {
    const allNamespaced = !all && found.length > 0 ? found.every((f) => f.info.namespaced) : !all && flags.args.length > 0 && resolveTargets(flags.args).every((t) => t.info.namespaced);
    k.err(allNamespaced ? `No resources found in ${ns} namespace.\n` : 'No resources found\n');
  }
  if (watching && k.ctx.interactive) {
    const targets = found.length ? found : flags.args.length ? resolveTargets(flags.args).map((t) => ({ info: t.info, items: [] as KubeObject[] })) : [];
    if (targets.length !== 1) throw new KubectlError('error: you may only specify a single resource type');
    await watch(k, flags, targets[0]!, output, all, ns, written === 0);
  }
  return errors.length ? 1 : 0;
}

/** `kubectl get -w`: print each change as a row, aligned with what was printed before, until Ctrl-C. */
async function watch(k: Kube, flags: Flags, target: Found, output: string, all: boolean, ns: string, needHeader: boolean): Promise<void> {
  const tw = new Tabwriter({ minwidth: 6, padding: 3, rememberWidths: true });
  // Prime the remembered widths with what the initial table printed.
  const initial = tableRows(target.info, target.items, k.now(), { output, withNamespace: all, showLabels: flags.bool('show-labels') });
  renderRows(initial, tw);
  let headerDone = !needHeader;
  const names = new Set(flags.args.slice(1));
  const store = k.store;
  const sub = store.watch(
    target.info.resource,
    {
      namespace: all || !target.info.namespaced ? undefined : ns,
      labelSelector: flags.str('selector') || undefined,
      fieldSelector: flags.str('field-selector') || undefined,
      resourceVersion: store.resourceVersion,
    },
    (ev: WatchEvent) => {
      if (names.size && !names.has(ev.object.metadata.name!)) return;
      const rows = tableRows(target.info, [ev.object], k.now(), {
        output,
        withNamespace: all,
        showLabels: flags.bool('show-labels'),
        noHeaders: headerDone || flags.bool('no-headers'),
      });
      headerDone = true;
      if (flags.bool('output-watch-events')) rows.forEach((r, i) => r.unshift(i === 0 && rows.length > 1 ? 'EVENT' : ev.type));
      k.out(renderRows(rows, tw));
    },
  );
  await new Promise<void>((resolve) => {
    if (k.ctx.signal.aborted) return resolve();
    k.ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  sub.dispose();
}
