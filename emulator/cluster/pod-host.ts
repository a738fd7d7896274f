/**
 * The shell host a learner lands in with `kubectl exec`: the container's commands (busybox has nslookup and wget
 * but no curl), its environment (service links, KUBERNETES_*), and the files the kubelet writes into every
 * container: /etc/resolv.conf (cluster DNS, search path, ndots:5), /etc/hosts, /etc/hostname.
 */
import { NGINX_WELCOME } from '../apps/nginx';
import type { AppImage } from '../apps/types';
import type { KubeObject, Service } from '../api/types';
import type { ShellHostOptions } from '../hosts/shell-host';

export const CLUSTER_DOMAIN = 'cluster.local';
export const CLUSTER_DNS_IP = '10.96.0.10';

/**
 * The kubelet's resolv.conf for a pod: `Default` copies the node's; `ClusterFirst` puts the cluster's search
 * domains first and then the node's own (an EKS node's `ec2.internal`), with the cluster DNS and `ndots:5` only.
 */
export function resolvConf(namespace: string, dnsPolicy: string | undefined, nodeResolv: string): string {
  if (dnsPolicy === 'Default') return nodeResolv;
  // Every pod of a namespace on nodes alike gets the same text: worked out once per (node's file, namespace).
  let byNs = clusterResolvs.get(nodeResolv);
  if (!byNs) {
    if (clusterResolvs.size >= 64) clusterResolvs.clear();
    clusterResolvs.set(nodeResolv, (byNs = new Map()));
  }
  let text = byNs.get(namespace);
  if (text === undefined) {
    if (byNs.size >= 4096) byNs.clear();
    byNs.set(namespace, (text = clusterResolvConf(namespace, nodeResolv)));
  }
  return text;
}

/** node's resolv.conf → namespace → the pod's ClusterFirst resolv.conf. */
const clusterResolvs = new Map<string, Map<string, string>>();

function clusterResolvConf(namespace: string, nodeResolv: string): string {
  const nodeSearch = /^search[ \t]+(.+)$/m.exec(nodeResolv)?.[1]?.trim().split(/\s+/) ?? [];
  const search = [`${namespace}.svc.${CLUSTER_DOMAIN}`, `svc.${CLUSTER_DOMAIN}`, CLUSTER_DOMAIN, ...nodeSearch];
  return `search ${search.join(' ')}\nnameserver ${CLUSTER_DNS_IP}\noptions ndots:5\n`;
}

/** Docker-style service link variables (`CURRENCY_EXCHANGE_SERVICE_HOST`, …) for the services of a namespace. */
export function serviceLinkEnv(services: Iterable<Service>): Record<string, string> {
  const env: Record<string, string> = {};
  const sorted = [...services].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  for (const s of sorted) {
    const ip = s.spec.clusterIP;
    if (!ip || ip === 'None' || s.spec.type === 'ExternalName') continue;
    const ports = s.spec.ports ?? [];
    if (!ports.length) continue;
    const n = s.metadata.name!.toUpperCase().replace(/-/g, '_');
    const first = ports[0]!;
    env[`${n}_SERVICE_HOST`] = ip;
    env[`${n}_SERVICE_PORT`] = String(first.port);
    for (const p of ports) if (p.name) env[`${n}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`] = String(p.port);
    env[`${n}_PORT`] = `${first.protocol.toLowerCase()}://${ip}:${first.port}`;
    for (const p of ports) {
      const pre = `${n}_PORT_${p.port}_${p.protocol}`;
      env[pre] = `${p.protocol.toLowerCase()}://${ip}:${p.port}`;
      env[`${pre}_PROTO`] = p.protocol.toLowerCase();
      env[`${pre}_PORT`] = String(p.port);
      env[`${pre}_ADDR`] = ip;
    }
  }
  return env;
}

/**
 * A container's environment: the namespace's service-link variables (shared by every pod started while the same
 * Services exist — with hundreds of Services that is thousands of variables, so they are not copied per pod)
 * under the pod's own variables.
 */
export class LayeredEnv implements ReadonlyMap<string, string> {
  constructor(
    private readonly links: { readonly env: Readonly<Record<string, string>> },
    private readonly own: ReadonlyMap<string, string>,
  ) {}

  /** The service links, built when first read (see ServiceLinks). */
  private get base(): Readonly<Record<string, string>> {
    return this.links.env;
  }

  get(key: string): string | undefined {
    return this.own.get(key) ?? (Object.prototype.hasOwnProperty.call(this.base, key) ? this.base[key] : undefined);
  }

