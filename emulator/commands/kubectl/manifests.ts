/**
 * Reading manifests for `apply -f`, `create -f`, `delete -f`, `get -f`: files and directories in the host's
 * virtual filesystem or `-` (stdin), multi-document YAML or JSON, `kind: List` expanded. Errors carry kubectl's
 * wording, including go-yaml's parse messages and line numbers (`error converting YAML to JSON: yaml: line 7: …`).
 * Every document is read and checked before anything is sent, so a bad file changes nothing.
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { resourceForKind, type ResourceInfo } from '../../api/resources';
import type { KubeObject } from '../../api/types';
import type { Kube } from './context';
import { KubectlError } from './flags';

export interface ManifestDoc {
  readonly info: ResourceInfo;
  readonly obj: KubeObject;
  /** How kubectl names the source in messages: the path as typed (`svc.yaml`, `dir/svc.yaml`) or `STDIN`. */
  readonly source: string;
}

/** Split a YAML stream at `---` lines as kubectl's YAML reader does; returns [text, first line number]. */
function splitDocuments(text: string): { text: string; line: number }[] {
  const lines = text.split('\n');
  const docs: { text: string; line: number }[] = [];
  let cur: string[] = [];
  let start = 1;
  lines.forEach((l, i) => {
    if (/^---(\s.*)?$/.test(l)) {
      docs.push({ text: cur.join('\n'), line: start });
      cur = [];
      start = i + 2;
    } else cur.push(l);
  });
  docs.push({ text: cur.join('\n'), line: start });
  return docs;
}

/** go-yaml's message and line for a parse error found by the `yaml` package. */
function goYamlError(src: string, code: string, line: number, offset: number, message: string): string {
  const lineOf = (off: number) => src.slice(0, off).split('\n').length;
  switch (code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY': {
      // go-yaml stops at the second `:` of the line that tried to nest a mapping.
      const re = /:(\s|$)/gm;
      re.lastIndex = offset;
      const m = re.exec(src);
      return `yaml: line ${m ? lineOf(m.index) : line}: mapping values are not allowed in this context`;
    }
    case 'TAB_AS_INDENT':
      return `yaml: line ${line}: found character that cannot start any token`;
    case 'MISSING_CHAR':
      return `yaml: line ${line}: found unexpected end of stream`;
    case 'BAD_INDENT':
      if (/Flow sequence/.test(message)) return `yaml: line ${lineOf(src.lastIndexOf('[', offset))}: did not find expected ',' or ']'`;
      if (/Flow mapping/.test(message)) return `yaml: line ${lineOf(src.lastIndexOf('{', offset))}: did not find expected ',' or '}'`;
      return `yaml: line ${line}: did not find expected key`;
    default:
      return `yaml: line ${line}: did not find expected key`;
  }
}

function parseDocuments(text: string, source: string): unknown[] {
  const out: unknown[] = [];
  for (const part of splitDocuments(text)) {
    if (part.text.trim() === '') continue;
    const lc = new LineCounter();
    const docs = parseAllDocuments(part.text, {
      lineCounter: lc,
      uniqueKeys: false,
      prettyErrors: false,
      version: '1.1',
      // go-yaml leaves timestamps as strings when decoding into interface{}; so do we.
      customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
    });
    const list = Array.isArray(docs) ? docs : [];
    for (const d of list) {
      const err = d.errors[0];
      if (err) {
        const pos = err.pos[0];
        const line = lc.linePos(pos).line;
        throw new KubectlError(`error: error parsing ${source}: error converting YAML to JSON: ${goYamlError(part.text, err.code, line, pos, err.message)}`);
      }
      const v = d.toJS({ maxAliasCount: 100 });
      if (v !== null && v !== undefined) out.push(v);
    }
  }
  return out;
}

function toObject(doc: unknown, source: string): ManifestDoc[] {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new KubectlError(`error: error validating "${source}": error validating data: [apiVersion not set, kind not set]; if you choose to ignore these errors, turn validation off with --validate=false`);
  const o = doc as KubeObject;
  const missing: string[] = [];
  if (!o.apiVersion) missing.push('apiVersion not set');
  if (!o.kind) missing.push('kind not set');
  if (missing.length)
    throw new KubectlError(`error: error validating "${source}": error validating data: [${missing.join(', ')}]; if you choose to ignore these errors, turn validation off with --validate=false`);
  if (o.kind === 'List' && Array.isArray(o.items)) return o.items.flatMap((i: unknown) => toObject(i, source));
  const info = resourceForKind(o.kind);
  if (!info || info.apiVersion !== o.apiVersion) {
    throw new KubectlError(
      `error: resource mapping not found for name: "${o.metadata?.name ?? ''}" namespace: "${o.metadata?.namespace ?? ''}" from "${source}": no matches for kind "${o.kind}" in version "${o.apiVersion}"\nensure CRDs are installed first`,
    );
  }
  if (!o.metadata || typeof o.metadata !== 'object') o.metadata = {};
  return [{ info, obj: o, source }];
}

function collectFiles(k: Kube, path: string, display: string, recursive: boolean, top: boolean): { path: string; display: string }[] {
  const fs = k.ctx.host.fs;
  if (fs.isDir(path)) {
    const out: { path: string; display: string }[] = [];
    for (const name of fs.list(path) ?? []) {
      const p = path.endsWith('/') ? path + name : `${path}/${name}`;
      const d = display.endsWith('/') ? display + name : `${display}/${name}`;
      if (fs.isDir(p)) {
        if (recursive) out.push(...collectFiles(k, p, d, recursive, false));
      } else if (/\.(ya?ml|json)$/.test(name)) out.push({ path: p, display: d });
    }
    return out;
  }
  if (!fs.exists(path)) {
    if (top) throw new KubectlError(`error: the path "${display}" does not exist`);
    return [];
  }
  return [{ path, display }];
}

export function readManifests(k: Kube, filenames: readonly string[], recursive = false): ManifestDoc[] {
  const docs: ManifestDoc[] = [];
  for (const f of filenames) {
    if (f === '-') {
      for (const d of parseDocuments(k.ctx.stdin, 'STDIN')) docs.push(...toObject(d, 'STDIN'));
      continue;
    }
    if (/^https?:\/\//.test(f)) {
      const host = f.replace(/^https?:\/\//, '').split('/')[0];
      throw new KubectlError(`error: unable to read URL "${f}", server reported dial tcp: lookup ${host}: no such host, status code=0`);
    }
    for (const file of collectFiles(k, k.ctx.resolvePath(f), f, recursive, true)) {
      const text = k.ctx.host.fs.readFile(file.path) ?? '';
      for (const d of parseDocuments(text, file.display)) docs.push(...toObject(d, file.display));
    }
  }
  return docs;
}
