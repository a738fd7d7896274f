/**
 * Each lab's README.md (what a person browsing `labs/` sees, and what the app's folder-based lab list reads:
 * title from the first heading, the summary paragraph, a `profile:` line). Generated from the manifest so the two
 * never drift: `catalog.spec.ts` fails on a stale README and prints which one.
 */
import { listing } from './engine/load';
import type { LabManifest } from './engine/types';

export function labReadme(m: LabManifest): string {
  const l = listing(m);
  const lines = [
    `# ${m.title}`,
    '',
    m.summary,
    '',
    `profile: ${m.profile}`,
    '',
    '## Seed scenarios',
    '',
    ...m.scenarios.map((s) => `- ${s.heading}${s.covers?.length ? ` — ${s.covers.join('; ')}` : ''}`),
    '',
    '## Steps',
    '',
    ...m.steps.map((s, i) => `${i + 1}. ${s.title}${s.quiz ? ' (quiz)' : ''}${s.needs?.length ? ` — after ${s.needs.join(', ')}` : ''}`),
    '',
    `${l.checkCount} graded items. Grade an exported transcript with \`svclab grade --lab ${m.id} --transcript FILE\`.`,
    '',
  ];
  return lines.join('\n');
}
