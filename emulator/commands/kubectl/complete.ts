/**
 * Tab completion for `kubectl`, in the spirit of kubectl's cobra completion: verbs, resource types (names, short
 * names), object names from the store for the type already typed (or `TYPE/` prefixes), namespaces after `-n`,
 * and the flags of the verb.
 */
import { RESOURCE_LIST, resolveResource } from '../../api/resources';
import type { ApiStore } from '../../api/store';
import type { CompletionContext } from '../../shell/types';

const VERB_NAMES = [
  'annotate', 'api-resources', 'api-versions', 'apply', 'cluster-info', 'config', 'cordon', 'create', 'delete', 'describe', 'drain', 'edit', 'events', 'exec',
  'expose', 'get', 'label', 'logs', 'patch', 'port-forward', 'rollout', 'run', 'scale', 'set', 'top', 'uncordon', 'version', 'wait',
];

const VERB_FLAGS: Record<string, string[]> = {
  get: ['--all-namespaces', '--field-selector', '--no-headers', '--output', '--selector', '--show-labels', '--sort-by', '--watch', '-A', '-l', '-o', '-w'],
  describe: ['--all-namespaces', '--selector', '--show-events', '-A', '-l'],
  create: ['--dry-run', '--filename', '--output', '-f', '-o'],
  expose: ['--dry-run', '--name', '--output', '--port', '--protocol', '--selector', '--target-port', '--type'],
  scale: ['--current-replicas', '--replicas'],
  delete: ['--all', '--force', '--grace-period', '--ignore-not-found', '--now', '--selector', '--wait', '-f', '-l'],
  apply: ['--dry-run', '--filename', '--output', '--recursive', '-R', '-f', '-o'],
  logs: ['--container', '--follow', '--previous', '--tail', '--timestamps', '-c', '-f', '-p'],
  exec: ['--container', '--stdin', '--tty', '-c', '-i', '-it', '-t'],
  'port-forward': ['--address', '--pod-running-timeout'],
  run: ['--command', '--env', '--image', '--labels', '--port', '--restart', '--rm', '--stdin', '--tty', '-i', '-it', '-t'],
  label: ['--all', '--list', '--overwrite', '--selector', '-l'],
  annotate: ['--all', '--list', '--overwrite', '--selector', '-l'],
  patch: ['--patch', '--type', '-p'],
  rollout: [],
  set: ['--all', '--dry-run', '--output', '--selector', '-l', '-o'],
  wait: ['--all', '--for', '--selector', '--timeout', '-l'],
};

const SUBCOMMANDS: Record<string, string[]> = {
  create: ['configmap', 'deployment', 'ingress', 'namespace', 'secret', 'service', 'serviceaccount'],
  rollout: ['history', 'pause', 'restart', 'resume', 'status', 'undo'],
  set: ['image'],
  config: ['current-context', 'get-contexts', 'set-context', 'use-context', 'view'],
};

const OUTPUTS = ['custom-columns=', 'json', 'jsonpath=', 'name', 'wide', 'yaml'];

function typeWords(): string[] {
  const words = new Set<string>(['all']);
  for (const r of RESOURCE_LIST) {
    words.add(r.resource);
    words.add(r.singular);
    for (const s of r.shortNames) words.add(s);
  }
  return [...words].sort();
}

function namespaceOf(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === '-n' || a === '--namespace') && args[i + 1]) return args[i + 1]!;
    if (a.startsWith('--namespace=')) return a.slice('--namespace='.length);
  }
  return 'default';
}

function names(store: ApiStore | undefined, typed: string, ns: string): string[] {
  const info = resolveResource(typed);
  if (!store || !info) return [];
  return store.list(info.resource, info.namespaced ? { namespace: ns } : {}).items.map((o) => o.metadata.name!);
}

/** `args` are the words after `kubectl`; the last one is the word being completed (maybe ''). */
export function complete(args: readonly string[], ctx: CompletionContext): string[] {
  const store = (ctx.world as unknown as { store?: ApiStore }).store;
  const cur = args.length ? args[args.length - 1]! : '';
  const prev = args.length > 1 ? args[args.length - 2]! : '';
  const words = args.slice(0, -1).filter((a) => !a.startsWith('-'));
  const match = (list: readonly string[]) => list.filter((w) => w.startsWith(cur));
  const ns = namespaceOf(args);

  if (prev === '-n' || prev === '--namespace') return match(names(store, 'namespaces', ns));
  if (prev === '-o' || prev === '--output') return match(OUTPUTS);
  if (cur.startsWith('--output=') || cur.startsWith('-o=')) {
    const p = cur.slice(0, cur.indexOf('=') + 1);
    return OUTPUTS.map((o) => p + o).filter((w) => w.startsWith(cur));
  }
  if (words.length === 0) return match(VERB_NAMES);
  const verb = words[0]!;
  if (cur.startsWith('-')) return match(VERB_FLAGS[verb] ?? []);
  if (SUBCOMMANDS[verb] && words.length === 1) return match(SUBCOMMANDS[verb]!);
  if (verb === 'create' && words[1] === 'service' && words.length === 2) return match(['clusterip', 'externalname', 'loadbalancer', 'nodeport']);

  if ((verb === 'cordon' || verb === 'uncordon' || verb === 'drain') && words.length === 1) return match(names(store, 'nodes', ns));
  if (verb === 'port-forward') {
    // `POD` or `TYPE/NAME` of something with pods (kubectl's PodResourceNameCompletionFunc), then ports.
    if (words.length !== 1) return [];
    const slash = cur.indexOf('/');
    if (slash > 0) return names(store, cur.slice(0, slash), ns).map((n) => `${cur.slice(0, slash)}/${n}`).filter((w) => w.startsWith(cur));
    return match([...names(store, 'pods', ns), 'deployment/', 'pod/', 'replicaset/', 'service/']);
  }
  const podVerbs = new Set(['logs', 'exec', 'attach']);
  if (podVerbs.has(verb)) {
    if (words.length === 1) return match(names(store, 'pods', ns));
    return [];
  }
  const typeVerbs = new Set(['get', 'describe', 'delete', 'edit', 'label', 'annotate', 'patch', 'scale', 'expose', 'wait', 'rollout', 'set']);
  if (!typeVerbs.has(verb)) return [];
  const typeIndex = verb === 'rollout' || verb === 'set' ? 2 : 1;
  if (words.length === typeIndex) {
    const slash = cur.indexOf('/');
    if (slash > 0) {
      const t = cur.slice(0, slash);
      return names(store, t, ns)
        .map((n) => `${t}/${n}`)
        .filter((w) => w.startsWith(cur));
    }
    if (verb === 'scale' || verb === 'rollout' || verb === 'set') return match(['deployment', 'deployments', 'deploy', 'replicaset', 'rs']);
    if (verb === 'expose') return match(['deployment', 'pod', 'replicaset', 'service']);
    return match(typeWords());
  }
  if (words.length > typeIndex) {
    const typed = words[typeIndex]!;
    if (typed.includes('/')) return [];
    const first = typed.split(',')[0]!;
    const already = new Set(words.slice(typeIndex + 1));
    return match(names(store, first, ns).filter((n) => !already.has(n)));
  }
  return [];
}
