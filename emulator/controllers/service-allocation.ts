/**
 * The Service registry's allocation step (pkg/registry/core/service/storage): inside a Service create or update,
 * allocate the ClusterIP and NodePorts (and healthCheckNodePort for `LoadBalancer` + `externalTrafficPolicy: Local`)
 * all-or-nothing, with the API server's error texts, and release them when the Service goes or stops needing them.
 */
import { ApiError, invalid, invalidObject, type FieldError } from '../api/errors';
import type { AdmissionPlugin } from '../api/store';
import { RESOURCES } from '../api/resources';
import type { KubeObject, ServicePort } from '../api/types';
import type { ClusterIpAllocator } from './service-ip';
import type { NodePortAllocator } from './nodeport';

function needsClusterIP(s: KubeObject): boolean {
  return s.spec.type !== 'ExternalName' && s.spec.clusterIP !== 'None';
}

function needsNodePorts(s: KubeObject): boolean {
  return s.spec.type === 'NodePort' || (s.spec.type === 'LoadBalancer' && s.spec.allocateLoadBalancerNodePorts !== false);
}

function needsHealthCheck(s: KubeObject): boolean {
  return s.spec.type === 'LoadBalancer' && s.spec.externalTrafficPolicy === 'Local';
}

function ownedPorts(s: KubeObject | undefined): Set<number> {
  const out = new Set<number>();
  if (!s) return out;
  for (const p of (s.spec.ports ?? []) as ServicePort[]) if (p.nodePort) out.add(p.nodePort);
  if (s.spec.healthCheckNodePort) out.add(s.spec.healthCheckNodePort);
  return out;
}

export function serviceAllocationPlugin(ips: ClusterIpAllocator, ports: NodePortAllocator): AdmissionPlugin {
  return {
    name: 'service-allocation',
    admit(resource, svc, old, dryRun) {
      if (resource !== 'services') return;
      const spec = svc.spec;
      const errs: FieldError[] = [];
      const name = svc.metadata.name ?? '';
      const oldIP = old && needsClusterIP(old) ? old.spec.clusterIP : undefined;

      // Fields that stop applying when the type changes are dropped (dropTypeDependentFields).
      if (spec.type === 'ExternalName') {
        delete spec.clusterIP;
        delete spec.clusterIPs;
        delete spec.ipFamilies;
        delete spec.ipFamilyPolicy;
        delete spec.internalTrafficPolicy;
      }
      if (old && !needsNodePorts(svc)) {
        const had = ownedPorts(old);
        for (const p of (spec.ports ?? []) as ServicePort[]) if (p.nodePort && had.has(p.nodePort)) delete p.nodePort;
      }
      if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') delete spec.externalTrafficPolicy;
      if (!needsHealthCheck(svc) && old?.spec.healthCheckNodePort === spec.healthCheckNodePort) delete spec.healthCheckNodePort;
      if (spec.type !== 'LoadBalancer') delete spec.allocateLoadBalancerNodePorts;

      // ClusterIP
      let newIP: string | undefined;
      if (needsClusterIP(svc)) {
        if (oldIP && (!spec.clusterIP || spec.clusterIP === oldIP)) {
          spec.clusterIP = oldIP;
          spec.clusterIPs = [oldIP];
        } else if (spec.clusterIP) {
          const r = ips.check(spec.clusterIP);
          if (!r.ok) errs.push(invalid('spec.clusterIPs', [spec.clusterIP], r.detail));
          else newIP = spec.clusterIP;
        } else {
          const r = ips.pickNext();
          if (!r.ok) throw new ApiError('InternalError', `Internal error occurred: ${r.detail}`);
          newIP = r.ip;
          spec.clusterIP = r.ip;
          spec.clusterIPs = [r.ip];
        }
      } else if (spec.clusterIP === 'None') spec.clusterIPs = ['None'];

      // NodePorts
      const mine = ownedPorts(old);
      const planned = new Set<number>();
      const fresh: number[] = [];
      const byPortNumber = new Map<number, number>();
      const list = (spec.ports ?? []) as ServicePort[];
      if (needsNodePorts(svc)) {
        list.forEach((p, i) => {
          if (p.nodePort) {
            const dup = list.findIndex((q, j) => j < i && q.nodePort === p.nodePort && q.protocol === p.protocol);
            if (dup >= 0) {
              errs.push({ type: 'Duplicate value', field: `spec.ports[${i}].nodePort`, value: p.nodePort });
              return;
            }
            if (mine.has(p.nodePort) || planned.has(p.nodePort)) {
              planned.add(p.nodePort);
              byPortNumber.set(p.port, p.nodePort);
              return;
            }
            const r = ports.check(p.nodePort);
            if (!r.ok) errs.push(invalid(`spec.ports[${i}].nodePort`, p.nodePort, r.detail));
            else {
              planned.add(p.nodePort);
              fresh.push(p.nodePort);
              byPortNumber.set(p.port, p.nodePort);
            }
          }
        });
        list.forEach((p) => {
          if (p.nodePort) return;
          // The same port with another protocol shares its NodePort.
          const shared = byPortNumber.get(p.port);
          if (shared !== undefined) {
            p.nodePort = shared;
            return;
          }
          const r = ports.pickNext(planned);
          if (!r.ok) throw new ApiError('InternalError', `Internal error occurred: ${r.detail}`);
          p.nodePort = r.port;
          planned.add(r.port);
          fresh.push(r.port);
          byPortNumber.set(p.port, r.port);
        });
      }
      if (needsHealthCheck(svc)) {
        const h = spec.healthCheckNodePort;
        if (h) {
          if (!mine.has(h) && !planned.has(h)) {
            const r = ports.check(h);
            if (!r.ok) errs.push(invalid('spec.healthCheckNodePort', h, r.detail));
            else fresh.push(h);
          }
          planned.add(h);
        } else {
          const r = ports.pickNext(planned);
          if (!r.ok) throw new ApiError('InternalError', `Internal error occurred: ${r.detail}`);
          spec.healthCheckNodePort = r.port;
          planned.add(r.port);
          fresh.push(r.port);
        }
      }

      if (errs.length) throw invalidObject(RESOURCES.services, name, errs);
      if (dryRun) return;
      if (newIP) ips.take(newIP);
      for (const p of fresh) ports.take(p);
      // Release what the old version held and this one no longer does.
      if (old) {
        if (oldIP && spec.clusterIP !== oldIP) ips.release(oldIP);
        for (const p of mine) if (!planned.has(p)) ports.release(p);
      }
    },
    released(resource, svc) {
      if (resource !== 'services') return;
      if (needsClusterIP(svc)) ips.release(svc.spec.clusterIP);
      for (const p of ownedPorts(svc)) ports.release(p);
    },
  };
}
