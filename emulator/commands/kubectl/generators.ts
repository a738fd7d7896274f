/**
 * The objects kubectl's imperative commands build before sending them (`create deployment|service|namespace|
 * configmap|ingress`, `run`, `expose`). Keys are in Go struct field order, because `--dry-run=client -o json`
 * prints the typed struct as it is; YAML sorts keys anyway. Unset fields are omitted as `omitempty` omits them.
 */
import type { KubeObject } from '../../api/types';
import { KubectlError } from './flags';

function meta(name: string, namespace: string | undefined, extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}) {
  const m: Record<string, unknown> = { name };
  if (namespace) m.namespace = namespace;
  m.creationTimestamp = null;
  if (extra.labels && Object.keys(extra.labels).length) m.labels = sortedMap(extra.labels);
  if (extra.annotations && Object.keys(extra.annotations).length) m.annotations = sortedMap(extra.annotations);
  return m;
}

/** Container name from an image reference: last path segment without tag or digest, `_` → `-`. */
export function containerNameFromImage(image: string): string {
  let name = image.split('/').pop()!;
  if (name.includes(':')) name = name.split(':')[0]!;
  if (name.includes('@')) name = name.split('@')[0]!;
  return name;
}

/** Characters of apimachinery's `utilrand.String`. */
const RAND_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * kubectl's `sanitizeAndUniquify`: a name with `_` or `.` gets them turned into `-` plus a random 5-character
 * suffix (drawn from `rand`, the world's forked stream, so a session stays reproducible).
 */
export function sanitizeAndUniquify(name: string, rand: (n: number) => number): string {
  if (!/[_.]/.test(name)) return name;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += RAND_ALPHABET[rand(RAND_ALPHABET.length)];
  return `${name.replace(/[_.]/g, '-')}-${suffix}`;
}

/** Go marshals map keys sorted, even inside typed structs. */
export function sortedMap<T>(m: Record<string, T>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k]!;
  return out;
}

export function deploymentObject(o: { name: string; namespace?: string; images: string[]; replicas: number; port: number; command: string[]; rand: (n: number) => number }): KubeObject {
  const labels = { app: o.name };
  const containers = o.images.map((image, i) => {
    const name = sanitizeAndUniquify(containerNameFromImage(image), o.rand);
    const c: Record<string, unknown> = { name, image };
    if (o.command.length) c.command = [...o.command];
    if (i === 0 && o.port >= 0) c.ports = [{ containerPort: o.port }];
    c.resources = {};
    return c;
  });
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: meta(o.name, o.namespace, { labels }),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { ...labels } },
      template: { metadata: { creationTimestamp: null, labels: { ...labels } }, spec: { containers } },
      strategy: {},
    },
    status: {},
  } as unknown as KubeObject;
}

/** `--tcp=80:8080` → port and targetPort (kubectl's `parsePorts`, with its error texts). */
export function parseTcp(spec: string): { port: number; targetPort: number | string } {
  const parts = spec.split(':');
  const p = parts[0]!;
  if (!/^\d+$/.test(p)) throw new KubectlError(`error: strconv.ParseUint: parsing ${JSON.stringify(p)}: invalid syntax`);
  const port = Number(p);
  if (port > 65535) throw new KubectlError(`error: strconv.ParseUint: parsing ${JSON.stringify(p)}: value out of range`);
  if (port === 0) throw new KubectlError(`error: port number 0 is invalid`);
  if (parts.length === 1) return { port, targetPort: port };
  const t = parts[1]!;
  if (/^[+-]?\d+$/.test(t)) {
    const n = Number(t);
    if (n < 1 || n > 65535) throw new KubectlError('error: must be between 1 and 65535, inclusive');
    return { port, targetPort: n };
  }
  const errs: string[] = [];
  if (t.length > 15) errs.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(t)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (/^[-a-z0-9]+$/.test(t) && !/[a-z]/.test(t)) errs.push('must contain at least one letter (a-z)');
  if (t.startsWith('-') || t.endsWith('-')) errs.push('must not begin or end with a hyphen');
  if (t.includes('--')) errs.push('must not contain consecutive hyphens');
  if (errs.length) throw new KubectlError(`error: ${errs.join(',')}`);
  return { port, targetPort: t };
}

export function serviceObject(o: {
  name: string;
  namespace?: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  tcp: string[];
  nodePort: number;
  clusterIP: string;
  externalName: string;
}): KubeObject {
  const ports = o.tcp.map((t) => {
    const { port, targetPort } = parseTcp(t);
    const sp: Record<string, unknown> = { name: t.replace(/:/g, '-'), protocol: 'TCP', port, targetPort };
    if (o.nodePort) sp.nodePort = o.nodePort;
    return sp;
  });
  const spec: Record<string, unknown> = {};
  if (ports.length) spec.ports = ports;
  spec.selector = { app: o.name };
  if (o.clusterIP) spec.clusterIP = o.clusterIP;
  spec.type = o.type;
  if (o.externalName) spec.externalName = o.externalName;
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: meta(o.name, o.namespace, { labels: { app: o.name } }),
    spec,
    status: { loadBalancer: {} },
  } as unknown as KubeObject;
}

export function namespaceObject(name: string): KubeObject {
  return { kind: 'Namespace', apiVersion: 'v1', metadata: meta(name, undefined), spec: {}, status: {} } as unknown as KubeObject;
}

export function configMapObject(name: string, namespace: string | undefined, data: Record<string, string>): KubeObject {
  const o: Record<string, unknown> = { kind: 'ConfigMap', apiVersion: 'v1', metadata: meta(name, namespace) };
  if (Object.keys(data).length) o.data = sortedMap(data);
  return o as unknown as KubeObject;
}

