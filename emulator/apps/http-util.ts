/** Small helpers the app handlers share. */
import type { HttpResponse } from './types';

/** RFC 7231 date, as servers write the Date header. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** nginx's `$time_local`: `01/Jan/2026:00:00:05 +0000`. */
export function clfDate(ms: number): string {
  const d = new Date(ms);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** Spring Boot's default log timestamp: `2026-01-01T00:00:05.123Z`. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

export function json(status: number, body: unknown, now: number, extra: Record<string, string> = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...extra, 'Content-Length': String(text.length), Date: httpDate(now) },
    body: text,
  };
}

/** BigDecimal with scale 2, as the in28min apps serialise amounts (`65.00`). */
export function decimal2(n: number): string {
  return n.toFixed(2);
}
