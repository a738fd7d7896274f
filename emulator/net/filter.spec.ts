import { describe, expect, it } from 'vitest';
import { compileFilter, FilterSyntaxError } from './filter';
import type { EthernetFrame } from './packet/ethernet';
import { parseIpv4 } from './addr';

function frame(proto: number, src: string, sport: number, dst: string, dport: number): EthernetFrame {
  return { dst: 1, src: 2, payload: { proto, src: parseIpv4(src)!, dst: parseIpv4(dst)!, sport, dport } } as unknown as EthernetFrame;
}

const http = frame(6, '10.244.1.5', 40000, '10.96.0.20', 80);
const dns = frame(17, '10.244.1.5', 50000, '10.96.0.10', 53);
const f = (expr: string) => compileFilter(expr.split(' '));

describe('tcpdump filter expressions', () => {
  it('protocol-qualified ports: tcp port 80, udp dst port 53', () => {
    expect(f('tcp port 80')(http)).toBe(true);
    expect(f('tcp port 80')(dns)).toBe(false);
    expect(f('udp port 80')(http)).toBe(false);
    expect(f('udp dst port 53')(dns)).toBe(true);
    expect(f('udp src port 53')(dns)).toBe(false);
    expect(f('tcp port 80 or udp port 53')(dns)).toBe(true);
  });

  it('plain primitives still work, and garbage is a syntax error', () => {
    expect(f('port 53')(dns)).toBe(true);
    expect(f('host 10.96.0.20 and tcp')(http)).toBe(true);
    expect(f('tcp')(dns)).toBe(false);
    expect(() => f('tcp port')).toThrow(FilterSyntaxError);
  });
});
