/**
 * The API's resource registry, as discovery (`kubectl api-resources`) describes it: plural resource name as in
 * the REST path, kind, group/version, namespaced, short names. kubectl resolves `svc`, `service`, `services`,
 * `deploy`, `deployment.apps`, `ep`, `ing`, `no`, `ns`, `po`, `rs`, `cm`, `ev` through `resolveResource`.
 */

export type Resource =
  | 'namespaces'
  | 'nodes'
  | 'pods'
  | 'services'
  | 'endpoints'
  | 'endpointslices'
  | 'deployments'
  | 'replicasets'
  | 'ingresses'
  | 'ingressclasses'
  | 'configmaps'
  | 'secrets'
  | 'events'
  | 'serviceaccounts';

export interface ResourceInfo {
  readonly resource: Resource;
  readonly singular: string;
  readonly kind: string;
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** `v1` or `apps/v1`. */
  readonly apiVersion: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly verbs: readonly string[];
  /** `deployments.apps` (core resources are just `pods`): how the API server names the resource in errors. */
  readonly qualifiedResource: string;
  /** `Deployment.apps` (core: `Service`): how the API server names the kind in Invalid errors. */
  readonly qualifiedKind: string;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

function info(
  resource: Resource,
  singular: string,
  kind: string,
  group: string,
  version: string,
  namespaced: boolean,
  shortNames: string[],
  verbs: readonly string[] = ALL_VERBS,
): ResourceInfo {
  return {
    resource,
    singular,
    kind,
    group,
    version,
    apiVersion: group ? `${group}/${version}` : version,
    namespaced,
    shortNames,
    verbs,
    qualifiedResource: group ? `${resource}.${group}` : resource,
    qualifiedKind: group ? `${kind}.${group}` : kind,
  };
}

export const RESOURCES: Readonly<Record<Resource, ResourceInfo>> = {
  configmaps: info('configmaps', 'configmap', 'ConfigMap', '', 'v1', true, ['cm']),
  endpoints: info('endpoints', 'endpoints', 'Endpoints', '', 'v1', true, ['ep']),
  events: info('events', 'event', 'Event', '', 'v1', true, ['ev']),
  namespaces: info('namespaces', 'namespace', 'Namespace', '', 'v1', false, ['ns'], ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']),
  nodes: info('nodes', 'node', 'Node', '', 'v1', false, ['no']),
  pods: info('pods', 'pod', 'Pod', '', 'v1', true, ['po']),
  secrets: info('secrets', 'secret', 'Secret', '', 'v1', true, []),
  serviceaccounts: info('serviceaccounts', 'serviceaccount', 'ServiceAccount', '', 'v1', true, ['sa']),
  services: info('services', 'service', 'Service', '', 'v1', true, ['svc'], ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']),
  deployments: info('deployments', 'deployment', 'Deployment', 'apps', 'v1', true, ['deploy']),
  replicasets: info('replicasets', 'replicaset', 'ReplicaSet', 'apps', 'v1', true, ['rs']),
  endpointslices: info('endpointslices', 'endpointslice', 'EndpointSlice', 'discovery.k8s.io', 'v1', true, []),
  ingressclasses: info('ingressclasses', 'ingressclass', 'IngressClass', 'networking.k8s.io', 'v1', false, []),
  ingresses: info('ingresses', 'ingress', 'Ingress', 'networking.k8s.io', 'v1', true, ['ing']),
};

/** In `kubectl api-resources` order (sorted by group, then name). */
export const RESOURCE_LIST: readonly ResourceInfo[] = Object.values(RESOURCES).sort(
  (a, b) => (a.group === b.group ? a.resource.localeCompare(b.resource) : a.group === '' ? -1 : b.group === '' ? 1 : a.group.localeCompare(b.group)),
);

const byKind = new Map<string, ResourceInfo>(RESOURCE_LIST.map((r) => [r.kind, r]));

export function resourceForKind(kind: string): ResourceInfo | undefined {
  return byKind.get(kind);
}

/**
 * Resolve what a user typed (`svc`, `Service`, `services`, `deployment.apps`, `deploy.apps`, `deployments.v1.apps`)
 * to a resource, as kubectl's RESTMapper does (case-insensitive). Undefined when the server has no such type:
 * kubectl then prints `error: the server doesn't have a resource type "foo"`.
 */
export function resolveResource(typed: string): ResourceInfo | undefined {
  const t = typed.toLowerCase();
  let name = t;
  let group: string | undefined;
  const dot = t.indexOf('.');
  if (dot > 0) {
    name = t.slice(0, dot);
    let rest = t.slice(dot + 1);
    // `deployments.v1.apps`: version then group.
    const m = /^(v\d+(?:(?:alpha|beta)\d+)?)\.(.*)$/.exec(rest);
    if (m) rest = m[2]!;
    group = rest;
  }
  for (const r of RESOURCE_LIST) {
    if (group !== undefined && r.group !== group && !(group === '' && r.group === '')) continue;
    if (r.resource === name || r.singular === name || r.kind.toLowerCase() === name || r.shortNames.includes(name)) return r;
  }
  return undefined;
}
