/**
 * Defaulting, as the API server's scheme defaulters and default admission plugins fill in what a manifest left out
 * (what `kubectl create --dry-run=client -o yaml` does not show but `kubectl get -o yaml` does).
 */
import { clone, deepFreeze } from './meta';
import type { ResourceInfo } from './resources';
import type { Container, KubeObject, PodSpec } from './types';

/** `Always` for `:latest` or an untagged image, otherwise `IfNotPresent` (digest references too). */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  if (colon < 0) return 'Always';
  return image.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainer(c: Container): void {
  if (c === null || typeof c !== 'object') return;
  if (typeof c.image === 'string' && !c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  if (!c.resources) c.resources = {};
  if (!c.terminationMessagePath) c.terminationMessagePath = '/dev/termination-log';
  if (!c.terminationMessagePolicy) c.terminationMessagePolicy = 'File';
  if (Array.isArray(c.ports)) for (const p of c.ports) if (p && !p.protocol) p.protocol = 'TCP';
  for (const probe of [c.readinessProbe, c.livenessProbe, (c as any).startupProbe]) {
    if (!probe || typeof probe !== 'object') continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
    if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP';
    if (probe.httpGet) probe.httpGet.path ??= '/';
  }
}

/** Defaults shared by Pods and pod templates. */
export function defaultPodSpec(spec: PodSpec): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  if (Array.isArray(spec.containers)) for (const c of spec.containers) defaultContainer(c);
  if (Array.isArray(spec.initContainers)) for (const c of spec.initContainers) defaultContainer(c);
}

/**
 * The token volume's sources, the same in every pod: one frozen value shared by all of them (stored objects are
 * never mutated, and a copy handed out by a read is a deep copy), instead of eleven objects per pod.
 */
