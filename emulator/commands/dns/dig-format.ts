/**
 * dig (BIND 9.18) output: the header block, the sections in master-file style (bind's column layout: TTL at
 * column 24, class 32, type 40, rdata 48, tabs of 8, a single space once a field overruns its column), and the
 * footer. Pure: the command gathers the reply and the timings, this file only prints.
 */
import type { DnsMessage, DnsRecord } from '../../dns/message';
import { ednsOf, fqdn, rcodeName } from '../../dns/message';

export const DIG_VERSION = '9.18.49-1~deb12u3-Debian';

export interface DigDisplay {
  short: boolean;
  comments: boolean;
  question: boolean;
  answer: boolean;
  authority: boolean;
  additional: boolean;
  stats: boolean;
  cmd: boolean;
}

export const DIG_DEFAULT_DISPLAY: DigDisplay = {
  short: false, comments: true, question: true, answer: true, authority: true, additional: true, stats: true, cmd: true,
};

/** bind's `indent()`: tabs up to column `to`, or one space when already at or past it. */
function pad(text: string, col: number, to: number): { text: string; col: number } {
  if (col >= to) return { text: text + ' ', col: col + 1 };
  const tabs = Math.floor(to / 8) - Math.floor(col / 8);
  return { text: text + '\t'.repeat(tabs), col: to };
}

export function rdataText(r: DnsRecord): string {
  const d = r.rdata;
  switch (d.type) {
    case 'A': case 'AAAA': return d.address;
    case 'CNAME': case 'PTR': case 'NS': return fqdn(d.target);
    case 'SOA': return `${fqdn(d.mname)} ${fqdn(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'SRV': return `${d.priority} ${d.weight} ${d.port} ${fqdn(d.target)}`;
    case 'TXT': return d.texts.map((s) => `"${s}"`).join(' ');
    case 'OPT': return '';
  }
}

/** One record as dig prints it in a section. */
export function recordLine(rr: DnsRecord): string {
  let out = fqdn(rr.name);
  let col = out.length;
  ({ text: out, col } = pad(out, col, 24));
  out += String(rr.ttl); col += String(rr.ttl).length;
  ({ text: out, col } = pad(out, col, 32));
  out += 'IN'; col += 2;
  ({ text: out, col } = pad(out, col, 40));
  out += rr.rdata.type; col += rr.rdata.type.length;
  ({ text: out } = pad(out, col, 48));
  return out + rdataText(rr);
}

export function questionLine(name: string, type: string): string {
  const { text, col } = pad(';' + fqdn(name), fqdn(name).length + 1, 32);
  const t2 = pad(text + 'IN', col + 2, 40);
  return t2.text + type;
}

export interface DigRun {
  /** The arguments as typed after `dig` (for the `<<>> … <<>>` banner). */
  readonly argsText: string;
  /** `@server` given on the command line. */
  readonly explicitServer: boolean;
  readonly server: string;
  readonly reply: DnsMessage;
  readonly queryTimeMs: number;
  /** `Sat Nov 28 06:15:08 UTC 2026` */
  readonly when: string;
  readonly msgSize: number;
  /** `+tcp`: the SERVER line says (TCP). */
  readonly transport?: 'UDP' | 'TCP';
}

function flagsText(m: DnsMessage): string {
  const f: string[] = [];
  if (m.qr) f.push('qr');
  if (m.aa) f.push('aa');
  if (m.tc) f.push('tc');
  if (m.rd) f.push('rd');
  if (m.ra) f.push('ra');
  return f.join(' ');
}

function banner(argsText: string, explicitServer: boolean, d: DigDisplay): string {
  if (!d.cmd) return '';
  return `\n; <<>> DiG ${DIG_VERSION} <<>> ${argsText}\n${explicitServer ? '; (1 server found)\n' : ''};; global options: +cmd\n`;
}

export function formatDigAnswer(run: DigRun, d: DigDisplay = DIG_DEFAULT_DISPLAY): string {
  const m = run.reply;
  if (d.short) return m.answers.map((rr) => rdataText(rr) + '\n').join('');
  let out = banner(run.argsText, run.explicitServer, d);
  if (d.comments) {
    out += ';; Got answer:\n';
    const q = m.questions[0];
    if (q && /\.local$/i.test(q.name)) {
      out += ';; WARNING: .local is reserved for Multicast DNS\n';
      out += ';; You are currently testing what happens when an mDNS query is leaked to DNS\n';
    }
    out += `;; ->>HEADER<<- opcode: QUERY, status: ${rcodeName(m.rcode)}, id: ${m.id}\n`;
    out += `;; flags: ${flagsText(m)}; QUERY: ${m.questions.length}, ANSWER: ${m.answers.length}, ` +
      `AUTHORITY: ${m.authority.length}, ADDITIONAL: ${m.additional.length}\n`;
    if (m.rd && !m.ra) out += ';; WARNING: recursion requested but not available\n';
    out += '\n';
    const opt = ednsOf(m);
    if (opt) out += `;; OPT PSEUDOSECTION:\n; EDNS: version: 0, flags:; udp: ${opt.class}\n`;
  }
  const section = (title: string, rrs: readonly DnsRecord[]): string => {
    if (rrs.length === 0) return '';
    return `${d.comments ? `;; ${title} SECTION:\n` : ''}${rrs.map((r) => recordLine(r) + '\n').join('')}\n`;
  };
  if (d.question && m.questions.length) {
    out += `${d.comments ? ';; QUESTION SECTION:\n' : ''}${m.questions.map((q) => questionLine(q.name, q.type) + '\n').join('')}\n`;
  }
  if (d.answer) out += section('ANSWER', m.answers);
  if (d.authority) out += section('AUTHORITY', m.authority);
  if (d.additional) out += section('ADDITIONAL', m.additional.filter((r) => r.rdata.type !== 'OPT'));
  if (d.stats) {
    out += `;; Query time: ${run.queryTimeMs} msec\n`;
    out += `;; SERVER: ${run.server}#53(${run.server}) (${run.transport ?? 'UDP'})\n`;
    out += `;; WHEN: ${run.when}\n`;
    out += `;; MSG SIZE  rcvd: ${run.msgSize}\n\n`;
  }
  return out;
}

/** No reply after every try: the per-try errors (stderr in real dig, interleaved on a terminal) and the banner. */
export function formatDigFailure(argsText: string, explicitServer: boolean, server: string, tries: number,
  error: 'timed out' | 'connection refused', d: DigDisplay = DIG_DEFAULT_DISPLAY): { stdout: string; stderr: string } {
  const stderr = `;; communications error to ${server}#53: ${error}\n`.repeat(tries);
  if (d.short) return { stdout: '', stderr: stderr + ';; no servers could be reached\n' };
  return { stdout: banner(argsText, explicitServer, d) + ';; no servers could be reached\n', stderr };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `date`-style UTC timestamp from virtual ms: `Sat Nov 28 06:15:08 UTC 2026`. */
export function digWhen(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p2(d.getUTCDate())} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}
