/**
 * The Service ClusterIP allocator (the API server's `ipallocator` over `--service-cluster-ip-range`, default
 * 10.96.0.0/12). Synchronous inside the Service write, so a taken or out-of-range `clusterIP` fails the create.
 */
import type { Rng } from '../core/rng';
import { BandAllocator, clusterIpBandOffset } from './band-allocator';
import { cidrContains, intToIp, ipToInt, parseCidr, type Cidr } from './ip';

export type IpAllocResult = { ok: true; ip: string } | { ok: false; detail: string; internal?: boolean };

export class ClusterIpAllocator {
  readonly cidr: Cidr;
  readonly #bands: BandAllocator;

  constructor(cidrText: string, rng: Rng) {
    this.cidr = parseCidr(cidrText);
    // The bitmap leaves out the network and broadcast addresses: index 0 is network+1.
    const max = Math.max(0, this.cidr.size - 2);
    this.#bands = new BandAllocator(max, clusterIpBandOffset(max), rng);
  }

  #index(ip: string): number | undefined {
    const n = ipToInt(ip);
    if (n === undefined || !cidrContains(this.cidr, n)) return undefined;
    const i = n - this.cidr.base - 1;
    return i >= 0 && i < this.#bands.max ? i : undefined;
  }

  isAllocated(ip: string): boolean {
    const i = this.#index(ip);
    return i !== undefined && this.#bands.has(i);
  }

  get allocatedCount(): number {
    return this.#bands.used;
  }

  /** Check a requested IP (without taking it). */
  check(ip: string): IpAllocResult {
    const i = this.#index(ip);
    if (i === undefined)
      return { ok: false, detail: `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr.text}` };
    if (this.#bands.has(i)) return { ok: false, detail: `failed to allocate IP ${ip}: provided IP is already allocated` };
    return { ok: true, ip };
  }

  /** Choose a free IP the API server's way (without taking it). */
  pickNext(): IpAllocResult {
    const i = this.#bands.pick();
    if (i === undefined) return { ok: false, detail: 'failed to allocate a serviceIP: range is full', internal: true };
    return { ok: true, ip: intToIp(this.cidr.base + 1 + i) };
  }

  take(ip: string): void {
    const i = this.#index(ip);
    if (i !== undefined) this.#bands.take(i);
  }

  release(ip: string | undefined): void {
    if (!ip) return;
    const i = this.#index(ip);
    if (i !== undefined) this.#bands.release(i);
  }
}
