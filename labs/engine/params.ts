/**
 * Per-learner parameters (Packet Tracer's variables): drawn from the learner's seed, so the same seed always gives
 * the same names and ports, and two learners with different seeds get different ones. Rendered with `{{name}}`.
 */
import { Rng } from '../../emulator/core/rng';
import type { LabManifest, ParamValues } from './types';

export function drawParams(manifest: LabManifest, seed: number): ParamValues {
  // One stream per lab, drawn in the manifest's declaration order: adding a lab never shifts another's values.
  const rng = new Rng(seed).fork(`lab-params:${manifest.id}`);
  const values: Record<string, string | number> = {};
  for (const [name, spec] of Object.entries(manifest.params ?? {})) {
    switch (spec.kind) {
      case 'fixed':
        values[name] = spec.value;
        break;
      case 'choice':
        values[name] = rng.pick(spec.values);
        break;
      case 'int':
        values[name] = spec.min + rng.int(spec.max - spec.min + 1);
        break;
    }
  }
  if (manifest.derive) Object.assign(values, manifest.derive(values));
  return values;
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Replace `{{name}}` with its value; an unknown name is left as written (and caught by the lab format test). */
export function render(text: string, params: ParamValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Placeholder names a text uses (for the format test: every one must be defined). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/**
 * The command lines of a step's ```bash fences, in order: what the UI pastes when the learner clicks a snippet.
 * A heredoc stays one snippet (its lines up to the terminator); `\` continuations are joined.
 */
export function extractSnippets(markdown: string): string[] {
  const snippets: string[] = [];
  const fence = /^```(bash|sh|shell)\s*\n([\s\S]*?)^```\s*$/gm;
  for (const m of markdown.matchAll(fence)) {
    const lines = m[2]!.split('\n');
    let i = 0;
    while (i < lines.length) {
      let line = lines[i++]!;
      if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
      while (line.endsWith('\\') && i < lines.length) line = line.slice(0, -1) + lines[i++]!.trimStart();
      const heredoc = /<<-?\s*['"]?([A-Za-z_]+)['"]?/.exec(line);
      if (heredoc) {
        const end = heredoc[1]!;
        const body: string[] = [line];
        while (i < lines.length) {
          const l = lines[i++]!;
          body.push(l);
          if (l.trim() === end) break;
        }
        snippets.push(body.join('\n'));
      } else {
        snippets.push(line.replace(/^\$\s+/, ''));
      }
    }
  }
  return snippets;
}