  has(key: string): boolean {
    return this.own.has(key) || Object.prototype.hasOwnProperty.call(this.base, key);
  }

  get size(): number {
    let n = this.own.size;
    for (const k in this.base) if (!this.own.has(k)) n++;
    return n;
  }

  *entries(): MapIterator<[string, string]> {
    for (const k in this.base) if (!this.own.has(k)) yield [k, this.base[k]!];
    yield* this.own.entries();
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }

  forEach(cb: (value: string, key: string, map: ReadonlyMap<string, string>) => void): void {
    for (const [k, v] of this.entries()) cb(v, k, this);
  }
}

export interface PodHostInput {
  readonly pod: KubeObject;
  readonly image: AppImage | undefined;
  readonly podIP: string;
  readonly netns?: string;
  /** Service links (shared; their variables are built when first read). */
  readonly links: { readonly env: Readonly<Record<string, string>> };
  /** The container's own `env` values. */
  readonly env: Record<string, string>;
  readonly nodeResolv: string;
}

/** One read-only command set per image, shared by its pods' hosts (a pod starts with its image's commands). */
const commandSets = new WeakMap<AppImage, ReadonlySet<string>>();
const NO_COMMANDS: ReadonlySet<string> = new Set();

function commandSetOf(image: AppImage | undefined): ReadonlySet<string> {
  if (!image) return new Set(NO_COMMANDS);
  let set = commandSets.get(image);
  if (!set) commandSets.set(image, (set = new Set(image.commands)));
  return set;
}

/** What the pod's shell host is made of; the world's `createShellHost` builds it (files laid out like a small Linux). */
export function podHostOptions(input: PodHostInput): ShellHostOptions {
  const { pod, image, podIP } = input;
  const name = pod.metadata.name!;
  const ns = pod.metadata.namespace!;
  const hostNetwork = !!pod.spec?.hostNetwork;
  const hostname = hostNetwork ? String(pod.spec.nodeName) : name;
  const files: Record<string, string> = {
    '/etc/hostname': `${hostname}\n`,
    '/etc/resolv.conf': resolvConf(ns, hostNetwork ? 'Default' : pod.spec?.dnsPolicy, input.nodeResolv),
    '/etc/hosts': `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n${podIP}\t${hostname}\n`,
    '/var/run/secrets/kubernetes.io/serviceaccount/namespace': ns,
  };
  if (image?.repository === 'nginx') {
    files['/usr/share/nginx/html/index.html'] = NGINX_WELCOME;
    files['/etc/nginx/conf.d/default.conf'] =
      'server {\n    listen       80;\n    listen  [::]:80;\n    server_name  localhost;\n\n    location / {\n        root   /usr/share/nginx/html;\n        index  index.html index.htm;\n    }\n\n    error_page   500 502 503 504  /50x.html;\n    location = /50x.html {\n        root   /usr/share/nginx/html;\n    }\n}\n';
  }
  const env = new LayeredEnv(input.links, ownEnv(hostname, input.env));
  const id = `pod/${ns}/${name}`;
  const commands = commandSetOf(image);
  const promptStyle = image?.shell === 'bash' ? 'bash' : 'busybox';
  // One literal per case (a spread of an optional field is a generic copy).
  return input.netns
    ? { id, kind: 'pod', hostname, user: 'root', home: '/root', files, netns: input.netns, addresses: [podIP], commands, promptStyle, env }
    : { id, kind: 'pod', hostname, user: 'root', home: '/root', files, addresses: [podIP], commands, promptStyle, env };
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const INDEX_KEY = /^(?:0|[1-9]\d*)$/;

/**
 * PATH, HOSTNAME and HOME, then the container's variables (which may override them in place), in the order of
 * the object `{ PATH, HOSTNAME, HOME, ...env }`.
 */
function ownEnv(hostname: string, env: Readonly<Record<string, string>>): Map<string, string> {
  const keys = Object.keys(env);
  // Names that are array indices go first in an object: such a (rare, relaxed-validation) name takes the literal's path.
  if (keys.length && keys.some((k) => INDEX_KEY.test(k))) return new Map(Object.entries({ PATH: DEFAULT_PATH, HOSTNAME: hostname, HOME: '/root', ...env }));
  const own = new Map<string, string>();
  own.set('PATH', DEFAULT_PATH);
  own.set('HOSTNAME', hostname);
  own.set('HOME', '/root');
  for (const k of keys) own.set(k, env[k]!);
  return own;
}
