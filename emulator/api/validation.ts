/**
 * Validation with the API server's field paths and texts (k8s.io/apimachinery/pkg/util/validation and
 * pkg/apis/core/validation). Returns field errors; the store turns them into `<Kind> "<name>" is invalid: ...`.
 */
import { duplicate, forbiddenField, invalid, notSupported, required, type FieldError } from './errors';
import { deepEqual } from './meta';
import { validateIngress, validateIngressClass, validateIngressClassUpdate } from '../ingress/validation';
import type { ResourceInfo } from './resources';
import { selectorFromLabelSelector } from './selectors';
import type { KubeObject, LabelSelector } from './types';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const PORT_RANGE_MSG = 'must be between 1 and 65535, inclusive';

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && DNS1123_SUBDOMAIN.test(s);
}
export function isDns1035Label(s: string): boolean {
  return s.length <= 63 && DNS1035_LABEL.test(s);
}

type NameRule = 'label' | 'subdomain' | 'dns1035';
const NAME_RULES: Partial<Record<string, NameRule>> = {
  services: 'dns1035',
  namespaces: 'label',
};

function validateName(errs: FieldError[], field: string, name: string, rule: NameRule): void {
  const max = rule === 'subdomain' ? 253 : 63;
  if (name.length > max) errs.push(invalid(field, name, `must be no more than ${max} characters`));
  const re = rule === 'subdomain' ? DNS1123_SUBDOMAIN : rule === 'label' ? DNS1123_LABEL : DNS1035_LABEL;
  const msg = rule === 'subdomain' ? DNS1123_SUBDOMAIN_MSG : rule === 'label' ? DNS1123_LABEL_MSG : DNS1035_LABEL_MSG;
  if (!re.test(name)) errs.push(invalid(field, name, msg));
}

/**
 * A label or annotation key: optional DNS subdomain prefix, `/`, qualified name. At most one error (undefined when
 * valid: every object written runs this for each label, so the valid path allocates nothing).
 */
function qualifiedKeyError(field: string, key: string): FieldError | undefined {
  const slash = key.indexOf('/');
  let name = key;
  if (slash >= 0 && key.indexOf('/', slash + 1) < 0) {
    const prefix = key.slice(0, slash);
    name = key.slice(slash + 1);
    if (prefix.length === 0) return invalid(field, key, 'prefix part must be non-empty');
    if (!isDns1123Subdomain(prefix)) return invalid(field, key, `prefix part ${DNS1123_SUBDOMAIN_MSG}`);
  } else if (slash >= 0) {
    return (
      invalid(
        field,
        key,
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      )
    );
  }
  if (name.length === 0) return invalid(field, key, 'name part must be non-empty');
  if (name.length > 63) return invalid(field, key, 'name part must be no more than 63 characters');
  if (!QUALIFIED_NAME.test(name)) return invalid(field, key, QUALIFIED_NAME_MSG);
  return undefined;
}

export function validateLabels(field: string, labels: unknown): FieldError[] {
  const errs: FieldError[] = [];
  addLabelErrors(errs, field, labels);
  return errs;
}

/** validateLabels, appending to `errs`. */
function addLabelErrors(errs: FieldError[], field: string, labels: unknown): void {
  if (labels === undefined || labels === null) return;
  const l = labels as Record<string, unknown>;
  for (const k in l) {
    if (!Object.prototype.hasOwnProperty.call(l, k)) continue;
    const keyErr = qualifiedKeyError(field, k);
    if (keyErr) errs.push(keyErr);
    const v = l[k];
    const s = typeof v === 'string' ? v : String(v);
    if (s.length > 63) errs.push(invalid(field, s, 'must be no more than 63 characters'));
    else if (!LABEL_VALUE.test(s)) errs.push(invalid(field, s, LABEL_VALUE_MSG));
  }
}

function validateMeta(info: ResourceInfo, obj: KubeObject): FieldError[] {
  const m = obj.metadata;
  const errs: FieldError[] = [];
  if (!m.name) errs.push(required('metadata.name', 'name or generateName is required'));
  else if (info.resource !== 'events') validateName(errs, 'metadata.name', m.name, NAME_RULES[info.resource] ?? 'subdomain');
  if (info.namespaced && m.namespace && !isDns1123Label(m.namespace)) errs.push(invalid('metadata.namespace', m.namespace, DNS1123_LABEL_MSG));
  addLabelErrors(errs, 'metadata.labels', m.labels);
  if (m.annotations)
    for (const k of Object.keys(m.annotations)) {
      const keyErr = qualifiedKeyError('metadata.annotations', k);
      if (keyErr) errs.push(keyErr);
    }
  return errs;
}

function validPort(p: unknown): boolean {
  return typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;
}

