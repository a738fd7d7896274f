/**
 * `kubectl run NAME --image=IMG [--port] [--labels] [--env] [--restart] [--command] [-i] [-t] [--rm] [-- ARGS]`:
 * creates a Pod (labels `run=NAME`). With `-i`/`-t` kubectl waits for it to run and attaches: an interactive
 * `-it … -- sh` opens the pod's shell, a one-shot command (`--rm -i --restart=Never -- nslookup web`) prints its
 * output; `--rm` deletes the pod afterwards (`pod "tmp" deleted`).
 */
import { RESOURCES } from '../../api/resources';
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import type { Kube } from './context';
import { OUTPUT_FLAGS, dryRunOf, submit } from './create';
import { podObject } from './generators';
import { runInPod } from './exec';
import { podHost } from './pods';

const RUN_FLAGS: FlagDef[] = [
  ...OUTPUT_FLAGS.filter((f) => f.name !== 'field-manager'),
  { name: 'field-manager', type: 'string', default: 'kubectl-run' },
  { name: 'image', type: 'string', default: '' },
  { name: 'port', type: 'string', default: '' },
  { name: 'labels', short: 'l', type: 'string', default: '' },
  { name: 'annotations', type: 'stringArray' },
  { name: 'env', type: 'stringArray' },
  { name: 'restart', type: 'string', default: '' },
  { name: 'command', type: 'bool', default: false },
  { name: 'stdin', short: 'i', type: 'bool', default: false },
  { name: 'tty', short: 't', type: 'bool', default: false },
  { name: 'rm', type: 'bool', default: false },
  { name: 'attach', type: 'bool', default: false },
  { name: 'quiet', short: 'q', type: 'bool', default: false },
  { name: 'image-pull-policy', type: 'string', default: '' },
  { name: 'expose', type: 'bool', default: false },
  { name: 'privileged', type: 'bool', default: false },
  { name: 'pod-running-timeout', type: 'string', default: '1m0s' },
  { name: 'override-type', type: 'string', default: 'merge' },
  { name: 'overrides', type: 'string', default: '' },
];

export async function run(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, RUN_FLAGS, 'kubectl run'));
  const dash = flags.parsed.argsLenAtDash;
  const positional = dash >= 0 ? flags.args.slice(0, dash) : flags.args;
  if (positional.length === 0) throw new KubectlError("error: NAME is required for run\nSee 'kubectl run -h' for help and examples");
  const name = positional[0]!;
  const args = dash >= 0 ? flags.args.slice(dash) : positional.slice(1);
  if (!flags.changed('image') || !flags.str('image')) throw new KubectlError('error: required flag(s) "image" not set');
  const attach = flags.bool('attach') || flags.bool('stdin') || flags.bool('tty');
  const dry = dryRunOf(flags);
  if (dry !== 'none' && attach) throw new KubectlError("error: --dry-run=[server|client] can't be used with attached containers options (--attach, --stdin, or --tty)\nSee 'kubectl run -h' for help and examples");
  if (flags.bool('rm') && !attach) throw new KubectlError('error: --rm should only be used for attached containers');
  const restart = flags.str('restart') || 'Always';
  if (!['Always', 'OnFailure', 'Never'].includes(restart)) throw new KubectlError(`error: invalid restart policy: ${restart}`);
  if (flags.bool('expose')) throw new KubectlError('error: --port must be set when exposing a service');
  const labels: Record<string, string> = {};
  if (flags.str('labels')) {
    for (const part of flags.str('labels').split(',')) {
      const i = part.indexOf('=');
      if (i <= 0) throw new KubectlError(`error: invalid label spec: ${part}`);
      labels[part.slice(0, i)] = part.slice(i + 1);
    }
  } else labels.run = name;
  const annotations: Record<string, string> = {};
  for (const a of flags.list('annotations')) {
    const i = a.indexOf('=');
    annotations[a.slice(0, i)] = a.slice(i + 1);
  }
  for (const e of flags.list('env')) if (!e.includes('=')) throw new KubectlError(`error: invalid env: ${e}`);
  const port = flags.str('port') ? Number(flags.str('port')) : -1;
  if (flags.str('port') && !/^\d+$/.test(flags.str('port'))) throw new KubectlError(`error: strconv.Atoi: parsing ${JSON.stringify(flags.str('port'))}: invalid syntax`);
  const obj = podObject({
    name,
    namespace: flags.changed('namespace') ? flags.str('namespace') : undefined,
    image: flags.str('image'),
    labels,
    annotations,
    env: flags.list('env'),
    port,
    command: flags.bool('command'),
    args,
    restart,
    stdin: flags.bool('stdin'),
    tty: flags.bool('tty'),
    pullPolicy: flags.str('image-pull-policy'),
  });
  if (!attach) return submit(k, flags, RESOURCES.pods, obj);

  // Attached: create, wait for the pod to run, attach, then clean up with --rm.
  const ns = k.namespace(flags);
  const sent = JSON.parse(JSON.stringify(obj)) as KubeObject;
  sent.metadata.namespace = ns;
  delete sent.metadata.creationTimestamp;
  k.store.create('pods', sent, { fieldManager: 'kubectl-run' });
  const running = () => {
    const p = k.store.peek('pods', ns, name);
    return !!p && (p.status?.phase === 'Running' || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') && !!podHost(k, p);
  };
  const ok = await k.waitUntil(running, 60_000);
  let code = 0;
  // Once the learner is in the pod's shell, --rm happens when they leave it (enterHost's onExit).
  let handedOff = false;
  try {
    if (!ok) {
      if (k.ctx.signal.aborted) return 130;
      throw new KubectlError('error: timed out waiting for the condition');
    }
    const pod = k.store.get('pods', ns, name);
    const shell = args.length === 0 || (args.length === 1 && ['sh', 'bash', '/bin/sh', '/bin/bash'].includes(args[0]!));
    if (flags.bool('tty') && flags.bool('stdin') && shell && k.ctx.interactive) {
      k.out("If you don't see a command prompt, try pressing enter.\n");
      const host = podHost(k, pod)!;
      k.ctx.session.enterHost(host, {
        onExit: () => {
          if (!flags.bool('rm')) return `Session ended, resume using 'kubectl attach ${name} -c ${name} -i -t' command when the pod is running\n`;
          try {
            k.store.delete('pods', ns, name, { gracePeriodSeconds: 0 });
          } catch {
            // Already gone.
          }
          return `Session ended, resume using 'kubectl attach ${name} -c ${name} -i -t' command when the pod is running\npod "${name}" deleted\n`;
        },
      });
      handedOff = true;
      return 0;
    }
    if (args.length) code = await runInPod(k, pod, name, args, { stdin: flags.bool('stdin'), tty: flags.bool('tty') && k.ctx.interactive, reportExit: false });
  } finally {
    if (flags.bool('rm') && !handedOff) {
      try {
        k.store.delete('pods', ns, name, {});
        k.out(`pod "${name}" deleted\n`);
        await k.waitUntil(() => !k.store.peek('pods', ns, name), 60_000);
      } catch {
        // The pod is already gone.
      }
    }
  }
  // kubectl run reports how the attached container ended (a CodeExitError: message, then its exit status).
  if (code !== 0) k.err(`pod ${ns}/${name} terminated (Error)\n`);
  return code;
}
