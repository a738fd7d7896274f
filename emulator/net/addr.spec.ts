import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseIpv4 } from './addr';

/** The dotted-quad grammar spelled out as a regular expression (what the hand-written scanner must accept). */
function reference(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  return parts.every((x) => x <= 255) ? ((parts[0]! * 2 ** 24) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!) >>> 0 : undefined;
}

describe('parseIpv4', () => {
  it('round-trips every address and agrees with the dotted-quad grammar on near-misses', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => { expect(parseIpv4(formatIpv4(n))).toBe(n); }));
    const piece = fc.oneof(fc.nat(300).map(String), fc.constantFrom('', '0', '00', '007', '1000', '25a', ' 1', '-1', '+1', '1e2', '٣'));
    const text = fc.array(piece, { minLength: 1, maxLength: 6 }).chain((ps) => fc.constantFrom('.', '..', ':').map((sep) => ps.join(sep)));
    fc.assert(fc.property(fc.oneof(text, fc.string({ maxLength: 16 })), (t) => { expect(parseIpv4(t)).toBe(reference(t)); }), { numRuns: 3000 });
    expect(parseIpv4('10.244.1.5')).toBe(0x0af40105);
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    for (const bad of ['256.1.1.1', '1.2.3', '1.2.3.4.', '.1.2.3', '1..2.3', '1.2.3.4 ', '']) expect(parseIpv4(bad)).toBeUndefined();
  });
});
