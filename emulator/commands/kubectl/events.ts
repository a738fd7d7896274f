/**
 * `kubectl events [--for TYPE/NAME] [--types=Warning,…] [-A] [-w]`: events in time order (unlike `get events`),
 * OBJECT as `Kind/name`, repeated events as `5s (x3 over 2m)`.
 */
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import type { Kube } from './context';
import { age } from './printers/duration';
import { Tabwriter } from './printers/tabwriter';
import { resolveType } from './resolve';

const EVENTS_FLAGS: FlagDef[] = [
  { name: 'all-namespaces', short: 'A', type: 'bool', default: false },
  { name: 'for', type: 'string', default: '' },
  { name: 'types', type: 'stringSlice' },
  { name: 'watch', short: 'w', type: 'bool', default: false },
  { name: 'no-headers', type: 'bool', default: false },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'chunk-size', type: 'int', default: 500 },
];

const when = (e: KubeObject) => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '') || 0;

function interval(e: KubeObject, now: number): string {
  const first = e.eventTime ? age(e.eventTime, now) : age(e.firstTimestamp, now);
  if (e.series) return `${age(e.series.lastObservedTime, now)} (x${e.series.count} over ${first})`;
  if ((e.count ?? 0) > 1) return `${age(e.lastTimestamp, now)} (x${e.count} over ${first})`;
  return first;
}

export async function events(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, EVENTS_FLAGS, 'kubectl events'));
  if (flags.args.length) throw new KubectlError(`error: unknown command "${flags.args[0]}" for "kubectl events"`);
  const all = flags.bool('all-namespaces');
  const ns = k.namespace(flags);
  const types = flags.list('types');
  for (const t of types)
    if (t !== 'Normal' && t !== 'Warning') throw new KubectlError(`error: valid --types are Normal or Warning`);
  let kind: string | undefined;
  let name: string | undefined;
  if (flags.str('for')) {
    const f = flags.str('for');
    const i = f.indexOf('/');
    if (i < 0) throw new KubectlError(`error: --for must be in resource/name form`);
    kind = resolveType(f.slice(0, i)).kind;
    name = f.slice(i + 1);
  }
  const matches = (e: KubeObject) =>
    (!types.length || types.includes(e.type)) && (!kind || (e.involvedObject?.kind === kind && e.involvedObject?.name === name));
  const list = k.store
    .list('events', all ? {} : { namespace: ns })
    .items.filter(matches)
    .sort((a, b) => when(a) - when(b));
  const tw = new Tabwriter({ minwidth: 6, padding: 3, rememberWidths: true });
  const row = (e: KubeObject) =>
    `${all ? `${e.metadata.namespace}\t` : ''}${interval(e, k.now())}\t${e.type}\t${e.reason}\t${e.involvedObject?.kind}/${e.involvedObject?.name}\t${String(e.message ?? '').trim()}\n`;
  if (list.length === 0 && !flags.bool('watch')) {
    k.err(all ? 'No events found.\n' : `No events found in ${ns} namespace.\n`);
    return 0;
  }
  if (!flags.bool('no-headers')) tw.write(`${all ? 'NAMESPACE\t' : ''}LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE\n`);
  for (const e of list) tw.write(row(e));
  k.out(tw.flush());
  if (flags.bool('watch') && k.ctx.interactive) {
    const sub = k.store.watch('events', { namespace: all ? undefined : ns, resourceVersion: k.store.resourceVersion }, (ev) => {
      if (ev.type === 'DELETED' || !matches(ev.object)) return;
      tw.write(row(ev.object));
      k.out(tw.flush());
    });
    await new Promise<void>((resolve) => {
      if (k.ctx.signal.aborted) return resolve();
      k.ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    sub.dispose();
  }
  return 0;
}
