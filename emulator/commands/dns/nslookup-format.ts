/**
 * What the lookup tools print, from the replies they got. Two nslookups exist on our hosts: busybox's (pods built
 * on busybox/alpine) and bind9-dnsutils' (the workstation, nodes, Debian-based images); plus bind's `host`.
 * Pure: the commands send the queries (through the network) and hand the replies here.
 */
import type { DnsMessage, DnsRecord } from '../../dns/message';
import { fqdn, rcodeName } from '../../dns/message';

/** One query busybox sent and what came back (undefined = no reply before the timeout). */
export interface LookupExchange {
  readonly name: string;
  readonly reply: DnsMessage | undefined;
}

function busyboxRecord(r: DnsRecord): string {
  const d = r.rdata;
  switch (d.type) {
    case 'A': case 'AAAA': return `Name:\t${r.name}\nAddress: ${d.address}\n`;
    case 'CNAME': return `${r.name}\tcanonical name = ${d.target}\n`;
    case 'PTR': return `${r.name}\tname = ${d.target}\n`;
    case 'NS': return `${r.name}\tnameserver = ${d.target}\n`;
    case 'SRV': return `${r.name}\tservice = ${d.priority} ${d.weight} ${d.port} ${d.target}\n`;
    case 'TXT': return `${r.name}\ttext = "${d.texts.join('')}"\n`;
    case 'SOA':
      return `${r.name}\n\torigin = ${d.mname}\n\tmail addr = ${d.rname}\n\tserial = ${d.serial}\n\trefresh = ${d.refresh}\n` +
        `\tretry = ${d.retry}\n\texpire = ${d.expire}\n\tminimum = ${d.minimum}\n`;
    case 'OPT': return '';
  }
}

/**
 * busybox 1.35 `nslookup`: header, then one block per query in the order sent (all A queries, then all AAAA).
 * Exit status 1 when any query failed. No reply at all: the single "connection timed out" line.
 */
export function formatBusyboxNslookup(server: string, exchanges: readonly LookupExchange[]): { stdout: string; exitCode: number } {
  if (exchanges.length > 0 && exchanges.every((e) => e.reply === undefined)) {
    return { stdout: ';; connection timed out; no servers could be reached\n\n', exitCode: 1 };
  }
  let out = `Server:\t\t${server}\nAddress:\t${server}:53\n\n`;
  let failed = false;
  for (const e of exchanges) {
    const m = e.reply;
    if (!m) { out += `*** Can't find ${e.name}: No answer\n\n`; failed = true; continue; }
    if (m.rcode !== 0) {
      out += `** server can't find ${e.name}: ${rcodeName(m.rcode)}\n\n`;
      failed = true;
      continue;
    }
    if (!m.aa && m.answers.length > 0) out += 'Non-authoritative answer:\n';
    for (const r of m.answers) out += busyboxRecord(r);
    out += '\n';
  }
  return { stdout: out, exitCode: failed ? 1 : 0 };
}

/** The names busybox queries: a dotless name with each search domain; anything else literally. */
export function busyboxCandidates(name: string, search: readonly string[]): string[] {
  const bare = name.replace(/\.$/, '');
  if (name.endsWith('.') || bare.includes('.') || search.length === 0) return [bare];
  return search.map((d) => `${bare}.${d.replace(/\.$/, '')}`);
}

/** One step of bind nslookup's walk: the reply to the query for `name`. */
export interface BindLookupStep {
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'PTR';
  readonly reply: DnsMessage;
}

/**
 * bind9 nslookup. `steps` are the replies in arrival order: the A walk over the search candidates, then the AAAA
 * query for the name that answered. Each reply without RA prints `;; Got recursion not available from X` (stderr)
 * as it arrives — before the Server block for the walk.
 */
