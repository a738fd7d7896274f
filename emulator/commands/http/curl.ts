/**
 * curl (7.88.1, Debian 12's — the version whose output the reference captured): options parsing, the transfer
 * through `httpFetch`, and curl's exact texts: `-v` info lines, error messages and exit codes, `-I`/`-i` header
 * blocks (bold header names on a terminal), `-w` variables, `-o`, and the progress meter when stdout is not a
 * terminal.
 */
import type { CommandContext, CommandSpec } from '../../shell/types';
import type { HttpResponse } from '../../net/packet/http';
import type { HttpClientEvent, HttpOutcome, ParsedUrl } from '../../workloads/http-client';
import { httpFetch, parseUrl, requestHeaders } from '../../workloads/http-client';
import { beginTrace, clientHostOf, runNetworkOp } from '../../workloads/host-network';

export const CURL_VERSION = '7.88.1';

export interface CurlOptions {
  url?: string;
  silent: boolean;
  showError: boolean;
  verbose: boolean;
  head: boolean;
  include: boolean;
  location: boolean;
  insecure: boolean;
  method?: string;
  data?: string;
  headers: [string, string][];
  output?: string;
  writeOut?: string;
  maxTimeMs?: number;
  connectTimeoutMs?: number;
  failOnError: boolean;
}

export type CurlParse = { ok: true; opts: CurlOptions } | { ok: false; message: string; code: number };

const NEEDS_ARG = new Set(['-H', '--header', '-X', '--request', '-d', '--data', '--data-raw', '--data-binary', '-o', '--output',
  '-w', '--write-out', '-m', '--max-time', '--connect-timeout', '-A', '--user-agent', '-u', '--user', '-e', '--referer']);

export function parseCurlArgs(args: readonly string[]): CurlParse {
  const o: CurlOptions = {
    silent: false, showError: false, verbose: false, head: false, include: false, location: false, insecure: false,
    headers: [], failOnError: false,
  };
  const seconds = (flag: string, v: string): number | string => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) return `curl: option ${flag}: expected a proper numerical parameter`;
    return Math.round(n * 1000);
  };
  for (let i = 0; i < args.length; i++) {
    let a = args[i]!;
    let value: string | undefined;
    if (a.startsWith('--') && a.includes('=')) { value = a.slice(a.indexOf('=') + 1); a = a.slice(0, a.indexOf('=')); }
    // bundled short flags: -sSL, -sI, -so /dev/null
    if (/^-[a-zA-Z]{2,}$/.test(a)) {
      const letters = a.slice(1).split('');
      const expanded: string[] = [];
      for (let k = 0; k < letters.length; k++) {
        const f = '-' + letters[k];
        if (NEEDS_ARG.has(f) && k < letters.length - 1) { expanded.push(f, letters.slice(k + 1).join('')); break; }
        expanded.push(f);
      }
      args = [...args.slice(0, i), ...expanded, ...args.slice(i + 1)];
      a = args[i]!;
    }
    const need = (): string | undefined => {
      if (value !== undefined) return value;
      const v = args[i + 1];
      if (v === undefined) return undefined;
      i++;
      return v;
    };
    if (NEEDS_ARG.has(a)) {
      const v = need();
      if (v === undefined) return { ok: false, message: `curl: option ${a}: requires parameter\ncurl: try 'curl --help' or 'curl --manual' for more information\n`, code: 2 };
      switch (a) {
        case '-H': case '--header': {
          const c = v.indexOf(':');
          if (c > 0) o.headers.push([v.slice(0, c).trim(), v.slice(c + 1).trim()]);
          break;
        }
        case '-X': case '--request': o.method = v; break;
        case '-d': case '--data': case '--data-raw': case '--data-binary': o.data = o.data === undefined ? v : `${o.data}&${v}`; break;
        case '-o': case '--output': o.output = v; break;
        case '-w': case '--write-out': o.writeOut = v; break;
        case '-A': case '--user-agent': o.headers.push(['User-Agent', v]); break;
        case '-e': case '--referer': o.headers.push(['Referer', v]); break;
        case '-u': case '--user': o.headers.push(['Authorization', `Basic ${base64(v)}`]); break;
        case '-m': case '--max-time': case '--connect-timeout': {
          const ms = seconds(a, v);
          if (typeof ms === 'string') return { ok: false, message: ms + '\n', code: 2 };
          if (a === '--connect-timeout') o.connectTimeoutMs = ms; else o.maxTimeMs = ms;
          break;
        }
      }
      continue;
    }
    switch (a) {
      case '-s': case '--silent': o.silent = true; break;
      case '-S': case '--show-error': o.showError = true; break;
      case '-v': case '--verbose': o.verbose = true; break;
      case '-I': case '--head': o.head = true; break;
      case '-i': case '--include': o.include = true; break;
      case '-L': case '--location': o.location = true; break;
      case '-k': case '--insecure': o.insecure = true; break;
      case '-f': case '--fail': o.failOnError = true; break;
      case '-4': case '--ipv4': case '--compressed': case '-N': case '--no-buffer': case '-q': break;
      default:
        if (a.startsWith('-') && a !== '-') {
          return { ok: false, message: `curl: option ${a}: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n`, code: 2 };
        }
        o.url = a;
    }
  }
  return { ok: true, opts: o };
}

