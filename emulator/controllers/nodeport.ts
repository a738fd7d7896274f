/**
 * The NodePort allocator (`--service-node-port-range`, default 30000-32767), with the KEP-3668 static band
 * (30000-30085) that dynamic allocation avoids until the upper band is full.
 */
import type { Rng } from '../core/rng';
import { BandAllocator, nodePortBandOffset } from './band-allocator';

export type PortAllocResult = { ok: true; port: number } | { ok: false; detail: string; internal?: boolean };

export class NodePortAllocator {
  readonly #bands: BandAllocator;

  constructor(
    readonly base = 30000,
    readonly size = 2768,
    rng: Rng,
  ) {
    this.#bands = new BandAllocator(size, nodePortBandOffset(size), rng);
  }

  get rangeText(): string {
    return `${this.base}-${this.base + this.size - 1}`;
  }

  get allocatedCount(): number {
    return this.#bands.used;
  }

  #inRange(port: number): boolean {
    return Number.isInteger(port) && port >= this.base && port < this.base + this.size;
  }

  isAllocated(port: number): boolean {
    return this.#inRange(port) && this.#bands.has(port - this.base);
  }

  check(port: number): PortAllocResult {
    if (!this.#inRange(port)) return { ok: false, detail: `provided port is not in the valid range. The range of valid ports is ${this.rangeText}` };
    if (this.#bands.has(port - this.base)) return { ok: false, detail: 'provided port is already allocated' };
    return { ok: true, port };
  }

  /** A free port chosen the API server's way, not taken; `exclude` holds ports already planned in this request. */
  pickNext(exclude: ReadonlySet<number> = new Set()): PortAllocResult {
    const ex = new Set([...exclude].map((p) => p - this.base));
    const i = this.#bands.pick(ex);
    if (i === undefined) return { ok: false, detail: 'failed to allocate a nodePort: range is full', internal: true };
    return { ok: true, port: this.base + i };
  }

  take(port: number): void {
    if (this.#inRange(port)) this.#bands.take(port - this.base);
  }

  release(port: number | undefined): void {
    if (port !== undefined && this.#inRange(port)) this.#bands.release(port - this.base);
  }
}
