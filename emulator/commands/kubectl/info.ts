/**
 * Cluster and client information: `version`, `api-resources`, `api-versions`, `cluster-info` (with kubectl's
 * colours), `config current-context|get-contexts|view|set-context --current --namespace`, and `top` (no metrics
 * server, so kubectl's error). Context names follow the profile: kind's `kind-svclab` locally, an EKS ARN in the
 * cloud.
 */
import { RESOURCE_LIST } from '../../api/resources';
import type { World } from '../../world';
import { Flags, KubectlError, firstPositional, parseFlags, type FlagDef } from './flags';
import type { Kube } from './context';
import { Tabwriter } from './printers/tabwriter';
import { toYaml } from './printers/yaml';
import { toJson } from './printers/json';

export const CLIENT_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.2',
  gitCommit: '67a30c0adcf52bd3f56ff0893ce19966be12991f',
  gitTreeState: 'clean',
  buildDate: '2025-02-12T21:26:09Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};
const KUSTOMIZE_VERSION = 'v5.5.0';

function serverVersion(world: World): typeof CLIENT_VERSION {
  if (world.profile === 'cloud')
    return { ...CLIENT_VERSION, gitVersion: 'v1.32.3-eks-4096722', gitCommit: '4096722ab9a6fbfe6d8b3a6ea7ea9a8c2a59a12b', buildDate: '2025-03-14T00:00:00Z', goVersion: 'go1.23.6' };
  return { ...CLIENT_VERSION, buildDate: '2025-02-25T04:36:00Z' };
}

/** Where kubectl thinks the API server is: kind maps a host port on 127.0.0.1; EKS has a regional endpoint. */
export function clusterEndpoint(world: World): { context: string; cluster: string; user: string; server: string } {
  const rng = world.rng.fork('kubeconfig');
  if (world.profile === 'cloud') {
    const hex = rng.string(32, '0123456789ABCDEF');
    const arn = 'arn:aws:eks:us-east-1:111122223333:cluster/svclab';
    return { context: arn, cluster: arn, user: arn, server: `https://${hex}.gr7.us-east-1.eks.amazonaws.com` };
  }
  const port = 32768 + rng.int(28000);
  return { context: 'kind-svclab', cluster: 'kind-svclab', user: 'kind-svclab', server: `https://127.0.0.1:${port}` };
}

/** The namespace `kubectl config set-context --current --namespace=X` made the default, per world. */
const contextNamespace = new WeakMap<World, string>();
export function defaultNamespace(world: World): string {
  return contextNamespace.get(world) ?? 'default';
}

export async function version(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, [{ name: 'client', type: 'bool', default: false }, { name: 'output', short: 'o', type: 'string', default: '' }], 'kubectl version'));
  const out = flags.str('output');
  if (out && out !== 'json' && out !== 'yaml') throw new KubectlError(`error: --output must be 'yaml' or 'json'`);
  const data: Record<string, unknown> = { clientVersion: CLIENT_VERSION, kustomizeVersion: KUSTOMIZE_VERSION };
  if (!flags.bool('client')) data.serverVersion = serverVersion(k.ctx.world);
  if (out === 'json') {
    // kubectl indents version JSON with two spaces.
    k.out(JSON.stringify(data, null, 2) + '\n');
    return 0;
  }
  if (out === 'yaml') {
    k.out(toYaml(data));
    return 0;
  }
  k.out(`Client Version: ${CLIENT_VERSION.gitVersion}\nKustomize Version: ${KUSTOMIZE_VERSION}\n`);
  if (!flags.bool('client')) k.out(`Server Version: ${serverVersion(k.ctx.world).gitVersion}\n`);
  return 0;
}

