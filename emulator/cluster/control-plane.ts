/**
 * The control plane as one composition root: the API server's admission (ClusterIP and NodePort allocation),
 * the controller manager's controllers, the scheduler, the cloud controller manager (cloud profile) or the local
 * tunnel, and one kubelet per node over a shared container runtime.
 */
import type { ApiStore } from '../api/store';
import { ContainerRuntime } from '../apps/runtime';
import { LoadBalancerController } from '../controllers/cloud-controller';
import { DeploymentController } from '../controllers/deployment';
import { EndpointsController } from '../controllers/endpoints';
import { EndpointSliceController } from '../controllers/endpointslice';
import { EventRecorder } from '../controllers/events';
import { GarbageCollector } from '../controllers/garbage-collector';
import { Kubelet, ServiceLinkCache } from '../controllers/kubelet';
import { LoadBalancerRegistry } from '../controllers/load-balancers';
import { LocalLoadBalancerNotice } from '../controllers/local-lb-notice';
import { NamespaceController } from '../controllers/namespace';
import { NodePortAllocator } from '../controllers/nodeport';
import { ReplicaSetController } from '../controllers/replicaset';
import type { Controller, ControllerContext } from '../controllers/runtime';
import { SchedulerController } from '../controllers/scheduler';
import { serviceAllocationPlugin } from '../controllers/service-allocation';
import { ClusterIpAllocator } from '../controllers/service-ip';
import type { Cni } from '../core/cni';
import type { Rng } from '../core/rng';
import type { Scheduler } from '../core/scheduler';
import type { ShellHostOptions } from '../hosts/shell-host';
import type { ShellHost } from '../shell/types';
import type { ClusterProfile } from './profiles';

export const TUNNEL_COMMAND = 'cloud-provider-kind';

export interface ControlPlaneDeps {
  readonly store: ApiStore;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  readonly hosts: Map<string, ShellHost>;
  readonly createHost: (opts: ShellHostOptions) => ShellHost;
  readonly cni: () => Cni | undefined;
}

export class ControlPlane {
  readonly events: EventRecorder;
  readonly runtime: ContainerRuntime;
  readonly loadBalancers = new LoadBalancerRegistry();
  readonly clusterIPs: ClusterIpAllocator;
  readonly nodePorts: NodePortAllocator;
  readonly controllers: Controller[] = [];
  readonly kubelets = new Map<string, Kubelet>();
  readonly ctx: ControllerContext;
  readonly #serviceLinks: ServiceLinkCache;
  #tunnel: LoadBalancerController | undefined;

  constructor(
    private readonly deps: ControlPlaneDeps,
    readonly profile: ClusterProfile,
  ) {
    const { store, scheduler, rng } = deps;
    this.events = new EventRecorder(store, scheduler);
    this.runtime = new ContainerRuntime(scheduler);
    this.ctx = { store, scheduler, rng, events: this.events };
    this.#serviceLinks = new ServiceLinkCache(store);
    this.clusterIPs = new ClusterIpAllocator(profile.serviceCIDR, rng.fork('service-cluster-ip'));
    const [lo, hi] = profile.nodePortRange;
    this.nodePorts = new NodePortAllocator(lo, hi - lo + 1, rng.fork('service-node-port'));
    store.addAdmissionPlugin(serviceAllocationPlugin(this.clusterIPs, this.nodePorts));
    this.controllers.push(
      new SchedulerController(this.ctx),
      new DeploymentController(this.ctx),
      new ReplicaSetController(this.ctx),
      new EndpointsController(this.ctx),
      new EndpointSliceController(this.ctx),
      new GarbageCollector(this.ctx),
      new NamespaceController(this.ctx),
    );
    if (profile.cloudProvider)
      this.controllers.push(
        new LoadBalancerController(this.ctx, this.loadBalancers, { provider: 'cloud', pool: profile.lbPool, provisionMs: 4000, hostnameSuffix: undefined }),
      );
    else this.controllers.push(new LocalLoadBalancerNotice(this.ctx, () => this.tunnelRunning, TUNNEL_COMMAND));
  }

  /** Start a kubelet for every Node object (call once the Node objects exist). */
  startKubelets(): void {
    for (const n of this.profile.nodes) {
      if (this.kubelets.has(n.name)) continue;
      this.kubelets.set(
        n.name,
        new Kubelet(this.ctx, {
          nodeName: n.name,
          runtime: this.runtime,
          cni: this.deps.cni,
          hosts: this.deps.hosts,
          createHost: this.deps.createHost,
          nodeResolv: this.profile.nodeResolv,
          serviceLinks: this.#serviceLinks,
        }),
      );
    }
  }

  get tunnelRunning(): boolean {
    return this.#tunnel !== undefined;
  }

  /** The local LoadBalancer stand-in: while it runs, LoadBalancer Services get addresses from the kind network. */
  startTunnel(): boolean {
    if (this.#tunnel) return false;
    this.#tunnel = new LoadBalancerController(this.ctx, this.loadBalancers, { provider: 'tunnel', pool: this.profile.lbPool, provisionMs: 1000 });
    return true;
  }

  stopTunnel(): boolean {
    const t = this.#tunnel;
    if (!t) return false;
    t.withdrawAll();
    t.dispose();
    this.#tunnel = undefined;
    return true;
  }

  dispose(): void {
    this.stopTunnel();
    for (const c of this.controllers) c.dispose();
    for (const k of this.kubelets.values()) k.dispose();
    this.#serviceLinks.dispose();
  }
}
