import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createWorld } from '../../emulator/world';
import type { TranscriptEntry } from '../../emulator/shell/terminal-api';
import type { ClusterView } from './cluster-view';
import { check, ran } from './checks';
import { gradeTranscript } from './grade';
import { toJUnitXml } from './junit';
import { validateLab } from './load';
import { drawParams, extractSnippets, render } from './params';
import { LabSession, type LabRuntime } from './session';
import { parseTranscriptFile, toTranscriptFile, TranscriptFormatError } from './transcript';
import { fail, pass, type LabManifest, type LoadedLab } from './types';

/** A fake emulator: commands echo a canned answer; "state" is a set of flags the commands raise. */
function fakeRuntime(): LabRuntime & { flags: Set<string> } {
  const flags = new Set<string>();
  const view: ClusterView = {
    capabilities: new Set(),
    list: () => [],
    get: () => undefined,
    podsMatching: () => [],
    endpointIPs: () => (flags.has('svc') ? ['10.244.1.5'] : []),
    service: () => undefined,
    natRules: () => undefined,
    traces: () => [],
  };
  return {
    flags,
    createWorld: (profile, seed) => createWorld({ profile, seed }),
    createShell: (world) => ({
      async submit(line: string): Promise<TranscriptEntry> {
        let output = '';
        let exitCode = 0;
        if (line.startsWith('make-svc')) (flags.add('svc'), (output = 'service/web created\n'));
        else if (line.startsWith('break')) flags.delete('svc');
        else if (line.startsWith('curl')) [output, exitCode] = flags.has('svc') ? ['hello from web-abc\n', 0] : ['curl: (7) Failed to connect\n', 7];
        else [output, exitCode] = [`bash: ${line.split(' ')[0]}: command not found\n`, 127];
        return { host: 'workstation', prompt: '$ ', command: line, output, exitCode, startedAt: world.scheduler.now() };
      },
    }),
    clusterView: () => view,
  };
}

const manifest: LabManifest = {
  id: '99-fake',
  title: 'Fake',
  summary: 'A lab over a fake runtime.',
  profile: 'local',
  scenarios: [{ heading: 'Why do we need a Kubernetes Service?' }],
  params: { port: { kind: 'int', min: 30000, max: 30009 }, name: { kind: 'choice', values: ['web', 'api'] } },
  steps: [
    {
      id: 'svc',
      title: 'Make a Service on {{port}}',
      hints: ['first hint {{name}}', 'second hint on {{port}}'],
      checks: [
        check('endpoints', 'Service has endpoints', (ctx) => (ctx.cluster.endpointIPs('default', 'web').length > 0 ? pass : fail('Endpoints empty: selector app={{name}} matches 0 pods'))),
      ],
      solution: ['make-svc {{name}} {{port}}'],
    },
    {
      id: 'call',
      title: 'Call it',
      needs: ['svc'],
      checks: [ran('curl-ok', 'curl reached the Service', { command: /^curl\b/, output: /hello/, exitCode: 0 }, 'curl the Service on {{port}}')],
      solution: ['curl http://{{name}}:{{port}}'],
    },
    {
      id: 'quiz',
      title: 'Why',
      needs: ['call'],
      quiz: {
        question: 'Why?',
        kind: 'multiple',
        choices: [
          { id: 'a', text: 'A', correct: true, explanation: 'yes A' },
          { id: 'b', text: 'B', correct: true, explanation: 'yes B' },
          { id: 'c', text: 'C', correct: false, explanation: 'not C' },
        ],
      },
    },
  ],
};

const lab: LoadedLab = {
  manifest,
  markdown: { svc: '# Make\n\n```bash\nmake-svc {{name}} \\\n  {{port}}\n# comment\ncat <<EOF | apply\nx: 1\nEOF\n```\n', call: '# Call\n\n```bash\ncurl http://{{name}}:{{port}}\n```\n', quiz: '# Why\n' },
};

describe('parameters', () => {
  it('are deterministic per seed and within their ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const a = drawParams(manifest, seed);
        expect(drawParams(manifest, seed)).toEqual(a);
        expect(Number(a.port)).toBeGreaterThanOrEqual(30000);
        expect(Number(a.port)).toBeLessThanOrEqual(30009);
        expect(['web', 'api']).toContain(a.name);
      }),
    );
  });

  it('differ between seeds (Packet Tracer variables)', () => {
    const ports = new Set(Array.from({ length: 40 }, (_, s) => drawParams(manifest, s).port));
    expect(ports.size).toBeGreaterThan(3);
  });

  it('render {{var}} and leave unknown placeholders visible', () => {
    expect(render('port {{ port }} of {{name}} {{nope}}', { port: 30001, name: 'web' })).toBe('port 30001 of web {{nope}}');
  });
});

describe('snippets', () => {
  it('extracts bash fences as paste-able commands, joining continuations and keeping heredocs whole', () => {
    expect(extractSnippets(render(lab.markdown.svc!, { name: 'web', port: 30001 }))).toEqual(['make-svc web 30001', 'cat <<EOF | apply\nx: 1\nEOF']);
  });
});

