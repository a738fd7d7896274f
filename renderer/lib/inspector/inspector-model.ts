/**
 * The per-hop inspector's model, pure: the packet's headers by layer before and after a hop (fields that changed
 * marked), the netfilter path with the exact rule text, and a request's DNS queries and answers in order.
 */
import type { NetfilterStepInfo, TraceHopInfo } from '../../../main/contract';

export interface HeaderField {
  readonly name: string;
  readonly before: string;
  readonly after: string;
  readonly changed: boolean;
}

export interface HeaderLayer {
  readonly layer: string;
  readonly fields: readonly HeaderField[];
}

type Fields = Record<string, string>;

function splitHostPort(s: string): { addr: string; port?: string } {
  const m = /^(\d+\.\d+\.\d+\.\d+)(?:[.:](\d+))?$/.exec(s);
  return m ? { addr: m[1]!, port: m[2] } : { addr: s };
}

/** tcpdump -n text → fields per layer (L2 ARP, L3 IPv4, L4 TCP/UDP/ICMP, L7 DNS/HTTP). */
export function parseLayers(packet: string): Record<string, Fields> {
  const out: Record<string, Fields> = {};
  if (packet.startsWith('ARP')) {
    const req = /who-has (\S+) tell ([^,\s]+)/.exec(packet);
    const rep = /Reply (\S+) is-at ([^,\s]+)/.exec(packet);
    out['L2 ARP'] = req ? { op: 'request', 'target IP': req[1]!, 'sender IP': req[2]! } : rep ? { op: 'reply', 'sender IP': rep[1]!, 'sender MAC': rep[2]! } : { text: packet };
    return out;
  }
  // An Ingress controller's proxy hop: the HTTP request it routed, as the controller read it.
  const l7 = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\S+) (HTTP\/[\d.]+)(?: Host: (\S*))?/.exec(packet);
  if (l7) return { 'L7 HTTP': { method: l7[1]!, path: l7[2]!, version: l7[3]!, Host: l7[4] ?? '' } };
  const ip = /^IP (\S+) > ([^:\s]+): (.*)$/.exec(packet);
  if (!ip) return { Packet: { text: packet } };
  const src = splitHostPort(ip[1]!);
  const dst = splitHostPort(ip[2]!);
  const rest = ip[3]!;
  out['L3 IPv4'] = { source: src.addr, destination: dst.addr };
  if (/^ICMP/.test(rest)) {
    out['L4 ICMP'] = { message: rest.replace(/, length \d+$/, '') };
    return out;
  }
  const tcp = /^Flags \[([^\]]*)\](.*)$/.exec(rest);
  if (tcp) {
    const f: Fields = { 'source port': src.port ?? '', 'destination port': dst.port ?? '', flags: tcp[1]! };
    const seq = /seq ([\d:]+)/.exec(tcp[2]!);
    if (seq) f['seq'] = seq[1]!;
    const ack = /ack (\d+)/.exec(tcp[2]!);
    if (ack) f['ack'] = ack[1]!;
    out['L4 TCP'] = f;
    const http = /: HTTP: (.*)$/.exec(rest) ?? /length \d+: (HTTP\/1\.[01] .*|(?:GET|POST|PUT|DELETE|HEAD) .*)$/.exec(rest);
    if (http) out['L7 HTTP'] = { line: http[1]! };
    return out;
  }
  out['L4 UDP'] = { 'source port': src.port ?? '', 'destination port': dst.port ?? '' };
  if (src.port === '53' || dst.port === '53') out['L7 DNS'] = { message: rest };
  else out['L4 UDP']['payload'] = rest;
  return out;
}

/** Headers before and after a hop; `before` is the same packet at its previous hop (or the hop itself first). */
export function headerDiff(before: string, after: string): HeaderLayer[] {
  const a = parseLayers(before);
  const b = parseLayers(after);
  const layers = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return layers.map((layer) => {
    const fa = a[layer] ?? {};
    const fb = b[layer] ?? {};
    const names = [...new Set([...Object.keys(fa), ...Object.keys(fb)])];
    return {
      layer,
      fields: names.map((name) => ({ name, before: fa[name] ?? '', after: fb[name] ?? '', changed: (fa[name] ?? '') !== (fb[name] ?? '') })),
    };
  });
}

/** The packet's text as it was before this hop: NAT hooks record the tuple they rewrote; else the previous hop. */
export function packetBefore(hops: readonly TraceHopInfo[], hop: TraceHopInfo): string {
  if (hop.natBefore && hop.natAfter && hop.natBefore !== hop.natAfter) {
    const [bs, bd] = hop.natBefore.split(' > ');
    const [as, ad] = hop.natAfter.split(' > ');
    const dotted = (t: string | undefined) => (t ?? '').replace(/:(\d+)$/, '.$1');
    return hop.packet.replace(`${dotted(as)} > ${dotted(ad)}`, `${dotted(bs)} > ${dotted(bd)}`);
  }
  // A proxy hop is the controller reading the request (no packet of its own, pid 0): nothing before it to compare.
  if (hop.kind === 'proxy' || hop.pid === 0) return hop.packet;
  let prev: TraceHopInfo | undefined;
  for (const h of hops) {
    if (h.seq >= hop.seq) break;
    if (h.pid === hop.pid) prev = h;
  }
  return prev?.packet ?? hop.packet;
}

export interface ChainStep extends NetfilterStepInfo {
  /** The step changed the packet's fate: a jump, NAT, DROP, REJECT, ACCEPT. */
  readonly decisive: boolean;
}

