/**
 * Loading and validating labs. The engine never touches a file system: the caller passes a reader for files
 * relative to the lab's folder (Node's fs in the CLI and main process, a bundle elsewhere).
 */
import { placeholders } from './params';
import type { LabListing, LabManifest, LoadedLab } from './types';

export type LabFileReader = (labId: string, relativePath: string) => string;

export function stepFile(step: { id: string; instructions?: string }): string {
  return step.instructions ?? `steps/${step.id}.md`;
}

export function loadLab(manifest: LabManifest, read: LabFileReader): LoadedLab {
  const markdown: Record<string, string> = {};
  for (const s of manifest.steps) markdown[s.id] = read(manifest.id, stepFile(s));
  return { manifest, markdown };
}

export function listing(m: LabManifest): LabListing {
  return {
    id: m.id,
    title: m.title,
    summary: m.summary,
    profile: m.profile,
    stepCount: m.steps.length,
    checkCount: m.steps.reduce((n, s) => n + (s.checks?.length ?? 0) + (s.quiz ? 1 : 0), 0),
    scenarios: m.scenarios.map((s) => s.heading),
    requires: m.requires ?? [],
  };
}

/** Problems with a lab's format (empty when it is well formed). Run by the labs' format test. */
export function validateLab(lab: LoadedLab): string[] {
  const m = lab.manifest;
  const problems: string[] = [];
  if (!/^\d{2}-[a-z0-9-]+$/.test(m.id)) problems.push(`id "${m.id}" is not <nn-slug>`);
  if (m.scenarios.length === 0) problems.push('covers no seed scenario');
  const paramNames = new Set(Object.keys(m.params ?? {}));
  if (m.derive) for (const k of Object.keys(m.derive(Object.fromEntries([...paramNames].map((n) => [n, 0]))))) paramNames.add(k);
  const checkVars = (where: string, text: string): void => {
    for (const p of placeholders(text)) if (!paramNames.has(p)) problems.push(`${where} uses {{${p}}}, which is not a parameter`);
  };
  for (const l of m.setup ?? []) checkVars('setup', l);
  for (const f of m.faults ?? []) for (const l of f.commands) checkVars(`fault "${f.id}"`, l);
  const stepIds = new Set<string>();
  const checkIds = new Set<string>();
  for (const s of m.steps) {
    if (stepIds.has(s.id)) problems.push(`step id "${s.id}" is used twice`);
    for (const n of s.needs ?? []) if (!stepIds.has(n)) problems.push(`step "${s.id}" needs "${n}", which is not an earlier step`);
    stepIds.add(s.id);
    const md = lab.markdown[s.id] ?? '';
    if (md.trim() === '') problems.push(`step "${s.id}" has no instructions`);
    checkVars(`step "${s.id}" instructions`, md);
    for (const h of s.hints ?? []) checkVars(`step "${s.id}" hint`, h);
    for (const l of s.solution ?? []) checkVars(`step "${s.id}" solution`, l);
    if ((s.checks?.length ?? 0) === 0 && !s.quiz) problems.push(`step "${s.id}" has neither checks nor a quiz`);
    if ((s.checks?.length ?? 0) > 0 && (s.solution?.length ?? 0) === 0) problems.push(`step "${s.id}" has checks but no solution`);
    for (const c of s.checks ?? []) {
      if (checkIds.has(c.id)) problems.push(`check id "${c.id}" is used twice`);
      checkIds.add(c.id);
      if (!c.description.trim()) problems.push(`check "${c.id}" has no description`);
    }
    if (s.quiz) {
      const correct = s.quiz.choices.filter((c) => c.correct).length;
      if (s.quiz.kind === 'single' && correct !== 1) problems.push(`quiz of "${s.id}" is single-choice but has ${correct} correct choices`);
      if (correct === 0) problems.push(`quiz of "${s.id}" has no correct choice`);
      if (new Set(s.quiz.choices.map((c) => c.id)).size !== s.quiz.choices.length) problems.push(`quiz of "${s.id}" repeats a choice id`);
      for (const c of s.quiz.choices) if (!c.explanation.trim()) problems.push(`quiz choice "${c.id}" of "${s.id}" has no explanation`);
    }
  }
  return problems;
}
