/**
 * The AWS CLI's global `--query` (JMESPath, applied to the response before formatting) and `--output`
 * (json, text, yaml). Text follows the CLI's text formatter: a dict prints its scalar values tab-separated on one
 * line (keys sorted), prefixed by the upper-cased key it was found under; nested lists and dicts follow on lines
 * of their own; a list of dicts uses the union of their scalar keys as columns; a bare scalar prints as Python's
 * str() would (True, None).
 */
import { search as jmesSearch } from 'jmespath';
import { toYaml } from '../kubectl/printers/yaml';

export const OUTPUT_FORMATS = ['json', 'text', 'table', 'yaml', 'yaml-stream'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A `--query` that failed to parse, worded as the CLI reports it (exit 252). */
export class QueryError extends Error {}

export function applyQuery(response: unknown, query: string | undefined): unknown {
  if (query === undefined) return response;
  try {
    return jmesSearch(response, query) as unknown;
  } catch (e) {
    throw new QueryError(`Bad value for --query ${query}: Invalid jmespath expression: ${(e as Error).message}`);
  }
}

/** Python's str() of a JSON scalar, as the text formatter writes it. */
function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCollection = (v: unknown): boolean => typeof v === 'object' && v !== null;

function textOf(item: unknown, out: string[], identifier?: string, scalarKeys?: readonly string[]): void {
  if (isObj(item)) textDict(item, out, identifier, scalarKeys);
  else if (Array.isArray(item)) textList(item, out, identifier);
  else out.push(pyStr(item) + '\n');
}

function textList(items: readonly unknown[], out: string[], identifier?: string): void {
  if (items.length === 0) return;
  if (items.some(isObj)) {
    const keys = new Set<string>();
    for (const el of items) if (isObj(el)) for (const [k, v] of Object.entries(el)) if (!isCollection(v)) keys.add(k);
    const all = [...keys].sort();
    for (const el of items) textOf(el, out, identifier, all);
  } else if (items.some(Array.isArray)) {
    const scalars = items.filter((el) => !isCollection(el));
    if (scalars.length > 0) textScalars(scalars, out, identifier);
    for (const el of items) if (isCollection(el)) textOf(el, out, identifier);
  } else textScalars(items, out, identifier);
}

function textScalars(items: readonly unknown[], out: string[], identifier?: string): void {
  if (identifier !== undefined) for (const v of items) out.push(`${identifier.toUpperCase()}\t${pyStr(v)}\n`);
  else out.push(items.map(pyStr).join('\t') + '\n');
}

function textDict(d: Record<string, unknown>, out: string[], identifier?: string, scalarKeys?: readonly string[]): void {
  const scalars: string[] = [];
  const nested: [string, unknown][] = [];
  if (scalarKeys === undefined) {
    for (const k of Object.keys(d).sort()) {
      if (isCollection(d[k])) nested.push([k, d[k]]);
      else scalars.push(pyStr(d[k]));
    }
  } else {
    for (const k of scalarKeys) scalars.push(pyStr(d[k]));
    const known = new Set(scalarKeys);
    for (const k of Object.keys(d).sort()) if (!known.has(k)) nested.push([k, d[k]]);
  }
  if (scalars.length > 0) {
    if (identifier !== undefined) scalars.unshift(identifier.toUpperCase());
    out.push(scalars.join('\t') + '\n');
  }
  for (const [k, v] of nested) textOf(v, out, k);
}

/** `--output text`. */
export function formatText(response: unknown): string {
  const out: string[] = [];
  textOf(response, out);
  return out.join('');
}

/** The response as the CLI prints it in `format` after `--query`; '' when nothing is printed. */
export function renderResponse(response: unknown, format: Exclude<OutputFormat, 'table'>, query: string | undefined): string {
  const v = applyQuery(response, query);
  switch (format) {
    case 'text':
      return formatText(v);
    case 'yaml':
      return toYaml(v);
    case 'yaml-stream':
      return `- ${toYaml(v).trimEnd().replace(/\n/g, '\n  ')}\n`;
    default:
      return JSON.stringify(v ?? null, null, 4) + '\n';
  }
}