describe('LabSession', () => {
  it('locks steps behind their needs, evaluates after each command, and latches completion', async () => {
    const rt = fakeRuntime();
    const s = await LabSession.start(lab, { seed: 3, runtime: rt });
    let v = s.view();
    expect(v.steps.map((x) => x.state)).toEqual(['active', 'locked', 'locked']);
    expect(v.steps[0]!.checks[0]).toMatchObject({ passed: false, message: `Endpoints empty: selector app=${s.params.name} matches 0 pods` });
    expect(v.steps[0]!.title).toBe(`Make a Service on ${s.params.port}`);
    expect(v.steps[1]!.checks[0]!.message).toBe(`Locked: complete "Make a Service on ${s.params.port}" first.`);
    expect(v.completion).toBe(0);

    await s.run(s.solution('svc')[0]!);
    v = s.view();
    expect(v.steps[0]!.state).toBe('completed');
    expect(v.steps[1]!.state).toBe('active');
    expect(v.completion).toBe(33);

    // Breaking the state later does not take a completed step back (edge-triggered, as iximiuz).
    await s.run('break');
    expect(s.view().steps[0]!.state).toBe('completed');
    await s.run('curl http://web');
    expect(s.view().steps[1]!.checks[0]).toMatchObject({ passed: false, message: `curl the Service on ${s.params.port}` });
  });

  it('counts attempts on Check and on wrong quiz answers; hints are progressive and rendered', async () => {
    const s = await LabSession.start(lab, { seed: 3, runtime: fakeRuntime() });
    expect(s.check('svc').attempts).toBe(1);
    expect(s.hint('svc')).toBe(`first hint ${s.params.name}`);
    expect(s.hint('svc')).toBe(`second hint on ${s.params.port}`);
    expect(s.hint('svc')).toBeUndefined();
    expect(s.view().steps[0]!.hintsShown).toHaveLength(2);
    await s.run(s.solution('svc')[0]!);
    await s.run(s.solution('call')[0]!);
    const wrong = s.answerQuiz('quiz', ['a']);
    expect(wrong.correct).toBe(false);
    expect(wrong.choices.map((c) => [c.id, c.chosen, c.correct])).toEqual([
      ['a', true, true],
      ['b', false, true],
    ]);
    expect(s.answerQuiz('quiz', ['a', 'b', 'c']).correct).toBe(false);
    expect(s.view().steps[2]!.attempts).toBe(2);
    expect(s.answerQuiz('quiz', ['b', 'a']).correct).toBe(true);
    const v = s.view();
    expect(v.completed).toBe(true);
    expect(v.completion).toBe(100);
    expect(s.quizAnswers()).toEqual({ quiz: ['b', 'a'] });
  });

  it('a quiz answered while its step is locked does not count', async () => {
    const s = await LabSession.start(lab, { seed: 3, runtime: fakeRuntime() });
    expect(s.answerQuiz('quiz', ['a', 'b']).correct).toBe(true);
    expect(s.view().steps[2]!.state).toBe('locked');
    expect(s.view().steps[2]!.quiz?.answered).toBeUndefined();
  });

  it('a check that throws fails with its error instead of breaking the session', async () => {
    const broken: LoadedLab = {
      ...lab,
      manifest: { ...manifest, steps: [{ ...manifest.steps[0]!, checks: [check('boom', 'explodes', () => { throw new Error('no store'); })] }] },
    };
    const s = await LabSession.start(broken, { seed: 1, runtime: fakeRuntime() });
    expect(s.view().steps[0]!.checks[0]).toMatchObject({ passed: false, message: 'check could not run: no store' });
  });
});

describe('resume', () => {
  it('rebuilds progress from seed + saved commands, quiz answers and hints', async () => {
    const first = await LabSession.start(lab, { seed: 9, runtime: fakeRuntime() });
    for (const st of manifest.steps) for (const l of first.solution(st.id)) await first.run(l);
    first.hint('svc');
    first.answerQuiz('quiz', ['a', 'b']);
    const again = await LabSession.start(lab, { seed: 9, runtime: fakeRuntime() });
    const v = await again.replay({ commands: first.transcript.map((e) => e.command), quizAnswers: first.quizAnswers(), hintsUsed: first.hintsUsed() });
    expect(v).toEqual(first.view());
    expect(v.completed).toBe(true);
  });

  it('runs in a world the app already owns, and refuses one of the wrong profile', async () => {
    const rt = fakeRuntime();
    const world = createWorld({ profile: 'local', seed: 2 });
    const s = await LabSession.start(lab, { seed: 2, runtime: rt, world });
    expect(s.world).toBe(world);
    await expect(LabSession.start(lab, { seed: 2, runtime: rt, world: createWorld({ profile: 'cloud', seed: 2 }) })).rejects.toThrow('lab 99-fake needs profile local, the world is cloud');
  });
});

