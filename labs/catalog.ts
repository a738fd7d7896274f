/** Every lab, in the order the app lists them. */
import type { LabManifest } from './engine/types';
import { lab as whyServices } from './01-why-services/lab';
import { lab as clusterIp } from './02-clusterip/lab';
import { lab as nodePort } from './03-nodeport/lab';
import { lab as loadBalancerCloud } from './04-loadbalancer-cloud/lab';
import { lab as loadBalancerPending } from './05-loadbalancer-pending/lab';
import { lab as nodePortUnreachable } from './06-nodeport-unreachable/lab';
import { lab as externalName } from './07-externalname/lab';
import { lab as clusterIpAlways } from './08-clusterip-always/lab';
import { lab as trafficFlow } from './09-traffic-flow/lab';
import { lab as fqdnDns } from './10-fqdn-dns/lab';
import { lab as serviceDiscovery } from './11-service-discovery/lab';
import { lab as underTheHood } from './12-under-the-hood/lab';
import { lab as whyIngress } from './13-why-ingress/lab';
import { lab as hostRouting } from './14-host-routing/lab';
import { lab as ingressController } from './15-ingress-controller/lab';
import { lab as ingressVsLoadBalancer } from './16-ingress-vs-loadbalancer/lab';
import { lab as troubleshooting } from './17-troubleshooting/lab';

export const LAB_MANIFESTS: readonly LabManifest[] = [
  whyServices,
  clusterIp,
  nodePort,
  loadBalancerCloud,
  loadBalancerPending,
  nodePortUnreachable,
  externalName,
  clusterIpAlways,
  trafficFlow,
  fqdnDns,
  serviceDiscovery,
  underTheHood,
  whyIngress,
  hostRouting,
  ingressController,
  ingressVsLoadBalancer,
  troubleshooting,
];
