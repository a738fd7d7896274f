/**
 * The stub resolver every host links against (glibc's `getaddrinfo` with `files dns` in nsswitch.conf): read
 * /etc/hosts, then ask the nameservers of /etc/resolv.conf, walking the search list under the `ndots` rule —
 * query by query, each a real UDP exchange through `DnsTransport`, so tcpdump and the packet trace show the walk.
 *
 * Continuations are callbacks run inside scheduler tasks (not promises), so a whole lookup completes within one
 * `scheduler.advance` however the caller drives virtual time.
 */
import { DNS_CLASS_IN, queryMessage } from '../net/packet/dns';
import type { DnsMessage, DnsQuestion, DnsType } from './message';
import { addressesOf, flatString, fqdn, isAbsolute, isIPv4, rcodeOf, relative } from './message';

export interface ResolvConf {
  readonly nameservers: readonly string[];
  readonly search: readonly string[];
  readonly ndots: number;
  /** `options timeout:N` (glibc default 5 s). */
  readonly timeoutSec: number;
  /** `options attempts:N` (glibc default 2). */
  readonly attempts: number;
}

export const DEFAULT_RESOLV_CONF: ResolvConf = { nameservers: [], search: [], ndots: 1, timeoutSec: 5, attempts: 2 };

/**
 * Parsed files by their text: every curl and every outbound call of an app reads the pod's resolv.conf again, and it
 * is nearly always the same few lines (one object per text also lets the candidate lists below be kept). Bounded.
 */
const parsedResolvConfs = new Map<string, ResolvConf>();

export function parseResolvConf(text: string | undefined): ResolvConf {
  if (text === undefined) return { ...DEFAULT_RESOLV_CONF, nameservers: ['127.0.0.1'] };
  let conf = parsedResolvConfs.get(text);
  if (conf === undefined) {
    if (parsedResolvConfs.size >= 64) parsedResolvConfs.clear();
    const read = readResolvConf(text);
    Object.freeze(read.nameservers);
    Object.freeze(read.search);
    conf = Object.freeze(read);
    parsedResolvConfs.set(text, conf);
  }
  return conf;
}

function readResolvConf(text: string): ResolvConf {
  const nameservers: string[] = [];
  let search: string[] = [];
  let ndots = 1, timeoutSec = 5, attempts = 2;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    if (!line) continue;
    const [key, ...vals] = line.split(/\s+/);
    if (key === 'nameserver' && vals[0] && nameservers.length < 3) nameservers.push(vals[0]);
    else if (key === 'search' || key === 'domain') search = key === 'domain' ? vals.slice(0, 1) : vals;
    else if (key === 'options') {
      for (const opt of vals) {
        const [k, v] = opt.split(':');
        const n = Number(v);
        if (k === 'ndots' && Number.isFinite(n)) ndots = Math.min(15, Math.max(0, n));
        if (k === 'timeout' && Number.isFinite(n)) timeoutSec = Math.min(30, Math.max(1, n));
        if (k === 'attempts' && Number.isFinite(n)) attempts = Math.min(5, Math.max(1, n));
      }
    }
  }
  // glibc: no nameserver line means the local host.
  return { nameservers: nameservers.length ? nameservers : ['127.0.0.1'], search, ndots, timeoutSec, attempts };
}

/**
 * The absolute names glibc's res_search tries, in order. A trailing dot means "exactly this name". Otherwise, with
 * at least `ndots` dots the name is tried as is first, then with each search domain; with fewer, the search
 * domains come first and the bare name last.
 */
export function searchCandidates(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): string[] {
  if (isAbsolute(name)) return [name];
  const dots = (name.match(/\./g) ?? []).length;
  const expanded = conf.search.map((d) => `${name}.${d.replace(/\.$/, '')}.`);
  return dots >= conf.ndots ? [fqdn(name), ...expanded] : [...expanded, fqdn(name)];
}

/** What getaddrinfo(AF_UNSPEC) asks for each candidate: A and AAAA, sent together. */
const ADDRESS_TYPES: readonly DnsType[] = Object.freeze(['A', 'AAAA']);

/**
 * A name a lookup asks, built once per name: its absolute form (what the result reports), the relative form its
 * questions carry, and the question list of each address type (records are never mutated, so every query for the
 * name shares them). One string per name for every lookup of it also lets CoreDNS find what it read of the name
 * before by that string, whose hash is then computed already (see `readQuestionName`).
 */
