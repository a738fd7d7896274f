/**
 * networking.k8s.io/v1 Ingress and IngressClass validation with the API server's field paths and texts
 * (pkg/apis/networking/validation): pathType is required (v1 has no default), Exact/Prefix paths must be absolute
 * and free of `//`, `/./`, `/../`, `%2f`; a backend is a service or a resource, never both; a service backend
 * names a port by number or by name, never both; hosts are DNS names (one leading `*.` allowed), never IPs.
 */
import { invalid, notSupported, required, type FieldError } from '../api/errors';
import { DNS1035_LABEL_MSG, DNS1123_SUBDOMAIN_MSG, GoLiteral, isDns1035Label, isDns1123Subdomain } from '../api/validation';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const WILDCARD_MSG =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function validateBackend(b: Json, f: string): FieldError[] {
  const hasResource = b?.resource != null;
  const hasService = b?.service != null;
  if (hasResource && hasService) return [invalid(f, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const errs: FieldError[] = [];
    if (!b.resource.kind) errs.push(required(`${f}.resource.kind`));
    if (!b.resource.name) errs.push(required(`${f}.resource.name`));
    return errs;
  }
  if (!hasService) return [invalid(f, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = b.service.name;
  if (!name) errs.push(required(`${f}.service.name`));
  else if (!isDns1035Label(String(name))) errs.push(invalid(`${f}.service.name`, name, DNS1035_LABEL_MSG));
  const portName = b.service.port?.name ?? '';
  const portNumber = b.service.port?.number ?? 0;
  if (portName && portNumber) errs.push(invalid(f, '', 'cannot set both port name & port number'));
  else if (portName) {
    if (String(portName).length > 15) errs.push(invalid(`${f}.service.port.name`, portName, 'must be no more than 15 characters'));
    else if (!IANA_SVC_NAME.test(portName) || String(portName).includes('--'))
      errs.push(invalid(`${f}.service.port.name`, portName, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
    else if (!/[a-z]/.test(portName)) errs.push(invalid(`${f}.service.port.name`, portName, 'must contain at least one letter (a-z)'));
  } else if (portNumber) {
    if (!(Number.isInteger(portNumber) && portNumber >= 1 && portNumber <= 65535))
      errs.push(invalid(`${f}.service.port.number`, portNumber, 'must be between 1 and 65535, inclusive'));
  } else errs.push(required(f, 'port name or number is required'));
  return errs;
}

function validatePath(p: Json, f: string): FieldError[] {
  if (p?.pathType == null) return [required(`${f}.pathType`, 'pathType must be specified')];
  const errs: FieldError[] = [];
  const path: string = p.path ?? '';
  switch (p.pathType) {
    case 'Exact':
    case 'Prefix':
      if (!path.startsWith('/')) errs.push(invalid(`${f}.path`, path, 'must be an absolute path'));
      if (path.length > 0) {
        for (const seq of INVALID_SEQUENCES) if (path.includes(seq)) errs.push(invalid(`${f}.path`, path, `must not contain '${seq}'`));
        for (const suf of INVALID_SUFFIXES) if (path.endsWith(suf)) errs.push(invalid(`${f}.path`, path, `cannot end with '${suf}'`));
      }
      break;
    case 'ImplementationSpecific':
      if (path.length > 0 && !path.startsWith('/')) errs.push(invalid(`${f}.path`, path, 'must be an absolute path'));
      break;
    default:
      errs.push(notSupported(`${f}.pathType`, p.pathType, PATH_TYPES));
  }
  errs.push(...validateBackend(p.backend, `${f}.backend`));
  return errs;
}

export function validateIngressSpec(spec: Json): FieldError[] {
  const errs: FieldError[] = [];
  const rules: Json[] = spec?.rules ?? [];
  if (rules.length === 0 && spec?.defaultBackend == null)
    errs.push(invalid('spec', new GoLiteral(spec?.rules ? '[]networking.IngressRule{}' : '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  if (spec?.defaultBackend != null) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((rule, i) => {
    const f = `spec.rules[${i}]`;
    const host: string = rule?.host ?? '';
    if (host) {
      if (IPV4.test(host)) errs.push(invalid(`${f}.host`, host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) {
        if (!(host.startsWith('*.') && isDns1123Subdomain(host.slice(2)))) errs.push(invalid(`${f}.host`, host, WILDCARD_MSG));
      } else if (!isDns1123Subdomain(host)) errs.push(invalid(`${f}.host`, host, DNS1123_SUBDOMAIN_MSG));
    }
    if (rule?.http != null) {
      const paths: Json[] = rule.http.paths ?? [];
      if (paths.length === 0) errs.push(required(`${f}.http.paths`));
      paths.forEach((p, j) => errs.push(...validatePath(p, `${f}.http.paths[${j}]`)));
    }
  });
  (spec?.tls ?? []).forEach((t: Json, i: number) => {
    (t?.hosts ?? []).forEach((h: string, j: number) => {
      const ok = h.includes('*') ? h.startsWith('*.') && isDns1123Subdomain(h.slice(2)) : isDns1123Subdomain(h);
      if (!ok) errs.push(invalid(`spec.tls[${i}].hosts[${j}]`, h, h.includes('*') ? WILDCARD_MSG : DNS1123_SUBDOMAIN_MSG));
    });
  });
  if (spec?.ingressClassName != null && !isDns1123Subdomain(String(spec.ingressClassName)))
    errs.push(invalid('spec.ingressClassName', spec.ingressClassName, DNS1123_SUBDOMAIN_MSG));
  return errs;
}

export function validateIngress(obj: Json): FieldError[] {
  const errs = validateIngressSpec(obj.spec);
  const annotation = obj.metadata?.annotations?.['kubernetes.io/ingress.class'];
  const className = obj.spec?.ingressClassName;
  if (annotation !== undefined && className != null && annotation !== className)
    errs.push(invalid('annotations.kubernetes.io/ingress.class', annotation, 'must match `ingressClassName` when both are specified'));
  return errs;
}

export function validateIngressClass(obj: Json): FieldError[] {
  const controller: string = obj.spec?.controller ?? '';
  if (!controller) return [required('spec.controller')];
  const errs: FieldError[] = [];
  if (controller.length > 250) errs.push({ type: 'Too long', field: 'spec.controller', detail: 'may not be more than 250 bytes' });
  const slash = controller.indexOf('/');
  const domain = slash < 0 ? controller : controller.slice(0, slash);
  if (slash < 0 || !isDns1123Subdomain(domain) || controller.slice(slash + 1) === '')
    errs.push(invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  return errs;
}

export function validateIngressClassUpdate(obj: Json, old: Json): FieldError[] {
  if (obj.spec?.controller !== old.spec?.controller) return [invalid('spec.controller', obj.spec?.controller, 'field is immutable')];
  return [];
}