const INGRESS_RULE = /^(?<host>[\w*\-.]*)(?<path>\/[^=]*)=(?<svc>[\w\-.]+):(?<port>[\w\-]+)(,(?<tls>tls)(=(?<secret>[\w\-.]+))?)?$/;

function backend(spec: string): Record<string, unknown> {
  const [name, port] = spec.split(':');
  const p = /^-?\d+$/.test(port ?? '') ? { number: Number(port) } : { name: port };
  return { service: { name, port: p } };
}

export function ingressObject(o: { name: string; namespace?: string; rules: string[]; className: string; defaultBackend: string; annotations: string[] }): KubeObject {
  if (!o.defaultBackend && o.rules.length === 0)
    throw new KubectlError(
      'error: not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)',
    );
  for (const r of o.rules) {
    if (!INGRESS_RULE.test(r)) throw new KubectlError(`error: rule ${r} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]`);
  }
  if (o.defaultBackend && !/^[\w\-.]+:[\w\-]+$/.test(o.defaultBackend))
    throw new KubectlError(`error: default-backend should be in format servicename:serviceport`);
  const annotations: Record<string, string> = {};
  for (const a of o.annotations) {
    const i = a.indexOf('=');
    if (i < 0) throw new KubectlError(`error: annotation ${a} is invalid and should be in format key=[value]`);
    annotations[a.slice(0, i)] = a.slice(i + 1);
  }
  const spec: Record<string, unknown> = {};
  if (o.className) spec.ingressClassName = o.className;
  if (o.defaultBackend) spec.defaultBackend = backend(o.defaultBackend);
  // TLS: one entry per secret, collecting the hosts of the rules that name it.
  const tls: { hosts?: string[]; secretName?: string }[] = [];
  for (const r of o.rules) {
    const m = INGRESS_RULE.exec(r)!.groups!;
    if (!m.tls) continue;
    const host = m.host ?? '';
    const secret = m.secret ?? '';
    let entry = tls.find((t) => (t.secretName ?? '') === secret);
    if (!entry) {
      entry = {};
      tls.push(entry);
    }
    if (host && !(entry.hosts ?? []).includes(host)) entry.hosts = [...(entry.hosts ?? []), host];
    if (secret) entry.secretName = secret;
  }
  const ordered = tls.map((t) => {
    const e: Record<string, unknown> = {};
    if (t.hosts) e.hosts = t.hosts;
    if (t.secretName) e.secretName = t.secretName;
    return e;
  });
  if (ordered.length) spec.tls = ordered;
  const rules: { host?: string; http: { paths: Record<string, unknown>[] } }[] = [];
  for (const r of o.rules) {
    const m = INGRESS_RULE.exec(r)!.groups!;
    const host = m.host ?? '';
    let path = m.path!;
    let pathType = 'Exact';
    if (path.endsWith('*')) {
      path = path.slice(0, -1);
      pathType = 'Prefix';
    }
    const p = { path, pathType, backend: backend(`${m.svc}:${m.port}`) };
    const existing = rules.find((x) => (x.host ?? '') === host);
    if (existing) existing.http.paths.push(p);
    else rules.push(host ? { host, http: { paths: [p] } } : { http: { paths: [p] } });
  }
  if (rules.length) spec.rules = rules;
  return {
    kind: 'Ingress',
    apiVersion: 'networking.k8s.io/v1',
    metadata: meta(o.name, o.namespace, { annotations }),
    spec,
    status: { loadBalancer: {} },
  } as unknown as KubeObject;
}

export function podObject(o: {
  name: string;
  namespace?: string;
  image: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  env: string[];
  port: number;
  command: boolean;
  args: string[];
  restart: string;
  stdin: boolean;
  tty: boolean;
  pullPolicy: string;
}): KubeObject {
  const c: Record<string, unknown> = { name: o.name, image: o.image };
  if (o.args.length) {
    if (o.command) c.command = [...o.args];
    else c.args = [...o.args];
  }
  if (o.port >= 0) c.ports = [{ containerPort: o.port }];
  if (o.env.length)
    c.env = o.env.map((e) => {
      const i = e.indexOf('=');
      return { name: e.slice(0, i), value: e.slice(i + 1) };
    });
  c.resources = {};
  if (o.pullPolicy) c.imagePullPolicy = o.pullPolicy;
  if (o.stdin) {
    c.stdin = true;
    c.stdinOnce = true;
  }
  if (o.tty) c.tty = true;
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: meta(o.name, o.namespace, { labels: o.labels, annotations: o.annotations }),
    spec: { containers: [c], restartPolicy: o.restart, dnsPolicy: 'ClusterFirst' },
    status: {},
  } as unknown as KubeObject;
}

/** Standard base64 of the UTF-8 bytes, as Go's encoding/json writes a []byte. */
export function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += abc[(n >> 18) & 63]! + abc[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? abc[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? abc[n & 63]! : '=';
  }
  return out;
}

export function secretObject(name: string, namespace: string | undefined, data: Record<string, string>, type: string): KubeObject {
  const o: Record<string, unknown> = { kind: 'Secret', apiVersion: 'v1', metadata: meta(name, namespace) };
  const enc: Record<string, string> = {};
  for (const k of Object.keys(data)) enc[k] = base64(data[k]!);
  if (Object.keys(enc).length) o.data = sortedMap(enc);
  if (type) o.type = type;
  return o as unknown as KubeObject;
}

export function serviceAccountObject(name: string, namespace: string | undefined): KubeObject {
  return { kind: 'ServiceAccount', apiVersion: 'v1', metadata: meta(name, namespace) } as unknown as KubeObject;
}
