/**
 * nslookup, dig and host: real queries from the host's network namespace (traced as one request each), printed by
 * the formatters. Which nslookup a host has follows its userland: busybox in busybox/alpine-based pods, bind9's
 * everywhere else.
 */
import type { CommandContext, CommandSpec } from '../../shell/types';
import type { DnsMessage, DnsType } from '../../dns/message';
import { dnsQuery, fqdn, isIPv4, parseDnsType, reverseName } from '../../dns/message';
import { dnsWireLength } from '../../net/packet/dns';
import { searchCandidates, type ExchangeError } from '../../dns/resolver';
import { tcpExchange, UdpDnsClient } from '../../dns/udp';
import { beginTrace, netnsOf, resolverOf, runNetworkOp } from '../../workloads/host-network';
import { DIG_DEFAULT_DISPLAY, digWhen, formatDigAnswer, formatDigFailure, type DigDisplay } from './dig-format';
import { busyboxCandidates, formatBindNslookup, formatBindTimeout, formatBusyboxNslookup, formatHost, type BindLookupStep, type LookupExchange } from './nslookup-format';

type Exchange = { replies: readonly (DnsMessage | undefined)[]; error?: ExchangeError };

function client(ctx: CommandContext, reqId: number, onReply?: (m: DnsMessage) => void): UdpDnsClient | undefined {
  const ns = netnsOf(ctx.world, ctx.host);
  if (!ns) return undefined;
  return new UdpDnsClient({ ns, scheduler: ctx.world.scheduler, rng: ctx.world.rng.fork(`dns-tool-${reqId}`), reqId, ...(onReply ? { onReply } : {}) });
}

function exchange(ctx: CommandContext, c: UdpDnsClient, server: string, queries: DnsMessage[], timeoutMs: number): Promise<Exchange | undefined> {
  return runNetworkOp<Exchange>(ctx, (done) => c.exchange(server, queries, timeoutMs, (replies, error) => done({ replies, ...(error ? { error } : {}) })));
}

function usesBusybox(ctx: CommandContext): boolean {
  return ctx.host.promptStyle === 'busybox';
}

// ------------------------------------------------------------------------------------------------ nslookup

async function nslookup(ctx: CommandContext): Promise<number> {
  const args = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  const typeOpt = ctx.argv.slice(1).find((a) => /^-(type|query|q)=/i.test(a));
  const name = args[0];
  if (!name) {
    ctx.stderr.write(usesBusybox(ctx) ? 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]\n\nQuery DNS about HOST\n' : 'Usage: nslookup [-opt ...] host [server]\n');
    return 1;
  }
  const resolver = resolverOf(ctx.host, ctx.world.profile);
  const server = args[1] ?? resolver.resolvConf.nameservers[0] ?? '127.0.0.1';
  const reqId = beginTrace(ctx.world, ctx.argv.join(' '), ctx.host);
  const wantType = typeOpt ? parseDnsType(typeOpt.split('=')[1]!) : undefined;

  if (usesBusybox(ctx)) {
    const c = client(ctx, reqId);
    if (!c) { ctx.stdout.write(';; connection timed out; no servers could be reached\n\n'); return 1; }
    let queries: { name: string; q: DnsMessage }[];
    if (isIPv4(name)) queries = [{ name: reverseName(name), q: dnsQuery(c.nextId(), reverseName(name), 'PTR') }];
    else {
      const cands = busyboxCandidates(name, resolver.resolvConf.search);
      const types: DnsType[] = wantType ? [wantType] : ['A', 'AAAA'];
      queries = types.flatMap((t) => cands.map((n) => ({ name: n, q: dnsQuery(c.nextId(), n, t) })));
    }
    // busybox resends unanswered queries for its whole timeout; ICMP errors do not end the wait.
    const r = await exchange(ctx, c, server, queries.map((x) => x.q), 5000);
    if (!r) return 130;
    const ex: LookupExchange[] = queries.map((x, i) => ({ name: x.name, reply: r.replies[i] }));
    if (r.error === 'refused' && ex.every((e) => e.reply === undefined)) {
      await runNetworkOp<void>(ctx, (done) => ctx.world.scheduler.after(5000, () => done(undefined)));
    }
    const out = formatBusyboxNslookup(server, ex);
    ctx.stdout.write(out.stdout);
    return out.exitCode;
  }

  const steps: BindLookupStep[] = [];
  const c = client(ctx, reqId);
  if (!c) { ctx.stdout.write(formatBindTimeout(server)); return 1; }
  const ask = async (qname: string, type: DnsType): Promise<DnsMessage | undefined> => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await exchange(ctx, c, server, [dnsQuery(c.nextId(), qname, type)], 5000);
      if (!r) return undefined;
      const m = r.replies[0];
      if (m) return m;
      ctx.stderr.write(`;; communications error to ${server}#53: ${r.error === 'refused' ? 'connection refused' : 'timed out'}\n`);
    }
    return undefined;
  };
  if (isIPv4(name)) {
    const m = await ask(reverseName(name), 'PTR');
    if (!m) { ctx.stdout.write(';; no servers could be reached\n\n'); return 1; }
    steps.push({ name: reverseName(name), type: 'PTR', reply: m });
  } else {
    const cands = searchCandidates(name, resolver.resolvConf).map((n) => n.replace(/\.$/, ''));
    let hit: string | undefined;
    for (const cand of cands) {
      const m = await ask(cand, wantType ?? 'A');
      if (!m) { ctx.stdout.write(';; no servers could be reached\n\n'); return 1; }
      steps.push({ name: cand, type: 'A', reply: m });
      if (m.rcode === 0 && m.answers.length > 0) { hit = cand; break; }
      if (m.rcode !== 0 && m.rcode !== 3) break;
    }
    if (hit && !wantType) {
      const m = await ask(hit, 'AAAA');
      if (m) steps.push({ name: hit, type: 'AAAA', reply: m });
    }
  }
  const out = formatBindNslookup(server, steps);
  ctx.stderr.write(out.stderr);
  ctx.stdout.write(out.stdout);
  return out.exitCode;
}

