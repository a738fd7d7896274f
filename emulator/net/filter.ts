/**
 * tcpdump filter expressions (the pcap-filter subset learners use): `host A`, `src|dst [host] A`, `net N/len`,
 * `port P`, `src|dst port P`, `tcp`, `udp`, `icmp`, `arp`, `ip`, combined with `and`/`&&`, `or`/`||`,
 * `not`/`!` and parentheses. Compiled once into a predicate over a frame.
 */
import { inCidr, parseCidr, parseIpv4 } from './addr';
import type { ArpPacket } from './packet/arp';
import type { EthernetFrame } from './packet/ethernet';
import type { Ipv4Packet } from './packet/ipv4';

export type FramePredicate = (f: EthernetFrame) => boolean;

export class FilterSyntaxError extends Error {}

function ipOf(f: EthernetFrame): Ipv4Packet | undefined {
  const p = f.payload;
  return 'kind' in p && (p as ArpPacket).kind === 'arp' ? undefined : (p as Ipv4Packet);
}

function arpOf(f: EthernetFrame): ArpPacket | undefined {
  const p = f.payload;
  return 'kind' in p && (p as ArpPacket).kind === 'arp' ? (p as ArpPacket) : undefined;
}

export function compileFilter(tokens: readonly string[]): FramePredicate {
  const toks = tokens.flatMap((t) => t.split(/(\(|\)|!(?!=))/).filter((x) => x.trim() !== '')).map((t) => t.trim());
  let i = 0;
  const peek = () => toks[i];
  const next = () => {
    const t = toks[i++];
    if (t === undefined) throw new FilterSyntaxError('syntax error');
    return t;
  };

  const primitive = (dirIn?: 'src' | 'dst'): FramePredicate => {
    let t = next();
    let dir = dirIn;
    if (t === 'src' || t === 'dst') {
      dir = t;
      t = next();
      if (t !== 'host' && t !== 'port' && t !== 'net') {
        i--;
        t = 'host';
      }
    }
    switch (t) {
      case 'tcp':
      case 'udp': {
        const proto = t === 'tcp' ? 6 : 17;
        const isProto: FramePredicate = (f) => ipOf(f)?.proto === proto;
        // A protocol qualifier on a port primitive: `tcp port 80`, `udp dst port 53` (pcap-filter(7)).
        const q = peek();
        if (q === 'port' || ((q === 'src' || q === 'dst') && toks[i + 1] === 'port')) {
          const port = primitive();
          return (f) => isProto(f) && port(f);
        }
        return isProto;
      }
      case 'icmp': return (f) => ipOf(f)?.proto === 1;
      case 'ip': return (f) => ipOf(f) !== undefined;
      case 'arp': return (f) => arpOf(f) !== undefined;
      case 'host': {
        const v = next();
        const a = parseIpv4(v);
        if (a === undefined) throw new FilterSyntaxError(`can't resolve host '${v}'`);
        return (f) => {
          const p = ipOf(f);
          if (p) return dir === 'src' ? p.src === a : dir === 'dst' ? p.dst === a : p.src === a || p.dst === a;
          const r = arpOf(f)!;
          return dir === 'src' ? r.senderIp === a : dir === 'dst' ? r.targetIp === a : r.senderIp === a || r.targetIp === a;
        };
      }
      case 'net': {
        const v = next();
        const c = parseCidr(v);
        if (!c) throw new FilterSyntaxError(`invalid net '${v}'`);
        return (f) => {
          const p = ipOf(f);
          if (!p) return false;
          return dir === 'src' ? inCidr(p.src, c) : dir === 'dst' ? inCidr(p.dst, c) : inCidr(p.src, c) || inCidr(p.dst, c);
        };
      }
      case 'port': {
        const v = next();
        const port = Number(v);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FilterSyntaxError(`illegal port number ${v}`);
        return (f) => {
          const p = ipOf(f);
          if (!p || (p.proto !== 6 && p.proto !== 17)) return false;
          return dir === 'src' ? p.sport === port : dir === 'dst' ? p.dport === port : p.sport === port || p.dport === port;
        };
      }
      default: {
        // A bare address is `host A`.
        const a = parseIpv4(t);
        if (a !== undefined) {
          i--;
          toks.splice(i, 0, 'host');
          return primitive(dir);
        }
        throw new FilterSyntaxError(`syntax error in filter expression`);
      }
    }
  };

  const unary = (): FramePredicate => {
    const t = peek();
    if (t === 'not' || t === '!') {
      next();
      const inner = unary();
      return (f) => !inner(f);
    }
    if (t === '(') {
      next();
      const e = orExpr();
      if (next() !== ')') throw new FilterSyntaxError('syntax error');
      return e;
    }
    return primitive();
  };

  const andExpr = (): FramePredicate => {
    let left = unary();
    while (peek() === 'and' || peek() === '&&') {
      next();
      const l = left, r = unary();
      left = (f) => l(f) && r(f);
    }
    return left;
  };

  const orExpr = (): FramePredicate => {
    let left = andExpr();
    while (peek() === 'or' || peek() === '||') {
      next();
      const l = left, r = andExpr();
      left = (f) => l(f) || r(f);
    }
    return left;
  };

  if (toks.length === 0) return () => true;
  const e = orExpr();
  if (i !== toks.length) throw new FilterSyntaxError('syntax error');
  return e;
}
