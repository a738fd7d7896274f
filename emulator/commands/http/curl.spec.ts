import { describe, expect, it } from 'vitest';
import { httpResponse } from '../../net/packet/http';
import { parseUrl } from '../../workloads/http-client';
import type { HttpOutcome, HttpClientEvent } from '../../workloads/http-client';
import { max5, parseCurlArgs, renderCurl } from './curl';

const helloHeaders: [string, string][] = [
  ['Content-Type', 'text/plain'], ['Date', 'Sat, 28 Nov 2026 06:09:15 GMT'], ['Connection', 'keep-alive'], ['Keep-Alive', 'timeout=5'], ['Content-Length', '32'],
];
const hello = httpResponse(200, 'OK', helloHeaders, 'hello from web-7c9d8b6f5d-9qzvt\n');

function render(argv: string[], events: HttpClientEvent[], outcome: HttpOutcome, terminal = true) {
  const p = parseCurlArgs(argv);
  if (!p.ok) throw new Error(p.message);
  const url = parseUrl(p.opts.url!)!;
  const method = p.opts.method ?? (p.opts.head ? 'HEAD' : 'GET');
  return renderCurl(p.opts, { url, method, events, outcome }, terminal);
}
const connected = (ip: string, port: number): HttpClientEvent[] => [
  { kind: 'trying', ip, port }, { kind: 'connected', ip, port, localPort: 40000 }, { kind: 'request-sent' },
];