const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function validatePortNameOrNumber(field: string, v: unknown): FieldError[] {
  if (typeof v === 'number') return validPort(v) ? [] : [invalid(field, v, PORT_RANGE_MSG)];
  if (typeof v === 'string') {
    if (v.length > 15) return [invalid(field, v, 'must be no more than 15 characters')];
    if (!IANA_SVC_NAME.test(v) || v.includes('--'))
      return [invalid(field, v, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)')];
    if (!/[a-z]/.test(v)) return [invalid(field, v, 'must contain at least one letter (a-z)')];
    return [];
  }
  return [invalid(field, v, PORT_RANGE_MSG)];
}

function validatePodSpec(path: string, spec: any): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec || typeof spec !== 'object') return [required(path)];
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    errs.push(required(`${path}.containers`));
    return errs;
  }
  // Field paths are only spelled out for an error (every pod created runs this).
  let first: string | undefined;
  let names: Set<string> | undefined;
  containers.forEach((c: any, i: number) => {
    const cp = () => `${path}.containers[${i}]`;
    if (!c?.name) errs.push(required(`${cp()}.name`));
    else {
      if (!isDns1123Label(c.name)) errs.push(invalid(`${cp()}.name`, c.name, DNS1123_LABEL_MSG));
      // One container (the usual pod) needs no set to find duplicates.
      if (first === undefined && names === undefined) first = c.name;
      else {
        if (!names) names = new Set([first!]);
        if (names.has(c.name)) errs.push(duplicate(`${cp()}.name`, c.name));
        names.add(c.name);
      }
    }
    if (!c?.image || typeof c.image !== 'string' || c.image.trim() === '') errs.push(required(`${cp()}.image`));
    if (c?.imagePullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy))
      errs.push(notSupported(`${cp()}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']));
    (c?.ports ?? []).forEach((p: any, j: number) => {
      const pp = () => `${cp()}.ports[${j}]`;
      if (p?.containerPort === undefined || p.containerPort === 0) errs.push(required(`${pp()}.containerPort`));
      else if (!validPort(p.containerPort)) errs.push(invalid(`${pp()}.containerPort`, p.containerPort, PORT_RANGE_MSG));
      if (p?.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(notSupported(`${pp()}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  if (spec.restartPolicy && !['Always', 'OnFailure', 'Never'].includes(spec.restartPolicy))
    errs.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, ['Always', 'OnFailure', 'Never']));
  return errs;
}

