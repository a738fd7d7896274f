/**
 * busybox wget (the one in busybox/alpine pods): `wget -qO- URL`, `wget -O- URL`, `wget URL` (saves index.html),
 * `-T SECONDS`, `-S`, `--spider`; its messages (`Connecting to web (10.96.45.12:80)`, `wget: bad address 'x'`,
 * `wget: can't connect to remote host (ip): Connection refused`, `wget: server returned error: HTTP/1.1 404 Not Found`).
 */
import type { CommandContext, CommandSpec } from '../../shell/types';
import { httpFetch, parseUrl, type HttpOutcome } from '../../workloads/http-client';
import { beginTrace, clientHostOf, runNetworkOp } from '../../workloads/host-network';

const ERRNO: Record<string, string> = {
  ECONNREFUSED: 'Connection refused', EHOSTUNREACH: 'No route to host', ENETUNREACH: 'Network is unreachable',
  ETIMEDOUT: 'Connection timed out', ECONNRESET: 'Connection reset by peer',
};

function progress(name: string, size: number): string {
  return `${name.padEnd(20)} 100% |********************************| ${String(size).padStart(5)}  0:00:00 ETA\n`;
}

async function wget(ctx: CommandContext): Promise<number> {
  let quiet = false, spider = false, serverResponse = false;
  let output: string | undefined;
  let timeoutMs = 900_000;
  const headers: [string, string][] = [];
  let url: string | undefined;
  const args = ctx.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-q' || a === '--quiet') quiet = true;
    else if (a === '-qO-' || a === '-qO') { quiet = true; output = a === '-qO-' ? '-' : args[++i]; }
    else if (a === '-O') output = args[++i];
    else if (a.startsWith('-O')) output = a.slice(2);
    else if (a === '-T') timeoutMs = Number(args[++i]) * 1000;
    else if (a.startsWith('-T')) timeoutMs = Number(a.slice(2)) * 1000;
    else if (a === '--spider') spider = true;
    else if (a === '-S' || a === '--server-response') serverResponse = true;
    else if (a === '--header') { const h = args[++i] ?? ''; const c = h.indexOf(':'); if (c > 0) headers.push([h.slice(0, c).trim(), h.slice(c + 1).trim()]); }
    else if (a.startsWith('-') && a !== '-') { ctx.stderr.write(`wget: unrecognized option '${a}'\nBusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n`); return 1; }
    else url = a;
  }
  if (!url) { ctx.stderr.write('BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.\n\nUsage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n\t[--post-data STR | --post-file FILE] [-Y on/off]\n\t[-P DIR] [-U AGENT] [-T SEC] URL...\n'); return 1; }
  const u = parseUrl(url);
  if (!u || u.scheme !== 'http') { ctx.stderr.write(`wget: not an http or ftp url: ${url}\n`); return 1; }
  const client = clientHostOf(ctx.world, ctx.host);
  if (!client) { ctx.stderr.write(`wget: bad address '${u.host}'\n`); return 1; }
  const reqId = beginTrace(ctx.world, ctx.argv.join(' '), ctx.host);
  const hostPort = u.explicitPort ? `${u.host}:${u.port}` : u.host;
  let printedConnecting = false;
  const o = await runNetworkOp<HttpOutcome>(ctx, (done) => httpFetch(client, { scheduler: ctx.world.scheduler, rng: ctx.world.rng.fork(`wget-${reqId}`) }, {
    method: spider ? 'HEAD' : 'GET', url: u, headers: [['Host', hostPort], ['User-Agent', 'Wget'], ...headers, ['Connection', 'close']],
    maxTimeMs: timeoutMs, reqId,
    onEvent: (ev) => {
      if (ev.kind === 'trying' && !quiet) { ctx.stderr.write(`Connecting to ${hostPort} (${ev.ip}:${ev.port})\n`); printedConnecting = true; }
    },
  }, done));
  if (!o) return 130;
  void printedConnecting;
  switch (o.kind) {
    case 'resolve-failed': ctx.stderr.write(`wget: bad address '${u.host}'\n`); return 1;
    case 'connect-failed': ctx.stderr.write(`wget: can't connect to remote host (${o.ip}): ${ERRNO[o.error] ?? o.error}\n`); return 1;
    case 'connect-timeout': case 'transfer-timeout': ctx.stderr.write('wget: download timed out\n'); return 1;
    case 'empty-reply': ctx.stderr.write('wget: error getting response\n'); return 1;
    case 'recv-error': ctx.stderr.write(`wget: error getting response: ${ERRNO[o.error] ?? o.error}\n`); return 1;
    case 'response': break;
  }
  const r = o.response;
  if (serverResponse) {
    ctx.stderr.write(`  ${r.version} ${r.status} ${r.reason}\n`);
    for (const [k, v] of r.headers) ctx.stderr.write(`  ${k}: ${v}\n`);
  }
  if (r.status >= 400) { ctx.stderr.write(`wget: server returned error: ${r.version} ${r.status} ${r.reason}\n`); return 1; }
  if (spider) { if (!quiet) ctx.stderr.write('remote file exists\n'); return 0; }
  const size = new TextEncoder().encode(r.body).length;
  const target = output ?? (u.target.replace(/[?#].*$/, '').split('/').pop() || 'index.html');
  if (target === '-') {
    if (!quiet) ctx.stderr.write('writing to stdout\n');
    ctx.stdout.write(r.body);
    if (!quiet) ctx.stderr.write(progress('-', size) + 'written to stdout\n');
    return 0;
  }
  const path = ctx.resolvePath(target);
  if (ctx.host.fs.exists(path) && output === undefined) { ctx.stderr.write(`wget: can't open '${target}': File exists\n`); return 1; }
  if (!quiet) ctx.stderr.write(`saving to '${target}'\n`);
  try { ctx.host.fs.writeFile(path, r.body); } catch { ctx.stderr.write(`wget: can't open '${target}': No such file or directory\n`); return 1; }
  if (!quiet) ctx.stderr.write(progress(target, size) + `'${target}' saved\n`);
  return 0;
}

export const wgetCommand: CommandSpec = { name: 'wget', summary: 'retrieve files via HTTP', run: wget };
