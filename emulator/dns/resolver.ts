/**
 * The stub resolver every host links against (glibc's `getaddrinfo` with `files dns` in nsswitch.conf): read
 * /etc/hosts, then ask the nameservers of /etc/resolv.conf, walking the search list under the `ndots` rule —
 * query by query, each a real UDP exchange through `DnsTransport`, so tcpdump and the packet trace show the walk.
 *
 * Continuations are callbacks run inside scheduler tasks (not promises), so a whole lookup completes within one
 * `scheduler.advance` however the caller drives virtual time.
 */
import type { DnsMessage, DnsType } from './message';
import { addressesOf, dnsQuery, fqdn, isIPv4, rcodeName, relative } from './message';

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
  if (name.endsWith('.')) return [name];
  const dots = (name.match(/\./g) ?? []).length;
  const expanded = conf.search.map((d) => `${name}.${d.replace(/\.$/, '')}.`);
  return dots >= conf.ndots ? [fqdn(name), ...expanded] : [...expanded, fqdn(name)];
}

/**
 * `searchCandidates` of each relative name a host looks up, kept per resolv.conf (a pod curls the same few names
 * again and again): the list is built once per name. Bounded: a full table starts over. An absolute name is its
 * own only candidate (nothing to build, nothing to keep).
 */
const candidateLists = new WeakMap<Pick<ResolvConf, 'search' | 'ndots'>, Map<string, readonly string[]>>();
const MAX_CANDIDATE_LISTS = 1024;

function candidatesOf(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): readonly string[] {
  if (name.endsWith('.')) return [name];
  let lists = candidateLists.get(conf);
  if (lists === undefined) candidateLists.set(conf, (lists = new Map()));
  let list = lists.get(name);
  if (list === undefined) {
    if (lists.size >= MAX_CANDIDATE_LISTS) lists.clear();
    list = searchCandidates(name, conf);
    lists.set(name, list);
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
    const hit = host.hosts.get(lower.endsWith('.') ? lower.slice(0, -1) : lower);
    if (hit) { done({ ok: true, name, addresses: [hit], source: 'hosts' }); return; }
  }
  const conf = host.resolvConf;
  const candidates = candidatesOf(name, conf);
  let index = 0;
  let sawNodata = false;

  const tryCandidate = (): void => {
    if (index >= candidates.length) { done({ ok: false, error: sawNodata ? 'NODATA' : 'NXDOMAIN' }); return; }
    const qname = candidates[index++]!;
    queryAll(qname, conf, transport, ['A', 'AAAA'], (replies, error) => {
      if (error) { done({ ok: false, error: error === 'timeout' ? 'TIMEOUT' : 'CONNREFUSED' }); return; }
      const addrs = addressesOf(replies[0]);
      if (addrs.length > 0) { done({ ok: true, name: qname, addresses: addrs, source: 'dns' }); return; }
      const rcodes = replies.map((r) => (r ? rcodeName(r.rcode) : 'SERVFAIL'));
      // res_search stops walking on anything but "no such name" / "no data" (e.g. SERVFAIL, REFUSED).
      if (rcodes.every((c) => c === 'NXDOMAIN' || c === 'NOERROR')) {
        if (rcodes.some((c) => c === 'NOERROR')) sawNodata = true;
        tryCandidate();
        return;
      }
      const bad = rcodes.find((c) => c !== 'NXDOMAIN' && c !== 'NOERROR')!;
      done({ ok: false, error: bad === 'REFUSED' ? 'REFUSED' : 'SERVFAIL' });
    });
  };
  tryCandidate();
}

/**
 * Ask each nameserver in turn, `attempts` rounds, each attempt `timeout` seconds, with all `types` for `qname`
 * sent together (glibc's parallel A+AAAA). Stops at the first server that answers every query.
 */
export function queryAll(
  qname: string, conf: ResolvConf, transport: DnsTransport, types: readonly DnsType[],
  done: (replies: readonly (DnsMessage | undefined)[], error?: ExchangeError) => void,
): void {
  const servers = conf.nameservers;
  const total = servers.length * conf.attempts;
  const rel = relative(qname); // one question name for every query of the exchange
  let tries = 0;
  let lastError: ExchangeError = 'timeout';
  const next = (): void => {
    if (tries >= total) { done([], lastError); return; }
    const server = servers[tries % servers.length]!;
    tries++;
    const queries: DnsMessage[] = [];
    for (const t of types) queries.push(dnsQuery(transport.nextId(), rel, t));
    transport.exchange(server, queries, conf.timeoutSec * 1000, (replies, error) => {
      if (error || replies.some((r) => r === undefined)) {
        lastError = error ?? 'timeout';
        next();
        return;
      }
      done(replies);
    });
  };
  next();
}
