/**
 * What kube-proxy (iptables mode) writes, as a pure function: Services + EndpointSlices → the
 * iptables-restore input of one full sync (filter, then nat; fed with `--noflush`), in the order and wording of
 * pkg/proxy/iptables/proxier.go syncProxyRules. The rule text is the restore *input* form
 * (`-m comment --comment … -m tcp -p tcp -d 10.96.0.10 --dport 53`); iptables-save shows it normalized.
 */
import type { EndpointSlice, Service } from '../api/types';
import { endpointChain, externalChain, firewallChain, serviceChain, serviceLocalChain } from './hash';

export const MASQ_MARK = '0x00004000';
/** kube-proxy's default ClientIP affinity timeout (10800 s). */
export const DEFAULT_AFFINITY_SECONDS = 10800;
/** Above this many endpoints in total kube-proxy stops writing per-endpoint comments. */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

export interface ProxyEndpoint {
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
}

/** One service port as kube-proxy's ServicePortInfo sees it. */
export interface ProxyServicePort {
  readonly namespace: string;
  readonly name: string;
  /** '' for an unnamed port. */
  readonly portName: string;
  /** Lower case: `tcp`, `udp`, `sctp`. */
  readonly protocol: string;
  readonly port: number;
  readonly clusterIP: string;
  readonly nodePort?: number;
  readonly externalIPs: readonly string[];
  readonly loadBalancerIPs: readonly string[];
  readonly loadBalancerSourceRanges: readonly string[];
  readonly externalPolicyLocal: boolean;
  readonly internalPolicyLocal: boolean;
  /** ClientIP affinity timeout in seconds, when sessionAffinity is ClientIP. */
  readonly affinitySeconds?: number;
  readonly healthCheckNodePort?: number;
  readonly endpoints: readonly ProxyEndpoint[];
}

export interface ProxyConfig {
  readonly nodeName: string;
  /** The node's IPs (for loadBalancerSourceRanges that contain the node). */
  readonly nodeIPs?: readonly string[];
  /** `--cluster-cidr` for the ClusterCIDR local-traffic detector (`! -s CIDR -j KUBE-MARK-MASQ`); undefined = none. */
  readonly clusterCIDR?: string;
  readonly masqueradeAll?: boolean;
  /** `--iptables-localhost-nodeports` (default true). */
  readonly localhostNodePorts?: boolean;
}

export function servicePortName(sp: Pick<ProxyServicePort, 'namespace' | 'name' | 'portName'>): string {
  return sp.portName ? `${sp.namespace}/${sp.name}:${sp.portName}` : `${sp.namespace}/${sp.name}`;
}

/** kube-proxy's probability text: `fmt.Sprintf("%0.10f", 1.0/float64(n))`. */
export function probability(n: number): string {
  return (1 / n).toFixed(10);
}

// ---------------------------------------------------------------------------------------------------------------
// API objects → service ports

function portTargetOf(slice: EndpointSlice, portName: string, protocol: string): number | undefined {
  for (const p of slice.ports ?? []) {
    if ((p.name ?? '') === portName && (p.protocol ?? 'TCP').toLowerCase() === protocol) return p.port;
  }
  return undefined;
}

/**
 * Services and their EndpointSlices → the service ports kube-proxy programs. Headless and ExternalName Services
 * get none. Endpoints are deduplicated by `ip:port` across slices.
 */
