import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32, endpointChain, portProtoHash, serviceChain, sha256 } from './hash';

describe('kube-proxy chain hashes (facts §1.2 test vectors)', () => {
  it.each([
    ['ns1/svc1:p80', 'tcp', 'XPGD46QRK7WJZT7O'],
    ['default/kubernetes:https', 'tcp', 'NPX46M4PTMTKRN6Y'],
    ['kube-system/kube-dns:dns', 'udp', 'TCOU7JCQXEZGVUNU'],
    ['kube-system/kube-dns:dns-tcp', 'tcp', 'ERIFXISQEP7F7OF4'],
    ['kube-system/kube-dns:metrics', 'tcp', 'JD5MR3NA4I4DYORP'],
    ['game-2048/service-2048', 'tcp', 'V7WHPSTR7G6YHTBY'],
    ['default/currency-exchange:http', 'tcp', 'CT6I6UCS6RCC5RND'],
    ['default/web', 'tcp', 'LOLE4ISW44XBNF3G'],
  ])('%s + %s → %s', (spn, proto, want) => {
    expect(portProtoHash(spn, proto)).toBe(want);
  });
  it.each([
    ['ns1/svc1:p80', 'tcp', '10.180.0.1:80', 'KUBE-SEP-SXIVWICOYRO3J4NJ'],
    ['default/kubernetes:https', 'tcp', '192.168.2.135:443', 'KUBE-SEP-AUWR7JB63E235DP3'],
    ['default/currency-exchange:http', 'tcp', '10.244.1.5:8080', 'KUBE-SEP-JLDC3FBP3UN7J24B'],
    ['default/currency-exchange:http', 'tcp', '10.244.2.7:8080', 'KUBE-SEP-XHF3CBAYJCIWRWAI'],
    ['default/web', 'tcp', '10.244.1.9:80', 'KUBE-SEP-C3IAUT4UL2MRNDDG'],
    ['default/web', 'tcp', '10.244.1.5:8000', 'KUBE-SEP-Q3SNDQ7J5LIGCTVK'],
  ])('SEP %s %s %s', (spn, proto, ep, want) => {
    expect(endpointChain(spn, proto, ep)).toBe(want);
  });
  it('names the SVC chain with the prefix', () => {
    expect(serviceChain('ns1/svc1:p80', 'tcp')).toBe('KUBE-SVC-XPGD46QRK7WJZT7O');
  });
  it('sha256 and base32 agree with node:crypto on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (s) => {
      const want = createHash('sha256').update(s, 'utf8').digest();
      expect(Buffer.from(sha256(s)).equals(want)).toBe(true);
      expect(base32(sha256(s)).slice(0, 16)).toBe(base32(new Uint8Array(want)).slice(0, 16));
    }), { numRuns: 300 });
  });
});