export async function apiResources(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(
    parseFlags(
      argv,
      [
        { name: 'output', short: 'o', type: 'string', default: '' },
        { name: 'namespaced', type: 'bool', default: true },
        { name: 'api-group', type: 'string', default: '' },
        { name: 'no-headers', type: 'bool', default: false },
        { name: 'sort-by', type: 'string', default: '' },
        { name: 'verbs', type: 'stringSlice' },
        { name: 'cached', type: 'bool', default: false },
        { name: 'categories', type: 'stringSlice' },
      ],
      'kubectl api-resources',
    ),
  );
  let list = [...RESOURCE_LIST];
  if (flags.changed('namespaced')) list = list.filter((r) => r.namespaced === flags.bool('namespaced'));
  if (flags.changed('api-group')) list = list.filter((r) => r.group === flags.str('api-group'));
  if (flags.list('verbs').length) list = list.filter((r) => flags.list('verbs').every((v) => r.verbs.includes(v)));
  if (flags.str('sort-by') === 'name') list.sort((a, b) => (a.resource < b.resource ? -1 : 1));
  const output = flags.str('output');
  if (output === 'name') {
    k.out(list.map((r) => (r.group ? `${r.resource}.${r.group}\n` : `${r.resource}\n`)).join(''));
    return 0;
  }
  if (output && output !== 'wide') throw new KubectlError(`error: --output ${output} is not available`);
  const tw = new Tabwriter({ minwidth: 6, padding: 3 });
  const wide = output === 'wide';
  if (!flags.bool('no-headers')) tw.write(['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])].join('\t') + '\n');
  for (const r of list) {
    const cells = [r.resource, r.shortNames.join(','), r.apiVersion, String(r.namespaced), r.kind];
    if (wide) cells.push(r.verbs.join(','), ['pods', 'services', 'deployments', 'replicasets'].includes(r.resource) ? 'all' : '');
    tw.write(cells.join('\t') + '\n');
  }
  k.out(tw.flush());
  return 0;
}

export async function apiVersions(k: Kube, argv: string[]): Promise<number> {
  parseFlags(argv, [], 'kubectl api-versions');
  const versions = [...new Set(RESOURCE_LIST.map((r) => r.apiVersion))].sort();
  k.out(versions.map((v) => v + '\n').join(''));
  return 0;
}

export async function clusterInfo(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, [], 'kubectl cluster-info'));
  if (flags.args[0] === 'dump') throw new KubectlError('error: cluster-info dump writes gigabytes of JSON; use kubectl get and describe on the objects you need here');
  const ep = clusterEndpoint(k.ctx.world);
  const green = (s: string) => `\x1b[0;32m${s}\x1b[0m`;
  const yellow = (s: string) => `\x1b[0;33m${s}\x1b[0m`;
  let out = `${green('Kubernetes control plane')} is running at ${yellow(ep.server)}\n`;
  const svcs = k.store.list('services', { namespace: 'kube-system', labelSelector: 'kubernetes.io/cluster-service=true' }).items;
  for (const s of svcs) {
    const name = s.metadata.labels?.['kubernetes.io/name'] ?? s.metadata.name!;
    const port = s.spec?.ports?.[0];
    const portPart = port?.name ? `:${port.name}` : port ? `:${port.port}` : '';
    out += `${green(name)} is running at ${yellow(`${ep.server}/api/v1/namespaces/kube-system/services/${s.metadata.name}${portPart}/proxy`)}\n`;
  }
  out += "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";
  k.out(out);
  return 0;
}

