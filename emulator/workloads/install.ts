/**
 * Boot the data-plane services of a world: DNS (public resolver, VPC resolver, the kind network's resolver at
 * 172.18.0.1, CoreDNS in its pods), the workload servers that put containers' handlers on their ports, and the
 * commands that talk over the network (curl, wget, nslookup, dig, host, aws). Called from `createWorld`.
 */
import type { World } from '../world';
import type { ContainerRuntime } from '../apps/runtime';
import { ipv4 } from '../net/addr';
import { installDns, PUBLIC_RESOLVER_IP, type DnsInstall } from '../dns/install';
import { answerPublic } from '../dns/public-dns';
import { forwardQuery, serveDns } from '../dns/udp';
import { curlCommand } from '../commands/http/curl';
import { wgetCommand } from '../commands/http/wget';
import { digCommand, hostCommand, nslookupCommand } from '../commands/dns/commands';
import { awsCommand } from '../commands/cloud/aws';
import { installCloud, type CloudInstall } from '../cloud/install';
import { clusterFirstResolver, WorkloadServers } from './servers';
import { networkOf, resolverOf } from './host-network';
import { serveExternalApi } from './external-api';

export interface DataPlaneServices {
  readonly dns: DnsInstall | undefined;
  readonly cloud?: CloudInstall;
  servers: WorkloadServers | undefined;
  /** Attach the container runtime (the control plane's) once it exists. */
  attachRuntime(runtime: ContainerRuntime): WorkloadServers | undefined;
}

export function registerNetworkCommands(world: World): void {
  for (const c of [curlCommand, wgetCommand, nslookupCommand, digCommand, hostCommand, awsCommand]) world.registerCommand(c);
}

export function installDataPlaneServices(world: World, runtime?: ContainerRuntime): DataPlaneServices {
  registerNetworkCommands(world);
  const network = networkOf(world);
  if (!network) return { dns: undefined, servers: undefined, attachRuntime: () => undefined };
  const nodeIPs = [...network.namespaces.values()].filter((n) => n.id.startsWith('node/')).map((n) => {
    const a = n.iface('eth0')?.addrs[0]?.addr;
    return a === undefined ? undefined : `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
  }).filter((x): x is string => !!x);
  const dns = installDns(world, network, { nodeIPs });
  // kind: the nodes' resolv.conf names the docker network's gateway (172.18.0.1), where docker's embedded DNS
  // forwards to the workstation's upstream.
  const ws = network.ns('workstation');
  if (world.profile === 'local' && ws && ws.isLocal(ipv4('172.18.0.1'))) {
    dns.servers.push(serveDns(ws, (q, respond, from) => {
      forwardQuery(ws, world.scheduler, PUBLIC_RESOLVER_IP, q, from.reqId, 2000, (m) => respond(m ?? answerPublic(q)));
    }));
  }
  const api = network.ns('internet/api-external');
  if (api) serveExternalApi(api, () => world.scheduler.now());
  // Security groups on the nodes' ENIs, the AWS account, and the load balancers' data path (`world.cloud`).
  const cloud = installCloud(world);
  (world as unknown as { cloud: CloudInstall }).cloud = cloud;
  const services: DataPlaneServices = {
    dns, cloud,
    servers: undefined,
    attachRuntime(rt: ContainerRuntime): WorkloadServers | undefined {
      if (services.servers) return services.servers;
      const servers = new WorkloadServers({
        network, scheduler: world.scheduler, rng: world.rng.fork('workloads'), runtime: rt,
        podResolver: (podKey, podIP, podName) => {
          // The files the kubelet wrote into the pod (a learner may have edited them), else ClusterFirst defaults.
          const host = world.hosts.get(`pod/${podKey}`);
          if (host?.fs.readFile('/etc/resolv.conf')) return resolverOf(host, world.profile);
          return clusterFirstResolver(podKey.split('/')[0]!, '10.96.0.10', [], podIP, podName);
        },
        startCoreDns: (ns, c) => dns.startCoreDns(ns, c.podKey),
      });
      services.servers = servers;
      return servers;
    },
  };
  const cluster = (world as unknown as { cluster?: { runtime?: ContainerRuntime } }).cluster;
  runtime ??= cluster?.runtime;
  if (runtime) services.attachRuntime(runtime);
  else {
    // The control plane (and its container runtime) may be composed after us in createWorld: attach on the
    // first scheduler turn.
    world.scheduler.after(0, () => {
      const rt = world.cluster?.runtime;
      if (rt) services.attachRuntime(rt);
    }, { label: 'data-plane-attach-runtime' });
  }
  return services;
}
