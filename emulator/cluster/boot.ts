/**
 * Booting a cluster the way kubeadm/kind (local) or a managed service (cloud) leaves it: the four system
 * namespaces, Node objects, the `kubernetes` Service with the API server's endpoints, CoreDNS (Deployment with
 * 2 replicas behind `kube-dns` at 10.96.0.10), kube-proxy on every node (host network), and in kind the static
 * control-plane pods and kindnet. Deterministic for a seed, and fast: everything settles in virtual time.
 */
import { randomSuffix } from '../api/meta';
import type { ApiStore } from '../api/store';
import type { KubeObject } from '../api/types';
import { CLUSTER_DNS_IP } from './pod-host';
import type { ClusterProfile, NodeProfile } from './profiles';
import type { ControlPlane } from './control-plane';
import type { Rng } from '../core/rng';

export const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.11.3';
export const KUBE_PROXY_IMAGE = 'registry.k8s.io/kube-proxy:v1.32.2';

export const COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
`;

function nodeObject(p: ClusterProfile, n: NodeProfile, now: string): KubeObject {
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
  };
  if (n.controlPlane) {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  if (n.zone) {
    labels['topology.kubernetes.io/region'] = n.zone.slice(0, -1);
    labels['topology.kubernetes.io/zone'] = n.zone;
    labels['node.kubernetes.io/instance-type'] = 't3.medium';
  }
  const addresses = [{ type: 'InternalIP', address: n.internalIP }];
  if (n.externalIP) addresses.push({ type: 'ExternalIP', address: n.externalIP });
  addresses.push({ type: 'Hostname', address: n.name });
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: now, reason, message });
  const capacity = { cpu: p.cloudProvider ? '2' : '4', 'ephemeral-storage': p.cloudProvider ? '20959212Ki' : '102626232Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: p.cloudProvider ? '3943372Ki' : '8029428Ki', pods: p.cloudProvider ? '17' : '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: n.name,
      labels,
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        ...(p.cloudProvider ? {} : { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock' }),
      },
    },
    spec: {
      podCIDR: n.podCIDR,
      podCIDRs: [n.podCIDR],
      ...(n.instanceId ? { providerID: `aws:///${n.zone}/${n.instanceId}` } : { providerID: `kind://docker/kind/${n.name}` }),
      ...(n.controlPlane ? { taints: [{ effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' }] } : {}),
    },
    status: {
      addresses,
      allocatable: { ...capacity },
      capacity,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: '',
        containerRuntimeVersion: p.containerRuntimeVersion,
        kernelVersion: p.kernelVersion,
        kubeProxyVersion: p.kubeletVersion,
        kubeletVersion: p.kubeletVersion,
        machineID: '',
        operatingSystem: 'linux',
        osImage: p.osImage,
        systemUUID: '',
      },
    },
  };
}

function hex(rng: Rng, n: number): string {
  let s = '';
  while (s.length < n) s += rng.nextUint32().toString(16).padStart(8, '0');
  return s.slice(0, n);
}

/** A DaemonSet-made pod (kube-proxy, kindnet): host network, bound to its node, owned by the DaemonSet. */
function daemonPod(name: string, node: string, app: string, image: string, dsUid: string, hash: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { 'controller-revision-hash': hash, 'k8s-app': app, 'pod-template-generation': '1', ...(app === 'kindnet' ? { app: 'kindnet', tier: 'node' } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: app, uid: dsUid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      priority: 2000001000,
      serviceAccountName: app,
      containers: [{ name: app === 'kindnet' ? 'kindnet-cni' : app, image, ...extra }],
      tolerations: [{ operator: 'Exists' }],
    },
  };
}

