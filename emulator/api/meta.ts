/** Small helpers on object metadata shared by the store and the controllers. */
import type { Rng } from '../core/rng';
import type { KubeObject, OwnerReference } from './types';

/** RFC 3339 at second precision, as metav1.Time marshals: `2026-01-01T00:00:00Z`. */
export function rfc3339(ms: number): string {
  const sec = Math.floor(ms / 1000);
  // Controllers stamp many objects in the same virtual second: format each second once.
  if (sec !== lastSec) {
    lastSec = sec;
    lastText = new Date(sec * 1000).toISOString().replace('.000Z', 'Z');
  }
  return lastText;
}
let lastSec = NaN;
let lastText = '';

/** metav1.MicroTime: `2026-01-01T00:00:00.000000Z`. */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function parseTime(t: string | undefined): number | undefined {
  if (!t) return undefined;
  const v = Date.parse(t);
  return Number.isNaN(v) ? undefined : v;
}

const HEX_DIGITS = '0123456789abcdef';
const UUID_CODES: number[] = new Array(36);

function putHex(at: number, n: number, digits: number): void {
  for (let i = digits - 1; i >= 0; i--) {
    UUID_CODES[at + i] = HEX_DIGITS.charCodeAt(n & 15);
    n >>>= 4;
  }
}

/**
 * A random (version 4) UUID drawn from a seeded stream. Written as character codes into one flat string: every
 * stored object gets one, and a string built from pieces costs a flattening pass before it can be hashed.
 */
export function uuidV4(rng: Rng): string {
  const a = rng.nextUint32();
  const b = rng.nextUint32();
  const c = rng.nextUint32();
  const d = rng.nextUint32();
  // Version nibble 4 in the third group, variant bits 10xx in the fourth.
  const b2 = ((b & 0xffff0fff) | 0x00004000) >>> 0;
  const c2 = ((c & 0x3fffffff) | 0x80000000) >>> 0;
  // aaaaaaaa-bbbb-bbbb-cccc-ccccdddddddd
  putHex(0, a, 8);
  putHex(9, b2 >>> 16, 4);
  putHex(14, b2 & 0xffff, 4);
  putHex(19, c2 >>> 16, 4);
  putHex(24, c2 & 0xffff, 4);
  putHex(28, d, 8);
  UUID_CODES[8] = UUID_CODES[13] = UUID_CODES[18] = UUID_CODES[23] = 45; // '-'
  return String.fromCharCode.apply(null, UUID_CODES);
}

/** Kubernetes' alphabet for generated name suffixes (no vowels, no 0/1/3 — no accidental words). */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(rng: Rng, n = 5): string {
  return rng.string(n, SAFE_ALPHABET);
}

/** A deep copy of plain JSON data. */
export function clone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = clone(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = clone(x);
  }
  return out as T;
}

/**
 * A shallow copy of `o` with `key` set to `value`, keys in the same order as `{ ...o, [key]: value }`. Where `key`
 * is new to `o`, V8 gives that spread's result a map of its own (every copy a shape no other object shares, ≈ 3 µs,
 * and every later read of it megamorphic); copying key by key follows the shared transition tree instead.
 */
export function withField<T extends object>(o: T | undefined, key: string, value: unknown): T {
  if (o !== undefined && key in o) {
    const out = { ...o } as Record<string, unknown>;
    out[key] = value;
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in o) out[k] = (o as Record<string, unknown>)[k];
  out[key] = value;
  return out as T;
}

export function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k in v as Record<string, unknown>) deepFreeze((v as Record<string, unknown>)[k]);
  }
  return v;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  // Keys whose value is undefined do not count (JSON drops them); no intermediate arrays on this hot path.
  let na = 0;
  for (const k of Object.keys(a)) {
    const v = (a as any)[k];
    if (v === undefined) continue;
    na++;
    if (!deepEqual(v, (b as any)[k])) return false;
  }
  let nb = 0;
  for (const k of Object.keys(b)) if ((b as any)[k] !== undefined) nb++;
  return na === nb;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata.namespace, obj.metadata.name!);
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  // A loop, not `find` with a callback: several controllers ask this of every pod event.
  const refs = obj.metadata.ownerReferences;
  if (refs) for (let i = 0; i < refs.length; i++) if (refs[i]!.controller) return refs[i];
  return undefined;
}

export function ownerRef(owner: KubeObject, controller = true): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller,
    blockOwnerDeletion: true,
  };
}
