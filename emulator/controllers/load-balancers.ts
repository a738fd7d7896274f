/**
 * The load balancers a provider has made for LoadBalancer Services — the cloud's (cloud controller manager) or the
 * local tunnel's. The network builds the data path from these records (public IP → node IP:nodePort, or the
 * health-check port with externalTrafficPolicy Local); the `aws` command lists them.
 */
import { Emitter } from '../core/events';

export interface LoadBalancerListener {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP' | 'SCTP';
  /** The Service port's NodePort the LB forwards to (instance targets); undefined without NodePorts. */
  readonly nodePort?: number;
  readonly name?: string;
}

export interface LoadBalancerTarget {
  readonly nodeName: string;
  /** Private (InternalIP) address the LB sends to. */
  readonly ip: string;
}

export interface LoadBalancerRecord {
  /** Provider name, e.g. `a1b2c3…` (AWS style: `a` + the Service UID without dashes, cut to 32). */
  readonly name: string;
  readonly provider: 'cloud' | 'tunnel';
  /** `namespace/name` of the Service. */
  readonly serviceKey: string;
  readonly serviceUid: string;
  /** The address clients use. */
  readonly ip: string;
  readonly hostname?: string;
  readonly clusterIP?: string;
  readonly listeners: readonly LoadBalancerListener[];
  readonly targets: readonly LoadBalancerTarget[];
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  readonly healthCheckNodePort?: number;
  readonly sourceRanges: readonly string[];
  /** Virtual ms when it was provisioned. */
  readonly createdAt: number;
}

export type LoadBalancerChange = { type: 'created' | 'updated' | 'deleted'; lb: LoadBalancerRecord };

export class LoadBalancerRegistry {
  readonly #byService = new Map<string, LoadBalancerRecord>();
  readonly #changes = new Emitter<LoadBalancerChange>();
  /** `onChange(listener) → Disposable` */
  readonly onChange = this.#changes.event;

  list(): LoadBalancerRecord[] {
    return [...this.#byService.values()].sort((a, b) => (a.serviceKey < b.serviceKey ? -1 : 1));
  }

  forService(serviceKey: string): LoadBalancerRecord | undefined {
    return this.#byService.get(serviceKey);
  }

  byIp(ip: string): LoadBalancerRecord | undefined {
    for (const lb of this.#byService.values()) if (lb.ip === ip) return lb;
    return undefined;
  }

  put(lb: LoadBalancerRecord): void {
    const had = this.#byService.has(lb.serviceKey);
    this.#byService.set(lb.serviceKey, lb);
    this.#changes.fire({ type: had ? 'updated' : 'created', lb });
  }

  remove(serviceKey: string): void {
    const lb = this.#byService.get(serviceKey);
    if (!lb) return;
    this.#byService.delete(serviceKey);
    this.#changes.fire({ type: 'deleted', lb });
  }
}
