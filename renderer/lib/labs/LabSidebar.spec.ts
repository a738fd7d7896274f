import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { LabProgress, LabSummary } from '../../../main/contract';
import LabSidebar from './LabSidebar.svelte';

const labs: LabSummary[] = [
  { id: '01-a', title: 'ClusterIP basics', summary: '', profile: 'local', stepCount: 3 },
  { id: '02-b', title: 'NodePort', summary: '', profile: 'local', stepCount: 1 },
];
const progress: LabProgress[] = [
  {
    labId: '01-a',
    status: 'in-progress',
    seed: 1,
    profile: 'local',
    startedAt: 1,
    updatedAt: 2,
    completedAt: null,
    steps: [
      { labId: '01-a', stepId: 's1', status: 'completed', attempts: 1, hintsUsed: 0, firstAttemptAt: 1, updatedAt: 2, completedAt: 2, timeSpentMs: 0 },
      { labId: '01-a', stepId: 's2', status: 'in-progress', attempts: 2, hintsUsed: 1, firstAttemptAt: 1, updatedAt: 2, completedAt: null, timeSpentMs: 0 },
    ],
  },
];

describe('LabSidebar', () => {
  it('is a labelled navigation with the sandbox and one button per lab, marking the selected one', () => {
    const { body } = render(LabSidebar, { props: { labs, progress, selected: '02-b', onselect: () => {} } });
    expect(body).toMatch(/<nav[^>]*aria-label="Labs"/);
    const buttons = [...body.matchAll(/<button[^>]*>([\s\S]*?)<\/button>/g)].map((m) => m[0]);
    expect(buttons).toHaveLength(3);
    expect(buttons[0]).toContain('Sandbox');
    expect(buttons[0]).not.toContain('aria-current');
    expect(buttons[1]).toContain('ClusterIP basics');
    expect(buttons[1]).toContain('3 steps · 1 step done');
    expect(buttons[2]).toContain('aria-current="page"');
    expect(buttons[2]).toContain('Not started');
    expect(body).not.toContain('No labs are installed');
  });

  it('says so when there are no labs, with the sandbox still selectable', () => {
    const { body } = render(LabSidebar, { props: { labs: [], progress: [], selected: null, onselect: () => {} } });
    expect(body).toContain('No labs are installed yet');
    expect(body).toMatch(/<button[^>]*aria-current="page"[^>]*>[\s\S]*Sandbox/);
  });
});