/** `PREROUTING → KUBE-SERVICES → KUBE-SVC-… → KUBE-SEP-…` and the rules that matched on the way. */
export function netfilterPath(steps: readonly NetfilterStepInfo[]): { chains: string[]; steps: ChainStep[] } {
  const chains: string[] = [];
  for (const s of steps) if (chains[chains.length - 1] !== s.chain) chains.push(s.chain);
  return {
    chains,
    steps: steps.map((s) => ({ ...s, decisive: /^(jump|goto|DNAT|SNAT|MASQUERADE|DROP|REJECT|ACCEPT)/.test(s.verdict) })),
  };
}

export interface DnsExchange {
  readonly seq: number;
  readonly kind: 'query' | 'answer';
  /** Queries: the name asked; answers: `NXDOMAIN`, or `answer` when the server returned no error. */
  readonly name: string;
  /** The question this packet asks or answers (answers are matched to their query by DNS id). */
  readonly question: string;
  /** The record type asked, `A?` (an answer's comes from its query). */
  readonly type: string;
  /** Queries: the record type asked (`A?`); answers: what came back in words. */
  readonly result: string;
  readonly text: string;
}

function dnsResult(text: string): string {
  if (/\bNXDomain\b/.test(text)) return 'NXDOMAIN: no such name';
  const rcode = /\b(ServFail|Refused|FormErr|NotImp)\b/.exec(text);
  if (rcode) return rcode[1]!.toUpperCase();
  const counts = /\s(\d+)\/(\d+)\/(\d+)/.exec(text);
  const records = text.replace(/^\d+[*+\-|$]*\s+(?:q: \S+ \S+ )?\d+\/\d+\/\d+\s*/, '').replace(/\s*\(\d+\)$/, '');
  if (counts && counts[1] !== '0') return records ? `${counts[1]} answer(s): ${records}` : `${counts[1]} answer(s)`;
  return 'no records of that type (NOERROR)';
}

/**
 * The resolver's search-list expansion: each DNS query the request's origin sent and each answer it got, in
 * order (one line per packet, taken where it left or reached the origin host), each answer tied to its question.
 */
export function dnsSequence(hops: readonly TraceHopInfo[], originHost: string): DnsExchange[] {
  const seen = new Set<number>();
  const asked = new Map<string, { name: string; type: string }>();
  const out: DnsExchange[] = [];
  for (const h of hops) {
    if (h.protocol !== 'DNS' || h.where !== originHost || seen.has(h.pid)) continue;
    if (h.kind !== 'xmit' && h.kind !== 'deliver') continue;
    seen.add(h.pid);
    const dnsText = h.packet.replace(/^IP \S+ > \S+: /, '');
    const q = /^(\d+)\+?\s+(?:\[\w+\]\s+)?(A|AAAA|PTR|SRV|CNAME|TXT|MX|NS|SOA)\?\s+(\S+)/.exec(dnsText);
    if (q) {
      asked.set(q[1]!, { name: q[3]!, type: `${q[2]}?` });
      out.push({ seq: h.seq, kind: 'query', name: q[3]!, question: q[3]!, type: `${q[2]}?`, result: `${q[2]}?`, text: dnsText });
      continue;
    }
    const id = /^(\d+)/.exec(dnsText)?.[1] ?? '';
    const question = asked.get(id);
    out.push({
      seq: h.seq,
      kind: 'answer',
      name: /NXDomain/.test(dnsText) ? 'NXDOMAIN' : 'answer',
      question: question?.name ?? '',
      type: question?.type ?? '',
      result: dnsResult(dnsText),
      text: dnsText,
    });
  }
  return out;
}

export interface IngressDecision {
  readonly request: string;
  /** `host web.example.com` or `any host`. */
  readonly host?: string;
  readonly pathType?: string;
  readonly path?: string;
  readonly ingress?: string;
  readonly upstream?: string;
  readonly endpoint?: string;
  readonly verdict: string;
  readonly reason: string;
}

/** An Ingress controller's proxy hop in parts: which Host/path rule of which Ingress matched, and where it went. */
export function ingressDecision(hop: TraceHopInfo): IngressDecision | undefined {
  if (hop.kind !== 'proxy') return undefined;
  const reason = hop.detail ?? '';
  const rule = /^(host \S+|any host), (\w+) path (\S+) is the longest match for \S+ \(Ingress ([^)]+)\)/.exec(reason);
  const up = /upstream (\S+): chose pod endpoint (\S+)/.exec(reason);
  return {
    request: hop.packet,
    host: rule?.[1],
    pathType: rule?.[2],
    path: rule?.[3],
    ingress: rule?.[4],
    upstream: up?.[1],
    endpoint: up?.[2],
    verdict: hop.verdict ?? '',
    reason,
  };
}

const DROP_WORDS: readonly [RegExp, string][] = [
  [/policy DROP|-j DROP|DROP$/, 'a firewall rule dropped it'],
  [/REJECT/, 'a firewall rule rejected it (the sender gets an error back)'],
];

/** A drop's reason in plain words: the recorded detail, else what the netfilter verdict says. */
export function dropReason(hop: TraceHopInfo): string | undefined {
  if (hop.kind !== 'drop' && hop.verdict !== 'drop' && hop.verdict !== 'DROP') return undefined;
  if (hop.detail) return hop.detail;
  const last = hop.steps?.[hop.steps.length - 1];
  if (last) for (const [re, words] of DROP_WORDS) if (re.test(last.verdict) || re.test(last.ruleText)) return `${words}: ${last.ruleText}`;
  return 'the packet was dropped here';
}
