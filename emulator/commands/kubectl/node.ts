/**
 * `kubectl cordon|uncordon|drain NODE`: mark a node (un)schedulable, and drain it by evicting its pods (DaemonSet
 * pods stay unless `--ignore-daemonsets`; mirror/static pods are skipped), waiting for them to go, as kubectl does.
 */
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import type { Kube } from './context';
import { parseDuration } from './delete';

const NODE_FLAGS: FlagDef[] = [
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'ignore-daemonsets', type: 'bool', default: false },
  { name: 'delete-emptydir-data', type: 'bool', default: false },
  { name: 'force', type: 'bool', default: false },
  { name: 'grace-period', type: 'int', default: -1 },
  { name: 'timeout', type: 'string', default: '0s' },
  { name: 'disable-eviction', type: 'bool', default: false },
  { name: 'pod-selector', type: 'string', default: '' },
  { name: 'skip-wait-for-delete-timeout', type: 'int', default: 0 },
  { name: 'chunk-size', type: 'int', default: 500 },
];

function nodesOf(k: Kube, flags: Flags, verb: string): KubeObject[] {
  if (flags.args.length === 0 && !flags.str('selector'))
    throw new KubectlError(`error: USAGE: ${verb} NODE [flags]\nSee '-h' for help and examples`);
  if (flags.str('selector')) return k.store.list('nodes', { labelSelector: flags.str('selector') }).items;
  return flags.args.map((n) => k.store.get('nodes', undefined, n.replace(/^(nodes?|no)\//, '')));
}

function setUnschedulable(k: Kube, node: KubeObject, value: boolean): string {
  const name = node.metadata.name!;
  if (!!node.spec?.unschedulable === value) return `node/${name} already ${value ? 'cordoned' : 'uncordoned'}\n`;
  k.store.patch('nodes', undefined, name, 'strategic', { spec: { unschedulable: value ? true : null } });
  return `node/${name} ${value ? 'cordoned' : 'uncordoned'}\n`;
}

export async function cordon(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, NODE_FLAGS, 'kubectl cordon'));
  for (const n of nodesOf(k, flags, 'cordon')) k.out(setUnschedulable(k, n, true));
  return 0;
}

export async function uncordon(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, NODE_FLAGS, 'kubectl uncordon'));
  for (const n of nodesOf(k, flags, 'uncordon')) k.out(setUnschedulable(k, n, false));
  return 0;
}

const ownerKind = (p: KubeObject) => (p.metadata.ownerReferences ?? []).find((r) => r.controller)?.kind;

export async function drain(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, NODE_FLAGS, 'kubectl drain'));
  let failed = false;
  for (const node of nodesOf(k, flags, 'drain')) {
    const name = node.metadata.name!;
    k.out(setUnschedulable(k, node, true));
    const pods = k.store
      .list('pods', { fieldSelector: `spec.nodeName=${name}`, labelSelector: flags.str('pod-selector') || undefined })
      .items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    // Static (mirror) pods belong to the kubelet; DaemonSet pods would come straight back.
    const mirror = (p: KubeObject) => ownerKind(p) === 'Node' || p.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
    const daemon = pods.filter((p) => ownerKind(p) === 'DaemonSet');
    const ids = (list: KubeObject[]) => list.map((p) => `${p.metadata.namespace}/${p.metadata.name}`).join(', ');
    if (daemon.length && !flags.bool('ignore-daemonsets')) {
      const why = `cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): ${ids(daemon)}`;
      k.err(`error: unable to drain node "${name}" due to error: ${why}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n${why}\n`);
      failed = true;
      continue;
    }
    if (daemon.length) k.err(`Warning: ignoring DaemonSet-managed Pods: ${ids(daemon)}\n`);
    const victims = pods.filter((p) => !mirror(p) && ownerKind(p) !== 'DaemonSet');
    const bare = victims.filter((p) => !ownerKind(p));
    if (bare.length && !flags.bool('force')) {
      const why = `cannot delete Pods that declare no controller (use --force to override): ${ids(bare)}`;
      k.err(`error: unable to drain node "${name}" due to error: ${why}, continuing command...\nThere are pending nodes to be drained:\n ${name}\n${why}\n`);
      failed = true;
      continue;
    }
    if (bare.length) k.err(`Warning: deleting Pods that declare no controller: ${ids(bare)}\n`);
    for (const p of victims) {
      k.out(`evicting pod ${p.metadata.namespace}/${p.metadata.name}\n`);
      const grace = flags.int('grace-period');
      k.store.delete('pods', p.metadata.namespace, p.metadata.name!, grace >= 0 ? { gracePeriodSeconds: grace } : {});
    }
    const gone = (p: KubeObject) => k.store.peek('pods', p.metadata.namespace, p.metadata.name!)?.metadata.uid !== p.metadata.uid;
    const timeout = parseDuration(flags.str('timeout'));
    let remaining = [...victims];
    await k.waitUntil(() => {
      for (const p of remaining) if (gone(p)) k.out(`pod/${p.metadata.name} evicted\n`);
      remaining = remaining.filter((p) => !gone(p));
      return remaining.length === 0;
    }, timeout > 0 ? timeout : 10 * 60_000);
    if (remaining.length) {
      k.err(`error: unable to drain node "${name}", aborting command...\n\nThere are pending nodes to be drained:\n ${name}\nerror: global timeout reached: ${flags.str('timeout')}\n`);
      failed = true;
      continue;
    }
    k.out(`node/${name} drained\n`);
  }
  return failed ? 1 : 0;
}
