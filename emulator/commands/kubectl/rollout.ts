/** `kubectl rollout status|restart|history|undo|pause|resume deployment/NAME`. */
import { RESOURCES } from '../../api/resources';
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, firstPositional, parseFlags, type FlagDef } from './flags';
import { objectRef, type Kube } from './context';
import { parseDuration } from './delete';
import { rfc3339 } from './printers/duration';
import { Tabwriter } from './printers/tabwriter';
import { resolveTargets } from './resolve';

const ROLLOUT_FLAGS: FlagDef[] = [
  { name: 'watch', short: 'w', type: 'bool', default: true },
  { name: 'timeout', type: 'string', default: '0s' },
  { name: 'revision', type: 'int', default: 0 },
  { name: 'to-revision', type: 'int', default: 0 },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
];

const REVISION = 'deployment.kubernetes.io/revision';

/** kubectl's DeploymentStatusViewer: the message and whether the rollout is done. */
export function deploymentStatus(d: KubeObject): { msg: string; done: boolean } {
  const st = d.status ?? {};
  const name = d.metadata.name;
  if ((d.metadata.generation ?? 0) <= (st.observedGeneration ?? 0)) {
    const progressing = (st.conditions ?? []).find((c: any) => c.type === 'Progressing');
    if (progressing?.reason === 'ProgressDeadlineExceeded') throw new KubectlError(`error: deployment "${name}" exceeded its progress deadline`);
    const replicas = d.spec?.replicas ?? 1;
    if ((st.updatedReplicas ?? 0) < replicas)
      return { msg: `Waiting for deployment "${name}" rollout to finish: ${st.updatedReplicas ?? 0} out of ${replicas} new replicas have been updated...\n`, done: false };
    if ((st.replicas ?? 0) > (st.updatedReplicas ?? 0))
      return { msg: `Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - (st.updatedReplicas ?? 0)} old replicas are pending termination...\n`, done: false };
    if ((st.availableReplicas ?? 0) < (st.updatedReplicas ?? 0))
      return { msg: `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${st.updatedReplicas ?? 0} updated replicas are available...\n`, done: false };
    return { msg: `deployment "${name}" successfully rolled out\n`, done: true };
  }
  return { msg: 'Waiting for deployment spec update to be observed...\n', done: false };
}

function deploymentArg(k: Kube, flags: Flags, sub: string): KubeObject {
  if (flags.args.length === 0)
    throw new KubectlError(`error: required resource not specified\nSee 'kubectl rollout ${sub} -h' for help and examples`);
  const t = resolveTargets(flags.args, { allowAll: false })[0]!;
  if (t.names.length === 0) throw new KubectlError('error: resource(s) were provided, but no name was specified');
  if (t.info.resource !== 'deployments') throw new KubectlError(`error: no ${sub === 'status' ? 'status viewer' : sub === 'history' ? 'history viewer' : 'rollbacker'} has been implemented for {"${t.info.group}" "${t.info.kind}"}`);
  return k.store.get('deployments', k.namespace(flags), t.names[0]!);
}

function ownedReplicaSets(k: Kube, d: KubeObject): KubeObject[] {
  return k.store
    .list('replicasets', { namespace: d.metadata.namespace })
    .items.filter((rs) => (rs.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === d.metadata.uid));
}

