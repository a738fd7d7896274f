/**
 * kubectl's printers chosen by `-o`: the human-readable table (per-resource columns, `-o wide`, `--show-labels`,
 * `-L`, `--no-headers`, NAMESPACE column with `-A`, `kind/` prefixes when several types print), `yaml`, `json`,
 * `name`, `jsonpath=…`, `custom-columns=…`, `go-template=…`.
 */
import type { ResourceInfo } from '../../../api/resources';
import type { KubeObject } from '../../../api/types';
import { KubectlError } from '../flags';
import { kindPrefix } from '../context';
import { TABLES, formatLabels, tableHeaders } from './columns';
import { goQuote } from '../../../api/errors';
import { toCompactJson, toJson } from './json';
import { GoTemplateError, goValue, parseGoTemplate, runGoTemplate } from './go-template';
import { jsonpath, jsonpathValues } from './jsonpath';
import { Tabwriter } from './tabwriter';
import { toYaml } from './yaml';

export const OUTPUT_FORMATS =
  'custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml';

export interface PrintOptions {
  readonly output: string;
  readonly noHeaders?: boolean;
  readonly showLabels?: boolean;
  readonly labelColumns?: readonly string[];
  readonly withNamespace?: boolean;
  readonly withKind?: boolean;
}

export function checkOutputFormat(output: string): void {
  const base = output.split('=')[0]!;
  const ok = ['', 'wide', 'yaml', 'json', 'name', 'jsonpath', 'jsonpath-as-json', 'custom-columns', 'go-template', 'template', 'go-template-file', 'templatefile'];
  if (!ok.includes(base) || ((base === 'jsonpath' || base === 'custom-columns' || base === 'jsonpath-as-json') && !output.includes('=')))
    throw new KubectlError(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${OUTPUT_FORMATS}`);
  if ((base === 'go-template' || base === 'template') && !output.includes('=')) throw new KubectlError('error: template format specified but no template given');
  if (base === 'go-template-file' || base === 'templatefile')
    throw new KubectlError(`error: -o ${base} is not available in this lab; put the template inline: -o go-template='{{…}}'`);
  if (base === 'go-template' || base === 'template') {
    const template = output.slice(base.length + 1);
    try {
      parseGoTemplate(template);
    } catch (e) {
      if (e instanceof GoTemplateError) throw new KubectlError(`error: error parsing template ${template}, ${e.message}`);
      throw e;
    }
  }
}

/**
 * `-o go-template=…`: the template over the object (JSON with integers kept); when it fails, kubectl prints what
 * it had written and a report on stdout, then the error. `typed`: kubectl built the object itself (struct order).
 */
function goTemplateOutput(template: string, data: unknown, typed: boolean): string {
  const nodes = parseGoTemplate(template);
  const r = runGoTemplate(template, nodes, data);
  if (!r.error) return r.out;
  const report =
    `Error executing template: ${r.error.message}. Printing more information for debugging the template:\n` +
    `\ttemplate was:\n\t\t${template}\n\traw data was:\n\t\t${toCompactJson(data, { sortKeys: !typed })}\n` +
    `\tobject given to template engine was:\n\t\t${goValue(data)}\n\n`;
  throw new KubectlError(`error: error executing template ${goQuote(template)}: ${r.error.message}`, 1, r.out + report);
}

/** What `-o yaml`/`-o json` show: the object without managedFields (kubectl hides them by default). */
export function forDisplay(obj: KubeObject): KubeObject {
  if (!obj.metadata?.managedFields) return obj;
  const { managedFields: _mf, ...meta } = obj.metadata;
  return { ...obj, metadata: meta };
}

export function asList(items: KubeObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', items: items.map(forDisplay), kind: 'List', metadata: { resourceVersion: '' } };
}

/** A structured-output printer for one object or a list (`single` = the user named exactly one object). */
export function printStructured(items: KubeObject[], output: string, single: boolean, infoFor: (o: KubeObject) => ResourceInfo, typed = false): string {
  const data = single ? forDisplay(items[0]!) : asList(items);
  const base = output.slice(0, output.indexOf('=') + 1);
  if (base === 'go-template=' || base === 'template=') return goTemplateOutput(output.slice(base.length), JSON.parse(JSON.stringify(data)), typed);
  if (output === 'yaml') return toYaml(data);
  if (output === 'json') return toJson(data);
  if (output === 'name') return items.map((o) => `${kindPrefix(infoFor(o))}/${o.metadata.name}\n`).join('');
  if (output.startsWith('jsonpath=')) return jsonpath(output.slice('jsonpath='.length), JSON.parse(JSON.stringify(data)));
  if (output.startsWith('jsonpath-as-json=')) {
    const vals = jsonpathValues(output.slice('jsonpath-as-json='.length), JSON.parse(JSON.stringify(data)));
    return toJson(vals);
  }
  if (output.startsWith('custom-columns=')) return customColumns(output.slice('custom-columns='.length), items, false);
  throw new KubectlError(`error: unable to match a printer suitable for the output format "${output}", allowed formats are: ${OUTPUT_FORMATS}`);
}

export function customColumns(spec: string, items: KubeObject[], noHeaders: boolean): string {
  const cols = spec.split(',').map((c) => {
    const i = c.indexOf(':');
    if (i < 0) throw new KubectlError(`error: unexpected custom-columns spec: ${c}, expected <header>:<json-path-expr>`);
    return { header: c.slice(0, i), expr: c.slice(i + 1) };
  });
  const tw = new Tabwriter({ minwidth: 6, padding: 3 });
  if (!noHeaders) tw.write(cols.map((c) => c.header).join('\t') + '\n');
  for (const o of items) {
    const data = JSON.parse(JSON.stringify(o));
    const cells = cols.map((c) => {
      const vals = jsonpathValues(c.expr, data).filter((v) => v !== undefined);
      if (vals.length === 0) return '<none>';
      return vals.map((v) => (v === null ? '<none>' : typeof v === 'object' ? goPrint(v) : String(v))).join(',');
    });
    tw.write(cells.join('\t') + '\n');
  }
  return tw.flush();
}

/** Go's `%v` of a decoded JSON map or slice (what custom-columns prints for composite values). */
function goPrint(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goPrint((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return v === null ? '<nil>' : String(v);
}

/** Rows (header first unless suppressed) for one resource type's table. */
export function tableRows(info: ResourceInfo, items: KubeObject[], now: number, opts: PrintOptions): string[][] {
  const wide = opts.output === 'wide';
  const def = TABLES[info.resource];
  const rows: string[][] = [];
  const labelCols = opts.labelColumns ?? [];
  if (!opts.noHeaders) {
    const h = tableHeaders(info.resource, wide);
    if (opts.withNamespace && info.namespaced) h.unshift('NAMESPACE');
    for (const l of labelCols) h.push(l.slice(l.lastIndexOf('/') + 1).toUpperCase());
    if (opts.showLabels) h.push('LABELS');
    rows.push(h);
  }
  for (const o of items) {
    const cells = def.row(o, now, wide);
    if (opts.withKind) cells[0] = `${kindPrefix(info)}/${cells[0]}`;
    if (opts.withNamespace && info.namespaced) cells.unshift(o.metadata.namespace ?? '');
    for (const l of labelCols) cells.push(o.metadata.labels?.[l] ?? '');
    if (opts.showLabels) cells.push(formatLabels(o.metadata.labels));
    rows.push(cells);
  }
  return rows;
}

export function renderRows(rows: string[][], tw?: Tabwriter): string {
  const w = tw ?? new Tabwriter({ minwidth: 6, padding: 3 });
  for (const r of rows) w.write(r.join('\t') + '\n');
  return w.flush();
}