// ------------------------------------------------------------------------------------------------ dig

async function dig(ctx: CommandContext): Promise<number> {
  const args = ctx.argv.slice(1);
  const display: DigDisplay = { ...DIG_DEFAULT_DISPLAY };
  let server: string | undefined;
  let name: string | undefined;
  let type: DnsType | undefined;
  let search = false;
  let reverse = false;
  let tries = 3;
  let timeoutSec = 5;
  let tcp = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('@')) server = a.slice(1);
    else if (a === '-x') { reverse = true; name = args[++i]; }
    else if (a === '-t') type = parseDnsType(args[++i] ?? '');
    else if (a.startsWith('+')) {
      const [opt, val] = a.slice(1).split('=');
      const on = !opt!.startsWith('no');
      const key = on ? opt! : opt!.slice(2);
      if (key === 'short') display.short = on;
      else if (key === 'search') search = on;
      else if (key === 'tcp' || key === 'vc') tcp = on;
      else if (key === 'all') { display.comments = display.question = display.answer = display.authority = display.additional = display.stats = display.cmd = on; }
      else if (key === 'tries' && val) tries = Math.max(1, Number(val));
      else if (key === 'retry' && val) tries = Math.max(1, Number(val) + 1);
      else if (key === 'time' && val) timeoutSec = Math.max(1, Number(val));
      else if (key in display) (display as unknown as Record<string, boolean>)[key] = on;
    } else if (a.toUpperCase() === 'IN') continue;
    else if (!type && name !== undefined && parseDnsType(a)) type = parseDnsType(a);
    else if (name === undefined) name = a;
    else if (!type && parseDnsType(a)) type = parseDnsType(a);
  }
  const resolver = resolverOf(ctx.host, ctx.world.profile);
  const srv = server ?? resolver.resolvConf.nameservers[0] ?? '127.0.0.1';
  const argsText = args.join(' ');
  let qname = name ?? '.';
  let qtype: DnsType = type ?? (name === undefined ? 'NS' : 'A');
  if (reverse && name && isIPv4(name)) { qname = reverseName(name); qtype = 'PTR'; }
  const reqId = beginTrace(ctx.world, ctx.argv.join(' '), ctx.host);
  const c = client(ctx, reqId);
  const names = search && !reverse ? searchCandidates(qname, resolver.resolvConf).map((n) => n.replace(/\.$/, '')) : [qname.replace(/\.$/, '')];
  let reply: DnsMessage | undefined;
  let sentAt = 0;
  let lastError: ExchangeError = 'timeout';
  for (const n of names) {
    reply = undefined;
    for (let attempt = 0; attempt < tries && c; attempt++) {
      const cookie = new Uint8Array(8).map(() => ctx.world.rng.int(256));
      sentAt = ctx.world.scheduler.now();
      const q = dnsQuery(c.nextId(), n, qtype, { ednsCookie: cookie });
      const ns = netnsOf(ctx.world, ctx.host)!;
      const r = tcp
        ? await runNetworkOp<Exchange>(ctx, (done) => tcpExchange(ns, ctx.world.scheduler, srv, q, reqId, timeoutSec * 1000, (m, error) => done({ replies: [m], ...(error ? { error } : {}) })))
        : await exchange(ctx, c, srv, [q], timeoutSec * 1000);
      if (!r) return 130;
      if (r.replies[0]) { reply = r.replies[0]; break; }
      lastError = r.error ?? 'timeout';
      ctx.stderr.write(`;; communications error to ${srv}#53: ${lastError === 'refused' ? 'connection refused' : 'timed out'}\n`);
    }
    if (!reply) break;
    if (reply.rcode !== 3) break;
  }
  if (!reply) {
    const f = formatDigFailure(argsText, server !== undefined, srv, 0, lastError === 'refused' ? 'connection refused' : 'timed out', display);
    ctx.stdout.write(f.stdout);
    return 9;
  }
  ctx.stdout.write(formatDigAnswer({
    argsText, explicitServer: server !== undefined, server: srv, reply,
    queryTimeMs: Math.round(ctx.world.scheduler.now() - sentAt), when: digWhen(ctx.world.scheduler.now()), msgSize: dnsWireLength(reply),
    ...(tcp ? { transport: 'TCP' as const } : {}),
  }, display));
  return 0;
}

