/** `kubectl create`: `-f`, and the generators deployment, service (4 types), namespace, configmap, ingress. */
import { ApiError, isApiError } from '../../api/errors';
import { RESOURCES, type ResourceInfo } from '../../api/resources';
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, firstPositional, parseFlags, type FlagDef } from './flags';
import { objectRef, type Kube } from './context';
import { configMapObject, deploymentObject, ingressObject, namespaceObject, secretObject, serviceAccountObject, serviceObject } from './generators';
import { checkOutputFormat, printStructured } from './printers';
import { readManifests } from './manifests';
import { toJson } from './printers/json';

export const OUTPUT_FLAGS: FlagDef[] = [
  { name: 'output', short: 'o', type: 'string', default: '' },
  { name: 'dry-run', type: 'string', default: 'none', noOptDefault: 'unchanged' },
  { name: 'template', type: 'string', default: '' },
  { name: 'show-managed-fields', type: 'bool', default: false },
  { name: 'allow-missing-template-keys', type: 'bool', default: true },
  { name: 'save-config', type: 'bool', default: false },
  { name: 'validate', type: 'string', default: 'strict', noOptDefault: 'strict' },
  { name: 'field-manager', type: 'string', default: 'kubectl-create' },
];

export type DryRun = 'none' | 'client' | 'server';

export function dryRunOf(flags: Flags): DryRun {
  const v = flags.str('dry-run');
  if (v === 'none' || v === '') return 'none';
  if (v === 'client' || v === 'unchanged') return 'client';
  if (v === 'server') return 'server';
  throw new KubectlError(`error: Invalid dry-run value (${v}). Must be "none", "server", or "client".`);
}

function usage(msg: string, path: string): KubectlError {
  return new KubectlError(`error: ${msg}\nSee '${path} -h' for help and examples`);
}

function oneName(flags: Flags, path: string, argsBeforeDash = flags.parsed.argsLenAtDash >= 0 ? flags.args.slice(0, flags.parsed.argsLenAtDash) : flags.args): string {
  if (argsBeforeDash.length !== 1) throw usage(`exactly one NAME is required, got ${argsBeforeDash.length}`, path);
  return argsBeforeDash[0]!;
}

/**
 * Send a generated object (or only print it with `--dry-run=client`) and print what kubectl prints:
 * `deployment.apps/web created`, `… created (dry run)`, or the object in the `-o` format.
 */
export function submit(k: Kube, flags: Flags, info: ResourceInfo, obj: KubeObject, verb = 'created'): number {
  const output = flags.str('output');
  checkOutputFormat(output);
  const dry = dryRunOf(flags);
  const name = obj.metadata.name!;
  let result = obj;
  if (dry !== 'client') {
    const ns = info.namespaced ? obj.metadata.namespace || k.namespace(flags) : undefined;
    const sent = JSON.parse(JSON.stringify(obj)) as KubeObject;
    if (ns) sent.metadata.namespace = ns;
    if (sent.metadata.creationTimestamp === null) delete sent.metadata.creationTimestamp;
    result = k.store.create(info.resource, sent, { dryRun: dry === 'server', fieldManager: flags.str('field-manager') || 'kubectl-create' });
  }
  if (output && output !== 'wide') {
    k.out(dry === 'client' && output === 'json' ? jsonTyped(result) : printStructured([result], output, true, () => info, dry === 'client'));
  } else {
    const suffix = dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : '';
    k.out(`${objectRef(info, name)} ${verb}${suffix}\n`);
  }
  return 0;
}

/** Client-side objects are typed structs: JSON keeps field order instead of sorting keys. */
function jsonTyped(obj: KubeObject): string {
  return toJson(obj, { sortKeys: false });
}