const TOKEN_SOURCES = deepFreeze([
  { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
  { configMap: { items: [{ key: 'ca.crt', path: 'ca.crt' }], name: 'kube-root-ca.crt' } },
  { downwardAPI: { items: [{ fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' }, path: 'namespace' }] } },
]);

/** The default NoExecute tolerations (DefaultTolerationSeconds), shared and frozen like the token sources. */
const DEFAULT_TOLERATIONS: Readonly<Record<string, object>> = {
  'node.kubernetes.io/not-ready': deepFreeze({ effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 }),
  'node.kubernetes.io/unreachable': deepFreeze({ effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 }),
};

/** The ServiceAccount admission plugin's projected token volume, mounted in every container. */
function addServiceAccountVolume(spec: Record<string, any>, suffix: string): void {
  if (spec.automountServiceAccountToken === false) return;
  const mountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  if (all.some((c: any) => (c?.volumeMounts ?? []).some((m: any) => m.mountPath === mountPath))) return;
  const name = `kube-api-access-${suffix}`;
  spec.volumes = [...(spec.volumes ?? []), { name, projected: { defaultMode: 420, sources: TOKEN_SOURCES } }];
  for (const c of all) if (c && typeof c === 'object') c.volumeMounts = [...(c.volumeMounts ?? []), { mountPath, name, readOnly: true }];
}

function defaultPod(pod: KubeObject, old: KubeObject | undefined, suffix: () => string): void {
  const spec = (pod.spec ??= {} as PodSpec) as PodSpec & Record<string, any>;
  defaultPodSpec(spec);
  if (old) return;
  // Admission plugins (ServiceAccount, Priority, DefaultTolerationSeconds) and pod-only defaults.
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  const tolerations: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerations.some((t) => t?.key === key))
      tolerations.push(DEFAULT_TOLERATIONS[key]);
  }
  spec.tolerations = tolerations;
  addServiceAccountVolume(spec, suffix());
  pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
}

/** Fields that stop applying when a Service changes type are dropped when unchanged (dropTypeDependentFields). */
function dropTypeDependentFields(spec: any, old: KubeObject): void {
  const o = old.spec ?? {};
  if (spec.type === o.type) return;
  const wantsNodePorts = spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
  if (!wantsNodePorts && Array.isArray(spec.ports)) {
    const had = new Set((o.ports ?? []).map((p: any) => p.nodePort).filter(Boolean));
    for (const p of spec.ports) if (p?.nodePort && had.has(p.nodePort)) delete p.nodePort;
  }
  if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer' && spec.externalTrafficPolicy === o.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  if (spec.type !== 'LoadBalancer') {
    if (spec.healthCheckNodePort === o.healthCheckNodePort) delete spec.healthCheckNodePort;
    if (spec.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
  }
  if (spec.type === 'ExternalName' && spec.clusterIP === o.clusterIP) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
}

function defaultService(svc: KubeObject, old: KubeObject | undefined): void {
  const spec = (svc.spec ??= {});
  if (old) dropTypeDependentFields(spec, old);
  spec.type ??= 'ClusterIP';
  if (spec.type === 'ExternalName') {
    spec.sessionAffinity ??= 'None';
  } else {
    spec.sessionAffinity ??= 'None';
    spec.internalTrafficPolicy ??= 'Cluster';
    if (spec.clusterIP && !spec.clusterIPs) spec.clusterIPs = [spec.clusterIP];
    if (spec.clusterIPs && !spec.clusterIP) spec.clusterIP = spec.clusterIPs[0];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports) {
      if (!p || typeof p !== 'object') continue;
      p.protocol ??= 'TCP';
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
  }
  // An update that leaves out what the server allocated keeps it (as PrepareForUpdate does for `kubectl apply`).
  if (old && old.spec.type === spec.type) {
    if (!spec.clusterIP && old.spec.clusterIP) {
      spec.clusterIP = old.spec.clusterIP;
      spec.clusterIPs = clone(old.spec.clusterIPs);
    }
    if (Array.isArray(spec.ports) && Array.isArray(old.spec.ports)) {
      for (const p of spec.ports) {
        if (p.nodePort) continue;
        const prev = old.spec.ports.find((o: any) => o.port === p.port && o.protocol === p.protocol) ?? (spec.ports.length === 1 && old.spec.ports.length === 1 ? old.spec.ports[0] : undefined);
        if (prev?.nodePort) p.nodePort = prev.nodePort;
      }
    }
    if (!spec.healthCheckNodePort && old.spec.healthCheckNodePort && spec.externalTrafficPolicy === 'Local') spec.healthCheckNodePort = old.spec.healthCheckNodePort;
  }
  if (!old) svc.status = { loadBalancer: {} };
}

function defaultDeployment(d: KubeObject, old: KubeObject | undefined): void {
  const spec = (d.spec ??= {});
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  spec.strategy ??= { type: 'RollingUpdate' };
  spec.strategy.type ??= 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
  }
  spec.template ??= {};
  spec.template.metadata ??= {};
  defaultPodSpec((spec.template.spec ??= {}));
  if (!old) d.status = {};
}

function defaultReplicaSet(rs: KubeObject, old: KubeObject | undefined): void {
  const spec = (rs.spec ??= {});
  spec.replicas ??= 1;
  spec.template ??= {};
  spec.template.metadata ??= {};
  defaultPodSpec((spec.template.spec ??= {}));
  if (!old) rs.status = { replicas: 0 };
}

function defaultNamespace(ns: KubeObject, old: KubeObject | undefined): void {
  const name = ns.metadata.name;
  if (name) ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  if (!old) {
    ns.spec = { finalizers: ['kubernetes'], ...(ns.spec ?? {}) };
    ns.status = { phase: 'Active' };
  }
}

/** Guaranteed when every container's requests equal its limits for cpu and memory, BestEffort with none. */
function qosClass(spec: Record<string, any>): string {
  const cs: any[] = spec.containers ?? [];
  const res = cs.map((c) => c?.resources ?? {});
  if (res.every((r) => !r.requests && !r.limits)) return 'BestEffort';
  const guaranteed = res.every((r) => ['cpu', 'memory'].every((k) => r.limits?.[k] !== undefined && (r.requests?.[k] ?? r.limits[k]) === r.limits[k]));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function defaultObject(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, suffix: () => string = () => 'xxxxx'): void {
  switch (info.resource) {
    case 'pods':
      return defaultPod(obj, old, suffix);
    case 'services':
      return defaultService(obj, old);
    case 'deployments':
      return defaultDeployment(obj, old);
    case 'replicasets':
      return defaultReplicaSet(obj, old);
    case 'namespaces':
      return defaultNamespace(obj, old);
    case 'endpoints':
      for (const s of obj.subsets ?? []) for (const p of s.ports ?? []) p.protocol ??= 'TCP';
      return;
    case 'endpointslices':
      for (const p of obj.ports ?? []) if (p) p.protocol ??= 'TCP';
      return;
    case 'secrets':
      obj.type ??= 'Opaque';
      return;
    default:
      return;
  }
}
