/**
 * `kubectl describe`: kubectl's describers (k8s.io/kubectl/pkg/describe) for Service, Pod, Deployment,
 * ReplicaSet, Endpoints, EndpointSlice, Ingress, Node, Namespace, ConfigMap — the same labels, the same order,
 * laid out by one tabwriter (padding 2) whose column blocks end at every line without a tab, plus the Events table.
 */
import type { ResourceInfo } from '../../api/resources';
import type { KubeObject } from '../../api/types';
import { Flags, KubectlError, parseFlags, type FlagDef } from './flags';
import { errorText, type Kube } from './context';
import { age } from './printers/duration';
import { formatLabels, labelSelectorString } from './printers/columns';
import { Tabwriter } from './printers/tabwriter';
import { resolveTargets } from './resolve';

const DESCRIBE_FLAGS: FlagDef[] = [
  { name: 'selector', short: 'l', type: 'string', default: '' },
  { name: 'all-namespaces', short: 'A', type: 'bool', default: false },
  { name: 'show-events', type: 'bool', default: true },
  { name: 'filename', short: 'f', type: 'stringSlice' },
  { name: 'recursive', short: 'R', type: 'bool', default: false },
  { name: 'chunk-size', type: 'int', default: 500 },
];

/** kubectl's PrefixWriter: LEVEL_n indents by 2n spaces. */
class Out {
  text = '';
  w(level: number, s: string): void {
    this.text += '  '.repeat(level) + s;
  }
}

const MAX_ANNOTATION_LEN = 140;

/** Go's time.RFC1123Z in UTC: `Thu, 01 Jan 2026 00:00:05 +0000`. */
export function rfc1123z(ts: string | undefined): string {
  if (!ts) return '';
  const d = new Date(ts);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function labelsMultiline(o: Out, title: string, labels: Record<string, string> | undefined, initialIndent = '', innerIndent = '\t'): void {
  o.w(0, `${initialIndent}${title}:${innerIndent}`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    o.w(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) o.w(0, initialIndent + innerIndent);
    o.w(0, `${k}=${labels![k]}\n`);
  });
}

function annotationsMultiline(o: Out, title: string, annotations: Record<string, string> | undefined): void {
  o.w(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => k !== 'kubectl.kubernetes.io/last-applied-configuration')
    .sort();
  if (keys.length === 0) {
    o.w(0, '<none>\n');
    return;
  }
  keys.forEach((k, i) => {
    if (i !== 0) o.w(0, '\t');
    const value = annotations![k]!.replace(/\n$/, '');
    if (value.length + k.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      o.w(0, `${k}:\n`);
      for (const s of value.split('\n')) o.w(0, `\t  ${s.length > MAX_ANNOTATION_LEN - 2 ? s.slice(0, MAX_ANNOTATION_LEN - 5) + '...' : s}\n`);
    } else o.w(0, `${k}: ${value}\n`);
  });
}

function tolerationsMultiline(o: Out, title: string, tolerations: any[] | undefined, initialIndent = ''): void {
  o.w(0, `${initialIndent}${title}:\t`);
  if (!tolerations || tolerations.length === 0) {
    o.w(0, '<none>\n');
    return;
  }
  tolerations.forEach((t, i) => {
    if (i !== 0) o.w(0, initialIndent + '\t');
    let s = t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds != null) s += ` for ${t.tolerationSeconds}s`;
    o.w(0, s + '\n');
  });
}

function eventsFor(k: Kube, obj: KubeObject): KubeObject[] {
  const ns = obj.metadata.namespace;
  const items = k.store.list('events', ns ? { namespace: ns } : {}).items.filter((e) => {
    const io = e.involvedObject ?? {};
    return io.name === obj.metadata.name && io.kind === obj.kind && (!io.uid || !obj.metadata.uid || io.uid === obj.metadata.uid);
  });
  const t = (e: KubeObject) => Date.parse(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '') || 0;
  return items.sort((a, b) => t(a) - t(b));
}

function describeEvents(o: Out, events: KubeObject[], now: number): void {
  if (events.length === 0) {
    o.w(0, 'Events:\t<none>\n');
    return;
  }
  o.w(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  o.w(1, '----\t------\t----\t----\t-------\n');
  for (const e of events) {
    let interval: string;
    if ((e.count ?? 0) > 1) interval = `${age(e.lastTimestamp, now)} (x${e.count} over ${age(e.firstTimestamp, now)})`;
    else interval = e.firstTimestamp ? age(e.firstTimestamp, now) : age(e.eventTime, now);
    const source = e.source?.component || e.reportingComponent || '';
    o.w(1, `${e.type}\t${e.reason}\t${interval}\t${source}\t${String(e.message ?? '').trim()}\n`);
  }
}

function controllerOf(obj: KubeObject): string {
  const c = (obj.metadata.ownerReferences ?? []).find((r) => r.controller);
  return c ? `${c.kind}/${c.name}` : '';
}

// ---- containers and pod templates ----

function probeText(p: any): string {
  const attrs = `delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
  if (p.httpGet) {
    const scheme = String(p.httpGet.scheme ?? 'HTTP').toLowerCase();
    return `http-get ${scheme}://${p.httpGet.host ?? ''}:${p.httpGet.port}${p.httpGet.path ?? ''} ${attrs}`;
  }
  if (p.tcpSocket) return `tcp-socket ${p.tcpSocket.host ?? ''}:${p.tcpSocket.port} ${attrs}`;
  if (p.exec) return `exec [${(p.exec.command ?? []).join(' ')}] ${attrs}`;
  return `unknown ${attrs}`;
}