export async function rollout(k: Kube, argv: string[]): Promise<number> {
  const subIdx = firstPositional(argv, ROLLOUT_FLAGS);
  const sub = subIdx >= 0 ? argv[subIdx]! : '';
  const rest = subIdx >= 0 ? [...argv.slice(0, subIdx), ...argv.slice(subIdx + 1)] : argv;
  const flags = new Flags(parseFlags(rest, ROLLOUT_FLAGS, `kubectl rollout ${sub}`.trim()));
  const ns = k.namespace(flags);
  switch (sub) {
    case 'status': {
      const d0 = deploymentArg(k, flags, 'status');
      const name = d0.metadata.name!;
      let last = '';
      const check = (): boolean => {
        const d = k.store.get('deployments', ns, name);
        const s = deploymentStatus(d);
        if (s.msg !== last) {
          k.out(s.msg);
          last = s.msg;
        }
        return s.done;
      };
      if (check() || !flags.bool('watch')) return 0;
      const timeout = parseDuration(flags.str('timeout'));
      const ok = await k.waitUntil(check, timeout > 0 ? timeout : 10 * 60_000);
      if (!ok) {
        if (k.ctx.signal.aborted) return 130;
        throw new KubectlError('error: timed out waiting for the condition');
      }
      return 0;
    }
    case 'restart': {
      const d = deploymentArg(k, flags, 'restart');
      if (d.spec?.paused) throw new KubectlError(`error: deployments.apps "${d.metadata.name}" can't restart paused deployment (run rollout resume first)`);
      k.store.patch('deployments', ns, d.metadata.name!, 'strategic', {
        spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': rfc3339(k.now()) } } } },
      });
      k.out(`${objectRef(RESOURCES.deployments, d.metadata.name!)} restarted\n`);
      return 0;
    }
    case 'history': {
      const d = deploymentArg(k, flags, 'history');
      const rss = ownedReplicaSets(k, d);
      const byRev = new Map<number, KubeObject>();
      for (const rs of rss) {
        const r = Number(rs.metadata.annotations?.[REVISION] ?? 0);
        if (r > 0) byRev.set(r, rs);
      }
      const revs = [...byRev.keys()].sort((a, b) => a - b);
      const info = RESOURCES.deployments;
      if (flags.int('revision') > 0) {
        const rs = byRev.get(flags.int('revision'));
        if (!rs) throw new KubectlError(`error: unable to find the specified revision`);
        k.out(`${objectRef(info, d.metadata.name!)} with revision #${flags.int('revision')}\n`);
        k.out(`Pod Template:\n  Labels:\t${Object.entries(rs.spec?.template?.metadata?.labels ?? {}).map(([a, b]) => `${a}=${b}`).join('\n\t')}\n`);
        return 0;
      }
      k.out(`${objectRef(info, d.metadata.name!)} \n`);
      const tw = new Tabwriter({ minwidth: 0, padding: 2 });
      tw.write('REVISION\tCHANGE-CAUSE\n');
      for (const r of revs) tw.write(`${r}\t${byRev.get(r)!.metadata.annotations?.['kubernetes.io/change-cause'] || '<none>'}\n`);
      k.out(tw.flush() + '\n');
      return 0;
    }
    case 'undo': {
      const d = deploymentArg(k, flags, 'undo');
      const rss = ownedReplicaSets(k, d);
      const current = Number(d.metadata.annotations?.[REVISION] ?? 0);
      const want = flags.int('to-revision');
      let target: KubeObject | undefined;
      if (want > 0) {
        target = rss.find((rs) => Number(rs.metadata.annotations?.[REVISION]) === want);
        if (!target) throw new KubectlError(`error: unable to find specified revision ${want} in history`);
      } else {
        const older = rss
          .filter((rs) => Number(rs.metadata.annotations?.[REVISION] ?? 0) < current)
          .sort((a, b) => Number(b.metadata.annotations?.[REVISION]) - Number(a.metadata.annotations?.[REVISION]));
        target = older[0];
        if (!target) throw new KubectlError(`error: no rollout history found for deployment "${d.metadata.name}"`);
      }
      const info = RESOURCES.deployments;
      if (Number(target.metadata.annotations?.[REVISION]) === current) {
        k.out(`${objectRef(info, d.metadata.name!)} skipped rollback (current template already matches revision ${current})\n`);
        return 0;
      }
      const template = JSON.parse(JSON.stringify(target.spec.template));
      if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
      const next = k.store.get('deployments', ns, d.metadata.name!);
      next.spec.template = template;
      k.store.update('deployments', next);
      k.out(`${objectRef(info, d.metadata.name!)} rolled back\n`);
      return 0;
    }
    case 'pause':
    case 'resume': {
      const d = deploymentArg(k, flags, sub);
      const paused = sub === 'pause';
      const info = RESOURCES.deployments;
      if (!!d.spec?.paused === paused) {
        k.out(`${objectRef(info, d.metadata.name!)} ${paused ? 'already paused' : 'is not paused'}\n`);
        return paused ? 0 : 1;
      }
      k.store.patch('deployments', ns, d.metadata.name!, 'merge', { spec: { paused: paused ? true : null } });
      k.out(`${objectRef(info, d.metadata.name!)} ${paused ? 'paused' : 'resumed'}\n`);
      return 0;
    }
  }
  throw new KubectlError(
    sub ? `error: unknown command "${sub}" for "kubectl rollout"\n\nDid you mean this?\n\tstatus\n` : `error: Required resource not specified.\nSee 'kubectl rollout -h' for help and examples`,
  );
}
