/**
 * The emulated world: virtual time, randomness, and (as the subsystems land) the API store, controllers, the
 * packet network and the hosts a learner can open a shell on. One `World` is one lab session; the same profile,
 * seed and commands give the same world.
 */
import { ApiStore } from './api/store';
import { installCluster } from './cluster/install';
import { installIngress } from './ingress/install';
import { createVpcHosts } from './hosts/vpc-hosts';
import { installHealthCheckServers } from './kube-proxy/health-check-server';
import type { ControlPlane } from './cluster/control-plane';
import { Rng } from './core/rng';
import { Scheduler } from './core/scheduler';
import type { CommandSpec, ShellHost } from './shell/types';
import { registerBuiltins } from './commands/builtins';
import { createLoginHost } from './hosts/login-host';
import { registerKubectl } from './commands/kubectl';
import type { Cni } from './core/cni';
import { buildNetworkForProfile } from './net/install';
import { registerNetCommands } from './commands/net';
import { installNetfilter } from './netfilter/install';
import { registerNetfilterCommands } from './commands/netfilter';
import { installKubeProxies } from './kube-proxy/install';
import type { Network } from './net/network';
import type { Topology } from './net/topology';
import type { TraceStore } from './net/trace';
import { installDataPlaneServices } from './workloads/install';

export type ProfileName = 'local' | 'cloud';

export interface WorldOptions {
  readonly profile?: ProfileName;
  readonly seed?: number;
}

export class World {
  readonly profile: ProfileName;
  readonly seed: number;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  /** Commands by name; subsystems register theirs at construction. */
  readonly commands = new Map<string, CommandSpec>();
  /** Hosts by id (`workstation`, `node/worker-1`, `pod/default/web-…`). */
  readonly hosts = new Map<string, ShellHost>();
  /** The Kubernetes API (object store, validation, watch): emulator/api/store.ts. */
  readonly store: ApiStore;
  /** The packet network (emulator/net/): namespaces (id = host id), NICs, routes, ARP, sockets, captures. */
  readonly network: Network;
  /** The CNI plugin the kubelet calls to give a pod its namespace, veth and IP (emulator/net/cni.ts). */
  readonly cni: Cni;
  /** Packet traces grouped by request, for the UI and lab checks (emulator/net/trace.ts). */
  readonly traces: TraceStore;
  /** The profile's network layout: login namespace, node namespaces, internet, cloud gateway. */
  readonly topology: Topology;
  /**
   * The control plane (emulator/cluster/control-plane.ts): controllers, kubelets, the container runtime
   * (`cluster.runtime`: running containers, `serveHttp`, logs), LoadBalancer records (`cluster.loadBalancers`),
   * the profile's nodes and addresses (`cluster.profile`), the tunnel (`startTunnel`/`stopTunnel`).
   */
  readonly cluster: ControlPlane;

  constructor(opts: WorldOptions = {}) {
    this.profile = opts.profile ?? 'local';
    this.seed = opts.seed ?? 1;
    this.scheduler = new Scheduler();
    this.rng = new Rng(this.seed);
    this.store = new ApiStore({ scheduler: this.scheduler, rng: this.rng });
    const net = buildNetworkForProfile(this);
    this.network = net.network;
    this.cni = net.cni;
    this.traces = net.network.traces;
    this.topology = net.topology;
    // Nodes, system namespaces, kube-system workloads, kubelets and node hosts; pods start once time runs.
    this.cluster = installCluster(this);
  }

  registerCommand(spec: CommandSpec): void {
    this.commands.set(spec.name, spec);
  }

  /** The host a learner's terminal starts on. */
  get loginHost(): ShellHost {
    const id = this.profile === 'cloud' ? 'laptop' : 'workstation';
    const h = this.hosts.get(id);
    if (!h) throw new Error(`world has no login host ${id}`);
    return h;
  }

  /**
   * Resolve once `ms` of virtual time has passed (true), or when `signal` aborts first (false). This does not move
   * the clock: in the app the wall-clock ticker advances the scheduler and runs the wake-up task; commands that
   * may also run non-interactively use `sleepVirtual` (emulator/shell/virtual-time.ts), which advances time
   * itself there. The wake-up is a background task so that `settle()` does not fast-forward to it.
   */
  waitVirtual(ms: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      if (signal?.aborted) {
        resolve(false);
        return;
      }
      const onAbort = () => {
        this.scheduler.cancel(handle);
        resolve(false);
      };
      const handle = this.scheduler.after(
        ms,
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        },
        { background: true, label: 'waitVirtual' },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Let every controller reach quiescence (virtual time moves; bounded). */
  settle(limitMs?: number): number {
    return this.scheduler.settle(limitMs);
  }
}

export function createWorld(opts: WorldOptions = {}): World {
  const world = new World(opts);
  // The shell's basic commands and the learner's login host (workstation / laptop).
  registerBuiltins(world);
  registerKubectl(world);
  // Netfilter in every network namespace, the iptables/conntrack commands, and one kube-proxy per node.
  installNetfilter(world);
  registerNetfilterCommands(world);
  installKubeProxies(world);
  // kube-proxy's health-check node ports (LoadBalancer Services with externalTrafficPolicy: Local).
  installHealthCheckServers(world);
  createLoginHost(world);
  // corp-vm inside the VPC (cloud profile), for `ssh corp-vm`.
  createVpcHosts(world);
  // ip, ss, ping, traceroute, tcpdump (emulator/commands/net/).
  registerNetCommands(world);
  // DNS (CoreDNS in its pods, public/VPC resolvers), workload servers, curl/wget/nslookup/dig/host.
  installDataPlaneServices(world);
  // Ingress: status writer, L7 servers in Ingress-controller pods, ~/manifests (no controller installed by default).
  installIngress(world);
  // Keep last: boot the cluster to quiescence (pods scheduled, started, ready) once every subsystem listens.
  world.settle();
  return world;
}
