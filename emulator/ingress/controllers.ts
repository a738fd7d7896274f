/**
 * Which Ingress controllers the emulator knows, how to recognise their pods, and which Ingresses each serves.
 *
 * A controller serves an Ingress when the Ingress names (by `spec.ingressClassName`) an IngressClass whose
 * `spec.controller` is the controller's own, or carries the deprecated `kubernetes.io/ingress.class` annotation
 * with the controller's class name. An Ingress that names no class is served by nobody — unless the API server's
 * admission gave it the default class at creation (see `defaultIngressClass`).
 */
import type { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';

export type IngressFlavor = 'nginx' | 'traefik';

export interface IngressControllerKind {
  readonly flavor: IngressFlavor;
  /** `spec.controller` of the IngressClasses it serves. */
  readonly controller: string;
  /** Image repository of its pods. */
  readonly image: string;
  /** Process name for `ss -p` and logs. */
  readonly process: string;
}

export const INGRESS_CONTROLLERS: readonly IngressControllerKind[] = [
  { flavor: 'nginx', controller: 'k8s.io/ingress-nginx', image: 'registry.k8s.io/ingress-nginx/controller', process: 'nginx' },
  { flavor: 'traefik', controller: 'traefik.io/ingress-controller', image: 'traefik', process: 'traefik' },
];

export function controllerKindOfImage(image: string): IngressControllerKind | undefined {
  const repo = normaliseRepository(image);
  return INGRESS_CONTROLLERS.find((k) => k.image === repo);
}

/** `docker.io/traefik:v3` → `traefik`, `registry.k8s.io/ingress-nginx/controller:v1.12.0@sha…` → `registry.k8s.io/ingress-nginx/controller`. */
export function normaliseRepository(image: string): string {
  let s = image.split('@')[0]!;
  const lastSlash = s.lastIndexOf('/');
  const colon = s.lastIndexOf(':');
  if (colon > lastSlash) s = s.slice(0, colon);
  s = s.replace(/^docker\.io\/(library\/)?/, '');
  return s;
}

/** Class name and listen port a controller pod was started with (from its container args). */
export interface ControllerPodConfig {
  readonly kind: IngressControllerKind;
  /** `--ingress-class` (nginx) / `--providers.kubernetesingress.ingressclass` (traefik). */
  readonly className: string;
  readonly httpPort: number;
  /** `--publish-service` namespace/name, for the status address. */
  readonly publishService?: string;
}

export function controllerPodConfig(pod: KubeObject): ControllerPodConfig | undefined {
  for (const c of pod.spec?.containers ?? []) {
    const kind = controllerKindOfImage(String(c.image ?? ''));
    if (!kind) continue;
    const args: string[] = [...(c.command ?? []), ...(c.args ?? [])].map(String);
    const flag = (name: string): string | undefined => {
      const a = args.find((x) => x.startsWith(`${name}=`));
      return a?.slice(name.length + 1);
    };
    const ns = pod.metadata.namespace ?? 'default';
    if (kind.flavor === 'nginx') {
      const publish = flag('--publish-service')?.replace('$(POD_NAMESPACE)', ns);
      return { kind, className: flag('--ingress-class') ?? 'nginx', httpPort: Number(flag('--http-port') ?? 80), ...(publish ? { publishService: publish } : {}) };
    }
    const address = flag('--entryPoints.web.address') ?? flag('--entrypoints.web.address') ?? ':80';
    const port = Number(/:(\d+)/.exec(address)?.[1] ?? 80);
    return { kind, className: flag('--providers.kubernetesingress.ingressclass') ?? 'traefik', httpPort: port };
  }
  return undefined;
}

/** Does the controller with `config` serve this Ingress? */
export function servesIngress(store: ApiStore, config: ControllerPodConfig, ingress: KubeObject): boolean {
  const className: string | undefined = ingress.spec?.ingressClassName;
  if (className) {
    const cls = store.tryGet('ingressclasses', undefined, className);
    return cls?.spec?.controller === config.kind.controller;
  }
  const annotation = ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
  return annotation !== undefined && annotation === config.className;
}

/** IngressClasses marked `ingressclass.kubernetes.io/is-default-class: "true"`. */
export function defaultIngressClasses(store: ApiStore): KubeObject[] {
  return store
    .list('ingressclasses')
    .items.filter((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true');
}