function base64(s: string): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bytes = new TextEncoder().encode(s);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += chars[(n >> 18) & 63]! + chars[(n >> 12) & 63]! + (i + 1 < bytes.length ? chars[(n >> 6) & 63]! : '=') + (i + 2 < bytes.length ? chars[n & 63]! : '=');
  }
  return out;
}

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'Connection refused',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out',
  ECONNRESET: 'Connection reset by peer',
};

/** curl's `max5data`: a 5-column size (bytes, then k/M/G). */
export function max5(n: number): string {
  const K = 1024, M = K * K;
  if (n < 100000) return String(Math.floor(n)).padStart(5);
  if (n < 10000 * K) return `${String(Math.floor(n / K)).padStart(4)}k`;
  if (n < 100 * M) return `${String(Math.floor(n / M)).padStart(2)}.${Math.floor((n % M) / (M / 10))}M`;
  return `${String(Math.floor(n / M)).padStart(4)}M`;
}

const METER_HEAD = '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
  '                                 Dload  Upload   Total   Spent    Left  Speed\n';

function meterLine(total: number, received: number, elapsedMs: number): string {
  const pct = (a: number, b: number): string => String(b > 0 ? Math.floor((a * 100) / b) : 0).padStart(3);
  const speed = elapsedMs > 0 ? (received * 1000) / elapsedMs : received > 0 ? received * 1000 : 0;
  const t = '--:--:--';
  return `${pct(received, total)} ${max5(total)}  ${pct(received, total)} ${max5(received)}    0 ${max5(0)}  ${max5(speed)}  ${max5(0)} ${t} ${t} ${t} ${max5(speed)}`;
}

/** One curl transfer's printed result. */
export interface CurlResult {
  /** stdout and stderr interleaved as a terminal shows them (for goldens); the command writes them separately. */
  readonly stdout: string;
  readonly stderr: string;
  /** Both streams in the order curl writes them (the body arrives between the header lines and `left intact`). */
  readonly chunks: readonly { readonly stream: 'stdout' | 'stderr'; readonly text: string }[];
  readonly exitCode: number;
  /** Body for `-o FILE` (undefined when nothing to write). */
  readonly fileBody?: string;
}

export interface CurlTransfer {
  readonly url: ParsedUrl;
  readonly method: string;
  readonly events: readonly HttpClientEvent[];
  readonly outcome: HttpOutcome;
}

function writeOutText(fmt: string, code: number, t: CurlTransfer | undefined): string {
  const o = t?.outcome;
  const resp = o?.kind === 'response' ? o.response : undefined;
  const vars: Record<string, string> = {
    http_code: String(resp?.status ?? 0).padStart(3, '0'),
    response_code: String(resp?.status ?? 0).padStart(3, '0'),
    remote_ip: o && 'ip' in o ? o.ip : '',
    remote_port: o && 'port' in o && o.ip ? String(o.port) : '',
    size_download: String(resp ? new TextEncoder().encode(resp.body).length : 0),
    time_total: ((o?.elapsedMs ?? 0) / 1000).toFixed(6),
    time_connect: ((o?.elapsedMs ?? 0) / 1000).toFixed(6),
    url_effective: t ? `${t.url.scheme}://${t.url.host}${t.url.explicitPort ? ':' + t.url.port : ''}${t.url.target}` : '',
    exitcode: String(code),
    method: t?.method ?? 'GET',
  };
  return fmt
    .replace(/%\{([a-z_]+)\}/g, (m, k: string) => vars[k] ?? '')
    .replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\r/g, '\r');
}