class Candidate {
  /** Per `ADDRESS_TYPES`: the one-question list of that type. */
  readonly questions: readonly (readonly DnsQuestion[])[];

  constructor(readonly name: string, readonly question: string) {
    const questions = new Array<readonly DnsQuestion[]>(ADDRESS_TYPES.length);
    for (let i = 0; i < ADDRESS_TYPES.length; i++) questions[i] = [{ name: question, type: ADDRESS_TYPES[i]!, class: DNS_CLASS_IN }];
    this.questions = questions;
  }
}

/**
 * The candidates of each name a host looks up (`searchCandidates`), kept per resolv.conf for relative names (a pod
 * curls the same few names again and again) and in one table for absolute names (their own only candidate, whatever
 * the search list): built once per name. Bounded: a full table starts over.
 */
const candidateLists = new WeakMap<Pick<ResolvConf, 'search' | 'ndots'>, Map<string, readonly Candidate[]>>();
const absoluteCandidates = new Map<string, readonly Candidate[]>();
const MAX_CANDIDATE_LISTS = 1024;

function candidatesOf(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): readonly Candidate[] {
  let lists: Map<string, readonly Candidate[]> | undefined;
  if (isAbsolute(name)) lists = absoluteCandidates;
  else if ((lists = candidateLists.get(conf)) === undefined) candidateLists.set(conf, (lists = new Map()));
  let list = lists.get(name);
  if (list === undefined) {
    if (lists.size >= MAX_CANDIDATE_LISTS) lists.clear();
    const names = searchCandidates(name, conf);
    const built = new Array<Candidate>(names.length);
    for (let i = 0; i < names.length; i++) built[i] = new Candidate(names[i]!, flatString(relative(names[i]!)));
    lists.set(name, (list = built));
  }
  return list;
}

/** `/etc/hosts` lines → name (lower-case) → first IPv4 address. */
export function parseHostsFile(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const raw of (text ?? '').split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const [ip, ...names] = line.split(/\s+/);
    if (!ip || !isIPv4(ip)) continue;
    for (const n of names) if (!map.has(n.toLowerCase())) map.set(n.toLowerCase(), ip);
  }
  return map;
}

export type ExchangeError = 'timeout' | 'refused' | 'unreachable';

/**
 * One UDP exchange with a nameserver: send `queries` from one socket (glibc sends A and AAAA back to back) and
 * call back when every query has its reply or the timeout passed. Implemented over the packet network.
 */
export interface DnsTransport {
  exchange(
    server: string,
    queries: readonly DnsMessage[],
    timeoutMs: number,
    done: (replies: readonly (DnsMessage | undefined)[], error?: ExchangeError) => void,
  ): void;
  /** A fresh 16-bit query id (seeded randomness). */
  nextId(): number;
}

export type LookupFailure = 'NXDOMAIN' | 'NODATA' | 'SERVFAIL' | 'REFUSED' | 'TIMEOUT' | 'CONNREFUSED';

export type LookupResult =
  | { readonly ok: true; readonly name: string; readonly addresses: readonly string[]; readonly source: 'literal' | 'hosts' | 'dns' }
  | { readonly ok: false; readonly error: LookupFailure };

export interface ResolverHost {
  readonly resolvConf: ResolvConf;
  readonly hosts: ReadonlyMap<string, string>;
}

/**
 * getaddrinfo(name, AF_UNSPEC) as glibc does it, reduced to the IPv4 result our clients use. Calls `done` exactly
 * once, from inside a scheduler task (or synchronously for literals and /etc/hosts hits).
 */
export function resolveHost(name: string, host: ResolverHost, transport: DnsTransport, done: (r: LookupResult) => void): void {
  if (isIPv4(name)) { done({ ok: true, name, addresses: [name], source: 'literal' }); return; }
  if (host.hosts.size > 0) {
    const lower = name.toLowerCase();
    const hit = host.hosts.get(isAbsolute(lower) ? lower.slice(0, -1) : lower);
    if (hit) { done({ ok: true, name, addresses: [hit], source: 'hosts' }); return; }
  }
  new Lookup(candidatesOf(name, host.resolvConf), host.resolvConf, transport, done).nextCandidate();
}