export async function config(k: Kube, argv: string[]): Promise<number> {
  const defs: FlagDef[] = [
    { name: 'output', short: 'o', type: 'string', default: '' },
    { name: 'minify', type: 'bool', default: false },
    { name: 'raw', type: 'bool', default: false },
    { name: 'flatten', type: 'bool', default: false },
    { name: 'current', type: 'bool', default: false },
    { name: 'no-headers', type: 'bool', default: false },
  ];
  const subIdx = firstPositional(argv, defs);
  const sub = subIdx >= 0 ? argv[subIdx]! : '';
  const rest = subIdx >= 0 ? [...argv.slice(0, subIdx), ...argv.slice(subIdx + 1)] : argv;
  const flags = new Flags(parseFlags(rest, defs, `kubectl config ${sub}`.trim()));
  const world = k.ctx.world;
  const ep = clusterEndpoint(world);
  const ns = contextNamespace.get(world);
  switch (sub) {
    case 'current-context':
      k.out(`${ep.context}\n`);
      return 0;
    case 'get-contexts': {
      if (flags.str('output') === 'name') {
        k.out(`${ep.context}\n`);
        return 0;
      }
      const tw = new Tabwriter({ minwidth: 6, padding: 3 });
      if (!flags.bool('no-headers')) tw.write('CURRENT\tNAME\tCLUSTER\tAUTHINFO\tNAMESPACE\n');
      tw.write(`*\t${ep.context}\t${ep.cluster}\t${ep.user}\t${ns ?? ''}\n`);
      k.out(tw.flush());
      return 0;
    }
    case 'get-clusters':
      k.out(`NAME\n${ep.cluster}\n`);
      return 0;
    case 'use-context': {
      const want = flags.args[0];
      if (!want) throw new KubectlError("error: Unexpected args: []\nSee 'kubectl config use-context -h' for help and examples");
      if (want !== ep.context) throw new KubectlError(`error: no context exists with the name: "${want}"`);
      k.out(`Switched to context "${want}".\n`);
      return 0;
    }
    case 'set-context': {
      const name = flags.bool('current') ? ep.context : flags.args[0];
      if (!name) throw new KubectlError("error: you must specify a non-empty context name or --current\nSee 'kubectl config set-context -h' for help and examples");
      const nsArg = rest.find((a) => a.startsWith('--namespace='))?.slice('--namespace='.length) ?? (flags.changed('namespace') ? flags.str('namespace') : undefined);
      if (nsArg !== undefined) {
        if (nsArg === '') contextNamespace.delete(world);
        else contextNamespace.set(world, nsArg);
      }
      k.out(`Context "${name}" modified.\n`);
      return 0;
    }
    case 'view': {
      const cloud = world.profile === 'cloud';
      const user: Record<string, unknown> = cloud
        ? {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1beta1',
              args: ['--region', 'us-east-1', 'eks', 'get-token', '--cluster-name', 'svclab', '--output', 'json'],
              command: 'aws',
              env: null,
              interactiveMode: 'IfAvailable',
              provideClusterInfo: false,
            },
          }
        : { 'client-certificate-data': 'DATA+OMITTED', 'client-key-data': 'DATA+OMITTED' };
      const context: Record<string, string> = { cluster: ep.cluster, user: ep.user };
      if (ns) context.namespace = ns;
      const cfg = {
        apiVersion: 'v1',
        clusters: [{ cluster: { 'certificate-authority-data': 'DATA+OMITTED', server: ep.server }, name: ep.cluster }],
        contexts: [{ context, name: ep.context }],
        'current-context': ep.context,
        kind: 'Config',
        preferences: {},
        users: [{ name: ep.user, user }],
      };
      k.out(flags.str('output') === 'json' ? toJson(cfg) : toYaml(cfg));
      return 0;
    }
  }
  throw new KubectlError(sub ? `error: unknown command "${sub}" for "kubectl config"` : "error: Required resource not specified.\nSee 'kubectl config -h' for help and examples");
}

export async function top(_k: Kube, _argv: string[]): Promise<number> {
  throw new KubectlError('error: Metrics API not available');
}

export async function explain(_k: Kube, argv: string[]): Promise<number> {
  if (argv.filter((a) => !a.startsWith('-')).length === 0)
    throw new KubectlError("error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a complete list of supported resources.\n");
  throw new KubectlError('error: kubectl explain needs the OpenAPI schema, which this lab cluster does not serve; see https://kubernetes.io/docs/reference/kubernetes-api/');
}
