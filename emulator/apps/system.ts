/**
 * Images the cluster itself runs (kube-system): CoreDNS, kube-proxy, the kind control plane and its CNI, and
 * ingress controllers. They exist so the kubelet can "pull" them offline; their behaviour lives elsewhere
 * (emulator/dns, emulator/kube-proxy, emulator/ingress).
 */
import type { AppContext, AppImage } from './types';

function klog(ctx: AppContext, file: string, msg: string): string {
  const d = new Date(ctx.now);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `I${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000       1 ${file}] ${msg}`;
}

function system(repository: string, description: string, extra: Partial<AppImage> = {}): AppImage {
  return {
    repository,
    tags: '*',
    description,
    ports: [],
    commands: [],
    shell: 'none',
    entrypoint: [],
    cmd: [],
    sizeBytes: 30_000_000,
    pullMs: 1500,
    stopsOnSigterm: true,
    longRunning: () => true,
    startupLogs: () => [],
    ...extra,
  };
}

export const coredns = system('registry.k8s.io/coredns/coredns', 'CoreDNS (cluster DNS)', {
  ports: [
    { containerPort: 53, protocol: 'UDP', name: 'dns' },
    { containerPort: 53, protocol: 'TCP', name: 'dns-tcp' },
    { containerPort: 9153, protocol: 'TCP', name: 'metrics' },
  ],
  entrypoint: ['/coredns'],
  cmd: ['-conf', '/etc/coredns/Corefile'],
  sizeBytes: 18_562_039,
  startupLogs: () => [
    '.:53',
    '[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908',
    'CoreDNS-1.11.3',
    'linux/amd64, go1.21.11, a6338e9',
  ],
});

export const kubeProxy = system('registry.k8s.io/kube-proxy', 'kube-proxy (iptables mode)', {
  commands: ['sh', 'iptables', 'iptables-save', 'conntrack', 'cat', 'ls', 'echo'],
  shell: 'bash',
  entrypoint: ['/usr/local/bin/kube-proxy'],
  cmd: ['--config=/var/lib/kube-proxy/config.conf', '--hostname-override=$(NODE_NAME)'],
  sizeBytes: 30_906_762,
  startupLogs: (ctx) => [
    klog(ctx, 'server_linux.go:66', '"Using iptables proxy"'),
    klog(ctx, 'server.go:698', `"Successfully retrieved node IP(s)" IPs=["${ctx.pod.podIP}"]`),
    klog(ctx, 'server_linux.go:170', '"Using iptables Proxier"'),
    klog(ctx, 'proxier.go:255', '"Setting route_localnet=1 to allow node-ports on localhost; to change this either disable iptables.localhostNodePorts (--iptables-localhost-nodeports) or set nodePortAddresses (--nodeport-addresses) to filter loopback addresses"'),
    klog(ctx, 'server.go:483', '"Version info" version="v1.32.2"'),
    klog(ctx, 'config.go:199', '"Starting service config controller"'),
    klog(ctx, 'config.go:105', '"Starting endpoint slice config controller"'),
    klog(ctx, 'shared_informer.go:320', '"Caches are synced" controller="service config"'),
  ],
});

export const kindnetd = system('docker.io/kindest/kindnetd', 'kindnet CNI daemon (kind)', { sizeBytes: 39_010_243 });
export const etcd = system('registry.k8s.io/etcd', 'etcd', { sizeBytes: 57_680_541 });
export const kubeApiserver = system('registry.k8s.io/kube-apiserver', 'Kubernetes API server', { sizeBytes: 28_670_731 });
export const kubeControllerManager = system('registry.k8s.io/kube-controller-manager', 'Kubernetes controller manager', { sizeBytes: 26_259_392 });
export const kubeScheduler = system('registry.k8s.io/kube-scheduler', 'Kubernetes scheduler', { sizeBytes: 20_658_969 });
export const localPathProvisioner = system('docker.io/kindest/local-path-provisioner', 'local-path storage provisioner (kind)', { sizeBytes: 22_541_737 });
export const ingressNginx = system('registry.k8s.io/ingress-nginx/controller', 'ingress-nginx controller', {
  ports: [
    { containerPort: 80, protocol: 'TCP', name: 'http' },
    { containerPort: 443, protocol: 'TCP', name: 'https' },
    { containerPort: 8443, protocol: 'TCP', name: 'webhook' },
  ],
  commands: ['sh', 'bash', 'cat', 'ls', 'curl', 'nginx'],
  shell: 'bash',
  sizeBytes: 105_414_118,
});
export const traefik = system('traefik', 'Traefik proxy / ingress controller', {
  ports: [
    { containerPort: 80, protocol: 'TCP', name: 'web' },
    { containerPort: 443, protocol: 'TCP', name: 'websecure' },
  ],
  commands: ['sh', 'cat', 'ls', 'wget'],
  shell: 'busybox',
  sizeBytes: 52_331_021,
});