export function formatBindNslookup(server: string, steps: readonly BindLookupStep[]): { stdout: string; stderr: string; exitCode: number; interleaved: string } {
  let stdout = '', stderr = '', interleaved = '';
  const warn = (m: DnsMessage): void => {
    if (!m.ra) { const w = `;; Got recursion not available from ${server}\n`; stderr += w; interleaved += w; }
  };
  const print = (s: string): void => { stdout += s; interleaved += s; };
  const header = `Server:\t\t${server}\nAddress:\t${server}#53\n\n`;
  const ptr = steps.find((s) => s.type === 'PTR');
  if (ptr) {
    warn(ptr.reply);
    if (ptr.reply.rcode !== 0) {
      print(header + `** server can't find ${ptr.name}: ${rcodeName(ptr.reply.rcode)}\n\n`);
      return { stdout, stderr, exitCode: 1, interleaved };
    }
    if (!ptr.reply.aa) print('Non-authoritative answer:\n');
    for (const r of ptr.reply.answers) if (r.rdata.type === 'PTR') print(`${r.name}\tname = ${fqdn(r.rdata.target)}\n`);
    print('\n');
    return { stdout, stderr, exitCode: 0, interleaved };
  }
  const aSteps = steps.filter((s) => s.type === 'A');
  const hit = aSteps.find((s) => s.reply.rcode === 0 && s.reply.answers.length > 0);
  if (!hit) {
    for (const s of aSteps) warn(s.reply);
    const last = aSteps[aSteps.length - 1];
    const rc = last ? rcodeName(last.reply.rcode) : 'NXDOMAIN';
    const what = last && last.reply.rcode === 0 ? `*** Can't find ${last.name}: No answer\n\n` : `** server can't find ${last?.name ?? ''}: ${rc}\n\n`;
    print(header + what);
    return { stdout, stderr, exitCode: 1, interleaved };
  }
  for (const s of aSteps) { warn(s.reply); if (s === hit) break; }
  print(header);
  if (!hit.reply.aa) print('Non-authoritative answer:\n');
  const addr = (r: DnsRecord): void => {
    const d = r.rdata;
    if (d.type === 'CNAME') print(`${r.name}\tcanonical name = ${d.target}.\n`);
    if (d.type === 'A' || d.type === 'AAAA') print(`Name:\t${r.name}\nAddress: ${d.address}\n`);
  };
  hit.reply.answers.forEach(addr);
  for (const s of steps.filter((x) => x.type === 'AAAA')) {
    warn(s.reply);
    s.reply.answers.filter((r) => r.rdata.type === 'AAAA').forEach(addr);
  }
  print('\n');
  return { stdout, stderr, exitCode: 0, interleaved };
}

/** bind nslookup / host when the server never answered. */
export function formatBindTimeout(server: string, tries = 3): string {
  return `;; communications error to ${server}#53: timed out\n`.repeat(tries) + ';; no servers could be reached\n\n';
}

/** bind `host NAME`: `<fqdn> has address <ip>` lines, or `Host <name> not found: 3(NXDOMAIN)`. */
export function formatHost(name: string, a: DnsMessage | undefined, aaaa: DnsMessage | undefined, queriedName: string): { stdout: string; exitCode: number } {
  if (!a) return { stdout: ';; connection timed out; no servers could be reached\n', exitCode: 1 };
  if (a.rcode !== 0) return { stdout: `Host ${name} not found: ${a.rcode}(${rcodeName(a.rcode)})\n`, exitCode: 1 };
  let out = '';
  for (const m of [a, aaaa]) {
    if (!m) continue;
    for (const r of m.answers) {
      const d = r.rdata;
      if (d.type === 'CNAME') out += `${r.name} is an alias for ${d.target}.\n`;
      else if (d.type === 'A') out += `${r.name} has address ${d.address}\n`;
      else if (d.type === 'AAAA') out += `${r.name} has IPv6 address ${d.address}\n`;
    }
  }
  void queriedName;
  return { stdout: out, exitCode: 0 };
}
