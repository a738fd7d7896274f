/**
 * `kubectl exec POD [-c C] [-i] [-t] -- CMD ARGS…`: the command runs on the pod's ShellHost (`pod/<ns>/<name>`)
 * as the container runtime would run it (argv, no shell parsing). `-it … -- sh` in the app's terminal opens the
 * pod's shell; without a terminal kubectl says it cannot use a TTY and runs the command with empty input.
 */
import { ApiError } from '../../api/errors';
import type { KubeObject } from '../../api/types';
import type { ShellHost } from '../../shell/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import type { Kube } from './context';
import { containerWaiting, findPod, pickContainer, podHost } from './pods';

const EXEC_FLAGS: FlagDef[] = [
  { name: 'container', short: 'c', type: 'string', default: '' },
  { name: 'stdin', short: 'i', type: 'bool', default: false },
  { name: 'tty', short: 't', type: 'bool', default: false },
  { name: 'quiet', short: 'q', type: 'bool', default: false },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'pod-running-timeout', type: 'string', default: '1m0s' },
];

const SHELLS = new Set(['sh', 'bash', 'ash', '/bin/sh', '/bin/bash', '/bin/ash', '/usr/bin/bash']);

/** A stable 64-hex exec id (containerd's are random; ours derive from the call so output stays deterministic). */
function execId(seed: string): string {
  let out = '';
  let h = 0x811c9dc5;
  for (let round = 0; out.length < 64; round++) {
    for (const ch of `${seed}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

export function hasCommand(k: Kube, host: ShellHost, cmd: string): boolean {
  const base = cmd.includes('/') ? cmd.slice(cmd.lastIndexOf('/') + 1) : cmd;
  if (k.ctx.world.commands.get(base)?.builtin) return true;
  if (!host.commands) return k.ctx.world.commands.has(base);
  return host.commands.has(base);
}

/** Run `argv` in the pod's container; prints kubectl's wrapping of the result and returns the exit code. */
export async function runInPod(
  k: Kube,
  pod: KubeObject,
  container: string,
  argv: string[],
  opts: { stdin: boolean; tty: boolean; reportExit?: boolean },
): Promise<number> {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed')
    throw new KubectlError(`error: cannot exec into a container in a completed pod; current phase is ${pod.status.phase}`);
  const waiting = containerWaiting(pod, container);
  const host = podHost(k, pod);
  if (waiting || !host) throw new KubectlError(`error: unable to upgrade connection: container not found ("${container}")`);
  const cmd = argv[0]!;
  if (!hasCommand(k, host, cmd))
    throw new ApiError(
      'InternalError',
      `error executing command in container: failed to exec in container: failed to start exec "${execId(`${pod.metadata.uid}/${k.now()}/${argv.join(' ')}`)}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in $PATH: unknown`,
    );
  const base = cmd.includes('/') ? cmd.slice(cmd.lastIndexOf('/') + 1) : cmd;
  if (opts.tty && opts.stdin && SHELLS.has(cmd) && argv.length === 1 && k.ctx.interactive) {
    k.ctx.session.enterHost(host);
    return 0;
  }
  if (opts.tty && !k.ctx.interactive) k.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
  const run = k.ctx.session.runCommand;
  if (!run) throw new KubectlError('error: unable to upgrade connection: this terminal cannot run commands in pods');
  const code = await run.call(k.ctx.session, host, [base === cmd ? cmd : base, ...argv.slice(1)], {
    stdin: opts.stdin ? k.ctx.stdin : '',
    stdout: k.ctx.stdout,
    stderr: k.ctx.stderr,
    signal: k.ctx.signal,
  });
  if (code !== 0 && opts.reportExit !== false) k.err(`command terminated with exit code ${code}\n`);
  return code;
}

export async function exec(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, EXEC_FLAGS, 'kubectl exec'));
  const dash = flags.parsed.argsLenAtDash;
  const before = dash >= 0 ? flags.args.slice(0, dash) : flags.args;
  const command = dash >= 0 ? flags.args.slice(dash) : [];
  if (before.length === 0) throw new KubectlError("error: pod, type/name or --filename must be specified\nSee 'kubectl exec -h' for help and examples");
  if (dash < 0 && before.length > 1)
    throw new KubectlError("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples");
  if (before.length > 1) throw new KubectlError("error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead\nSee 'kubectl exec -h' for help and examples");
  if (command.length === 0) throw new KubectlError('error: you must specify at least one command for the container');
  const ns = k.namespace(flags);
  const pod = findPod(k, before[0]!, ns);
  const container = pickContainer(pod, flags.str('container'), (m) => k.err(m));
  return runInPod(k, pod, container, command, { stdin: flags.bool('stdin'), tty: flags.bool('tty') });
}