const GENERATOR_FLAGS: Record<string, FlagDef[]> = {
  deployment: [
    { name: 'image', type: 'stringSlice' },
    { name: 'replicas', short: 'r', type: 'int', default: 1 },
    { name: 'port', type: 'int', default: -1 },
  ],
  service: [
    { name: 'tcp', type: 'stringSlice' },
    { name: 'clusterip', type: 'string', default: '' },
    { name: 'node-port', type: 'int', default: 0 },
    { name: 'external-name', type: 'string', default: '' },
  ],
  configmap: [
    { name: 'from-literal', type: 'stringArray' },
    { name: 'from-file', type: 'stringSlice' },
    { name: 'from-env-file', type: 'stringSlice' },
    { name: 'append-hash', type: 'bool', default: false },
  ],
  ingress: [
    { name: 'rule', type: 'stringArray' },
    { name: 'class', type: 'string', default: '' },
    { name: 'default-backend', type: 'string', default: '' },
    { name: 'annotation', type: 'stringArray' },
  ],
  namespace: [],
  serviceaccount: [],
  secret: [
    { name: 'from-literal', type: 'stringArray' },
    { name: 'from-file', type: 'stringSlice' },
    { name: 'from-env-file', type: 'stringSlice' },
    { name: 'type', type: 'string', default: '' },
    { name: 'append-hash', type: 'bool', default: false },
  ],
};

const ALIASES: Record<string, string> = {
  deployment: 'deployment',
  deploy: 'deployment',
  service: 'service',
  svc: 'service',
  namespace: 'namespace',
  ns: 'namespace',
  configmap: 'configmap',
  cm: 'configmap',
  ingress: 'ingress',
  ing: 'ingress',
  serviceaccount: 'serviceaccount',
  sa: 'serviceaccount',
  secret: 'secret',
};

const CREATE_SUBCOMMANDS = ['clusterrole', 'clusterrolebinding', 'configmap', 'cronjob', 'deployment', 'ingress', 'job', 'namespace', 'poddisruptionbudget', 'priorityclass', 'quota', 'role', 'rolebinding', 'secret', 'service', 'serviceaccount', 'token'];

/** `kubectl create`'s own flags (with -f); a generator's flags are parsed once the generator is known. */
const CREATE_FLAGS: FlagDef[] = [
  ...OUTPUT_FLAGS, { name: 'filename', short: 'f', type: 'stringSlice' }, { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'edit', type: 'bool', default: false }, { name: 'raw', type: 'string', default: '' }, { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'windows-line-endings', type: 'bool', default: false },
];

