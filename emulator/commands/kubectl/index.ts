/**
 * `kubectl` as a shell command: one CommandSpec that dispatches to one file per verb. It reads and writes
 * `world.store` only, as the real kubectl talks to the API server only; output and errors follow kubectl 1.32.
 */
import type { CommandContext, CommandSpec } from '../../shell/types';
import type { World } from '../../world';
import { Kube } from './context';
import { GLOBAL_FLAGS, KubectlError, firstPositional } from './flags';
import { get } from './get';
import { create } from './create';
import { expose } from './expose';
import { scale } from './scale';
import { del } from './delete';
import { describe } from './describe';
import { apply } from './apply';
import { label, annotate } from './label';
import { patch } from './patch';
import { edit } from './edit';
import { run } from './run';
import { exec } from './exec';
import { logs } from './logs';
import { rollout } from './rollout';
import { set } from './set';
import { apiResources, apiVersions, clusterInfo, config, explain, top, version } from './info';
import { waitCmd } from './wait';
import { cordon, drain, uncordon } from './node';
import { replace } from './replace';
import { events } from './events';
import { complete } from './complete';
import { PORT_FORWARD_HELP, portForward } from './port-forward';

type Verb = (k: Kube, argv: string[]) => number | Promise<number>;

export const VERBS: Record<string, Verb> = {
  get,
  describe,
  create,
  expose,
  scale,
  delete: del,
  apply,
  label,
  annotate,
  patch,
  edit,
  run,
  exec,
  logs,
  rollout,
  set,
  'api-resources': apiResources,
  'api-versions': apiVersions,
  version,
  'cluster-info': clusterInfo,
  config,
  explain,
  top,
  wait: waitCmd,
  cordon,
  uncordon,
  drain,
  replace,
  events,
  'port-forward': portForward,
};

/** Verbs whose full `--help` text we have (the others print their summary and usage line). */
const VERB_HELP: Record<string, string> = { 'port-forward': PORT_FORWARD_HELP };

/** Other kubectl commands, known so that their names give kubectl's answer rather than "unknown command". */
const KNOWN_ELSEWHERE = ['attach', 'auth', 'autoscale', 'certificate', 'completion', 'cp', 'debug', 'diff', 'kustomize', 'plugin', 'proxy', 'taint', 'alpha', 'options'];

