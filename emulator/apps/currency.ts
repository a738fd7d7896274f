/**
 * The in28minutes microservices the seed document uses: currency-exchange (HTTP 8000) answers exchange rates and
 * names the pod that served it; currency-conversion (HTTP 8100) calls currency-exchange through the cluster
 * network (URL from CURRENCY_EXCHANGE_URI, default http://currency-exchange) and reports both pods — which makes
 * load balancing visible request by request.
 */
import { decimal2, isoMillis, json } from './http-util';
import type { AppContext, AppImage, HttpRequest, HttpResponse } from './types';

const RATES: Record<string, number> = { 'USD-INR': 65, 'EUR-INR': 75, 'AUD-INR': 25, 'USD-EUR': 0.9, 'GBP-INR': 85 };
const IDS: Record<string, number> = { 'USD-INR': 10001, 'EUR-INR': 10002, 'AUD-INR': 10003, 'USD-EUR': 10004, 'GBP-INR': 10005 };

const JVM_SHELL = ['sh', 'ash', 'cat', 'ls', 'echo', 'env', 'hostname', 'wget', 'nslookup', 'ping', 'ps', 'sleep', 'date', 'uname', 'id', 'pwd', 'grep', 'head', 'tail', 'printenv', 'java', 'nc', 'ip', 'ifconfig', 'true', 'false', 'test', 'wc', 'mkdir', 'rm', 'touch'];

function springLog(ctx: AppContext, level: string, thread: string, logger: string, msg: string): string {
  return `${isoMillis(ctx.now)}  ${level.padStart(5)} 1 --- [${thread.padStart(15)}] ${logger.padEnd(40)} : ${msg}`;
}

function springStartup(ctx: AppContext, app: string, port: number): string[] {
  return [
    '',
    '  .   ____          _            __ _ _',
    " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
    "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\",
    " \\\\/  ___)| |_)| | | | | || (_| |  ) ) ) )",
    "  '  |____| .__|_| |_|_| |_\\__, | / / / /",
    ' =========|_|==============|___/=/_/_/_/',
    ' :: Spring Boot ::                (v3.2.5)',
    '',
    springLog(ctx, 'INFO', 'main', `c.i.m.${app.replace('-', '')}.Application`, `Starting ${app} using Java 17.0.11 with PID 1 (/app started by root in /)`),
    springLog(ctx, 'INFO', 'main', 'o.s.b.w.embedded.tomcat.TomcatWebServer', `Tomcat initialized with port ${port} (http)`),
    springLog(ctx, 'INFO', 'main', 'o.s.b.w.embedded.tomcat.TomcatWebServer', `Tomcat started on port ${port} (http) with context path ''`),
    springLog(ctx, 'INFO', 'main', `c.i.m.${app.replace('-', '')}.Application`, `Started ${app} in 4.21 seconds (process running for 4.87)`),
  ];
}

function notFound(req: HttpRequest, ctx: AppContext): HttpResponse {
  return json(404, { timestamp: isoMillis(ctx.now).replace('Z', '+00:00'), status: 404, error: 'Not Found', path: req.path.split('?')[0] }, ctx.now);
}

function environment(ctx: AppContext): string {
  return `${ctx.pod.name} v1 ${ctx.pod.podIP}`;
}

