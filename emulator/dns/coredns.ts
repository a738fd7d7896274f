/**
 * CoreDNS as kubeadm configures it (the Corefile in kubernetes-networking-facts §4.2), minus the transport:
 * `kubernetes cluster.local in-addr.arpa ip6.arpa { pods insecure; fallthrough in-addr.arpa ip6.arpa; ttl 30 }`,
 * `forward . /etc/resolv.conf`, `cache 30`, `loadbalance`. `handle` takes a query and calls back with the reply;
 * forwarding is a callback so the socket side (coredns-pod.ts) can send real packets upstream.
 */
import type { Rng } from '../core/rng';
import type { DnsMessage, DnsRecord } from '../net/packet/dns';
import type { ClusterDnsView, ClusterZone } from './cluster-zone';
import { CLUSTER_DOMAIN, CLUSTER_TTL, answerInZone, clusterZone } from './cluster-zone';
import { dnsQuery, ednsOf, rcodeOf } from './message';

export interface CoreDnsOptions {
  readonly view: ClusterDnsView;
  /** Send `query` to the upstream resolver (the node's /etc/resolv.conf); undefined = no reply in time. */
  readonly forward: (query: DnsMessage, done: (reply: DnsMessage | undefined) => void) => void;
  /** Virtual clock (ms), for the cache. */
  readonly now: () => number;
  /** `loadbalance`: shuffles A records of multi-address answers. */
  readonly rng: Rng;
  readonly dnsServiceIP?: string;
  readonly zone?: string;
  /** `cache 30` (0 disables). */
  readonly cacheSeconds?: number;
}

interface CacheEntry {
  readonly reply: DnsMessage;
  readonly storedAt: number;
  readonly ttl: number;
}

export class CoreDns {
  readonly #opts: CoreDnsOptions;
  readonly #cache = new Map<string, CacheEntry>();
  /** Queries answered (for the UI's inspector and tests). */
  queries = 0;

  /** The zone every query reads (built once, not per query). */
  readonly #zone: ClusterZone;
  readonly #caching: boolean;

  constructor(opts: CoreDnsOptions) {
    this.#opts = opts;
    this.#zone = clusterZone(opts.view, { zone: opts.zone ?? CLUSTER_DOMAIN, dnsServiceIP: opts.dnsServiceIP });
    this.#caching = (opts.cacheSeconds ?? CLUSTER_TTL) > 0;
  }

  clearCache(): void {
    this.#cache.clear();
  }

