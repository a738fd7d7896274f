/**
 * `kubectl set image (TYPE NAME | TYPE/NAME)… CONTAINER=IMAGE… [--all] [-l SEL] [--dry-run] [-o FMT]`: change the
 * image of containers in a pod template — for a Deployment, the way a rolling update starts (a new ReplicaSet,
 * then `kubectl rollout status`/`undo`). `*=IMAGE` sets every container. Errors as kubectl 1.32 words them.
 * The other `set` subcommands (env, resources, selector, serviceaccount, subject) are named but not offered.
 */
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, firstPositional, parseFlags, type FlagDef } from './flags';
import { objectRef, type Kube } from './context';
import { dryRunOf } from './create';
import { checkOutputFormat, printStructured } from './printers';
import { toJson } from './printers/json';
import { inTypedOrder } from './printers/typed-order';
import { resolveTargets } from './resolve';

const SET_HELP = `Configure application resources.

 These commands help you make changes to existing application resources.

Available Commands:
  env              Update environment variables on a pod template
  image            Update the image of a pod template
  resources        Update resource requests/limits on objects with pod templates
  selector         Set the selector on a resource
  serviceaccount   Update the service account of a resource
  subject          Update the user, group, or service account in a role binding or cluster role binding

Usage:
  kubectl set SUBCOMMAND [options]

Use "kubectl set <command> --help" for more information about a given command.
Use "kubectl options" for a list of global command-line options (applies to all commands).
`;

const IMAGE_FLAGS: FlagDef[] = [
  { name: 'all', type: 'bool', default: false },
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'local', type: 'bool', default: false },
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'kustomize', short: 'k', type: 'string', default: '' },
  { name: 'field-manager', type: 'string', default: 'kubectl-set' },
  { name: 'template', type: 'string', default: '' },
  { name: 'show-managed-fields', type: 'bool', default: false },
  { name: 'allow-missing-template-keys', type: 'bool', default: true },
];

const RESOURCE_SPEC_HELP = `Example resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'`;

/** Where the pod spec lives in each kind `set image` accepts. */
const POD_SPEC_PATH: Record<string, (o: KubeObject) => any> = {
  deployments: (o) => o.spec?.template?.spec,
  replicasets: (o) => o.spec?.template?.spec,
};

export async function set(k: Kube, argv: string[]): Promise<number> {
  const subIdx = firstPositional(argv, IMAGE_FLAGS);
  const sub = subIdx >= 0 ? argv[subIdx]! : '';
  if (sub === '') {
    k.out(SET_HELP);
    return 0;
  }
  if (['env', 'resources', 'selector', 'serviceaccount', 'subject'].includes(sub))
    throw new KubectlError(`error: "kubectl set ${sub}" is not available in this lab (it is a real kubectl command, but the emulator does not implement it)`);
  if (sub !== 'image') throw new KubectlError(`Error: unknown command "${sub}"\nSee 'kubectl set -h' for help and examples`);
  return setImage(k, [...argv.slice(0, subIdx), ...argv.slice(subIdx + 1)]);
}

async function setImage(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, IMAGE_FLAGS, 'kubectl set image'));
  const output = flags.str('output');
  checkOutputFormat(output);
  const dry = dryRunOf(flags);
  // CONTAINER=IMAGE pairs are the arguments with `=`; the rest name resources (kubectl's split, in order).
  const resources = flags.args.filter((a) => !a.includes('='));
  const pairs = flags.args.filter((a) => a.includes('='));
  if (flags.bool('local')) throw new KubectlError(`error: you must specify resources by --filename when --local is set.\n${RESOURCE_SPEC_HELP}`);
  if (flags.list('filename').length > 0) throw new KubectlError('error: kubectl set image -f is not available in this lab; name the resource (kubectl set image deployment/NAME CONTAINER=IMAGE)');
  if (resources.length === 0) throw new KubectlError(`error: You must provide one or more resources by argument or filename.\n${RESOURCE_SPEC_HELP}`);
  if (pairs.length === 0) throw new KubectlError('error: at least one image update is required');
  const images = new Map<string, string>();
  for (const p of pairs) {
    const eq = p.indexOf('=');
    const name = p.slice(0, eq);
    const image = p.slice(eq + 1);
    if (name === '' || image === '') throw new KubectlError(`error: invalid image update: ${p}`);
    images.set(name, image);
  }
  const ns = k.namespace(flags);
  const objects: [ReturnType<typeof resolveTargets>[number]['info'], KubeObject][] = [];
  for (const t of resolveTargets(resources, { allowAll: false })) {
    if (!POD_SPEC_PATH[t.info.resource]) {
      if (t.info.resource === 'pods') throw new KubectlError("error: kubectl set image on a Pod is not available in this lab; set the image of the Pod's Deployment (kubectl set image deployment/NAME CONTAINER=IMAGE)");
      throw new KubectlError(`error: ${objectRef(t.info, t.names[0] ?? '').replace(/\/$/, '')} has no pod template: kubectl set image changes Deployments and ReplicaSets here`);
    }
    let names = t.names;
    if (names.length === 0) {
      if (!flags.bool('all') && !flags.str('selector')) throw new KubectlError('error: resource(s) were provided, but no name was specified');
      names = k.store.list(t.info.resource, { namespace: ns, labelSelector: flags.str('selector') || undefined }).items.map((o) => o.metadata.name!);
    }
    for (const name of names) objects.push([t.info, k.store.get(t.info.resource, ns, name)]);
  }
  if (objects.length === 0) {
    k.err(`No resources found in ${ns} namespace.\n`);
    return 0;
  }
  for (const [info, obj] of objects) {
    const changed = JSON.parse(JSON.stringify(obj)) as KubeObject;
    const spec = POD_SPEC_PATH[info.resource]!(changed);
    const containers: any[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    let differs = false;
    for (const [container, image] of images) {
      const hits = container === '*' ? containers : containers.filter((c) => c.name === container);
      if (hits.length === 0) throw new KubectlError(`error: unable to find container named "${container}"`);
      for (const c of hits) {
        differs ||= c.image !== image;
        c.image = image;
      }
    }
    // An empty patch is skipped without a word, as kubectl does (no "image updated" when nothing changes).
    if (!differs) continue;
    let result = changed;
    if (dry !== 'client') {
      const patch = { spec: { template: { spec: { ...(spec.initContainers ? { initContainers: spec.initContainers } : {}), containers: spec.containers } } } };
      result = k.store.patch(info.resource, ns, obj.metadata.name!, 'merge', patch, { dryRun: dry === 'server' });
    }
    // kubectl decodes into the typed struct, so -o json shows Go's field order (YAML sorts keys either way).
    if (output === 'json') k.out(toJson(inTypedOrder(result), { sortKeys: false }));
    else if (output && output !== 'wide') k.out(printStructured([result], output, true, () => info));
    else k.out(`${objectRef(info, obj.metadata.name!)} image updated${dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : ''}\n`);
  }
  return 0;
}