export function servicePortsFrom(services: readonly Service[], slices: readonly EndpointSlice[]): ProxyServicePort[] {
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    if (s.addressType !== 'IPv4' || s.metadata.deletionTimestamp) continue;
    const svc = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const k = `${s.metadata.namespace}/${svc}`;
    const l = slicesBySvc.get(k);
    if (l) l.push(s);
    else slicesBySvc.set(k, [s]);
  }
  const out: ProxyServicePort[] = [];
  for (const svc of services) {
    const spec = svc.spec;
    if (!spec || spec.type === 'ExternalName') continue;
    const clusterIP = spec.clusterIP;
    if (!clusterIP || clusterIP === 'None') continue;
    const ns = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name ?? '';
    const svcSlices = slicesBySvc.get(`${ns}/${name}`) ?? [];
    const lbIPs = spec.type === 'LoadBalancer'
      ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((x): x is string => !!x && /^\d+\.\d+\.\d+\.\d+$/.test(x))
      : [];
    for (const p of spec.ports ?? []) {
      const protocol = (p.protocol ?? 'TCP').toLowerCase();
      const portName = p.name ?? '';
      const seen = new Set<string>();
      const endpoints: ProxyEndpoint[] = [];
      for (const s of svcSlices) {
        const target = portTargetOf(s, portName, protocol);
        if (target === undefined) continue;
        for (const e of s.endpoints ?? []) {
          const ip = e.addresses[0];
          if (!ip) continue;
          const key = `${ip}:${target}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const ready = e.conditions.ready ?? true;
          endpoints.push({
            ip, port: target, ready,
            serving: e.conditions.serving ?? ready,
            terminating: e.conditions.terminating ?? false,
            ...(e.nodeName ? { nodeName: e.nodeName } : {}),
          });
        }
      }
      const external = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
      out.push({
        namespace: ns, name, portName, protocol, port: p.port, clusterIP,
        ...(external && p.nodePort ? { nodePort: p.nodePort } : {}),
        externalIPs: spec.externalIPs ?? [],
        loadBalancerIPs: lbIPs,
        loadBalancerSourceRanges: spec.loadBalancerSourceRanges ?? [],
        externalPolicyLocal: external && spec.externalTrafficPolicy === 'Local',
        internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
        ...(spec.sessionAffinity === 'ClientIP'
          ? { affinitySeconds: Number((spec as { sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } } }).sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) }
          : {}),
        ...(spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && spec.healthCheckNodePort
          ? { healthCheckNodePort: spec.healthCheckNodePort } : {}),
        endpoints,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Rules

/** CategorizeEndpoints: which endpoints the Cluster and Local policy chains use. */
function categorize(sp: ProxyServicePort, nodeName: string) {
  const pick = (eps: readonly ProxyEndpoint[]) => {
    const ready = eps.filter((e) => e.ready);
    return ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
  };
  const externallyAccessible = sp.nodePort !== undefined || sp.loadBalancerIPs.length > 0 || sp.externalIPs.length > 0;
  const usesLocal = sp.internalPolicyLocal || (externallyAccessible && sp.externalPolicyLocal);
  // Cluster endpoints are also needed under external Local policy, for the "pod traffic"/"LOCAL" short-circuits.
  const usesCluster = !sp.internalPolicyLocal || externallyAccessible;
  const cluster = pick(sp.endpoints);
  const local = usesLocal ? pick(sp.endpoints.filter((e) => e.nodeName === nodeName)) : [];
  const byString = (a: ProxyEndpoint, b: ProxyEndpoint) => {
    const x = `${a.ip}:${a.port}`, y = `${b.ip}:${b.port}`;
    return x < y ? -1 : x > y ? 1 : 0;
  };
  cluster.sort(byString);
  local.sort(byString);
  const hasEndpoints = cluster.length > 0;
  const reachable = new Map<string, ProxyEndpoint>();
  if (usesCluster) for (const e of cluster) reachable.set(`${e.ip}:${e.port}`, e);
  for (const e of local) reachable.set(`${e.ip}:${e.port}`, e);
  return {
    cluster: usesCluster ? cluster : [],
    local,
    hasEndpoints,
    reachable: [...reachable.values()].sort(byString),
  };
}

class Lines {
  readonly lines: string[] = [];
  w(...parts: string[]): void {
    this.lines.push(parts.filter((p) => p !== '').join(' '));
  }
}

const q = (s: string) => `"${s}"`;

export interface KubeProxyRuleset {
  /** The iptables-restore input (filter then nat). */
  readonly text: string;
  /** The per-service nat chains this sync declared (to delete stale ones next time). */
  readonly natChains: ReadonlySet<string>;
}

/**
 * One full sync. `existingNatChains`: the KUBE-SVC/SVL/EXT/FW/SEP chains currently in the nat table; those not
 * written again are flushed and deleted (`-X`), as kube-proxy does.
 */
export function kubeProxyRules(ports: readonly ProxyServicePort[], cfg: ProxyConfig, existingNatChains: Iterable<string> = []): KubeProxyRuleset {
  const filterChains = new Lines();
  const filterRules = new Lines();
  const natChains = new Lines();
  const natRules = new Lines();
  const activeNat = new Set<string>();
  const localhostNodePorts = cfg.localhostNodePorts ?? true;

  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL']) filterChains.w(`:${c} - [0:0]`);
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) natChains.w(`:${c} - [0:0]`);

  natRules.w('-A KUBE-POSTROUTING -m mark ! --mark', `${MASQ_MARK}/${MASQ_MARK}`, '-j RETURN');
  natRules.w('-A KUBE-POSTROUTING -j MARK --xor-mark', MASQ_MARK);
  natRules.w('-A KUBE-POSTROUTING -m comment --comment', q('kubernetes service traffic requiring SNAT'), '-j MASQUERADE --random-fully');
  natRules.w('-A KUBE-MARK-MASQ -j MARK --or-mark', MASQ_MARK);

  const ifNotLocal = cfg.clusterCIDR ? `! -s ${cfg.clusterCIDR}` : '';
  const ifLocal = cfg.clusterCIDR ? `-s ${cfg.clusterCIDR}` : '';
  const total = ports.reduce((n, sp) => n + sp.endpoints.length, 0);
  const largeCluster = total > LARGE_CLUSTER_ENDPOINTS;
  const comment = (text: string) => (largeCluster ? '' : `-m comment --comment ${text}`);

  const sorted = [...ports].sort((a, b) => {
    const x = servicePortName(a) + '/' + a.protocol, y = servicePortName(b) + '/' + b.protocol;
    return x < y ? -1 : x > y ? 1 : 0;
  });

  for (const sp of sorted) {
    const S = servicePortName(sp);
    const p = sp.protocol;
    const svcChain = serviceChain(S, p);
    const svlChain = serviceLocalChain(S, p);
    const extChain = externalChain(S, p);
    const fwChain = firewallChain(S, p);
    const { cluster, local, hasEndpoints, reachable } = categorize(sp, cfg.nodeName);

    const internalPolicyChain = sp.internalPolicyLocal ? svlChain : svcChain;
    const hasInternalEndpoints = sp.internalPolicyLocal ? local.length > 0 : hasEndpoints;
    const externalPolicyChain = sp.externalPolicyLocal ? svlChain : svcChain;
    const hasExternalEndpoints = sp.externalPolicyLocal ? local.length > 0 : hasEndpoints;
    const externallyAccessible = sp.nodePort !== undefined || sp.loadBalancerIPs.length > 0 || sp.externalIPs.length > 0;
    const usesClusterPolicyChain = cluster.length > 0;
    const usesLocalPolicyChain = local.length > 0;
    const usesExternalTrafficChain = hasEndpoints && externallyAccessible;
    const usesFwChain = hasEndpoints && sp.loadBalancerSourceRanges.length > 0 && sp.loadBalancerIPs.length > 0;
    const lbTrafficChain = usesFwChain ? fwChain : extChain;

    let internalFilterTarget = '', internalFilterComment = '';
    if (!hasInternalEndpoints) {
      [internalFilterTarget, internalFilterComment] = hasEndpoints ? ['DROP', `${S} has no local endpoints`] : ['REJECT', `${S} has no endpoints`];
    }
    let externalFilterTarget = '', externalFilterComment = '';
    if (!hasExternalEndpoints) {
      [externalFilterTarget, externalFilterComment] = hasEndpoints ? ['DROP', `${S} has no local endpoints`] : ['REJECT', `${S} has no endpoints`];
    }
    const protoDport = (port: number) => `-m ${p} -p ${p} --dport ${port}`;

    // Capture the clusterIP.
    if (hasInternalEndpoints) {
      natRules.w('-A KUBE-SERVICES -m comment --comment', q(`${S} cluster IP`), `-m ${p} -p ${p} -d ${sp.clusterIP} --dport ${sp.port}`, `-j ${internalPolicyChain}`);
    } else {
      filterRules.w('-A KUBE-SERVICES -m comment --comment', q(internalFilterComment), `-m ${p} -p ${p} -d ${sp.clusterIP} --dport ${sp.port}`, `-j ${internalFilterTarget}`);
    }
    // External IPs.
    for (const eip of sp.externalIPs) {
      if (hasEndpoints) natRules.w('-A KUBE-SERVICES -m comment --comment', q(`${S} external IP`), `-m ${p} -p ${p} -d ${eip} --dport ${sp.port}`, `-j ${extChain}`);
      if (!hasExternalEndpoints) filterRules.w('-A KUBE-EXTERNAL-SERVICES -m comment --comment', q(externalFilterComment), `-m ${p} -p ${p} -d ${eip} --dport ${sp.port}`, `-j ${externalFilterTarget}`);
    }
    // Load balancer ingress IPs.
    for (const lbip of sp.loadBalancerIPs) {
      if (hasEndpoints) natRules.w('-A KUBE-SERVICES -m comment --comment', q(`${S} loadbalancer IP`), `-m ${p} -p ${p} -d ${lbip} --dport ${sp.port}`, `-j ${lbTrafficChain}`);
      if (usesFwChain) filterRules.w('-A KUBE-PROXY-FIREWALL -m comment --comment', q(`${S} traffic not accepted by ${fwChain}`), `-m ${p} -p ${p} -d ${lbip} --dport ${sp.port}`, '-j DROP');
    }
    if (!hasExternalEndpoints) {
      for (const lbip of sp.loadBalancerIPs) {
        filterRules.w('-A KUBE-EXTERNAL-SERVICES -m comment --comment', q(externalFilterComment), `-m ${p} -p ${p} -d ${lbip} --dport ${sp.port}`, `-j ${externalFilterTarget}`);
      }
    }
    // NodePort.
    if (sp.nodePort !== undefined) {
      if (hasEndpoints) natRules.w('-A KUBE-NODEPORTS -m comment --comment', S, protoDport(sp.nodePort), `-j ${extChain}`);
      if (!hasExternalEndpoints) {
        filterRules.w('-A KUBE-EXTERNAL-SERVICES -m comment --comment', q(externalFilterComment), '-m addrtype --dst-type LOCAL', protoDport(sp.nodePort), `-j ${externalFilterTarget}`);
      }
    }
    // Health check node port.
    if (sp.healthCheckNodePort !== undefined) {
      filterRules.w('-A KUBE-NODEPORTS -m comment --comment', q(`${S} health check node port`), `-m tcp -p tcp --dport ${sp.healthCheckNodePort}`, '-j ACCEPT');
    }

    // Internal traffic handling: masquerade off-cluster clients of the VIP.
    if (hasInternalEndpoints) {
      const args = `-m comment --comment ${q(`${S} cluster IP`)} -m ${p} -p ${p} -d ${sp.clusterIP} --dport ${sp.port}`;
      if (cfg.masqueradeAll) natRules.w(`-A ${internalPolicyChain}`, args, '-j KUBE-MARK-MASQ');
      else if (ifNotLocal) natRules.w(`-A ${internalPolicyChain}`, args, ifNotLocal, '-j KUBE-MARK-MASQ');
    }
    // External traffic handling.
    if (usesExternalTrafficChain) {
      natChains.w(`:${extChain} - [0:0]`);
      activeNat.add(extChain);
      if (!sp.externalPolicyLocal) {
        natRules.w(`-A ${extChain} -m comment --comment`, q(`masquerade traffic for ${S} external destinations`), '-j KUBE-MARK-MASQ');
      } else {
        if (ifLocal) natRules.w(`-A ${extChain} -m comment --comment`, q(`pod traffic for ${S} external destinations`), ifLocal, `-j ${svcChain}`);
        natRules.w(`-A ${extChain} -m comment --comment`, q(`masquerade LOCAL traffic for ${S} external destinations`), '-m addrtype --src-type LOCAL -j KUBE-MARK-MASQ');
        natRules.w(`-A ${extChain} -m comment --comment`, q(`route LOCAL traffic for ${S} external destinations`), `-m addrtype --src-type LOCAL -j ${svcChain}`);
      }
      if (hasExternalEndpoints) natRules.w(`-A ${extChain} -j ${externalPolicyChain}`);
    }
    // Load balancer source ranges.
    if (usesFwChain) {
      natChains.w(`:${fwChain} - [0:0]`);
      activeNat.add(fwChain);
      const head = `-A ${fwChain} -m comment --comment ${q(`${S} loadbalancer IP`)}`;
      let allowFromNode = false;
      for (const cidr of sp.loadBalancerSourceRanges) {
        natRules.w(head, `-s ${cidr}`, `-j ${extChain}`);
        if ((cfg.nodeIPs ?? []).some((n) => cidrContains(cidr, n))) allowFromNode = true;
      }
      if (allowFromNode) for (const lbip of sp.loadBalancerIPs) natRules.w(head, `-s ${lbip}`, `-j ${extChain}`);
      natRules.w(`-A ${fwChain} -m comment --comment`, q(`other traffic to ${S} will be dropped by KUBE-PROXY-FIREWALL`));
    }
    // Policy chains → endpoint chains.
    const toEndpoints = (chain: string, eps: readonly ProxyEndpoint[]) => {
      natChains.w(`:${chain} - [0:0]`);
      activeNat.add(chain);
      if (sp.affinitySeconds !== undefined) {
        for (const e of eps) {
          const sep = endpointChain(S, p, `${e.ip}:${e.port}`);
          natRules.w(`-A ${chain}`, comment(q(`${S} -> ${e.ip}:${e.port}`)), `-m recent --name ${sep} --rcheck --seconds ${sp.affinitySeconds} --reap -j ${sep}`);
        }
      }
      eps.forEach((e, i) => {
        const sep = endpointChain(S, p, `${e.ip}:${e.port}`);
        const stat = i < eps.length - 1 ? `-m statistic --mode random --probability ${probability(eps.length - i)}` : '';
        natRules.w(`-A ${chain}`, comment(q(`${S} -> ${e.ip}:${e.port}`)), stat, `-j ${sep}`);
      });
    };
    if (usesClusterPolicyChain) toEndpoints(svcChain, cluster);
    if (usesLocalPolicyChain) toEndpoints(svlChain, local);
    // Endpoint chains.
    for (const e of reachable) {
      const ep = `${e.ip}:${e.port}`;
      const sep = endpointChain(S, p, ep);
      natChains.w(`:${sep} - [0:0]`);
      activeNat.add(sep);
      natRules.w(`-A ${sep}`, comment(S), `-s ${e.ip} -j KUBE-MARK-MASQ`);
      const affinity = sp.affinitySeconds !== undefined ? `-m recent --name ${sep} --set` : '';
      natRules.w(`-A ${sep}`, comment(S), affinity, `-m ${p} -p ${p} -j DNAT --to-destination ${ep}`);
    }
  }

  // The last rule of nat KUBE-SERVICES.
  natRules.w('-A KUBE-SERVICES -m comment --comment',
    q('kubernetes service nodeports; NOTE: this must be the last rule in this chain'),
    localhostNodePorts ? '' : '! -d 127.0.0.0/8', '-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');

  // Stale per-service chains: flush, then delete.
  const stale = [...existingNatChains].filter((c) => /^KUBE-(SVC|SVL|EXT|FW|SEP)-/.test(c) && !activeNat.has(c)).sort();
  for (const c of stale) {
    natChains.w(`:${c} - [0:0]`);
    natRules.w(`-X ${c}`);
  }

  filterRules.w('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
  filterRules.w('-A KUBE-FORWARD -m comment --comment', q('kubernetes forwarding rules'), '-m mark --mark', `${MASQ_MARK}/${MASQ_MARK}`, '-j ACCEPT');
  filterRules.w('-A KUBE-FORWARD -m comment --comment', q('kubernetes forwarding conntrack rule'), '-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT');
  if (localhostNodePorts) {
    filterChains.w(':KUBE-FIREWALL - [0:0]');
    filterRules.w('-A KUBE-FIREWALL -m comment --comment', q('block incoming localnet connections'),
      '-d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP');
  }

  const text = ['*filter', ...filterChains.lines, ...filterRules.lines, 'COMMIT', '*nat', ...natChains.lines, ...natRules.lines, 'COMMIT', ''].join('\n');
  return { text, natChains: activeNat };
}

function cidrContains(cidr: string, ip: string): boolean {
  const [a, l] = cidr.split('/');
  const toN = (s: string) => s.split('.').reduce((n, x) => n * 256 + Number(x), 0);
  const len = Number(l ?? 32);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((toN(a ?? '') & mask) >>> 0) === ((toN(ip) & mask) >>> 0);
}

/**
 * The jump rules kube-proxy ensures once at startup (`iptables -C`, else `-I CHAIN 1`), in its order; each is
 * prepended, so the last one ends up first.
 */
export const KUBE_PROXY_JUMPS: readonly { table: 'filter' | 'nat'; chain: string; from: string; comment: string; extra: string }[] = [
  { table: 'filter', chain: 'KUBE-EXTERNAL-SERVICES', from: 'INPUT', comment: 'kubernetes externally-visible service portals', extra: '-m conntrack --ctstate NEW' },
  { table: 'filter', chain: 'KUBE-EXTERNAL-SERVICES', from: 'FORWARD', comment: 'kubernetes externally-visible service portals', extra: '-m conntrack --ctstate NEW' },
  { table: 'filter', chain: 'KUBE-NODEPORTS', from: 'INPUT', comment: 'kubernetes health check service ports', extra: '' },
  { table: 'filter', chain: 'KUBE-SERVICES', from: 'FORWARD', comment: 'kubernetes service portals', extra: '-m conntrack --ctstate NEW' },
  { table: 'filter', chain: 'KUBE-SERVICES', from: 'OUTPUT', comment: 'kubernetes service portals', extra: '-m conntrack --ctstate NEW' },
  { table: 'filter', chain: 'KUBE-FORWARD', from: 'FORWARD', comment: 'kubernetes forwarding rules', extra: '' },
  { table: 'filter', chain: 'KUBE-PROXY-FIREWALL', from: 'INPUT', comment: 'kubernetes load balancer firewall', extra: '-m conntrack --ctstate NEW' },
  { table: 'filter', chain: 'KUBE-PROXY-FIREWALL', from: 'OUTPUT', comment: 'kubernetes load balancer firewall', extra: '-m conntrack --ctstate NEW' },
  { table: 'filter', chain: 'KUBE-PROXY-FIREWALL', from: 'FORWARD', comment: 'kubernetes load balancer firewall', extra: '-m conntrack --ctstate NEW' },
  { table: 'nat', chain: 'KUBE-SERVICES', from: 'OUTPUT', comment: 'kubernetes service portals', extra: '' },
  { table: 'nat', chain: 'KUBE-SERVICES', from: 'PREROUTING', comment: 'kubernetes service portals', extra: '' },
  { table: 'nat', chain: 'KUBE-POSTROUTING', from: 'POSTROUTING', comment: 'kubernetes postrouting rules', extra: '' },
];
