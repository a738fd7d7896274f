/**
 * The offline image catalogue: image references resolve here (`nginx`, `nginx:1.27`, `docker.io/library/nginx`,
 * `in28min/currency-exchange:0.0.1-RELEASE`); anything else fails to pull, as on an air-gapped node.
 */
import { currencyConversion, currencyExchange } from './currency';
import { nginx } from './nginx';
import {
  coredns,
  etcd,
  ingressNginx,
  kindnetd,
  kubeApiserver,
  kubeControllerManager,
  kubeProxy,
  kubeScheduler,
  localPathProvisioner,
  traefik,
} from './system';
import { busybox, curl } from './tools';
import type { AppImage } from './types';

export const CATALOGUE: readonly AppImage[] = [
  currencyExchange,
  currencyConversion,
  nginx,
  busybox,
  curl,
  coredns,
  kubeProxy,
  kindnetd,
  etcd,
  kubeApiserver,
  kubeControllerManager,
  kubeScheduler,
  localPathProvisioner,
  ingressNginx,
  traefik,
];

/** Learner-facing images, for error messages and `help`. */
export const WORKLOAD_IMAGES = ['in28min/currency-exchange', 'in28min/currency-conversion', 'nginx', 'busybox', 'curlimages/curl'];

export interface ImageRef {
  /** As written in the pod spec. */
  readonly text: string;
  /** Canonical form containerd reports: `docker.io/library/nginx:latest`. */
  readonly canonical: string;
  /** Catalogue key: `nginx`, `in28min/currency-exchange`, `registry.k8s.io/coredns/coredns`. */
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
}

/** Parsed references by text: the kubelet parses the same few images for every pod it runs. Shared and frozen. */
const parsedRefs = new Map<string, ImageRef>();

export function parseImageRef(text: string): ImageRef {
  let ref = parsedRefs.get(text);
  if (ref === undefined) {
    if (parsedRefs.size >= 4096) parsedRefs.clear();
    ref = Object.freeze(parseImageRefUncached(text));
    parsedRefs.set(text, ref);
  }
  return ref;
}

function parseImageRefUncached(text: string): ImageRef {
  let rest = text.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag = 'latest';
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split('/');
  let registry = 'docker.io';
  if (parts.length > 1 && (parts[0]!.includes('.') || parts[0]!.includes(':') || parts[0] === 'localhost')) registry = parts.shift()!;
  let path = parts.join('/');
  if (registry === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  const repository = registry === 'docker.io' ? path.replace(/^library\//, '') : `${registry}/${path}`;
  return { text, canonical: `${registry}/${path}:${tag}${digest ? `@${digest}` : ''}`, repository: registry === 'docker.io' && parts.length > 1 && !path.startsWith('library/') ? path : repository, tag, ...(digest ? { digest } : {}) };
}

const byRepo = new Map<string, AppImage>();
for (const img of CATALOGUE) byRepo.set(img.repository, img);
// kind's images live under docker.io/kindest/…, which normalises to `kindest/…`.
for (const img of CATALOGUE) if (img.repository.startsWith('docker.io/')) byRepo.set(img.repository.slice('docker.io/'.length), img);

export function findImage(ref: string | ImageRef): AppImage | undefined {
  const r = typeof ref === 'string' ? parseImageRef(ref) : ref;
  const img = byRepo.get(r.repository);
  if (!img) return undefined;
  if (img.tags !== '*' && !img.tags.includes(r.tag)) return undefined;
  return img;
}

/** A deterministic sha256-looking digest for an image, for imageID and `Pulled` messages. */
const digests = new Map<string, string>();

export function imageDigest(ref: ImageRef): string {
  const key = `${ref.repository}:${ref.tag}`;
  let d = digests.get(key);
  if (d === undefined) {
    if (digests.size >= 4096) digests.clear();
    digests.set(key, (d = computeImageDigest(ref)));
  }
  return d;
}

function computeImageDigest(ref: ImageRef): string {
  let h1 = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 64; round++) {
    const s = `${ref.repository}:${ref.tag}#${round}`;
    for (let i = 0; i < s.length; i++) {
      h1 ^= s.charCodeAt(i);
      h1 = Math.imul(h1, 0x01000193) >>> 0;
    }
    out += h1.toString(16).padStart(8, '0');
  }
  return `sha256:${out.slice(0, 64)}`;
}
