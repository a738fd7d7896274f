/** `kubectl logs (POD | TYPE/NAME) [-c C] [-f] [--tail N] [--timestamps] [--previous]`. */
import { ApiError } from '../../api/errors';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import type { Kube } from './context';
import { containerWaiting, findPod, logSource, pickContainer } from './pods';

const LOGS_FLAGS: FlagDef[] = [
  { name: 'container', short: 'c', type: 'string', default: '' },
  { name: 'follow', short: 'f', type: 'bool', default: false },
  { name: 'tail', type: 'int', default: -1 },
  { name: 'timestamps', type: 'bool', default: false },
  { name: 'previous', short: 'p', type: 'bool', default: false },
  { name: 'since', type: 'string', default: '' },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'all-containers', type: 'bool', default: false },
  { name: 'prefix', type: 'bool', default: false },
  { name: 'pod-running-timeout', type: 'string', default: '20s' },
  { name: 'ignore-errors', type: 'bool', default: false },
  { name: 'max-log-requests', type: 'int', default: 5 },
  { name: 'limit-bytes', type: 'int', default: 0 },
];

function stamp(t: number): string {
  return new Date(t).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export async function logs(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, LOGS_FLAGS, 'kubectl logs'));
  const ns = k.namespace(flags);
  if (flags.args.length === 0 && !flags.str('selector'))
    throw new KubectlError(
      "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command\nSee 'kubectl logs -h' for help and examples",
    );
  if (flags.args.length === 0) {
    // `-l`: every matching pod (kubectl caps concurrent streams at --max-log-requests), one after the other.
    const pods = k.store.list('pods', { namespace: ns, labelSelector: flags.str('selector') }).items;
    if (pods.length === 0) {
      k.err(`No resources found in ${ns} namespace.\n`);
      return 0;
    }
    if (pods.length > flags.int('max-log-requests') && flags.bool('follow'))
      throw new KubectlError(`error: you are attempting to follow ${pods.length} log streams, but maximum allowed concurrency is ${flags.int('max-log-requests')}, use --max-log-requests to increase the limit`);
    const source = logSource(k);
    for (const pod of pods) {
      const container = pickContainer(pod, flags.str('container'), (m) => k.err(m));
      let lines = source?.lines(`${pod.metadata.namespace}/${pod.metadata.name}`, container) ?? [];
      const tail = flags.int('tail') >= 0 ? flags.int('tail') : 10;
      lines = lines.slice(Math.max(0, lines.length - tail));
      const prefix = flags.bool('prefix') ? `[pod/${pod.metadata.name}/${container}] ` : '';
      k.out(lines.map((l) => `${prefix}${flags.bool('timestamps') ? stamp(l.t) + ' ' : ''}${l.text}\n`).join(''));
    }
    return 0;
  }
  const pod = findPod(k, flags.args[0]!, ns, (m) => k.err(m));
  const container = flags.args[1] ?? pickContainer(pod, flags.str('container'), (m) => k.err(m));
  const podKey = `${pod.metadata.namespace}/${pod.metadata.name}`;
  const source = logSource(k);
  const existing = source?.lines(podKey, container, { previous: flags.bool('previous') });
  if (flags.bool('previous') && !existing)
    throw new ApiError('BadRequest', `previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
  if (!existing) {
    const waiting = containerWaiting(pod, container);
    if (waiting) throw new ApiError('BadRequest', waiting);
  }
  const fmt = (l: { t: number; text: string }) => (flags.bool('timestamps') ? `${stamp(l.t)} ${l.text}` : l.text) + '\n';
  let lines = existing ?? [];
  const tail = flags.int('tail');
  if (tail >= 0) lines = lines.slice(Math.max(0, lines.length - tail));
  k.out(lines.map(fmt).join(''));

  if (flags.bool('follow') && k.ctx.interactive && source) {
    const sub = source.onLine((ev) => {
      if (ev.podKey === podKey && ev.container === container) k.out(fmt(ev.line));
    });
    // Follow ends with Ctrl-C or when the pod goes away.
    const watch = k.store.watch('pods', { namespace: pod.metadata.namespace, resourceVersion: k.store.resourceVersion }, (ev) => {
      if (ev.type === 'DELETED' && ev.object.metadata.name === pod.metadata.name) stop();
    });
    let stop!: () => void;
    await new Promise<void>((resolve) => {
      stop = resolve;
      if (k.ctx.signal.aborted) resolve();
      k.ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    sub.dispose();
    watch.dispose();
  }
  return 0;
}
