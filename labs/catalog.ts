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
];