function describeState(o: Out, name: string, st: any): void {
  if (st?.running) {
    o.w(2, `${name}:\tRunning\n`);
    o.w(3, `Started:\t${rfc1123z(st.running.startedAt)}\n`);
  } else if (st?.waiting) {
    o.w(2, `${name}:\tWaiting\n`);
    if (st.waiting.reason) o.w(3, `Reason:\t${st.waiting.reason}\n`);
  } else if (st?.terminated) {
    const t = st.terminated;
    o.w(2, `${name}:\tTerminated\n`);
    if (t.reason) o.w(3, `Reason:\t${t.reason}\n`);
    if (t.message) o.w(3, `Message:\t${t.message}\n`);
    o.w(3, `Exit Code:\t${t.exitCode}\n`);
    if (t.signal > 0) o.w(3, `Signal:\t${t.signal}\n`);
    o.w(3, `Started:\t${rfc1123z(t.startedAt)}\n`);
    o.w(3, `Finished:\t${rfc1123z(t.finishedAt)}\n`);
  } else o.w(2, `${name}:\tWaiting\n`);
}

function describeResourceList(o: Out, title: string, list: Record<string, string> | undefined): void {
  const keys = Object.keys(list ?? {}).sort();
  if (!keys.length) return;
  o.w(2, `${title}:\n`);
  for (const k of keys) o.w(3, `${k}:\t${list![k]}\n`);
}

