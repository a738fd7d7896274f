import { render } from 'svelte/server';
import { describe, expect, it } from 'vitest';
import type { KubeServiceLabApi, LabView, StepView } from '../../../main/contract';
import LabPanel from './LabPanel.svelte';
import { exportFileName, stateLabel } from './lab-panel-model';

const api: KubeServiceLabApi = {
  invoke: (() => new Promise(() => {})) as KubeServiceLabApi['invoke'],
  on: () => () => {},
};

function step(over: Partial<StepView> & Pick<StepView, 'id' | 'title'>): StepView {
  return { markdown: '', snippets: [], needs: [], state: 'active', checks: [], hintCount: 0, hintsShown: [], attempts: 0, hasSolution: true, ...over };
}

const view: LabView = {
  id: '03-nodeport',
  title: 'NodePort',
  summary: '',
  profile: 'local',
  seed: 7,
  scenarios: [],
  params: { nodePort: 30123 },
  completion: 40,
  completed: false,
  steps: [
    step({
      id: 'create',
      title: 'Create a NodePort on 30123',
      markdown: 'Run:\n\n```bash\nkubectl create service nodeport web --tcp=80:8000 --node-port=30123\n```',
      checks: [
        { id: 'svc', description: 'A NodePort Service web exists', passed: true },
        { id: 'port', description: 'Its nodePort is 30123', passed: false, message: 'Service web has nodePort 31000, expected 30123.' },
      ],
      hintCount: 2,
      hintsShown: ['Use `--node-port`.'],
      attempts: 2,
    }),
    step({ id: 'why', title: 'Why NodePort', state: 'locked', needs: ['create'], quiz: { question: 'Which IP?', kind: 'single', choices: [{ id: 'a', text: 'NodeIP' }, { id: 'b', text: 'PodIP' }] } }),
  ],
};

describe('LabPanel', () => {
  it('shows completion, the current step with parameters, snippets, checks with failure messages, hints and attempts', () => {
    const { body } = render(LabPanel, { props: { api, sessionId: 't1', initial: view } });
    expect(body).toContain('role="progressbar"');
    expect(body).toContain('aria-valuenow="40"');
    expect(body).toContain('40 %');
    expect(body).toContain('aria-label="Paste into terminal: kubectl create service nodeport web --tcp=80:8000 --node-port=30123"');
    expect(body).toContain('aria-label="Passed: A NodePort Service web exists"');
    expect(body).toContain('aria-label="Not passed: Its nodePort is 30123"');
    expect(body).toContain('Service web has nodePort 31000, expected 30123.');
    expect(body).toContain('Show hint (2 of 2)');
    expect(body).toMatch(/<code[^>]*>--node-port<\/code>/);
    expect(body).toContain('Attempts: 2');
    expect(body).toContain('aria-label="Step 2: Why NodePort (Locked)"');
    expect(body).not.toContain('Lab complete');
  });

  it('shows a locked step as locked with what it needs, its quiz disabled', () => {
    const locked: LabView = { ...view, steps: [{ ...view.steps[0]!, state: 'completed' }, { ...view.steps[1]! }] };
    const onlyLocked: LabView = { ...locked, steps: [locked.steps[1]!, locked.steps[0]!] };
    const { body } = render(LabPanel, { props: { api, sessionId: 't1', initial: { ...onlyLocked, steps: [{ ...onlyLocked.steps[0]! }] } } });
    expect(body).toContain('Locked until you complete create');
    expect(body).toMatch(/<fieldset[^>]*disabled/);
    expect(body).toContain('Which IP?');
  });

  it('says the lab is complete at 100 %, and is waiting before the session answers', () => {
    const done = render(LabPanel, { props: { api, sessionId: 't1', initial: { ...view, completion: 100, completed: true } } }).body;
    expect(done).toContain('Lab complete');
    expect(render(LabPanel, { props: { api, sessionId: 't1' } }).body).toContain('Setting up the lab');
  });

  it('names states and export files', () => {
    expect(['locked', 'active', 'completed'].map((s) => stateLabel(s as StepView['state']))).toEqual(['Locked', 'In progress', 'Completed']);
    expect(exportFileName('03-nodeport', Date.UTC(2026, 10, 28, 8, 30, 5, 123))).toBe('03-nodeport-2026-11-28T08-30-05Z.json');
  });
});