  /** Answer one query. `forward` overrides the upstream exchange for this query (the socket side passes one that carries the query's trace id). */
  handle(query: DnsMessage, respond: (reply: DnsMessage) => void, forward: CoreDnsOptions['forward'] = this.#opts.forward): void {
    this.queries++;
    const q = query.questions[0];
    if (!q || query.qr) { respond(reply(query, { rcode: rcodeOf('FORMERR') })); return; }
    // `cache 0` (the bench's CoreDNS) keeps nothing: no key to build or look up.
    const key = this.#caching ? `${q.name.toLowerCase()}|${q.type}` : '';
    if (this.#caching) {
      const cached = this.#fromCache(key, query);
      if (cached) { respond(cached); return; }
    }

    const r = answerInZone(q, this.#zone);
    if (r.kind === 'answer') {
      const m = replyOf(query, true, false, rcodeOf(r.rcode), this.#loadbalance(r.answer), r.authority, r.additional);
      if (this.#caching) this.#store(key, m);
      respond(m);
      return;
    }
    const finish = (m: DnsMessage): void => { if (this.#caching) this.#store(key, m); respond(m); };
    if (r.kind === 'cname') {
      // The kubernetes plugin resolves an out-of-zone CNAME target through the upstream and appends its records.
      const chase = dnsQuery(query.id, r.target, q.type === 'AAAA' ? 'AAAA' : 'A');
      forward(chase, (up) => {
        finish(reply(query, { aa: true, answers: [...r.answer, ...(up?.answers ?? [])] }));
      });
      return;
    }
    forward(query, (up) => {
      if (!up) { respond(reply(query, { rcode: rcodeOf('SERVFAIL') })); return; }
      finish({ ...up, id: query.id, additional: withEdns(query, up.additional.filter((x) => x.rdata.type !== 'OPT')) });
    });
  }

  #loadbalance(answers: readonly DnsRecord[]): readonly DnsRecord[] {
    if (answers.length < 2 || !answers.every((a) => a.rdata.type === 'A')) return answers;
    const out = answers.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.#opts.rng.int(i + 1);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  #store(key: string, m: DnsMessage): void {
    const max = this.#opts.cacheSeconds ?? CLUSTER_TTL;
    if (max <= 0 || (m.rcode !== 0 && m.rcode !== 3)) return;
    const ttls = m.answers.length ? m.answers.map((a) => a.ttl)
      : m.authority.filter((a) => a.rdata.type === 'SOA').map((a) => Math.min(a.ttl, a.rdata.type === 'SOA' ? a.rdata.minimum : a.ttl));
    if (ttls.length === 0) return;
    const ttl = Math.min(max, ...ttls);
    if (ttl <= 0) return;
    this.#cache.set(key, { reply: m, storedAt: this.#opts.now(), ttl });
  }

  #fromCache(key: string, query: DnsMessage): DnsMessage | undefined {
    const e = this.#cache.get(key);
    if (!e) return undefined;
    const age = Math.floor((this.#opts.now() - e.storedAt) / 1000);
    if (age >= e.ttl) { this.#cache.delete(key); return undefined; }
    // Within the first second nothing has counted down: the stored records are the answer (records are never mutated).
    const dec = (rs: readonly DnsRecord[]): readonly DnsRecord[] => (age === 0 ? rs : rs.map((r) => (r.rdata.type === 'OPT' ? r : { ...r, ttl: Math.max(0, r.ttl - age) })));
    // The cache plugin answers with AA set ("some clients discard non-authoritative packets") and the TTLs counted down.
    return {
      ...e.reply, id: query.id, aa: true, rd: query.rd,
      answers: dec(e.reply.answers), authority: dec(e.reply.authority),
      additional: withEdns(query, dec(e.reply.additional.filter((x) => x.rdata.type !== 'OPT'))),
    };
  }
}

function withEdns(query: DnsMessage, additional: readonly DnsRecord[]): readonly DnsRecord[] {
  const opt = ednsOf(query);
  return opt ? [...additional, { name: '', class: opt.class, ttl: 0, rdata: { type: 'OPT', options: new Uint8Array(0) } }] : additional;
}

const NO_RECORDS: readonly DnsRecord[] = Object.freeze([]);

/** A reply to `query` carrying its question (and an OPT record when the query had one). */
export function reply(query: DnsMessage, fields: Partial<Pick<DnsMessage, 'aa' | 'ra' | 'rcode' | 'answers' | 'authority' | 'additional'>>): DnsMessage {
  return replyOf(query, fields.aa ?? false, fields.ra ?? false, fields.rcode ?? 0, fields.answers ?? [], fields.authority ?? [], fields.additional ?? NO_RECORDS);
}

/**
 * `reply` with positional fields: what every answered query builds, so no field record is made per reply. The keys
 * in `dnsMessage`'s order (it shows in JSON).
 */
function replyOf(
  query: DnsMessage, aa: boolean, ra: boolean, rcode: number,
  answers: readonly DnsRecord[], authority: readonly DnsRecord[], additional: readonly DnsRecord[],
): DnsMessage {
  return {
    kind: 'dns', qr: true, opcode: query.opcode, aa, tc: false, rd: query.rd, ra, ad: false, cd: false, rcode,
    questions: query.questions, answers, authority, additional: withEdns(query, additional),
    id: query.id,
  };
}
