/**
 * Tables keyed by a connection's 5-tuple on the packet path (conntrack, security-group flows): a 30-bit hash as
 * a small-integer Map key, with the entries whose tuples share a hash chained through their `next` field, so a
 * lookup builds no string and allocates nothing.
 */

/** 30-bit hash of a 5-tuple. */
export function tupleHash(proto: number, src: number, dst: number, sport: number, dport: number): number {
  let h = Math.imul(src ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ dst ^ (h >>> 15), 0xc2b2ae35);
  h ^= (sport << 16) | dport;
  h = Math.imul(h ^ (h >>> 13) ^ proto, 0x27d4eb2f);
  return (h ^ (h >>> 16)) & 0x3fffffff;
}

export interface Chained<T> {
  next: T | undefined;
}

/** Hash → first entry of the chain; the caller compares tuples along `next`. */
export class HashChains<T extends Chained<T>> {
  readonly #heads = new Map<number, T>();

  first(hash: number): T | undefined {
    return this.#heads.get(hash);
  }

  link(hash: number, node: T): void {
    node.next = this.#heads.get(hash);
    this.#heads.set(hash, node);
  }

  unlink(hash: number, node: T): void {
    let cur = this.#heads.get(hash);
    if (cur === node) {
      if (node.next) this.#heads.set(hash, node.next);
      else this.#heads.delete(hash);
    } else {
      while (cur && cur.next !== node) cur = cur.next;
      if (cur) cur.next = node.next;
    }
    node.next = undefined;
  }
}