/** Render a finished transfer as curl prints it. */
export function renderCurl(o: CurlOptions, t: CurlTransfer, terminal: boolean): CurlResult {
  let out = '', err = '';
  const chunks: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  let flushedErr = 0, flushedOut = 0;
  const flush = (): void => {
    if (err.length > flushedErr) { chunks.push({ stream: 'stderr', text: err.slice(flushedErr) }); flushedErr = err.length; }
    if (out.length > flushedOut) { chunks.push({ stream: 'stdout', text: out.slice(flushedOut) }); flushedOut = out.length; }
  };
  let fileBody: string | undefined;
  const info = (s: string): void => { if (o.verbose) err += `* ${s}\n`; };
  const meter = !o.silent && !terminal && o.output === undefined ? true : !o.silent && o.output !== undefined;
  const host = t.url.host;
  const port = t.url.port;
  let exitCode = 0;
  let failure: string | undefined;

  if (meter) err += METER_HEAD + meterLine(0, 0, 0).replace(/^/, '');
  for (const ev of t.events) {
    if (ev.kind === 'trying') info(`  Trying ${ev.ip}:${ev.port}...`);
    if (ev.kind === 'connected') {
      info(`Connected to ${host} (${ev.ip}) port ${ev.port} (#0)`);
      if (o.verbose) {
        err += `> ${t.method} ${t.url.target} HTTP/1.1\n`;
        for (const [k, v] of requestHeaders({ method: t.method, url: t.url, headers: o.headers, body: o.data, userAgent: `curl/${CURL_VERSION}` })) err += `> ${k}: ${v}\n`;
        err += '> \n';
      }
    }
  }
  const oc = t.outcome;
  switch (oc.kind) {
    case 'resolve-failed':
      if (oc.error === 'TIMEOUT' && o.maxTimeMs !== undefined) {
        failure = `Resolving timed out after ${oc.elapsedMs} milliseconds`; exitCode = 28;
      } else {
        failure = `Could not resolve host: ${host}`; exitCode = 6;
      }
      info(failure);
      break;
    case 'connect-failed':
      info(`connect to ${oc.ip} port ${port} failed: ${ERRNO_TEXT[oc.error] ?? oc.error}`);
      failure = `Failed to connect to ${host} port ${port} after ${Math.floor(oc.elapsedMs)} ms: Couldn't connect to server`;
      info(failure);
      exitCode = 7;
      break;
    case 'connect-timeout':
      if (oc.byMaxTime) failure = `Connection timed out after ${Math.floor(oc.elapsedMs)} milliseconds`;
      else failure = `Failed to connect to ${host} port ${port} after ${Math.floor(oc.elapsedMs) + 1} ms: Timeout was reached`;
      info(failure);
      exitCode = 28;
      break;
    case 'transfer-timeout':
      failure = `Operation timed out after ${Math.floor(oc.elapsedMs)} milliseconds with 0 bytes received`;
      info(failure);
      exitCode = 28;
      break;
    case 'empty-reply':
      failure = 'Empty reply from server';
      info(failure);
      exitCode = 52;
      break;
    case 'recv-error':
      failure = `Recv failure: ${ERRNO_TEXT[oc.error] ?? oc.error}`;
      info(failure);
      exitCode = 56;
      break;
    case 'response': {
      const r = oc.response;
      if (t.url.scheme === 'https') {
        // Our servers speak plain HTTP; a TLS ClientHello to them gets an HTTP 400 back, which OpenSSL rejects.
        failure = 'error:0A00010B:SSL routines::wrong version number';
        info(`OpenSSL/3.0.17: ${failure}`);
        exitCode = 35;
        break;
      }
      if (o.verbose) {
        err += `< ${r.version} ${r.status} ${r.reason}\n`;
        for (const [k, v] of r.headers) err += `< ${k}: ${v}\n`;
        err += '< \n';
      }
      const headerBlock = headersText(r, terminal && o.output === undefined);
      const body = t.method === 'HEAD' ? '' : r.body;
      if (o.failOnError && r.status >= 400) {
        failure = `The requested URL returned error: ${r.status}`;
        info(failure);
        exitCode = 22;
        break;
      }
      const shown = (o.head || o.include ? headerBlock : '') + body;
      flush();
      if (o.output !== undefined) fileBody = shown;
      else out += shown;
      flush();
      if (meter) { const n = new TextEncoder().encode(body).length; err += '\r' + meterLine(n, n, oc.elapsedMs) + '\n'; }
      info(`Connection #0 to host ${host} left intact`);
      break;
    }
  }
  if (exitCode !== 0) {
    // The meter's last line has no newline: curl's error message follows it on the same line.
    info('Closing connection 0');
    if (!o.silent || o.showError) err += `curl: (${exitCode}) ${failure}\n`;
  }
  flush();
  if (o.writeOut !== undefined) out += writeOutText(o.writeOut, exitCode, t);
  flush();
  return { stdout: out, stderr: err, chunks, exitCode, ...(fileBody !== undefined ? { fileBody } : {}) };
}