describe('curl output (reference §4, curl 7.88.1)', () => {
  it('prints -v for a successful request exactly as the reference', () => {
    const r = render(['-v', 'http://10.96.45.12/'], connected('10.96.45.12', 80), { kind: 'response', response: hello, ip: '10.96.45.12', port: 80, elapsedMs: 1 });
    expect(r.chunks.map((c) => c.text).join('')).toBe([
      '*   Trying 10.96.45.12:80...',
      '* Connected to 10.96.45.12 (10.96.45.12) port 80 (#0)',
      '> GET / HTTP/1.1',
      '> Host: 10.96.45.12',
      '> User-Agent: curl/7.88.1',
      '> Accept: */*',
      '> ',
      '< HTTP/1.1 200 OK',
      '< Content-Type: text/plain',
      '< Date: Sat, 28 Nov 2026 06:09:15 GMT',
      '< Connection: keep-alive',
      '< Keep-Alive: timeout=5',
      '< Content-Length: 32',
      '< ',
      'hello from web-7c9d8b6f5d-9qzvt',
      '* Connection #0 to host 10.96.45.12 left intact',
      '',
    ].join('\n'));
    expect(r.stdout).toBe('hello from web-7c9d8b6f5d-9qzvt\n');
    expect(r.exitCode).toBe(0);
  });

  it('names the host as typed in Connected/Host/left intact', () => {
    const r = render(['-v', 'http://web/'], connected('10.96.45.12', 80), { kind: 'response', response: hello, ip: '10.96.45.12', port: 80, elapsedMs: 1 });
    expect(r.stderr).toContain('* Connected to web (10.96.45.12) port 80 (#0)\n> GET / HTTP/1.1\n> Host: web\n');
    expect(r.stderr).toContain('* Connection #0 to host web left intact\n');
  });

  it('refused connection: exit 7 and the exact texts', () => {
    const r = render(['-v', 'http://10.96.99.99/'], [{ kind: 'trying', ip: '10.96.99.99', port: 80 }], { kind: 'connect-failed', ip: '10.96.99.99', port: 80, error: 'ECONNREFUSED', elapsedMs: 0.2 });
    expect(r.stderr).toBe([
      '*   Trying 10.96.99.99:80...',
      '* connect to 10.96.99.99 port 80 failed: Connection refused',
      "* Failed to connect to 10.96.99.99 port 80 after 0 ms: Couldn't connect to server",
      '* Closing connection 0',
      "curl: (7) Failed to connect to 10.96.99.99 port 80 after 0 ms: Couldn't connect to server",
      '',
    ].join('\n'));
    expect(r.exitCode).toBe(7);
  });

  it('-m timeout while connecting, --connect-timeout, transfer timeout, resolve failure', () => {
    const t1 = render(['-v', '-m', '2', 'http://10.96.77.77/'], [{ kind: 'trying', ip: '10.96.77.77', port: 80 }], { kind: 'connect-timeout', ip: '10.96.77.77', port: 80, elapsedMs: 2000, byMaxTime: true });
    expect(t1.stderr).toBe('*   Trying 10.96.77.77:80...\n* Connection timed out after 2000 milliseconds\n* Closing connection 0\ncurl: (28) Connection timed out after 2000 milliseconds\n');
    expect(t1.exitCode).toBe(28);
    const t2 = render(['--connect-timeout', '2', 'http://local-only/'], [], { kind: 'connect-timeout', ip: '10.96.77.77', port: 80, elapsedMs: 2000, byMaxTime: false });
    expect(t2.stderr).toBe('curl: (28) Failed to connect to local-only port 80 after 2001 ms: Timeout was reached\n');
    const t3 = render(['-m', '2', 'http://10.244.1.6:8001/'], connected('10.244.1.6', 8001), { kind: 'transfer-timeout', ip: '10.244.1.6', port: 8001, elapsedMs: 2000 });
    expect(t3.stderr).toBe('curl: (28) Operation timed out after 2000 milliseconds with 0 bytes received\n');
    const t4 = render(['http://nosuch/'], [], { kind: 'resolve-failed', host: 'nosuch', error: 'NXDOMAIN', elapsedMs: 3 });
    expect(t4.stderr).toBe('curl: (6) Could not resolve host: nosuch\n');
    expect(t4.exitCode).toBe(6);
  });

  it('-w http_code, -s silencing errors, 000 on failure', () => {
    const ok = render(['-s', '-o', '/dev/null', '-w', '%{http_code}', 'http://10.96.45.12/'], connected('10.96.45.12', 80), { kind: 'response', response: hello, ip: '10.96.45.12', port: 80, elapsedMs: 1 });
    expect(ok.stdout).toBe('200');
    expect(ok.stderr).toBe('');
    const bad = render(['-s', '-o', '/dev/null', '-w', '%{http_code}\\n', 'http://10.96.99.99/'], [], { kind: 'connect-failed', ip: '10.96.99.99', port: 80, error: 'ECONNREFUSED', elapsedMs: 0 });
    expect(bad.stdout).toBe('000\n');
    expect(bad.stderr).toBe('');
    expect(bad.exitCode).toBe(7);
  });

  it('-sI prints bold header names on a terminal, plain otherwise', () => {
    const head = httpResponse(200, 'OK', helloHeaders.slice(0, 4), '');
    const r = render(['-sI', 'http://10.96.45.12/'], connected('10.96.45.12', 80), { kind: 'response', response: head, ip: '10.96.45.12', port: 80, elapsedMs: 1 });
    expect(r.stdout).toBe('HTTP/1.1 200 OK\n\u001b[1mContent-Type\u001b[0m: text/plain\n\u001b[1mDate\u001b[0m: Sat, 28 Nov 2026 06:09:15 GMT\n\u001b[1mConnection\u001b[0m: keep-alive\n\u001b[1mKeep-Alive\u001b[0m: timeout=5\n\n');
    const piped = render(['-sI', 'http://10.96.45.12/'], connected('10.96.45.12', 80), { kind: 'response', response: head, ip: '10.96.45.12', port: 80, elapsedMs: 1 }, false);
    expect(piped.stdout).toBe('HTTP/1.1 200 OK\nContent-Type: text/plain\nDate: Sat, 28 Nov 2026 06:09:15 GMT\nConnection: keep-alive\nKeep-Alive: timeout=5\n\n');
  });

  it('shows the progress meter on stderr when stdout is not a terminal', () => {
    const r = render(['http://10.96.45.12/'], connected('10.96.45.12', 80), { kind: 'response', response: hello, ip: '10.96.45.12', port: 80, elapsedMs: 2 }, false);
    expect(r.stderr.startsWith('  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n                                 Dload  Upload   Total   Spent    Left  Speed\n')).toBe(true);
    expect(r.stderr).toContain('\r100    32  100    32    0     0  16000      0 --:--:-- --:--:-- --:--:-- 16000\n');
    expect(max5(15340)).toBe('15340');
    expect(max5(123456)).toBe(' 120k');
  });

  it('rejects unknown options like curl', () => {
    const p = parseCurlArgs(['--bogus', 'http://x/']);
    expect(p).toEqual({ ok: false, code: 2, message: "curl: option --bogus: is unknown\ncurl: try 'curl --help' or 'curl --manual' for more information\n" });
  });

  it('parses URLs as curl does', () => {
    expect(parseUrl('web')).toEqual({ scheme: 'http', host: 'web', port: 80, explicitPort: false, target: '/' });
    expect(parseUrl('http://currency-exchange:8000/currency-exchange/from/USD/to/INR')).toMatchObject({ host: 'currency-exchange', port: 8000, explicitPort: true, target: '/currency-exchange/from/USD/to/INR' });
    expect(parseUrl('https://x')!.port).toBe(443);
    expect(parseUrl('ftp://x')).toBeUndefined();
    expect(parseUrl('http://x:99999/')).toBeUndefined();
  });
});
