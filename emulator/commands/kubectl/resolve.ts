/**
 * From what the user typed to resources and names, as kubectl's resource builder does: `pods`, `po x y`,
 * `deploy,svc`, `svc/web pod/x`, `all` (the "all" category), `deployment.apps`. Unknown types fail with
 * `error: the server doesn't have a resource type "foo"`.
 */
import { RESOURCES, resolveResource, type Resource, type ResourceInfo } from '../../api/resources';
import { KubectlError } from './flags';

/** The "all" category: the workload kinds kubectl expands `all` to, in its printing order (ours exist). */
export const ALL_CATEGORY: readonly Resource[] = ['pods', 'services', 'deployments', 'replicasets'];

export interface ResourceTarget {
  readonly info: ResourceInfo;
  /** Empty: every object (list). */
  readonly names: string[];
}

export function resolveType(typed: string): ResourceInfo {
  const r = resolveResource(typed);
  if (!r) throw new KubectlError(`error: the server doesn't have a resource type "${typed}"`);
  return r;
}

/**
 * Parse `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…`. `verb` picks the usage text for missing arguments.
 * Returns targets in the order typed (a type named twice is merged).
 */
export function resolveTargets(args: readonly string[], opts: { allowAll?: boolean } = {}): ResourceTarget[] {
  if (args.length === 0) return [];
  const slashForm = args[0]!.includes('/');
  if (slashForm) {
    const out: { info: ResourceInfo; names: string[] }[] = [];
    for (const a of args) {
      const i = a.indexOf('/');
      if (i < 0) throw new KubectlError(`error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
      const type = a.slice(0, i);
      const name = a.slice(i + 1);
      if (!name) throw new KubectlError(`error: arguments in resource/name form must have a single resource and name`);
      const info = resolveType(type);
      const prev = out.find((t) => t.info === info);
      if (prev) prev.names.push(name);
      else out.push({ info, names: [name] });
    }
    return out;
  }
  for (const a of args.slice(1)) {
    if (a.includes('/'))
      throw new KubectlError(`error: there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
  }
  const types: ResourceInfo[] = [];
  for (const t of args[0]!.split(',')) {
    // kubectl splits on commas and keeps empty parts: `get ''` and `get pods,` name the type "".
    if (t === '') throw new KubectlError(`error: the server doesn't have a resource type ""`);
    if (t.toLowerCase() === 'all' && opts.allowAll !== false) {
      for (const r of ALL_CATEGORY) if (!types.includes(RESOURCES[r])) types.push(RESOURCES[r]);
      continue;
    }
    const info = resolveType(t);
    if (!types.includes(info)) types.push(info);
  }
  // `kubectl delete pod,service baz foo` applies every name to every type.
  const names = args.slice(1);
  return types.map((info) => ({ info, names: [...names] }));
}