/**
 * One lookup's walk: the candidates in order (res_search), and for each, every nameserver in turn for `attempts`
 * rounds (res_send), stopping at the first server that answers every query. One object holds the walk and is the
 * continuation of its exchanges (one callback per lookup, not closures per candidate and per attempt).
 */
class Lookup {
  readonly #candidates: readonly Candidate[];
  readonly #conf: ResolvConf;
  readonly #transport: DnsTransport;
  readonly #done: (r: LookupResult) => void;
  #index = 0;
  #sawNodata = false;
  /** The candidate being asked. */
  #candidate: Candidate | null = null;
  #tries = 0;
  #lastError: ExchangeError = 'timeout';
  readonly #onReplies = (replies: readonly (DnsMessage | undefined)[], error?: ExchangeError): void => this.#replied(replies, error);

  constructor(candidates: readonly Candidate[], conf: ResolvConf, transport: DnsTransport, done: (r: LookupResult) => void) {
    this.#candidates = candidates;
    this.#conf = conf;
    this.#transport = transport;
    this.#done = done;
  }

  nextCandidate(): void {
    if (this.#index >= this.#candidates.length) { this.#done({ ok: false, error: this.#sawNodata ? 'NODATA' : 'NXDOMAIN' }); return; }
    this.#candidate = this.#candidates[this.#index++]!;
    this.#tries = 0;
    this.#lastError = 'timeout';
    this.#attempt();
  }

  /** Ask the next nameserver (round-robin over `attempts` rounds), all types at once (glibc's parallel A+AAAA). */
  #attempt(): void {
    const conf = this.#conf;
    const servers = nameserversOf(conf);
    if (this.#tries >= servers.length * conf.attempts) {
      this.#done({ ok: false, error: this.#lastError === 'timeout' ? 'TIMEOUT' : 'CONNREFUSED' });
      return;
    }
    const server = servers[this.#tries % servers.length]!;
    this.#tries++;
    // `dnsQuery` of each type, with the candidate's question lists (one per name, not one per query).
    const questions = this.#candidate!.questions;
    const queries: DnsMessage[] = new Array<DnsMessage>(questions.length);
    for (let i = 0; i < questions.length; i++) queries[i] = queryMessage(this.#transport.nextId(), true, questions[i]!, undefined);
    this.#transport.exchange(server, queries, conf.timeoutSec * 1000, this.#onReplies);
  }

  #replied(replies: readonly (DnsMessage | undefined)[], error?: ExchangeError): void {
    let missing = false;
    for (let i = 0; i < replies.length; i++) if (replies[i] === undefined) missing = true;
    if (error || missing) {
      this.#lastError = error ?? 'timeout';
      this.#attempt();
      return;
    }
    const addrs = addressesOf(replies[0]);
    if (addrs.length > 0) { this.#done({ ok: true, name: this.#candidate!.name, addresses: addrs, source: 'dns' }); return; }
    // res_search stops walking on anything but "no such name" / "no data" (e.g. SERVFAIL, REFUSED).
    for (let i = 0; i < replies.length; i++) {
      const rcode = replies[i]!.rcode;
      if (rcode === RCODE_NOERROR) this.#sawNodata = true;
      else if (rcode !== RCODE_NXDOMAIN) {
        this.#done({ ok: false, error: rcode === RCODE_REFUSED ? 'REFUSED' : 'SERVFAIL' });
        return;
      }
    }
    this.nextCandidate();
  }
}

/**
 * The nameservers of the last resolv.conf asked, as an unfrozen copy: the parsed file's lists are frozen (it is shared
 * by every lookup with the same text), and V8's optimized code does not inline an element load from a frozen array
 * (Node 20: a keyed-load stub call, about 80 instructions per lookup). One entry, compared by identity: the same few
 * parsed files serve every lookup.
 */
let lastConf: ResolvConf | null = null;
let lastNameservers: readonly string[] = [];

function nameserversOf(conf: ResolvConf): readonly string[] {
  if (conf !== lastConf) {
    lastNameservers = conf.nameservers.slice();
    lastConf = conf;
  }
  return lastNameservers;
}

const RCODE_NOERROR = rcodeOf('NOERROR');
const RCODE_NXDOMAIN = rcodeOf('NXDOMAIN');
const RCODE_REFUSED = rcodeOf('REFUSED');
