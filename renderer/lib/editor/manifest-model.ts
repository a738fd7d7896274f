/**
 * Manifest validation as the learner types: YAML syntax errors and the fields every Kubernetes object needs,
 * each with the 1-based line it is on.
 */
import { LineCounter, parseAllDocuments } from 'yaml';

export interface ManifestProblem {
  readonly line: number;
  readonly message: string;
}

export function validateManifest(text: string): ManifestProblem[] {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  const problems: ManifestProblem[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    for (const e of doc.errors) {
      problems.push({ line: lc.linePos(e.pos[0]).line, message: e.message.split('\n')[0]! });
    }
    if (doc.errors.length) continue;
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) continue;
    const start = lc.linePos(doc.contents?.range?.[0] ?? doc.range[0]).line;
    if (typeof value !== 'object' || Array.isArray(value)) {
      problems.push({ line: start, message: 'a manifest must be a mapping (apiVersion, kind, metadata, …)' });
      continue;
    }
    const o = value as Record<string, unknown>;
    if (typeof o['apiVersion'] !== 'string') problems.push({ line: start, message: "apiVersion not set" });
    if (typeof o['kind'] !== 'string') problems.push({ line: start, message: "kind not set" });
    const md = o['metadata'] as Record<string, unknown> | undefined;
    if (!md || (typeof md['name'] !== 'string' && typeof md['generateName'] !== 'string')) {
      problems.push({ line: start, message: 'metadata.name: Required value: name or generateName is required' });
    }
  }
  return problems.sort((a, b) => a.line - b.line);
}
