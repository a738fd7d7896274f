/**
 * `kubectl expose (deployment|replicaset|pod|service) NAME`: a Service whose selector, labels and ports come
 * from the object (kubectl's generator: selector from matchLabels or the pod's labels, port from the container
 * ports when `--port` is absent, targetPort = port unless `--target-port`).
 */
import { RESOURCES, type ResourceInfo } from '../../api/resources';
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import type { Kube } from './context';
import { OUTPUT_FLAGS, submit } from './create';
import { readManifests } from './manifests';
import { resolveTargets } from './resolve';

const EXPOSE_FLAGS: FlagDef[] = [
  ...OUTPUT_FLAGS.filter((f) => f.name !== 'field-manager'),
  { name: 'field-manager', type: 'string', default: 'kubectl-expose' },
  { name: 'port', type: 'string', default: '' },
  { name: 'target-port', type: 'string', default: '' },
  { name: 'type', type: 'string', default: '' },
  { name: 'name', type: 'string', default: '' },
  { name: 'selector', type: 'string', default: '' },
  { name: 'protocol', type: 'string', default: '' },
  { name: 'labels', short: 'l', type: 'string', default: '' },
  { name: 'external-ip', type: 'string', default: '' },
  { name: 'load-balancer-ip', type: 'string', default: '' },
  { name: 'session-affinity', type: 'string', default: '' },
  { name: 'cluster-ip', type: 'string', default: '' },
  { name: 'override-type', type: 'string', default: 'merge' },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
];

const HELP = "See 'kubectl expose -h' for help and examples";

function parseMap(text: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) throw new KubectlError(`error: invalid ${what} format: ${part}`);
    out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

function selectorOf(obj: KubeObject): Record<string, string> {
  switch (obj.kind) {
    case 'Deployment':
    case 'ReplicaSet': {
      const sel = obj.spec?.selector ?? {};
      if ((sel.matchExpressions ?? []).length)
        throw new KubectlError(`error: couldn't retrieve selectors via --selector flag or introspection: couldn't convert expressions - "${JSON.stringify(sel.matchExpressions)}" to map: ${obj.kind.toLowerCase()}s cannot be exposed with expression selectors`);
      return { ...(sel.matchLabels ?? {}) };
    }
    case 'Pod':
      return { ...(obj.metadata.labels ?? {}) };
    case 'Service':
      return { ...(obj.spec?.selector ?? {}) };
  }
  throw new KubectlError(`error: cannot expose a ${obj.kind}`);
}

/** Container (or service) ports with their protocols, as kubectl's PortsForObject/ProtocolsForObject give them. */
function portsOf(obj: KubeObject): { port: number; protocol: string }[] {
  if (obj.kind === 'Service') return (obj.spec?.ports ?? []).map((p: any) => ({ port: p.port, protocol: p.protocol ?? 'TCP' }));
  const podSpec = obj.kind === 'Pod' ? obj.spec : obj.spec?.template?.spec;
  const out: { port: number; protocol: string }[] = [];
  for (const c of podSpec?.containers ?? []) for (const p of c.ports ?? []) out.push({ port: p.containerPort, protocol: p.protocol ?? 'TCP' });
  return out;
}

export async function expose(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, EXPOSE_FLAGS, 'kubectl expose'));
  if (flags.args.length === 0 && flags.list('filename').length === 0)
    throw new KubectlError(`error: You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'`);
  const ns = k.namespace(flags);
  const allowed = ['deployments', 'replicasets', 'pods', 'services'];
  let target: { info: ResourceInfo };
  let obj: KubeObject;
  if (flags.list('filename').length > 0) {
    // `expose -f FILE`: the object as the file describes it (kubectl does not fetch it); the first one is exposed.
    const doc = readManifests(k, flags.list('filename'), flags.bool('recursive'))[0];
    if (!doc) throw new KubectlError('error: no objects passed to expose');
    target = doc;
    obj = doc.obj;
    if (!allowed.includes(target.info.resource)) throw new KubectlError(`error: cannot expose a ${target.info.kind}`);
  } else {
    const named = resolveTargets(flags.args, { allowAll: false })[0]!;
    if (named.names.length === 0) throw new KubectlError(`error: resource(s) were provided, but no name was specified`);
    if (!allowed.includes(named.info.resource)) throw new KubectlError(`error: cannot expose a ${named.info.kind}`);
    target = named;
    obj = k.store.get(named.info.resource, ns, named.names[0]!);
  }

  let selector: Record<string, string>;
  if (flags.str('selector')) selector = parseMap(flags.str('selector'), 'selector');
  else {
    selector = selectorOf(obj);
    if (Object.keys(selector).length === 0)
      throw new KubectlError(`error: couldn't retrieve selectors via --selector flag or introspection: the ${target.info.singular} has no labels\n${HELP}`);
  }

  const protocolFlag = flags.str('protocol');
  let ports: { port: number; protocol: string }[];
  if (flags.str('port')) {
    ports = flags.str('port').split(',').map((p) => {
      if (!/^\d+$/.test(p)) throw new KubectlError(`error: strconv.Atoi: parsing ${JSON.stringify(p)}: invalid syntax`);
      return { port: Number(p), protocol: '' };
    });
  } else {
    ports = portsOf(obj);
    if (ports.length === 0) throw new KubectlError("error: couldn't find port via --port flag or introspection");
  }
  const servicePorts = ports.map((p, i) => {
    const sp: Record<string, unknown> = {};
    if (ports.length > 1) sp.name = `port-${i + 1}`;
    sp.protocol = protocolFlag || p.protocol || 'TCP';
    sp.port = p.port;
    const tp = flags.str('target-port');
    sp.targetPort = tp ? (/^\d+$/.test(tp) ? Number(tp) : tp) : p.port;
    return sp;
  });

  const name = (flags.str('name') || obj.metadata.name!).slice(0, 63);
  const labels = flags.str('labels') ? parseMap(flags.str('labels'), 'label') : { ...(obj.metadata.labels ?? {}) };
  const metadata: Record<string, unknown> = { name };
  if (flags.changed('namespace')) metadata.namespace = ns;
  metadata.creationTimestamp = null;
  if (Object.keys(labels).length) metadata.labels = labels;
  const spec: Record<string, unknown> = { ports: servicePorts, selector };
  if (flags.str('cluster-ip')) spec.clusterIP = flags.str('cluster-ip');
  if (flags.str('type')) spec.type = flags.str('type');
  if (flags.str('external-ip')) spec.externalIPs = flags.str('external-ip').split(',');
  if (flags.str('session-affinity')) spec.sessionAffinity = flags.str('session-affinity');
  if (flags.str('load-balancer-ip')) spec.loadBalancerIP = flags.str('load-balancer-ip');
  const svc = { kind: 'Service', apiVersion: 'v1', metadata, spec, status: { loadBalancer: {} } } as unknown as KubeObject;
  return submit(k, flags, RESOURCES.services, svc, 'exposed');
}