function levenshtein(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

const ROOT_HELP = `kubectl controls the Kubernetes cluster manager.

 Find more information at: https://kubernetes.io/docs/reference/kubectl/

Basic Commands (Beginner):
  create          Create a resource from a file or from stdin
  expose          Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service
  run             Run a particular image on the cluster
  set             Set specific features on objects

Basic Commands (Intermediate):
  explain         Get documentation for a resource
  get             Display one or many resources
  edit            Edit a resource on the server
  delete          Delete resources by file names, stdin, resources and names, or by resources and label selector

Deploy Commands:
  rollout         Manage the rollout of a resource
  scale           Set a new size for a deployment, replica set, or replication controller
  autoscale       Auto-scale a deployment, replica set, stateful set, or replication controller

Cluster Management Commands:
  certificate     Modify certificate resources
  cluster-info    Display cluster information
  top             Display resource (CPU/memory) usage
  cordon          Mark node as unschedulable
  uncordon        Mark node as schedulable
  drain           Drain node in preparation for maintenance
  taint           Update the taints on one or more nodes

Troubleshooting and Debugging Commands:
  describe        Show details of a specific resource or group of resources
  logs            Print the logs for a container in a pod
  attach          Attach to a running container
  exec            Execute a command in a container
  port-forward    Forward one or more local ports to a pod
  proxy           Run a proxy to the Kubernetes API server
  cp              Copy files to and from containers
  auth            Inspect authorization
  debug           Create debugging sessions for troubleshooting workloads and nodes
  events          List events

Advanced Commands:
  diff            Diff the live version against a would-be applied version
  apply           Apply a configuration to a resource by file name or stdin
  patch           Update fields of a resource
  replace         Replace a resource by file name or stdin
  wait            Experimental: Wait for a specific condition on one or many resources
  kustomize       Build a kustomization target from a directory or URL

Settings Commands:
  label           Update the labels on a resource
  annotate        Update the annotations on a resource
  completion      Output shell completion code for the specified shell (bash, zsh, fish, or powershell)

Subcommands provided by plugins:

Other Commands:
  api-resources   Print the supported API resources on the server
  api-versions    Print the supported API versions on the server, in the form of "group/version"
  config          Modify kubeconfig files
  plugin          Provides utilities for interacting with plugins
  version         Print the client and server version information

Usage:
  kubectl [flags] [options]

Use "kubectl <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
`;

/** Split `kubectl [global flags] VERB [args]`: global flags may precede the verb. */
export function splitVerb(args: readonly string[]): { verb: string | undefined; rest: string[] } {
  const i = firstPositional(args);
  if (i < 0 || args[i - 1] === '--') return { verb: undefined, rest: [...args] };
  return { verb: args[i], rest: [...args.slice(0, i), ...args.slice(i + 1)] };
}

async function runKubectl(ctx: CommandContext): Promise<number> {
  const k = new Kube(ctx);
  // Controllers react to a write within milliseconds of it; let what is due at this instant happen before kubectl
  // reads, so that `expose` then `get endpoints` sees the Endpoints object as it would on a real cluster.
  ctx.world.scheduler.runDue();
  const { verb, rest } = splitVerb(ctx.argv.slice(1));
  try {
    if (verb === undefined) {
      // No command: the root command parses its global flags (cobra's wording, with its capital "Error:").
      for (let i = 0; i < rest.length; i++) {
        const a = rest[i]!;
        if (a === '--' || !a.startsWith('-') || a === '--help' || a === '-h') continue;
        const long = a.startsWith('--');
        const name = long ? a.slice(2).split('=')[0]! : a[1]!;
        const def = GLOBAL_FLAGS.find((f) => (long ? f.name === name : f.short === name));
        if (!def) throw new KubectlError(long ? `Error: unknown flag: --${name}\nSee 'kubectl --help' for usage.` : `Error: unknown shorthand flag: '${name}' in ${a}\nSee 'kubectl --help' for usage.`);
        const inline = long ? a.includes('=') : a.length > 2;
        if (def.type !== 'bool' && !inline) {
          if (i + 1 >= rest.length) throw new KubectlError(long ? `Error: flag needs an argument: --${name}\nSee 'kubectl --help' for usage.` : `Error: flag needs an argument: '${name}' in ${a}\nSee 'kubectl --help' for usage.`);
          i++;
        }
      }
      k.out(ROOT_HELP);
      return 0;
    }
    const impl = VERBS[verb];
    if (!impl) {
      if (KNOWN_ELSEWHERE.includes(verb)) throw new KubectlError(`error: "kubectl ${verb}" is not available in this lab (it is a real kubectl command, but the emulator does not implement it)`);
      const suggestions = [...Object.keys(VERBS), ...KNOWN_ELSEWHERE].filter((v) => levenshtein(v, verb) <= 2 || v.startsWith(verb)).sort();
      let msg = `error: unknown command "${verb}" for "kubectl"`;
      if (suggestions.length) msg += `\n\nDid you mean this?\n${suggestions.map((s) => `\t${s}`).join('\n')}\n`;
      throw new KubectlError(msg);
    }
    if (rest.includes('--help') || (rest.includes('-h') && verb !== 'exec' && verb !== 'run')) {
      if (VERB_HELP[verb]) {
        k.out(VERB_HELP[verb]);
        return 0;
      }
      // The one-line description from kubectl's command list, then the usage line.
      const line = ROOT_HELP.split('\n').find((l) => l.startsWith(`  ${verb} `));
      const summary = line ? line.slice(2 + verb.length).trim() : '';
      k.out(`${summary ? summary + '.\n\n' : ''}Usage:\n  kubectl ${verb} [options]\n\nUse "kubectl options" for a list of global command-line options (applies to all commands).\n`);
      return 0;
    }
    return await impl(k, rest);
  } catch (e) {
    return k.report(e);
  }
}

export const kubectlCommand: CommandSpec = {
  name: 'kubectl',
  summary: 'Kubernetes command-line tool (kubectl v1.32)',
  run: runKubectl,
  complete,
};

export function registerKubectl(world: World): void {
  world.registerCommand(kubectlCommand);
}