/** `v1.LabelSelector{MatchLabels:map[string]string{"app":"web"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}` */
export function goLabelSelector(s: LabelSelector | undefined): string {
  if (!s) return '(*v1.LabelSelector)(nil)';
  const ml = s.matchLabels
    ? `map[string]string{${Object.keys(s.matchLabels)
        .sort()
        .map((k) => `${JSON.stringify(k)}:${JSON.stringify(s.matchLabels![k])}`)
        .join(', ')}}`
    : 'map[string]string(nil)';
  const me = s.matchExpressions?.length
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map((e) => `v1.LabelSelectorRequirement{Key:${JSON.stringify(e.key)}, Operator:${JSON.stringify(e.operator)}, Values:[]string{${(e.values ?? []).map((v) => JSON.stringify(v)).join(', ')}}}`)
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`;
}

class GoLiteral {
  constructor(readonly text: string) {}
}

function validateWorkload(obj: KubeObject, kind: 'Deployment' | 'ReplicaSet'): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (typeof spec.replicas === 'number' && spec.replicas < 0) errs.push(invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  const sel: LabelSelector | undefined = spec.selector;
  const tmplLabels = spec.template?.metadata?.labels;
  if (!sel) errs.push(required('spec.selector'));
  else {
    const empty = !sel.matchLabels && !(sel.matchExpressions?.length);
    if (empty || (Object.keys(sel.matchLabels ?? {}).length === 0 && !(sel.matchExpressions?.length)))
      errs.push({ type: 'Invalid value', field: 'spec.selector', value: new GoLiteral(goLabelSelector(sel)), detail: `empty selector is invalid for ${kind === 'Deployment' ? 'deployment' : 'replicaset'}` });
    errs.push(...validateLabels('spec.selector.matchLabels', sel.matchLabels));
    if (!empty && !selectorFromLabelSelector(sel).matches(tmplLabels ?? {}))
      errs.push(invalid('spec.template.metadata.labels', tmplLabels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels('spec.template.metadata.labels', tmplLabels));
  errs.push(...validatePodSpec('spec.template.spec', spec.template?.spec));
  if (kind === 'Deployment' && spec.template?.spec?.restartPolicy && spec.template.spec.restartPolicy !== 'Always')
    errs.push(notSupported('spec.template.spec.restartPolicy', spec.template.spec.restartPolicy, ['Always']));
  const strat = spec.strategy;
  if (kind === 'Deployment' && strat?.type && !['RollingUpdate', 'Recreate'].includes(strat.type))
    errs.push(notSupported('spec.strategy.type', strat.type, ['Recreate', 'RollingUpdate']));
  if (kind === 'Deployment' && strat?.type === 'RollingUpdate' && strat.rollingUpdate) {
    const ms = strat.rollingUpdate.maxSurge;
    const mu = strat.rollingUpdate.maxUnavailable;
    if ((ms === 0 || ms === '0%') && (mu === 0 || mu === '0%'))
      errs.push(invalid('spec.strategy.rollingUpdate.maxUnavailable', mu, 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function validateService(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!SERVICE_TYPES.includes(spec.type)) {
    errs.push(notSupported('spec.type', spec.type, SERVICE_TYPES));
    return errs;
  }
  const headless = spec.clusterIP === 'None';
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.push(required('spec.externalName'));
    else if (!isDns1123Subdomain(spec.externalName.replace(/\.$/, ''))) errs.push(invalid('spec.externalName', spec.externalName, DNS1123_SUBDOMAIN_MSG));
  } else if (ports.length === 0 && !headless) errs.push(required('spec.ports'));
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const pp = `spec.ports[${i}]`;
    if (ports.length > 1 && !p?.name) errs.push(required(`${pp}.name`));
    else if (p?.name) {
      if (!isDns1123Label(p.name)) errs.push(invalid(`${pp}.name`, p.name, DNS1123_LABEL_MSG));
      if (names.has(p.name)) errs.push(duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    if (!validPort(p?.port)) errs.push(invalid(`${pp}.port`, p?.port ?? 0, PORT_RANGE_MSG));
    if (!['TCP', 'UDP', 'SCTP'].includes(p?.protocol)) errs.push(notSupported(`${pp}.protocol`, p?.protocol, ['SCTP', 'TCP', 'UDP']));
    errs.push(...validatePortNameOrNumber(`${pp}.targetPort`, p?.targetPort));
    if (p?.nodePort !== undefined && p.nodePort !== 0) {
      if (spec.type === 'ClusterIP') errs.push(forbiddenField(`${pp}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      else if (spec.type === 'ExternalName') errs.push(forbiddenField(`${pp}.nodePort`, "may not be used when `type` is 'ExternalName'"));
      else if (!validPort(p.nodePort)) errs.push(invalid(`${pp}.nodePort`, p.nodePort, PORT_RANGE_MSG));
    }
    const key = `${p?.port}/${p?.protocol}`;
    if (seen.has(key)) errs.push({ type: 'Duplicate value', field: pp, value: new GoLiteral(`core.ServicePort{Name:${JSON.stringify(p?.name ?? '')}, Protocol:${JSON.stringify(p?.protocol)}, AppProtocol:(*string)(nil), Port:${p?.port}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`) });
    seen.add(key);
  });
  if (spec.selector) errs.push(...validateLabels('spec.selector', spec.selector));
  if (spec.sessionAffinity && !['ClientIP', 'None'].includes(spec.sessionAffinity))
    errs.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.externalTrafficPolicy !== undefined) {
    if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer')
      errs.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, "may only be set when `type` is 'NodePort' or 'LoadBalancer'"));
    else if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy))
      errs.push(notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.internalTrafficPolicy !== undefined && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy))
    errs.push(notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  if (spec.clusterIP && spec.clusterIP !== 'None' && !/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(spec.clusterIP))
    errs.push(invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  return errs;
}

export function validateObject(info: ResourceInfo, obj: KubeObject): FieldError[] {
  const errs = validateMeta(info, obj);
  switch (info.resource) {
    case 'pods':
      errs.push(...validatePodSpec('spec', obj.spec));
      break;
    case 'deployments':
      errs.push(...validateWorkload(obj, 'Deployment'));
      break;
    case 'replicasets':
      errs.push(...validateWorkload(obj, 'ReplicaSet'));
      break;
    case 'services':
      errs.push(...validateService(obj));
      break;
    case 'ingresses':
      errs.push(...validateIngress(obj));
      break;
    case 'ingressclasses':
      errs.push(...validateIngressClass(obj));
      break;
    default:
      break;
  }
  return errs;
}

export function validateUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (info.resource === 'deployments' || info.resource === 'replicasets') {
    if (!deepEqual(obj.spec?.selector, old.spec?.selector))
      errs.push({ type: 'Invalid value', field: 'spec.selector', value: new GoLiteral(goLabelSelector(obj.spec?.selector)), detail: 'field is immutable' });
  }
  if (info.resource === 'ingressclasses') errs.push(...validateIngressClassUpdate(obj, old));
  if (info.resource === 'services') {
    const wasSet = old.spec.clusterIP && old.spec.clusterIP !== '';
    const typeNeedsIP = obj.spec.type !== 'ExternalName';
    if (wasSet && typeNeedsIP && old.spec.type !== 'ExternalName' && obj.spec.clusterIP !== old.spec.clusterIP)
      errs.push(invalid('spec.clusterIPs[0]', obj.spec.clusterIPs ?? [obj.spec.clusterIP], 'may not change once set'));
  }
  if (info.resource === 'pods') {
    const strip = (s: any) => ({ ...s, containers: (s.containers ?? []).map((c: any) => ({ ...c, image: undefined })), activeDeadlineSeconds: undefined, tolerations: undefined });
    if (old.spec.nodeName && obj.spec.nodeName !== old.spec.nodeName) errs.push(forbiddenField('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'));
    else if (!deepEqual(strip({ ...obj.spec, nodeName: undefined }), strip({ ...old.spec, nodeName: undefined })))
      errs.push(forbiddenField('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'));
  }
  return errs;
}

export { GoLiteral };