export async function create(k: Kube, argv: string[]): Promise<number> {
  // The sub-generator is the first argument that is not a flag (flags may come first: `create -n dev deploy x`).
  const first = firstPositional(argv, CREATE_FLAGS);
  const sub = first >= 0 ? ALIASES[argv[first]!] : undefined;
  if (sub === undefined) {
    const flags = new Flags(parseFlags(argv, CREATE_FLAGS, 'kubectl create'));
    if (flags.list('filename').length === 0) {
      if (flags.args.length && CREATE_SUBCOMMANDS.includes(flags.args[0]!))
        throw new KubectlError(`error: kubectl create ${flags.args[0]} is not available in this lab cluster`);
      if (flags.args.length) throw new KubectlError(`error: Unexpected args: [${flags.args.join(' ')}]\nSee 'kubectl create -h' for help and examples`);
      throw new KubectlError('error: must specify one of -f and -k');
    }
    return createFromFiles(k, flags);
  }
  const rest = [...argv.slice(0, first), ...argv.slice(first + 1)];
  if (sub === 'service') return createService(k, rest);
  if (sub === 'secret') {
    // Only the generic kind (docker-registry and tls need credentials and certificates the lab does not have).
    const i = firstPositional(rest, GENERATOR_FLAGS.secret);
    if (i < 0 || rest[i] !== 'generic')
      throw new KubectlError(i < 0 ? "error: Required resource not specified.\nSee 'kubectl create secret -h' for help and examples" : `error: kubectl create secret ${rest[i]} is not available in this lab cluster; use 'kubectl create secret generic'`);
    rest.splice(i, 1);
  }
  const path = sub === 'secret' ? 'kubectl create secret generic' : `kubectl create ${sub}`;
  const flags = new Flags(parseFlags(rest, [...OUTPUT_FLAGS, ...GENERATOR_FLAGS[sub]!], path));
  const nsFlag = flags.changed('namespace') ? flags.str('namespace') : undefined;
  switch (sub) {
    case 'deployment': {
      const name = oneName(flags, path);
      const images = flags.list('image');
      if (!flags.changed('image')) throw new KubectlError('error: required flag(s) "image" not set');
      const command = flags.parsed.argsLenAtDash >= 0 ? flags.args.slice(flags.parsed.argsLenAtDash) : [];
      if (images.length > 1 && command.length) throw new KubectlError('error: cannot specify multiple --image options and command');
      const rng = k.ctx.world.rng.fork(`kubectl-create-deployment/${name}`);
      const obj = deploymentObject({ name, namespace: nsFlag, images, replicas: flags.int('replicas'), port: flags.int('port'), command, rand: (n) => rng.int(n) });
      return submit(k, flags, RESOURCES.deployments, obj);
    }
    case 'namespace': {
      const name = oneName(flags, path);
      return submit(k, flags, RESOURCES.namespaces, namespaceObject(name));
    }
    case 'configmap':
    case 'secret': {
      const name = oneName(flags, path);
      const data: Record<string, string> = {};
      const add = (key: string, value: string) => {
        if (key in data) throw new KubectlError(`error: cannot add key ${key}, another key by that name already exists in Data for ${sub === 'secret' ? 'Secret' : 'ConfigMap'} "${name}"`);
        data[key] = value;
      };
      for (const lit of flags.list('from-literal')) {
        const i = lit.indexOf('=');
        if (i <= 0) throw new KubectlError(`error: invalid literal source ${lit}, expected key=value`);
        add(lit.slice(0, i), lit.slice(i + 1));
      }
      for (const src of flags.list('from-file')) {
        const eq = src.indexOf('=');
        const key = eq > 0 ? src.slice(0, eq) : src.split('/').pop()!;
        const p = k.ctx.resolvePath(eq > 0 ? src.slice(eq + 1) : src);
        const text = k.ctx.host.fs.readFile(p);
        if (text === undefined) throw new KubectlError(`error: error reading ${eq > 0 ? src.slice(eq + 1) : src}: no such file or directory`);
        add(key, text);
      }
      if (sub === 'secret') return submit(k, flags, RESOURCES.secrets, secretObject(name, nsFlag, data, flags.str('type')));
      return submit(k, flags, RESOURCES.configmaps, configMapObject(name, nsFlag, data));
    }
    case 'serviceaccount': {
      const name = oneName(flags, path);
      return submit(k, flags, RESOURCES.serviceaccounts, serviceAccountObject(name, nsFlag));
    }
    case 'ingress': {
      const name = oneName(flags, path);
      const obj = ingressObject({
        name,
        namespace: nsFlag,
        rules: flags.list('rule'),
        className: flags.str('class'),
        defaultBackend: flags.str('default-backend'),
        annotations: flags.list('annotation'),
      });
      return submit(k, flags, RESOURCES.ingresses, obj);
    }
  }
  throw new KubectlError('error: unknown generator');
}