function staticPod(component: string, node: string, image: string, nodeUid: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${component}-${node}`,
      namespace: 'kube-system',
      labels: { component, tier: 'control-plane' },
      annotations: { 'kubernetes.io/config.source': 'file' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node, uid: nodeUid, controller: true }],
    },
    spec: {
      nodeName: node,
      hostNetwork: true,
      priorityClassName: 'system-node-critical',
      priority: 2000001000,
      containers: [{ name: component, image }],
      tolerations: [{ effect: 'NoExecute', operator: 'Exists' }],
    },
  };
}

/** Create the cluster's objects; kubelets must already be running (pods go through them like any other). */
export function bootClusterObjects(store: ApiStore, cp: ControlPlane, rng: Rng): void {
  const p = cp.profile;
  const now = new Date(store.now()).toISOString().replace(/\.\d+Z$/, 'Z');
  const bootRng = rng.fork('cluster-boot');
  for (const ns of ['default', 'kube-node-lease', 'kube-public', 'kube-system'])
    if (!store.peek('namespaces', undefined, ns)) store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (!p.cloudProvider) store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'local-path-storage' } });
  for (const n of p.nodes) store.create('nodes', nodeObject(p, n, now));
  cp.startKubelets();

  // The API server's own Service and endpoints (maintained by the apiserver, not the Endpoints controller).
  store.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: p.apiserver.port }] },
  });
  const apiAddrs = p.apiserver.addresses.map((ip) => ({ ip }));
  store.create('endpoints', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: apiAddrs, ports: [{ name: 'https', port: p.apiserver.port, protocol: 'TCP' }] }],
  });
  store.create('endpointslices', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: p.apiserver.addresses.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'https', port: p.apiserver.port, protocol: 'TCP' }],
  });

  // CoreDNS.
  store.create('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: COREFILE } });
  store.create('services', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kube-dns',
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      clusterIP: CLUSTER_DNS_IP,
      selector: { 'k8s-app': 'kube-dns' },
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  });
  store.create('deployments', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: {
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: 'coredns',
          dnsPolicy: 'Default',
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          tolerations: [
            { key: 'CriticalAddonsOnly', operator: 'Exists' },
            { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
          ],
          containers: [
            {
              name: 'coredns',
              image: COREDNS_IMAGE,
              imagePullPolicy: 'IfNotPresent',
              args: ['-conf', '/etc/coredns/Corefile'],
              ports: [
                { containerPort: 53, name: 'dns', protocol: 'UDP' },
                { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
                { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' }, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/health', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
              resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
            },
          ],
        },
      },
    },
  });

  // kube-proxy (and kindnet in kind) on every node.
  const proxyUid = `${hex(bootRng, 8)}-${hex(bootRng, 4)}-4${hex(bootRng, 3)}-a${hex(bootRng, 3)}-${hex(bootRng, 12)}`;
  const kindnetUid = `${hex(bootRng, 8)}-${hex(bootRng, 4)}-4${hex(bootRng, 3)}-b${hex(bootRng, 3)}-${hex(bootRng, 12)}`;
  for (const n of p.nodes) {
    store.create(
      'pods',
      daemonPod(`kube-proxy-${randomSuffix(bootRng)}`, n.name, 'kube-proxy', KUBE_PROXY_IMAGE, proxyUid, '7bb84c4984', {
        command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf', `--hostname-override=${n.name}`],
      }),
    );
    if (!p.cloudProvider) store.create('pods', daemonPod(`kindnet-${randomSuffix(bootRng)}`, n.name, 'kindnet', 'docker.io/kindest/kindnetd:v20250214-acbabc1a', kindnetUid, '6cc7f4f5d'));
  }
  if (!p.cloudProvider) {
    const cpNode = p.nodes.find((n) => n.controlPlane)!;
    const nodeUid = store.peek('nodes', undefined, cpNode.name)!.metadata.uid!;
    store.create('pods', staticPod('etcd', cpNode.name, 'registry.k8s.io/etcd:3.5.16-0', nodeUid));
    store.create('pods', staticPod('kube-apiserver', cpNode.name, 'registry.k8s.io/kube-apiserver:v1.32.2', nodeUid));
    store.create('pods', staticPod('kube-controller-manager', cpNode.name, 'registry.k8s.io/kube-controller-manager:v1.32.2', nodeUid));
    store.create('pods', staticPod('kube-scheduler', cpNode.name, 'registry.k8s.io/kube-scheduler:v1.32.2', nodeUid));
  }
}