export const currencyExchange: AppImage = {
  repository: 'in28min/currency-exchange',
  tags: '*',
  description: 'in28minutes currency-exchange microservice (Spring Boot, HTTP 8000)',
  ports: [{ containerPort: 8000, protocol: 'TCP' }],
  commands: JVM_SHELL,
  shell: 'busybox',
  entrypoint: ['java', '-jar', '/app.jar'],
  cmd: [],
  sizeBytes: 182_418_332,
  pullMs: 2900,
  stopsOnSigterm: true,
  longRunning: () => true,
  startupLogs: (ctx) => springStartup(ctx, 'currency-exchange', 8000),
  serveHttp(req, ctx) {
    const path = req.path.split('?')[0]!;
    if (path === '/actuator/health' || path === '/actuator/health/readiness' || path === '/actuator/health/liveness') return json(200, { status: 'UP' }, ctx.now);
    const m = /^\/currency-exchange\/from\/([A-Za-z]+)\/to\/([A-Za-z]+)\/?$/.exec(path);
    if (!m || req.method !== 'GET') return notFound(req, ctx);
    const from = m[1]!.toUpperCase();
    const to = m[2]!.toUpperCase();
    const pair = `${from}-${to}`;
    const rate = RATES[pair];
    ctx.log(springLog(ctx, 'INFO', 'nio-8000-exec-1', 'c.i.m.c.CurrencyExchangeController', `retrieveExchangeValue called with ${from} to ${to}`));
    if (rate === undefined) {
      ctx.log(springLog(ctx, 'ERROR', 'nio-8000-exec-1', 'o.a.c.c.C.[.[.[/].[dispatcherServlet]', `Servlet.service() threw exception: java.lang.RuntimeException: Unable to Find data for ${from} to ${to}`));
      return json(500, { timestamp: isoMillis(ctx.now).replace('Z', '+00:00'), status: 500, error: 'Internal Server Error', path }, ctx.now);
    }
    const body = `{"id":${IDS[pair]},"from":"${from}","to":"${to}","conversionMultiple":${decimal2(rate)},"environment":"${environment(ctx)}"}`;
    return json(200, body, ctx.now);
  },
};

export const currencyConversion: AppImage = {
  repository: 'in28min/currency-conversion',
  tags: '*',
  description: 'in28minutes currency-conversion microservice (Spring Boot, HTTP 8100; calls currency-exchange)',
  ports: [{ containerPort: 8100, protocol: 'TCP' }],
  commands: JVM_SHELL,
  shell: 'busybox',
  entrypoint: ['java', '-jar', '/app.jar'],
  cmd: [],
  sizeBytes: 184_022_901,
  pullMs: 2900,
  stopsOnSigterm: true,
  longRunning: () => true,
  startupLogs: (ctx) => springStartup(ctx, 'currency-conversion', 8100),
  async serveHttp(req, ctx, outbound) {
    const path = req.path.split('?')[0]!;
    if (path.startsWith('/actuator/health')) return json(200, { status: 'UP' }, ctx.now);
    const m = /^\/currency-conversion(?:-feign)?\/from\/([A-Za-z]+)\/to\/([A-Za-z]+)\/quantity\/(\d+(?:\.\d+)?)\/?$/.exec(path);
    if (!m || req.method !== 'GET') return notFound(req, ctx);
    const from = m[1]!.toUpperCase();
    const to = m[2]!.toUpperCase();
    const quantity = Number(m[3]);
    const base = (ctx.pod.env['CURRENCY_EXCHANGE_URI'] ?? 'http://currency-exchange').replace(/\/$/, '');
    const url = `${base}/currency-exchange/from/${from}/to/${to}`;
    ctx.log(springLog(ctx, 'INFO', 'nio-8100-exec-1', 'c.i.m.c.CurrencyConversionController', `calculateCurrencyConversion called with ${from} to ${to} quantity ${m[3]} via ${url}`));
    const fail = (why: string) => {
      ctx.log(springLog(ctx, 'ERROR', 'nio-8100-exec-1', 'o.a.c.c.C.[.[.[/].[dispatcherServlet]', `Servlet.service() threw exception: feign.RetryableException: ${why} executing GET ${url}`));
      return json(500, { timestamp: isoMillis(ctx.now).replace('Z', '+00:00'), status: 500, error: 'Internal Server Error', path }, ctx.now);
    };
    if (!outbound) return fail('No route to host');
    let res: HttpResponse;
    try {
      res = await outbound.httpGet(url, { accept: 'application/json' });
    } catch (e) {
      return fail(e instanceof Error ? e.message : String(e));
    }
    if (res.status !== 200) return fail(`status ${res.status} reading CurrencyExchangeProxy#retrieveExchangeValue(String,String)`);
    let ex: { id?: number; conversionMultiple?: number; environment?: string };
    try {
      ex = JSON.parse(res.body);
    } catch {
      return fail('malformed response');
    }
    const multiple = Number(ex.conversionMultiple ?? 0);
    const body = `{"id":${ex.id ?? 10001},"from":"${from}","to":"${to}","conversionMultiple":${decimal2(multiple)},"quantity":${decimal2(quantity).replace(/\.00$/, '')},"totalCalculatedAmount":${decimal2(multiple * quantity)},"environment":"${ex.environment ?? ''} | ${environment(ctx)}"}`;
    return json(200, body, ctx.now);
  },
};