describe('grading', () => {
  async function solvedFile(seed: number) {
    const s = await LabSession.start(lab, { seed, runtime: fakeRuntime() });
    for (const st of manifest.steps) for (const l of s.solution(st.id)) await s.run(l);
    s.answerQuiz('quiz', ['a', 'b']);
    return toTranscriptFile({ labId: manifest.id, seed, profile: 'local', entries: s.transcript, quizAnswers: s.quizAnswers() });
  }

  it('replays a solved transcript to 100% and ignores forged output', async () => {
    const file = await solvedFile(5);
    const report = await gradeTranscript(lab, parseTranscriptFile(JSON.parse(JSON.stringify(file))), fakeRuntime());
    expect(report).toMatchObject({ score: 100, passed: 3, total: 3, completed: true, commandsReplayed: 2 });

    // Forge: claim curl succeeded without creating the Service.
    const forged = { ...file, entries: [{ host: 'workstation', command: 'curl http://web', output: 'hello from web-abc\n', exitCode: 0 }] };
    const r2 = await gradeTranscript(lab, parseTranscriptFile(forged), fakeRuntime());
    expect(r2.score).toBe(0);
    expect(r2.steps[0]!.checks[0]!.message).toMatch(/Endpoints empty/);
    expect(r2.replayNotes).toEqual([{ index: 0, command: 'curl http://web', note: 'exit 7 on replay, recorded 0' }]);
  });

  it('scores partial work and writes JUnit XML with failures', async () => {
    const file = { version: 1, labId: manifest.id, seed: 5, profile: 'local' as const, entries: [{ host: 'workstation', command: 'make-svc web 1' }], quizAnswers: { quiz: ['c'] } };
    const report = await gradeTranscript(lab, parseTranscriptFile(file), fakeRuntime());
    expect(report.score).toBe(33);
    const xml = toJUnitXml([report]);
    expect(xml).toContain('<testsuite name="99-fake" tests="3" failures="2"');
    expect(xml).toContain('<testcase classname="99-fake.svc" name="endpoints: Service has endpoints"/>');
    expect(xml).toMatch(/<failure message="curl the Service on \d+" type="CheckFailed">/);
    expect(xml).toContain('quiz locked: complete the steps it needs first');
  });

  it('rejects a transcript for another lab or an unknown quiz step', async () => {
    await expect(gradeTranscript(lab, parseTranscriptFile({ labId: 'x', seed: 1, profile: 'local', entries: [] }), fakeRuntime())).rejects.toThrow('transcript is for lab "x", not "99-fake"');
    await expect(gradeTranscript(lab, parseTranscriptFile({ labId: '99-fake', seed: 1, profile: 'local', entries: [], quizAnswers: { svc: ['a'] } }), fakeRuntime())).rejects.toThrow(
      'quizAnswers names "svc", which is not a quiz step',
    );
  });
});

describe('transcript file', () => {
  it.each([
    [[], 'the top level must be a JSON object'],
    [{ labId: '', seed: 1, profile: 'local', entries: [] }, 'labId must be a non-empty string'],
    [{ labId: 'a', seed: -1, profile: 'local', entries: [] }, 'seed must be a non-negative integer'],
    [{ labId: 'a', seed: 1, profile: 'mars', entries: [] }, 'profile must be "local" or "cloud"'],
    [{ labId: 'a', seed: 1, profile: 'local', entries: [{ host: 'w' }] }, 'entries[0].command must be a string'],
    [{ labId: 'a', seed: 1, profile: 'local', entries: [], quizAnswers: { q: 'a' } }, 'quizAnswers.q must be an array of choice ids'],
    [{ version: 2, labId: 'a', seed: 1, profile: 'local', entries: [] }, 'version must be 1 (got 2)'],
  ])('rejects %j', (data, message) => {
    expect(() => parseTranscriptFile(data)).toThrow(TranscriptFormatError);
    expect(() => parseTranscriptFile(data)).toThrow(message);
  });
});

describe('lab validation', () => {
  it('finds undefined parameters, bad needs, unsound quizzes and checks without solutions', () => {
    const bad: LoadedLab = {
      manifest: {
        ...manifest,
        id: 'bad',
        steps: [
          { id: 'a', title: 'A', needs: ['b'], checks: [check('x', 'x', () => pass)] },
          { id: 'b', title: 'B', quiz: { question: '?', kind: 'single', choices: [{ id: 'y', text: 'y', correct: true, explanation: '' }, { id: 'z', text: 'z', correct: true, explanation: 'z' }] } },
        ],
      },
      markdown: { a: 'uses {{missing}}', b: '' },
    };
    expect(validateLab(bad)).toEqual([
      'id "bad" is not <nn-slug>',
      'step "a" needs "b", which is not an earlier step',
      'step "a" instructions uses {{missing}}, which is not a parameter',
      'step "a" has checks but no solution',
      'step "b" has no instructions',
      'quiz of "b" is single-choice but has 2 correct choices',
      'quiz choice "y" of "b" has no explanation',
    ]);
    expect(validateLab(lab)).toEqual([]);
  });
});