/** `-I`/`-i` header block: status line, `Name: value` lines (names bold on a terminal), blank line. */
export function headersText(r: HttpResponse, bold: boolean): string {
  let s = `${r.version} ${r.status} ${r.reason}\n`;
  for (const [k, v] of r.headers) s += bold ? `\u001b[1m${k}\u001b[0m: ${v}\n` : `${k}: ${v}\n`;
  return s + '\n';
}

async function runCurl(ctx: CommandContext): Promise<number> {
  const parsed = parseCurlArgs(ctx.argv.slice(1));
  if (!parsed.ok) { ctx.stderr.write(parsed.message); return parsed.code; }
  const o = parsed.opts;
  if (o.url === undefined) {
    ctx.stderr.write("curl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const url = parseUrl(o.url);
  if (!url) {
    if (!o.silent || o.showError) ctx.stderr.write('curl: (3) URL using bad/illegal format or missing URL\n');
    return 3;
  }
  const client = clientHostOf(ctx.world, ctx.host);
  if (!client) {
    ctx.stderr.write(`curl: (7) Failed to connect to ${url.host} port ${url.port} after 0 ms: Couldn't connect to server\n`);
    return 7;
  }
  const method = o.method ?? (o.head ? 'HEAD' : o.data !== undefined ? 'POST' : 'GET');
  const reqId = beginTrace(ctx.world, ctx.argv.join(' '), ctx.host);
  let current = url;
  const terminal = ctx.stdoutIsTerminal ?? false;
  for (let hop = 0; hop < 50; hop++) {
    const events: HttpClientEvent[] = [];
    const outcome = await runNetworkOp<HttpOutcome>(ctx, (done) => httpFetch(client, { scheduler: ctx.world.scheduler, rng: ctx.world.rng.fork(`curl-${reqId}-${hop}`) }, {
      method, url: current, headers: o.headers, ...(o.data !== undefined ? { body: o.data } : {}),
      userAgent: `curl/${CURL_VERSION}`, reqId,
      ...(o.maxTimeMs !== undefined ? { maxTimeMs: o.maxTimeMs } : {}),
      ...(o.connectTimeoutMs !== undefined ? { connectTimeoutMs: o.connectTimeoutMs } : {}),
      onEvent: (ev) => events.push(ev),
    }, done));
    if (!outcome) { return 130; }
    const res = renderCurl(o, { url: current, method, events, outcome }, terminal);
    const location = outcome.kind === 'response' && o.location && outcome.response.status >= 300 && outcome.response.status < 400
      ? outcome.response.headers.find(([k]) => k.toLowerCase() === 'location')?.[1] : undefined;
    if (location) {
      const next = parseUrl(/^[a-z]+:\/\//i.test(location) ? location : `${current.scheme}://${current.host}${current.explicitPort ? ':' + current.port : ''}${location.startsWith('/') ? '' : '/'}${location}`);
      if (next) {
        if (o.verbose) ctx.stderr.write(res.stderr + `* Issue another request to this URL: '${location}'\n`);
        if (o.include) ctx.stdout.write(res.stdout);
        current = next;
        continue;
      }
    }
    for (const c of res.chunks) (c.stream === 'stdout' ? ctx.stdout : ctx.stderr).write(c.text);
    if (res.fileBody !== undefined && o.output !== undefined && o.output !== '/dev/null') {
      try {
        ctx.host.fs.writeFile(ctx.resolvePath(o.output), res.fileBody);
      } catch {
        ctx.stderr.write(`curl: (23) Failure writing output to destination\n`);
        return 23;
      }
    }
    return res.exitCode;
  }
  ctx.stderr.write('curl: (47) Maximum (50) redirects followed\n');
  return 47;
}

export const curlCommand: CommandSpec = {
  name: 'curl',
  summary: 'transfer a URL',
  run: runCurl,
};