// ------------------------------------------------------------------------------------------------ host

async function host(ctx: CommandContext): Promise<number> {
  const args = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  const name = args[0];
  if (!name) { ctx.stderr.write('Usage: host [-aCdilrTvVw] [-c class] [-N ndots] [-t type] [-W time]\n            [-R number] [-m flag] [-p port] hostname [server]\n'); return 1; }
  const resolver = resolverOf(ctx.host, ctx.world.profile);
  const server = args[1] ?? resolver.resolvConf.nameservers[0] ?? '127.0.0.1';
  const reqId = beginTrace(ctx.world, ctx.argv.join(' '), ctx.host);
  const c = client(ctx, reqId);
  if (!c) { ctx.stdout.write(';; connection timed out; no servers could be reached\n'); return 1; }
  // With an explicit server, bind's host first says which one it uses.
  if (args[1] !== undefined) ctx.stdout.write(`Using domain server:\nName: ${server}\nAddress: ${server}#53\nAliases: \n\n`);
  if (isIPv4(name)) {
    const r = await exchange(ctx, c, server, [dnsQuery(c.nextId(), reverseName(name), 'PTR')], 5000);
    const m = r?.replies[0];
    if (!m) { ctx.stdout.write(';; connection timed out; no servers could be reached\n'); return 1; }
    if (m.rcode !== 0) { ctx.stdout.write(`Host ${reverseName(name)} not found: ${m.rcode}(${m.rcode === 3 ? 'NXDOMAIN' : 'SERVFAIL'})\n`); return 1; }
    for (const a of m.answers) if (a.rdata.type === 'PTR') ctx.stdout.write(`${reverseName(name)} domain name pointer ${fqdn(a.rdata.target)}\n`);
    return 0;
  }
  let last: { a?: DnsMessage; aaaa?: DnsMessage; name: string } = { name };
  for (const cand of searchCandidates(name, resolver.resolvConf).map((n) => n.replace(/\.$/, ''))) {
    const r = await exchange(ctx, c, server, [dnsQuery(c.nextId(), cand, 'A'), dnsQuery(c.nextId(), cand, 'AAAA')], 5000);
    if (!r) return 130;
    last = { ...(r.replies[0] ? { a: r.replies[0] } : {}), ...(r.replies[1] ? { aaaa: r.replies[1] } : {}), name: cand };
    if (!r.replies[0] || r.replies[0].rcode !== 3) break;
  }
  const out = formatHost(last.a && last.a.rcode === 3 ? name : last.name, last.a, last.aaaa, last.name);
  ctx.stdout.write(out.stdout);
  return out.exitCode;
}

export const nslookupCommand: CommandSpec = { name: 'nslookup', summary: 'query Internet name servers', run: nslookup };
export const digCommand: CommandSpec = { name: 'dig', summary: 'DNS lookup utility', run: dig };
export const hostCommand: CommandSpec = { name: 'host', summary: 'DNS lookup utility', run: host };
