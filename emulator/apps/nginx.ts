/** `nginx` (Debian-based official image): the welcome page, nginx's 404 page and combined-format access logs. */
import { clfDate, httpDate } from './http-util';
import type { AppImage } from './types';

export const NGINX_VERSION = '1.27.3';

export const NGINX_WELCOME = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

function errorPage(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx/${NGINX_VERSION}</center>\r\n</body>\r\n</html>\r\n`;
}

/** nginx error-log time: `2026/01/01 00:00:05` (the last one kept: replicas start, and requests come, in bursts). */
function errLogTime(ms: number): string {
  if (ms !== lastErrLogMs) {
    const iso = new Date(ms).toISOString();
    lastErrLogTime = `${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)} ${iso.slice(11, 19)}`;
    lastErrLogMs = ms;
  }
  return lastErrLogTime;
}

let lastErrLogMs = Number.NaN;
let lastErrLogTime = '';

/** nginx's start-up output at one instant: every replica started in that instant shares the same (unchanged) array. */
function startupLines(ms: number): readonly string[] {
  if (ms !== lastStartupMs) {
    const t = errLogTime(ms);
    lastStartupLines = Object.freeze([
      '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
      '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh',
      '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf',
      '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf',
      '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh',
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh',
      '/docker-entrypoint.sh: Configuration complete; ready for start up',
      `${t} [notice] 1#1: using the "epoll" event method`,
      `${t} [notice] 1#1: nginx/${NGINX_VERSION}`,
      `${t} [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) `,
      `${t} [notice] 1#1: OS: Linux 6.8.0-49-generic`,
      `${t} [notice] 1#1: getrlimit(RLIMIT_NOFILE): 1048576:1048576`,
      `${t} [notice] 1#1: start worker processes`,
      `${t} [notice] 1#1: start worker process 29`,
      `${t} [notice] 1#1: start worker process 30`,
    ]);
    lastStartupMs = ms;
  }
  return lastStartupLines;
}

let lastStartupMs = Number.NaN;
let lastStartupLines: readonly string[] = [];

export const nginx: AppImage = {
  repository: 'nginx',
  tags: '*',
  description: 'nginx web server (official Debian-based image)',
  ports: [{ containerPort: 80, protocol: 'TCP' }],
  commands: ['bash', 'sh', 'cat', 'ls', 'echo', 'env', 'hostname', 'curl', 'nginx', 'sleep', 'date', 'uname', 'id', 'pwd', 'mkdir', 'rm', 'cp', 'mv', 'grep', 'head', 'tail', 'touch', 'printenv', 'true', 'false', 'test', 'wc', 'sed'],
  shell: 'bash',
  entrypoint: ['/docker-entrypoint.sh'],
  cmd: ['nginx', '-g', 'daemon off;'],
  sizeBytes: 72_188_133,
  pullMs: 2400,
  stopsOnSigterm: true,
  longRunning: () => true,
  startupLogs(ctx) {
    return startupLines(ctx.now);
  },
  serveHttp(req, ctx) {
    const path = req.path.split('?')[0]!;
    const ua = req.headers['user-agent'] ?? '-';
    const version = req.httpVersion ?? 'HTTP/1.1';
    let status = 200;
    let body = NGINX_WELCOME;
    const headers: Record<string, string> = { Server: `nginx/${NGINX_VERSION}`, Date: httpDate(ctx.now) };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      status = 405;
      body = errorPage(405, 'Not Allowed');
    } else if (path !== '/' && path !== '/index.html') {
      status = 404;
      body = errorPage(404, 'Not Found');
    }
    headers['Content-Type'] = 'text/html';
    headers['Content-Length'] = String(body.length);
    if (status === 200) {
      headers['Last-Modified'] = 'Tue, 26 Nov 2024 15:55:00 GMT';
      headers['Connection'] = 'keep-alive';
      headers['ETag'] = '"6745ef54-267"';
      headers['Accept-Ranges'] = 'bytes';
    } else headers['Connection'] = 'keep-alive';
    const sent = req.method === 'HEAD' ? 0 : body.length;
    ctx.log(`${req.remoteAddr ?? '-'} - - [${clfDate(ctx.now)}] "${req.method} ${req.path} ${version}" ${status} ${sent} "${req.headers['referer'] ?? '-'}" "${ua}" "-"`);
    if (status === 404)
      ctx.log(`${errLogTime(ctx.now)} [error] 29#29: *1 open() "/usr/share/nginx/html${path}" failed (2: No such file or directory), client: ${req.remoteAddr ?? '-'}, server: localhost, request: "${req.method} ${req.path} ${version}", host: "${req.headers['host'] ?? ''}"`);
    return { status, headers, body: req.method === 'HEAD' ? '' : body };
  },
};