async function createService(k: Kube, argv: string[]): Promise<number> {
  const first = firstPositional(argv, OUTPUT_FLAGS);
  const types: Record<string, 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName'> = {
    clusterip: 'ClusterIP',
    nodeport: 'NodePort',
    loadbalancer: 'LoadBalancer',
    externalname: 'ExternalName',
  };
  const typeWord = first >= 0 ? argv[first]! : '';
  const type = types[typeWord];
  if (!type) {
    if (first < 0) throw new KubectlError(`error: Required resource not specified.\nSee 'kubectl create service -h' for help and examples`);
    const rest = argv.filter((a) => !a.startsWith('-'));
    throw new KubectlError(`error: unknown command "${rest.join(' ')}"\nSee 'kubectl create service -h' for help and examples`);
  }
  const path = `kubectl create service ${typeWord}`;
  const rest = [...argv.slice(0, first), ...argv.slice(first + 1)];
  const defs: FlagDef[] = [...OUTPUT_FLAGS];
  if (type !== 'ExternalName') defs.push({ name: 'tcp', type: 'stringSlice' });
  else defs.push({ name: 'tcp', type: 'stringSlice' }, { name: 'external-name', type: 'string', default: '' });
  if (type === 'ClusterIP') defs.push({ name: 'clusterip', type: 'string', default: '' });
  if (type === 'NodePort') defs.push({ name: 'node-port', type: 'int', default: 0 });
  const flags = new Flags(parseFlags(rest, defs, path));
  const name = oneName(flags, path);
  if (type === 'ExternalName' && !flags.changed('external-name')) throw new KubectlError('error: required flag(s) "external-name" not set');
  if (type !== 'ExternalName' && flags.list('tcp').length === 0) throw new KubectlError('error: at least one tcp port specifier must be provided');
  const obj = serviceObject({
    name,
    namespace: flags.changed('namespace') ? flags.str('namespace') : undefined,
    type,
    tcp: flags.list('tcp'),
    nodePort: type === 'NodePort' ? flags.int('node-port') : 0,
    clusterIP: type === 'ClusterIP' ? flags.str('clusterip') : '',
    externalName: type === 'ExternalName' ? flags.str('external-name') : '',
  });
  return submit(k, flags, RESOURCES.services, obj);
}

/** `error when creating "svc.yaml": …` as kubectl's AddSourceToErr words it (Invalid keeps its own form). */
export function withSource(e: unknown, verb: string, source: string): unknown {
  if (e instanceof ApiError && e.reason !== 'Invalid') {
    const wrapped = new ApiError(e.reason, `error when ${verb} "${source}": ${e.message}`, e.details);
    return wrapped;
  }
  return e;
}

async function createFromFiles(k: Kube, flags: Flags): Promise<number> {
  const output = flags.str('output');
  checkOutputFormat(output);
  const dry = dryRunOf(flags);
  const docs = readManifests(k, flags.list('filename'), flags.bool('recursive'));
  if (docs.length === 0) throw new KubectlError('error: no objects passed to create');
  let failed = false;
  for (const d of docs) {
    const name = d.obj.metadata?.name ?? '';
    try {
      let result = d.obj;
      if (dry !== 'client') {
        const o = JSON.parse(JSON.stringify(d.obj)) as KubeObject;
        if (d.info.namespaced) {
          const flagNs = flags.changed('namespace') ? flags.str('namespace') : undefined;
          if (flagNs && o.metadata.namespace && o.metadata.namespace !== flagNs)
            throw new KubectlError(
              `error: the namespace from the provided object "${o.metadata.namespace}" does not match the namespace "${flagNs}". You must pass '--namespace=${o.metadata.namespace}' to perform this operation.`,
            );
          o.metadata.namespace = o.metadata.namespace || k.namespace(flags);
        }
        result = k.store.create(d.info.resource, o, { dryRun: dry === 'server', fieldManager: 'kubectl-create' });
      }
      if (output) k.out(printStructured([result], output, true, () => d.info));
      else k.out(`${objectRef(d.info, result.metadata.name ?? name)} created${dry === 'client' ? ' (dry run)' : dry === 'server' ? ' (server dry run)' : ''}\n`);
    } catch (e) {
      if (e instanceof KubectlError) throw e;
      failed = true;
      k.report(isApiError(e) ? withSource(e, 'creating', d.source) : e);
    }
  }
  return failed ? 1 : 0;
}
