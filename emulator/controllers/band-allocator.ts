/**
 * The allocation strategy the API server uses for Service ClusterIPs (KEP-3070) and NodePorts (KEP-3668): the range
 * is split into a small lower "static" band and an upper "dynamic" band; dynamic allocation starts at a random
 * offset in the upper band and scans forward with wrap-around, falling back to the lower band only when the upper
 * one is full — so hand-picked values from the lower band rarely collide with automatic ones.
 */
import type { Rng } from '../core/rng';

export class BandAllocator {
  readonly #used = new Set<number>();

  /** `max` indices [0, max), `offset` = first index of the upper band. */
  constructor(
    readonly max: number,
    readonly offset: number,
    private readonly rng: Rng,
  ) {}

  has(i: number): boolean {
    return this.#used.has(i);
  }

  get used(): number {
    return this.#used.size;
  }

  take(i: number): void {
    this.#used.add(i);
  }

  release(i: number): void {
    this.#used.delete(i);
  }

  /** A free index chosen as the API server would, without taking it; undefined when the range is full. */
  pick(exclude?: ReadonlySet<number>): number | undefined {
    const free = (i: number) => !this.#used.has(i) && !(exclude?.has(i) ?? false);
    const scan = (lo: number, hi: number): number | undefined => {
      const n = hi - lo;
      if (n <= 0) return undefined;
      const start = this.rng.int(n);
      for (let k = 0; k < n; k++) {
        const i = lo + ((start + k) % n);
        if (free(i)) return i;
      }
      return undefined;
    };
    return scan(this.offset, this.max) ?? scan(0, this.offset);
  }
}

/** KEP-3070 band size for ClusterIPs: min(max(16, size/16), 256); 0 for ranges of 16 or fewer addresses. */
export function clusterIpBandOffset(rangeSize: number): number {
  if (rangeSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(rangeSize / 16)), 256);
}

/** KEP-3668 band size for NodePorts: min(max(16, size/32), 128). */
export function nodePortBandOffset(rangeSize: number): number {
  return Math.min(Math.max(16, Math.floor(rangeSize / 32)), 128);
}