function describeContainers(o: Out, label: string, containers: any[], statuses: any[] | undefined, space: string): void {
  const byName = new Map<string, any>((statuses ?? []).map((s) => [s.name, s]));
  o.w(0, `${space}${label}:${containers.length ? '' : ' <none>'}\n`);
  for (const c of containers) {
    const st = statuses ? byName.get(c.name) : undefined;
    o.w(1, `${space ? ' ' : ''}${c.name}:\n`);
    if (st) o.w(2, `Container ID:\t${st.containerID ?? ''}\n`);
    o.w(2, `Image:\t${c.image}\n`);
    if (st) o.w(2, `Image ID:\t${st.imageID ?? ''}\n`);
    const ports = (c.ports ?? []).map((p: any) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ');
    if (ports.includes(',')) o.w(2, `Ports:\t${ports}\n`);
    else o.w(2, `Port:\t${ports || '<none>'}\n`);
    const hostPorts = (c.ports ?? []).map((p: any) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ');
    if (hostPorts.includes(',')) o.w(2, `Host Ports:\t${hostPorts}\n`);
    else o.w(2, `Host Port:\t${hostPorts || '<none>'}\n`);
    if (c.command?.length) {
      o.w(2, 'Command:\n');
      for (const x of c.command) for (const s of String(x).split('\n')) o.w(3, `${s}\n`);
    }
    if (c.args?.length) {
      o.w(2, 'Args:\n');
      for (const x of c.args) for (const s of String(x).split('\n')) o.w(3, `${s}\n`);
    }
    if (st) {
      describeState(o, 'State', st.state);
      if (st.lastState?.terminated) describeState(o, 'Last State', st.lastState);
      o.w(2, `Ready:\t${st.ready ? 'True' : 'False'}\n`);
      o.w(2, `Restart Count:\t${st.restartCount ?? 0}\n`);
    }
    describeResourceList(o, 'Limits', c.resources?.limits);
    describeResourceList(o, 'Requests', c.resources?.requests);
    if (c.livenessProbe) o.w(2, `Liveness:\t${probeText(c.livenessProbe)}\n`);
    if (c.readinessProbe) o.w(2, `Readiness:\t${probeText(c.readinessProbe)}\n`);
    if (c.startupProbe) o.w(2, `Startup:\t${probeText(c.startupProbe)}\n`);
    const env: any[] = c.env ?? [];
    o.w(2, `Environment:${env.length ? '' : '\t<none>'}\n`);
    for (const e of env) {
      if (e.valueFrom) {
        const f = e.valueFrom;
        if (f.fieldRef) o.w(3, `${e.name}:\t (${f.fieldRef.apiVersion ?? 'v1'}:${f.fieldRef.fieldPath})\n`);
        else if (f.configMapKeyRef) o.w(3, `${e.name}:\t<set to the key '${f.configMapKeyRef.key}' of config map '${f.configMapKeyRef.name}'>\tOptional: ${f.configMapKeyRef.optional ?? false}\n`);
        else if (f.secretKeyRef) o.w(3, `${e.name}:\t<set to the key '${f.secretKeyRef.key}' in secret '${f.secretKeyRef.name}'>\tOptional: ${f.secretKeyRef.optional ?? false}\n`);
        else o.w(3, `${e.name}:\t\n`);
        continue;
      }
      String(e.value ?? '').split('\n').forEach((s, i) => o.w(3, i === 0 ? `${e.name}:\t${s}\n` : `\t${s}\n`));
    }
    const mounts: any[] = [...(c.volumeMounts ?? [])].sort((a, b) => (a.mountPath < b.mountPath ? -1 : 1));
    o.w(2, `Mounts:${mounts.length ? '' : '\t<none>'}\n`);
    for (const m of mounts) {
      const fl = [m.readOnly ? 'ro' : 'rw'];
      if (m.subPath) fl.push(`path=${JSON.stringify(m.subPath)}`);
      o.w(3, `${m.mountPath} from ${m.name} (${fl.join(',')})\n`);
    }
  }
}

function describeVolumes(o: Out, volumes: any[] | undefined, space: string): void {
  if (!volumes || volumes.length === 0) {
    o.w(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  o.w(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    o.w(1, `${space ? ' ' : ''}${v.name}:\n`);
    if (v.projected) {
      o.w(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
      for (const s of v.projected.sources ?? []) {
        if (s.serviceAccountToken) o.w(2, `TokenExpirationSeconds:\t${s.serviceAccountToken.expirationSeconds ?? 3607}\n`);
        else if (s.configMap) o.w(2, `ConfigMapName:\t${s.configMap.name}\n    ConfigMapOptional:\t${s.configMap.optional ?? '<nil>'}\n`);
        else if (s.downwardAPI) o.w(2, 'DownwardAPI:\ttrue\n');
      }
    } else if (v.configMap) {
      o.w(2, 'Type:\tConfigMap (a volume populated by a ConfigMap)\n');
      o.w(2, `Name:\t${v.configMap.name}\n`);
      o.w(2, `Optional:\t${v.configMap.optional ?? false}\n`);
    } else if (v.emptyDir) {
      o.w(2, 'Type:\tEmptyDir (a temporary directory that shares a pod\'s lifetime)\n');
      o.w(2, `Medium:\t${v.emptyDir.medium ?? ''}\n`);
      o.w(2, `SizeLimit:\t${v.emptyDir.sizeLimit ?? '<unset>'}\n`);
    } else if (v.secret) {
      o.w(2, 'Type:\tSecret (a volume populated by a Secret)\n');
      o.w(2, `SecretName:\t${v.secret.secretName}\n`);
      o.w(2, `Optional:\t${v.secret.optional ?? false}\n`);
    } else o.w(2, `<unknown>\n`);
  }
}

function describePodTemplate(o: Out, template: any): void {
  o.w(0, 'Pod Template:\n');
  labelsMultiline(o, 'Labels', template?.metadata?.labels, '  ');
  if (Object.keys(template?.metadata?.annotations ?? {}).length) annotationsMultiline(o, '  Annotations', template.metadata.annotations);
  const spec = template?.spec ?? {};
  if (spec.serviceAccountName) o.w(1, `Service Account:\t${spec.serviceAccountName}\n`);
  if (spec.initContainers?.length) describeContainers(o, 'Init Containers', spec.initContainers, undefined, '  ');
  describeContainers(o, 'Containers', spec.containers ?? [], undefined, '  ');
  describeVolumes(o, spec.volumes, '  ');
  if (spec.priorityClassName) o.w(1, `Priority Class Name:\t${spec.priorityClassName}\n`);
  labelsMultiline(o, 'Node-Selectors', spec.nodeSelector, '  ');
  tolerationsMultiline(o, 'Tolerations', spec.tolerations, '  ');
}

// ---- describers ----

type Describer = (k: Kube, obj: KubeObject, showEvents: boolean) => string;

function finish(o: Out): string {
  const tw = new Tabwriter({ minwidth: 0, padding: 2 });
  tw.write(o.text);
  return tw.flush();
}

const describePod: Describer = (k, pod, showEvents) => {
  const o = new Out();
  const st = pod.status ?? {};
  o.w(0, `Name:\t${pod.metadata.name}\n`);
  o.w(0, `Namespace:\t${pod.metadata.namespace}\n`);
  if (pod.spec?.priority != null) o.w(0, `Priority:\t${pod.spec.priority}\n`);
  if (pod.spec?.priorityClassName) o.w(0, `Priority Class Name:\t${pod.spec.priorityClassName}\n`);
  if (pod.spec?.serviceAccountName) o.w(0, `Service Account:\t${pod.spec.serviceAccountName}\n`);
  o.w(0, pod.spec?.nodeName ? `Node:\t${pod.spec.nodeName}/${st.hostIP ?? ''}\n` : 'Node:\t<none>\n');
  if (st.startTime) o.w(0, `Start Time:\t${rfc1123z(st.startTime)}\n`);
  labelsMultiline(o, 'Labels', pod.metadata.labels);
  annotationsMultiline(o, 'Annotations', pod.metadata.annotations);
  if (pod.metadata.deletionTimestamp && st.phase !== 'Failed' && st.phase !== 'Succeeded') {
    o.w(0, `Status:\tTerminating (lasts ${age(pod.metadata.deletionTimestamp, k.now())})\n`);
    o.w(0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 30}s\n`);
  } else o.w(0, `Status:\t${st.phase ?? ''}\n`);
  if (st.reason) o.w(0, `Reason:\t${st.reason}\n`);
  if (st.message) o.w(0, `Message:\t${st.message}\n`);
  o.w(0, `IP:\t${st.podIP ?? ''}\n`);
  const ips: any[] = st.podIPs ?? [];
  if (ips.length === 0) o.w(0, 'IPs:\t<none>\n');
  else {
    o.w(0, 'IPs:\n');
    for (const ip of ips) o.w(1, `IP:\t${ip.ip}\n`);
  }
  const ctl = controllerOf(pod);
  if (ctl) o.w(0, `Controlled By:\t${ctl}\n`);
  if (st.nominatedNodeName) o.w(0, `NominatedNodeName:\t${st.nominatedNodeName}\n`);
  if (pod.spec?.initContainers?.length) describeContainers(o, 'Init Containers', pod.spec.initContainers, st.initContainerStatuses ?? [], '');
  describeContainers(o, 'Containers', pod.spec?.containers ?? [], st.containerStatuses ?? [], '');
  const conds: any[] = st.conditions ?? [];
  if (conds.length) {
    o.w(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conds) o.w(1, `${c.type} \t${c.status} \n`);
  }
  describeVolumes(o, pod.spec?.volumes, '');
  const qos = st.qosClass ?? 'BestEffort';
  o.w(0, `QoS Class:\t${qos}\n`);
  labelsMultiline(o, 'Node-Selectors', pod.spec?.nodeSelector);
  tolerationsMultiline(o, 'Tolerations', pod.spec?.tolerations);
  if (showEvents) describeEvents(o, eventsFor(k, pod), k.now());
  return finish(o);
};

/**
 * kubectl 1.32's `formatEndpointSlices`: ready endpoints of the named port, at most 3. Its "more" flag is set when a
 * fourth endpoint is visited, before the readiness filter (kubernetes#142209), so 3 ready endpoints followed by a
 * not-ready one print "+ 0 more..." — reproduced as the real binary prints it.
 */
function sliceEndpoints(slices: KubeObject[], portName: string | undefined): string {
  if (slices.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  const visit = (e: any, addr: string) => {
    if (list.length === 3) more = true;
    if (e.conditions?.ready === false) return;
    if (!more) list.push(addr);
    count++;
  };
  for (const s of slices) {
    const ports: any[] = s.ports ?? [];
    const eps: any[] = s.endpoints ?? [];
    if (portName === undefined || ports.length === 0) for (const e of eps) visit(e, e.addresses[0]);
    else
      for (const p of ports) {
        if ((p.name ?? '') !== portName) continue;
        for (const e of eps) visit(e, e.addresses[0].includes(':') ? `[${e.addresses[0]}]:${p.port}` : `${e.addresses[0]}:${p.port}`);
      }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - 3} more...` : ret;
}

const describeService: Describer = (k, svc, showEvents) => {
  const o = new Out();
  const spec = svc.spec ?? {};
  o.w(0, `Name:\t${svc.metadata.name}\n`);
  o.w(0, `Namespace:\t${svc.metadata.namespace}\n`);
  labelsMultiline(o, 'Labels', svc.metadata.labels);
  annotationsMultiline(o, 'Annotations', svc.metadata.annotations);
  o.w(0, `Selector:\t${formatLabels(spec.selector)}\n`);
  o.w(0, `Type:\t${spec.type}\n`);
  if (spec.ipFamilyPolicy) o.w(0, `IP Family Policy:\t${spec.ipFamilyPolicy}\n`);
  o.w(0, `IP Families:\t${(spec.ipFamilies ?? []).length ? spec.ipFamilies.join(',') : '<none>'}\n`);
  o.w(0, `IP:\t${spec.clusterIP ?? ''}\n`);
  o.w(0, `IPs:\t${(spec.clusterIPs ?? []).length ? spec.clusterIPs.join(',') : '<none>'}\n`);
  if ((spec.externalIPs ?? []).length) o.w(0, `External IPs:\t${spec.externalIPs.join(',')}\n`);
  if (spec.loadBalancerIP) o.w(0, `Desired LoadBalancer IP:\t${spec.loadBalancerIP}\n`);
  if (spec.externalName) o.w(0, `External Name:\t${spec.externalName}\n`);
  const ingress: any[] = svc.status?.loadBalancer?.ingress ?? [];
  if (ingress.length) {
    const list = ingress.map((i) => `${i.ip || i.hostname}${i.ipMode ? ` (${i.ipMode})` : ''}`).join(', ');
    o.w(0, `LoadBalancer Ingress:\t${list}\n`);
  }
  const slices = k.store
    .list('endpointslices', { namespace: svc.metadata.namespace, labelSelector: `kubernetes.io/service-name=${svc.metadata.name}` })
    .items;
  for (const p of spec.ports ?? []) {
    const name = p.name || '<unset>';
    o.w(0, `Port:\t${name}\t${p.port}/${p.protocol}\n`);
    o.w(0, `TargetPort:\t${p.targetPort}/${p.protocol}\n`);
    if (p.nodePort) o.w(0, `NodePort:\t${name}\t${p.nodePort}/${p.protocol}\n`);
    o.w(0, `Endpoints:\t${sliceEndpoints(slices, p.name ?? '')}\n`);
  }
  o.w(0, `Session Affinity:\t${spec.sessionAffinity ?? 'None'}\n`);
  if (spec.externalTrafficPolicy) o.w(0, `External Traffic Policy:\t${spec.externalTrafficPolicy}\n`);
  if (spec.internalTrafficPolicy) o.w(0, `Internal Traffic Policy:\t${spec.internalTrafficPolicy}\n`);
  if (spec.healthCheckNodePort) o.w(0, `HealthCheck NodePort:\t${spec.healthCheckNodePort}\n`);
  if ((spec.loadBalancerSourceRanges ?? []).length) o.w(0, `LoadBalancer Source Ranges:\t${spec.loadBalancerSourceRanges.join(',')}\n`);
  if (showEvents) describeEvents(o, eventsFor(k, svc), k.now());
  return finish(o);
};

function replicaSetsOf(k: Kube, d: KubeObject): { newRS?: KubeObject; old: KubeObject[] } {
  const rss = k.store.list('replicasets', { namespace: d.metadata.namespace }).items.filter((rs) =>
    (rs.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === d.metadata.uid),
  );
  const rev = d.metadata.annotations?.['deployment.kubernetes.io/revision'];
  let newRS = rss.find((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision'] === rev);
  if (!newRS) {
    const tmpl = JSON.stringify(stripHash(d.spec?.template));
    newRS = rss.find((rs) => JSON.stringify(stripHash(rs.spec?.template)) === tmpl);
  }
  return { newRS, old: rss.filter((rs) => rs !== newRS && (rs.spec?.replicas ?? 0) > 0) };
}

function stripHash(t: any): any {
  if (!t) return t;
  const c = JSON.parse(JSON.stringify(t));
  if (c.metadata?.labels) delete c.metadata.labels['pod-template-hash'];
  return c;
}

function rsList(list: KubeObject[]): string {
  if (!list.length) return '<none>';
  return list.map((rs) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`).join(', ');
}

const describeDeployment: Describer = (k, d, showEvents) => {
  const o = new Out();
  const st = d.status ?? {};
  o.w(0, `Name:\t${d.metadata.name}\n`);
  o.w(0, `Namespace:\t${d.metadata.namespace}\n`);
  o.w(0, `CreationTimestamp:\t${rfc1123z(d.metadata.creationTimestamp)}\n`);
  labelsMultiline(o, 'Labels', d.metadata.labels);
  annotationsMultiline(o, 'Annotations', d.metadata.annotations);
  o.w(0, `Selector:\t${labelSelectorString(d.spec?.selector)}\n`);
  o.w(0, `Replicas:\t${d.spec?.replicas ?? 1} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable\n`);
  const strategy = d.spec?.strategy ?? {};
  o.w(0, `StrategyType:\t${strategy.type ?? ''}\n`);
  o.w(0, `MinReadySeconds:\t${d.spec?.minReadySeconds ?? 0}\n`);
  if (strategy.rollingUpdate) o.w(0, `RollingUpdateStrategy:\t${strategy.rollingUpdate.maxUnavailable ?? '25%'} max unavailable, ${strategy.rollingUpdate.maxSurge ?? '25%'} max surge\n`);
  describePodTemplate(o, d.spec?.template);
  const conds: any[] = st.conditions ?? [];
  if (conds.length) {
    o.w(0, 'Conditions:\n  Type\tStatus\tReason\n');
    o.w(1, '----\t------\t------\n');
    for (const c of conds) o.w(1, `${c.type} \t${c.status}\t${c.reason}\n`);
  }
  const { newRS, old } = replicaSetsOf(k, d);
  if (newRS || old.length) {
    o.w(0, `OldReplicaSets:\t${rsList(old)}\n`);
    o.w(0, `NewReplicaSet:\t${rsList(newRS ? [newRS] : [])}\n`);
  }
  if (showEvents) describeEvents(o, eventsFor(k, d), k.now());
  return finish(o);
};

const describeReplicaSet: Describer = (k, rs, showEvents) => {
  const o = new Out();
  o.w(0, `Name:\t${rs.metadata.name}\n`);
  o.w(0, `Namespace:\t${rs.metadata.namespace}\n`);
  o.w(0, `Selector:\t${labelSelectorString(rs.spec?.selector)}\n`);
  labelsMultiline(o, 'Labels', rs.metadata.labels);
  annotationsMultiline(o, 'Annotations', rs.metadata.annotations);
  const ctl = controllerOf(rs);
  if (ctl) o.w(0, `Controlled By:\t${ctl}\n`);
  o.w(0, `Replicas:\t${rs.status?.replicas ?? 0} current / ${rs.spec?.replicas ?? 1} desired\n`);
  const pods = k.store.list('pods', { namespace: rs.metadata.namespace }).items.filter((p) =>
    (p.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === rs.metadata.uid),
  );
  const count = (phase: string) => pods.filter((p) => p.status?.phase === phase).length;
  o.w(0, `Pods Status:\t${count('Running')} Running / ${count('Pending')} Waiting / ${count('Succeeded')} Succeeded / ${count('Failed')} Failed\n`);
  describePodTemplate(o, rs.spec?.template);
  if (showEvents) describeEvents(o, eventsFor(k, rs), k.now());
  return finish(o);
};

const describeEndpoints: Describer = (k, ep, showEvents) => {
  const o = new Out();
  o.w(0, `Name:\t${ep.metadata.name}\n`);
  o.w(0, `Namespace:\t${ep.metadata.namespace}\n`);
  labelsMultiline(o, 'Labels', ep.metadata.labels);
  annotationsMultiline(o, 'Annotations', ep.metadata.annotations);
  o.w(0, 'Subsets:\n');
  for (const ss of (ep.subsets ?? []) as any[]) {
    o.w(1, `Addresses:\t${(ss.addresses ?? []).map((a: any) => a.ip).join(',') || '<none>'}\n`);
    o.w(1, `NotReadyAddresses:\t${(ss.notReadyAddresses ?? []).map((a: any) => a.ip).join(',') || '<none>'}\n`);
    if ((ss.ports ?? []).length) {
      o.w(1, 'Ports:\n');
      o.w(2, 'Name\tPort\tProtocol\n');
      o.w(2, '----\t----\t--------\n');
      for (const p of ss.ports) o.w(2, `${p.name || '<unset>'}\t${p.port}\t${p.protocol}\n`);
    }
    o.w(0, '\n');
  }
  if (showEvents) describeEvents(o, eventsFor(k, ep), k.now());
  return finish(o);
};

const describeEndpointSlice: Describer = (k, es, showEvents) => {
  const o = new Out();
  o.w(0, `Name:\t${es.metadata.name}\n`);
  o.w(0, `Namespace:\t${es.metadata.namespace}\n`);
  labelsMultiline(o, 'Labels', es.metadata.labels);
  annotationsMultiline(o, 'Annotations', es.metadata.annotations);
  o.w(0, `AddressType:\t${es.addressType}\n`);
  const ports: any[] = es.ports ?? [];
  if (ports.length === 0) o.w(0, 'Ports: <unset>\n');
  else {
    o.w(0, 'Ports:\n');
    o.w(1, 'Name\tPort\tProtocol\n');
    o.w(1, '----\t----\t--------\n');
    for (const p of ports) o.w(1, `${p.name || '<unset>'}\t${p.port ?? '<unset>'}\t${p.protocol}\n`);
  }
  const eps: any[] = es.endpoints ?? [];
  if (eps.length === 0) o.w(0, 'Endpoints: <none>\n');
  else {
    o.w(0, 'Endpoints:\n');
    for (const e of eps) {
      o.w(1, `- Addresses:\t${e.addresses.join(',')}\n`);
      o.w(2, 'Conditions:\n');
      o.w(3, `Ready:\t${e.conditions?.ready ?? '<unset>'}\n`);
      if (e.hostname) o.w(2, `Hostname:\t${e.hostname}\n`);
      if (e.targetRef) o.w(2, `TargetRef:\t${e.targetRef.kind}/${e.targetRef.name}\n`);
      o.w(2, `NodeName:\t${e.nodeName ?? '<unset>'}\n`);
      o.w(2, `Zone:\t${e.zone ?? '<unset>'}\n`);
    }
  }
  if (showEvents) describeEvents(o, eventsFor(k, es), k.now());
  return finish(o);
};

/** `svc:80 (10.244.1.5:8000,…)` from the backend Service's EndpointSlices (kubectl 1.32's describeBackendV1). */
function ingressBackend(k: Kube, ns: string, b: any): string {
  const svcName = b?.service?.name;
  if (!svcName) return b?.resource ? `APIGroup: ${b.resource.apiGroup ?? ''}, Kind: ${b.resource.kind}, Name: ${b.resource.name}` : '<default>';
  const port = b.service.port ?? {};
  const sb = `${svcName}:${port.number ? port.number : port.name ?? ''}`;
  const slices = k.store.list('endpointslices', { namespace: ns, labelSelector: `kubernetes.io/service-name=${svcName}` }).items;
  const svc = k.store.tryGet('services', ns, svcName);
  if (!svc) return `${sb} (<error: services "${svcName}" not found>)`;
  let spName = '';
  for (const sp of (svc.spec?.ports ?? []) as any[]) {
    if (port.number && port.number === sp.port) spName = sp.name ?? '';
    else if (port.name && port.name === sp.name) spName = sp.name ?? '';
  }
  return `${sb} (${sliceEndpoints(slices, spName)})`;
}

const describeIngress: Describer = (k, ing, showEvents) => {
  const o = new Out();
  const ns = ing.metadata.namespace!;
  o.w(0, `Name:\t${ing.metadata.name}\n`);
  labelsMultiline(o, 'Labels', ing.metadata.labels);
  o.w(0, `Namespace:\t${ns}\n`);
  const addrs = [...new Set<string>(((ing.status?.loadBalancer?.ingress ?? []) as any[]).map((i) => i.ip || i.hostname).filter(Boolean))].sort();
  o.w(0, `Address:\t${addrs.join(',')}\n`);
  o.w(0, `Ingress Class:\t${ing.spec?.ingressClassName ?? '<none>'}\n`);
  const def = ing.spec?.defaultBackend;
  o.w(0, `Default backend:\t${def ? ingressBackend(k, ns, def) : '<default>'}\n`);
  if ((ing.spec?.tls ?? []).length) {
    o.w(0, 'TLS:\n');
    for (const t of ing.spec.tls) {
      if (!t.secretName) o.w(1, `SNI routes ${(t.hosts ?? []).join(',')}\n`);
      else o.w(1, `${t.secretName} terminates ${(t.hosts ?? []).join(',')}\n`);
    }
  }
  o.w(0, 'Rules:\n  Host\tPath\tBackends\n');
  o.w(1, '----\t----\t--------\n');
  let count = 0;
  for (const r of (ing.spec?.rules ?? []) as any[]) {
    if (!r.http) continue;
    count++;
    o.w(1, `${r.host || '*'}\t\n`);
    for (const p of r.http.paths ?? []) o.w(2, `\t${p.path ?? ''} \t${ingressBackend(k, ns, p.backend)}\n`);
  }
  if (count === 0) o.w(1, `*\t*\t${def ? ingressBackend(k, ns, def) : '<default>'}\n`);
  annotationsMultiline(o, 'Annotations', ing.metadata.annotations);
  if (showEvents) describeEvents(o, eventsFor(k, ing), k.now());
  return finish(o);
};

const describeNamespace: Describer = (k, ns) => {
  const o = new Out();
  o.w(0, `Name:\t${ns.metadata.name}\n`);
  labelsMultiline(o, 'Labels', ns.metadata.labels);
  annotationsMultiline(o, 'Annotations', ns.metadata.annotations);
  o.w(0, `Status:\t${ns.status?.phase ?? ''}\n`);
  o.w(0, '\nNo resource quota.\n\nNo LimitRange resource.\n');
  return finish(o);
};

const describeConfigMap: Describer = (k, cm, showEvents) => {
  const o = new Out();
  o.w(0, `Name:\t${cm.metadata.name}\n`);
  o.w(0, `Namespace:\t${cm.metadata.namespace}\n`);
  labelsMultiline(o, 'Labels', cm.metadata.labels);
  annotationsMultiline(o, 'Annotations', cm.metadata.annotations);
  o.w(0, '\nData\n====\n');
  for (const key of Object.keys(cm.data ?? {}).sort()) {
    o.w(0, `${key}:\n----\n`);
    o.w(0, `${cm.data[key]}\n\n`);
  }
  o.w(0, '\nBinaryData\n====\n');
  for (const key of Object.keys(cm.binaryData ?? {}).sort()) o.w(0, `${key}: ${cm.binaryData[key].length} bytes\n`);
  o.w(0, '\n');
  if (showEvents) describeEvents(o, eventsFor(k, cm), k.now());
  return finish(o);
};

const describeNode: Describer = (k, node, showEvents) => {
  const o = new Out();
  const st = node.status ?? {};
  o.w(0, `Name:\t${node.metadata.name}\n`);
  const roles = Object.keys(node.metadata.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length))
    .sort();
  o.w(0, `Roles:\t${roles.join(',') || '<none>'}\n`);
  labelsMultiline(o, 'Labels', node.metadata.labels);
  annotationsMultiline(o, 'Annotations', node.metadata.annotations);
  o.w(0, `CreationTimestamp:\t${rfc1123z(node.metadata.creationTimestamp)}\n`);
  const taints: any[] = node.spec?.taints ?? [];
  o.w(0, `Taints:\t${taints.length ? '' : '<none>'}`);
  taints.forEach((t, i) => o.w(0, `${i ? '\t' : ''}${t.key}${t.value ? '=' + t.value : ''}:${t.effect}\n`));
  if (!taints.length) o.w(0, '\n');
  o.w(0, `Unschedulable:\t${node.spec?.unschedulable ? 'true' : 'false'}\n`);
  o.w(0, 'Lease:\n');
  o.w(1, `HolderIdentity:\t${node.metadata.name}\n`);
  o.w(1, `AcquireTime:\t<unset>\n`);
  o.w(1, `RenewTime:\t${rfc1123z(new Date(Math.trunc(k.now() / 1000) * 1000).toISOString())}\n`);
  const conds: any[] = st.conditions ?? [];
  if (conds.length) {
    o.w(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    o.w(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conds) o.w(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason} \t${c.message}\n`);
  }
  o.w(0, 'Addresses:\n');
  for (const a of (st.addresses ?? []) as any[]) o.w(1, `${a.type}:\t${a.address}\n`);
  const res = (title: string, r: Record<string, string> | undefined) => {
    if (!r) return;
    o.w(0, `${title}:\n`);
    for (const key of Object.keys(r).sort()) o.w(1, `${key}:\t${r[key]}\n`);
  };
  res('Capacity', st.capacity);
  res('Allocatable', st.allocatable);
  const ni = st.nodeInfo ?? {};
  o.w(0, 'System Info:\n');
  const info: [string, string][] = [
    ['Machine ID', ni.machineID],
    ['System UUID', ni.systemUUID],
    ['Boot ID', ni.bootID],
    ['Kernel Version', ni.kernelVersion],
    ['OS Image', ni.osImage],
    ['Operating System', ni.operatingSystem],
    ['Architecture', ni.architecture],
    ['Container Runtime Version', ni.containerRuntimeVersion],
    ['Kubelet Version', ni.kubeletVersion],
    ['Kube-Proxy Version', ni.kubeProxyVersion ?? ''],
  ];
  for (const [kk, v] of info) o.w(1, `${kk}:\t${v ?? ''}\n`);
  if (node.spec?.podCIDR) o.w(0, `PodCIDR:\t${node.spec.podCIDR}\n`);
  if ((node.spec?.podCIDRs ?? []).length) o.w(0, `PodCIDRs:\t${node.spec.podCIDRs.join(',')}\n`);
  if (node.spec?.providerID) o.w(0, `ProviderID:\t${node.spec.providerID}\n`);
  const pods = k.store.list('pods', { fieldSelector: `spec.nodeName=${node.metadata.name}` }).items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const alloc = st.allocatable ?? {};
  const allocCpu = cpuMilli(alloc.cpu ?? '0');
  const allocMem = memBytes(alloc.memory ?? '0');
  const pct = (v: number, total: number) => (total > 0 ? Math.trunc((v / total) * 100) : 0);
  const cell = (v: number, total: number, fmt: (n: number) => string) => `${fmt(v)} (${pct(v, total)}%)`;
  o.w(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  o.w(1, 'Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  o.w(1, '---------\t----\t------------\t----------\t---------------\t-------------\t---\n');
  const total = { cr: 0, cl: 0, mr: 0, ml: 0 };
  for (const p of pods) {
    const r = podResources(p);
    total.cr += r.cr;
    total.cl += r.cl;
    total.mr += r.mr;
    total.ml += r.ml;
    o.w(
      1,
      `${p.metadata.namespace}\t${p.metadata.name}\t${cell(r.cr, allocCpu, fmtCpu)}\t${cell(r.cl, allocCpu, fmtCpu)}\t${cell(r.mr, allocMem, fmtMem)}\t${cell(r.ml, allocMem, fmtMem)}\t${age(p.metadata.creationTimestamp, k.now())}\n`,
    );
  }
  o.w(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  o.w(1, 'Resource\tRequests\tLimits\n');
  o.w(1, '--------\t--------\t------\n');
  o.w(1, `cpu\t${cell(total.cr, allocCpu, fmtCpu)}\t${cell(total.cl, allocCpu, fmtCpu)}\n`);
  o.w(1, `memory\t${cell(total.mr, allocMem, fmtMem)}\t${cell(total.ml, allocMem, fmtMem)}\n`);
  o.w(1, 'ephemeral-storage\t0 (0%)\t0 (0%)\n');
  o.w(1, 'hugepages-1Gi\t0 (0%)\t0 (0%)\n');
  o.w(1, 'hugepages-2Mi\t0 (0%)\t0 (0%)\n');
  if (showEvents) describeEvents(o, eventsFor(k, node), k.now());
  return finish(o);
};

/** CPU quantity (`100m`, `1`, `0.5`) in millicores. */
function cpuMilli(q: string): number {
  if (q.endsWith('m')) return Number(q.slice(0, -1)) || 0;
  return Math.round((Number(q) || 0) * 1000);
}

const MEM_UNITS: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** Memory quantity (`70Mi`, `8029428Ki`, `1G`, `128974848`) in bytes. */
function memBytes(q: string): number {
  const m = /^([0-9.]+)([A-Za-z]*)$/.exec(q);
  if (!m) return 0;
  return Math.round(Number(m[1]) * (MEM_UNITS[m[2]!] ?? 1));
}

function fmtCpu(milli: number): string {
  if (milli === 0) return '0';
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

function fmtMem(bytes: number): string {
  if (bytes === 0) return '0';
  for (const [u, f] of [['Gi', 1024 ** 3], ['Mi', 1024 ** 2], ['Ki', 1024]] as const) if (bytes % f === 0) return `${bytes / f}${u}`;
  return String(bytes);
}

/** A pod's summed container requests and limits (a limit without a request counts as the request, as the API defaults it). */
function podResources(p: KubeObject): { cr: number; cl: number; mr: number; ml: number } {
  const r = { cr: 0, cl: 0, mr: 0, ml: 0 };
  for (const c of (p.spec?.containers ?? []) as any[]) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    r.cr += cpuMilli(req.cpu ?? lim.cpu ?? '0');
    r.cl += cpuMilli(lim.cpu ?? '0');
    r.mr += memBytes(req.memory ?? lim.memory ?? '0');
    r.ml += memBytes(lim.memory ?? '0');
  }
  return r;
}

const describeSecret: Describer = (k, sec) => {
  const o = new Out();
  o.w(0, `Name:\t${sec.metadata.name}\n`);
  o.w(0, `Namespace:\t${sec.metadata.namespace}\n`);
  labelsMultiline(o, 'Labels', sec.metadata.labels);
  annotationsMultiline(o, 'Annotations', sec.metadata.annotations);
  o.w(0, `\nType:\t${sec.type ?? 'Opaque'}\n`);
  o.w(0, '\nData\n====\n');
  // Values are never shown: only their decoded sizes.
  for (const key of Object.keys(sec.data ?? {}).sort()) o.w(0, `${key}:\t${decodedLength(sec.data[key])} bytes\n`);
  return finish(o);
};

function decodedLength(b64: string): number {
  const clean = String(b64).replace(/=+$/, '');
  return Math.floor((clean.length * 3) / 4);
}

const describeServiceAccount: Describer = (k, sa, showEvents) => {
  const o = new Out();
  o.w(0, `Name:\t${sa.metadata.name}\n`);
  o.w(0, `Namespace:\t${sa.metadata.namespace}\n`);
  labelsMultiline(o, 'Labels', sa.metadata.labels);
  annotationsMultiline(o, 'Annotations', sa.metadata.annotations);
  const list = (title: string, items: string[]) => {
    o.w(0, `${title}:\t${items.length ? items[0] : '<none>'}\n`);
    for (const i of items.slice(1)) o.w(0, `\t${i}\n`);
  };
  list('Image pull secrets', ((sa.imagePullSecrets ?? []) as any[]).map((s) => s.name));
  list('Mountable secrets', ((sa.secrets ?? []) as any[]).map((s) => s.name));
  list('Tokens', []);
  if (showEvents) describeEvents(o, eventsFor(k, sa), k.now());
  return finish(o);
};

const describeGeneric: Describer = (k, obj, showEvents) => {
  const o = new Out();
  o.w(0, `Name:\t${obj.metadata.name}\n`);
  if (obj.metadata.namespace) o.w(0, `Namespace:\t${obj.metadata.namespace}\n`);
  labelsMultiline(o, 'Labels', obj.metadata.labels);
  annotationsMultiline(o, 'Annotations', obj.metadata.annotations);
  if (obj.spec?.controller) o.w(0, `Controller:\t${obj.spec.controller}\n`);
  if (showEvents) describeEvents(o, eventsFor(k, obj), k.now());
  return finish(o);
};

const DESCRIBERS: Partial<Record<string, Describer>> = {
  pods: describePod,
  services: describeService,
  deployments: describeDeployment,
  replicasets: describeReplicaSet,
  endpoints: describeEndpoints,
  endpointslices: describeEndpointSlice,
  ingresses: describeIngress,
  namespaces: describeNamespace,
  nodes: describeNode,
  configmaps: describeConfigMap,
  secrets: describeSecret,
  serviceaccounts: describeServiceAccount,
};

export function describeObject(k: Kube, info: ResourceInfo, obj: KubeObject, showEvents = true): string {
  return (DESCRIBERS[info.resource] ?? describeGeneric)(k, obj, showEvents);
}

export async function describe(k: Kube, argv: string[]): Promise<number> {
  const flags = new Flags(parseFlags(argv, DESCRIBE_FLAGS, 'kubectl describe'));
  if (flags.args.length === 0)
    throw new KubectlError(
      'You must specify the type of resource to describe. Use "kubectl api-resources" for a complete list of supported resources.\n\nerror: Required resource not specified.\nSee \'kubectl describe -h\' for help and examples',
    );
  const ns = k.namespace(flags);
  const all = flags.bool('all-namespaces');
  const showEvents = flags.bool('show-events');
  const chunks: string[] = [];
  const errors: string[] = [];
  const targets = resolveTargets(flags.args);
  for (const t of targets) {
    const namespace = t.info.namespaced ? ns : undefined;
    if (t.names.length) {
      for (const name of t.names) {
        // kubectl describe accepts a name prefix when there is no exact match.
        const exact = k.store.tryGet(t.info.resource, namespace, name);
        const objs = exact
          ? [exact]
          : k.store.list(t.info.resource, { namespace }).items.filter((o) => o.metadata.name!.startsWith(name));
        if (objs.length === 0) {
          try {
            k.store.get(t.info.resource, namespace, name);
          } catch (e) {
            errors.push(errorText(e));
          }
          continue;
        }
        for (const o of objs) chunks.push(describeObject(k, t.info, o, showEvents));
      }
    } else {
      const items = k.store.list(t.info.resource, { namespace: all || !t.info.namespaced ? undefined : namespace, labelSelector: flags.str('selector') || undefined }).items;
      for (const o of items) chunks.push(describeObject(k, t.info, o, showEvents));
    }
  }
  if (chunks.length === 0 && errors.length === 0) {
    k.err(targets.every((t) => t.info.namespaced) && !all ? `No resources found in ${ns} namespace.\n` : 'No resources found\n');
    return 0;
  }
  k.out(chunks.join('\n\n'));
  for (const e of errors) k.err(e);
  return errors.length ? 1 : 0;
}
