/**
 * A lab being done: one world built from the lab's profile and the learner's seed, setup run headlessly, the
 * learner's commands recorded, and checks evaluated after every command (as iximiuz's background examiner) and on
 * the Check button (which counts an attempt when it fails). A step completes when all its checks pass at once and
 * its quiz is answered correctly; completion is edge-triggered and never regresses. Steps whose `needs` are not
 * complete are locked and not evaluated.
 */
import type { TranscriptEntry } from '../../emulator/shell/terminal-api';
import type { World } from '../../emulator/world';
import type { ClusterView } from './cluster-view';
import { drawParams, extractSnippets, render } from './params';
import type {
  CheckContext,
  CheckOutcome,
  CheckResult,
  LabView,
  LoadedLab,
  ParamValues,
  ProfileName,
  QuizFeedback,
  StepDef,
  StepState,
  StepView,
} from './types';

/** Runs command lines as if typed into the lab's terminal. */
export interface LabShell {
  /**
   * `onHost`: the host the line was recorded on (replay). When the shell is elsewhere — the learner had entered a
   * pod with `kubectl exec -it POD -- sh`, which only an interactive terminal does — the replay shell enters that
   * host first (when it exists in this world), so the line runs where the learner ran it.
   */
  submit(line: string, opts?: { readonly onHost?: string }): Promise<TranscriptEntry>;
  /** Where the shell is and what it remembers, for the app to hand to the learner's terminal after a replay. */
  state?(): ShellState;
  dispose?(): void;
}

/** What a shell carries from one command to the next: its host, variables, working directory and history. */
export interface ShellState {
  readonly host: string;
  /** Ids of the hosts the shell stands in, the login host first (`ssh worker-1` then `kubectl exec -it …`). */
  readonly hostStack?: readonly string[];
  readonly cwd: string;
  readonly env: ReadonlyMap<string, string>;
  readonly history: readonly string[];
}

/** How the engine reaches the emulator (injected so the engine stays testable and platform-free). */
export interface LabRuntime {
  createWorld(profile: ProfileName, seed: number): World;
  createShell(world: World): LabShell;
  clusterView(world: World): ClusterView;
}

export interface StartOptions {
  readonly seed?: number;
  readonly runtime: LabRuntime;
  /**
   * Run the lab in this world instead of a new one (the app's terminal already owns a world built from the lab's
   * profile and seed). Setup runs in it through a separate shell; the app then `record`s its terminal's entries.
   */
  readonly world?: World;
  /** Names of faults to inject (default: all the lab declares). */
  readonly faults?: readonly string[];
}

interface StepProgressState {
  completed: boolean;
  attempts: number;
  hintsShown: number;
  quizAnswer?: readonly string[];
  quizCorrect?: boolean;
  results: CheckResult[];
}

export class LabSession {
  readonly lab: LoadedLab;
  readonly seed: number;
  readonly params: ParamValues;
  readonly world: World;
  readonly cluster: ClusterView;
  readonly shell: LabShell;
  /** Setup commands and their output (not the learner's; kept for debugging a lab). */
  readonly setupTranscript: TranscriptEntry[] = [];
  readonly transcript: TranscriptEntry[] = [];
  readonly #progress = new Map<string, StepProgressState>();

  private constructor(lab: LoadedLab, seed: number, world: World, shell: LabShell, cluster: ClusterView) {
    this.lab = lab;
    this.seed = seed;
    this.params = drawParams(lab.manifest, seed);
    this.world = world;
    this.shell = shell;
    this.cluster = cluster;
    for (const s of lab.manifest.steps) this.#progress.set(s.id, { completed: false, attempts: 0, hintsShown: 0, results: [] });
  }

  static async start(lab: LoadedLab, opts: StartOptions): Promise<LabSession> {
    const m = lab.manifest;
    const seed = opts.seed ?? m.defaultSeed ?? 1;
    if (opts.world && opts.world.profile !== m.profile) throw new Error(`lab ${m.id} needs profile ${m.profile}, the world is ${opts.world.profile}`);
    const world = opts.world ?? opts.runtime.createWorld(m.profile, seed);
    const shell = opts.runtime.createShell(world);
    const session = new LabSession(lab, seed, world, shell, opts.runtime.clusterView(world));
    const lines = [...(m.setup ?? [])];
    for (const f of m.faults ?? []) if (!opts.faults || opts.faults.includes(f.id)) lines.push(...f.commands);
    for (const line of lines) {
      const entry = await shell.submit(render(line, session.params));
      world.settle();
      session.setupTranscript.push(entry);
    }
    session.evaluate();
    return session;
  }

  /**
   * Rebuild a lab where the learner left it (app restart): run the saved commands again in this session's fresh
   * world, re-answer the saved quizzes, re-reveal the hints already seen. Deterministic: same seed + commands.
   */
  async replay(saved: {
    readonly commands: readonly (string | { readonly command: string; readonly host: string })[];
    readonly quizAnswers?: Readonly<Record<string, readonly string[]>>;
    readonly hintsUsed?: Readonly<Record<string, number>>;
  }): Promise<LabView> {
    const answer = () => {
      for (const [stepId, choices] of Object.entries(saved.quizAnswers ?? {})) {
        if (this.stepState(stepId) === 'active') this.answerQuiz(stepId, choices);
      }
    };
    answer();
    for (const c of saved.commands) {
      if (typeof c === 'string') await this.run(c);
      else await this.run(c.command, { onHost: c.host });
      answer();
    }
    for (const [stepId, n] of Object.entries(saved.hintsUsed ?? {})) for (let i = 0; i < n; i++) this.hint(stepId);
    return this.evaluate();
  }

  get profile(): ProfileName {
    return this.lab.manifest.profile;
  }

  /** Run a command line as the learner, let the cluster settle, then evaluate. */
  async run(line: string, opts?: { readonly onHost?: string }): Promise<TranscriptEntry> {
    const entry = await this.shell.submit(line, opts);
    this.world.settle();
    this.record(entry);
    return entry;
  }

  /** Record a command the app's own terminal ran in this session's world, then evaluate. */
  record(entry: TranscriptEntry): void {
    this.transcript.push(entry);
    this.evaluate();
  }

  #step(stepId: string): StepDef {
    const s = this.lab.manifest.steps.find((x) => x.id === stepId);
    if (!s) throw new Error(`lab ${this.lab.manifest.id} has no step "${stepId}"`);
    return s;
  }

  #state(stepId: string): StepProgressState {
    return this.#progress.get(stepId)!;
  }

  stepState(stepId: string): StepState {
    const st = this.#state(stepId);
    if (st.completed) return 'completed';
    const step = this.#step(stepId);
    return (step.needs ?? []).every((n) => this.#state(n).completed) ? 'active' : 'locked';
  }

  #context(): CheckContext {
    return { world: this.world, cluster: this.cluster, transcript: this.transcript, params: this.params };
  }

  #runCheck(ctx: CheckContext, evaluate: (c: CheckContext) => CheckOutcome): CheckOutcome {
    try {
      return evaluate(ctx);
    } catch (e) {
      return { ok: false, message: `check could not run: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  /** Evaluate every active step (in manifest order, so completing one can unlock the next in the same pass). */
  evaluate(): LabView {
    const ctx = this.#context();
    for (const step of this.lab.manifest.steps) {
      const st = this.#state(step.id);
      if (st.completed) continue;
      const state = this.stepState(step.id);
      if (state === 'locked') {
        const missing = (step.needs ?? []).filter((n) => !this.#state(n).completed).map((n) => `"${render(this.#step(n).title, this.params)}"`);
        st.results = (step.checks ?? []).map((c) => ({
          id: c.id,
          description: render(c.description, this.params),
          passed: false,
          message: `Locked: complete ${missing.join(' and ')} first.`,
        }));
        continue;
      }
      st.results = (step.checks ?? []).map((c) => {
        const out = this.#runCheck(ctx, c.evaluate);
        return out.ok
          ? { id: c.id, description: render(c.description, this.params), passed: true }
          : { id: c.id, description: render(c.description, this.params), passed: false, message: render(out.message, this.params) };
      });
      const quizOk = step.quiz ? st.quizCorrect === true : true;
      if (st.results.every((r) => r.passed) && quizOk) st.completed = true;
    }
    return this.view();
  }

  /** The Check button: evaluate; a step that is active and still not complete counts one attempt. */
  check(stepId: string): StepView {
    this.evaluate();
    const st = this.#state(stepId);
    if (!st.completed && this.stepState(stepId) === 'active') st.attempts++;
    return this.#stepView(this.#step(stepId));
  }

  /** Reveal the next hint (rendered); undefined when every hint is shown already. */
  hint(stepId: string): string | undefined {
    const step = this.#step(stepId);
    const st = this.#state(stepId);
    const hints = step.hints ?? [];
    if (st.hintsShown >= hints.length) return undefined;
    return render(hints[st.hintsShown++]!, this.params);
  }

  /** Answer a quiz step. A wrong answer counts an attempt; a right one can complete the step. */
  answerQuiz(stepId: string, chosen: readonly string[]): QuizFeedback {
    const step = this.#step(stepId);
    if (!step.quiz) throw new Error(`step "${stepId}" has no quiz`);
    const st = this.#state(stepId);
    const known = new Set(step.quiz.choices.map((c) => c.id));
    const picked = [...new Set(chosen)].filter((c) => known.has(c));
    const correctIds = step.quiz.choices.filter((c) => c.correct).map((c) => c.id);
    const correct =
      (step.quiz.kind === 'single' ? picked.length === 1 : true) &&
      picked.length === correctIds.length &&
      correctIds.every((c) => picked.includes(c));
    if (this.stepState(stepId) !== 'locked' && !st.completed) {
      st.quizAnswer = picked;
      st.quizCorrect = correct;
      if (!correct) st.attempts++;
      this.evaluate();
    }
    return {
      correct,
      choices: step.quiz.choices
        .filter((c) => c.correct || picked.includes(c.id))
        .map((c) => ({ id: c.id, chosen: picked.includes(c.id), correct: c.correct, explanation: render(c.explanation, this.params) })),
    };
  }

  /**
   * The replay shell's variables, directory and history (after `replay`): a learner who set `POD_IP=…` before the
   * app closed still has `$POD_IP` in the terminal that resumes.
   */
  shellState(): ShellState | undefined {
    return this.shell.state?.();
  }

  /** The step's solution, rendered: command lines to paste. */
  solution(stepId: string): string[] {
    return (this.#step(stepId).solution ?? []).map((l) => render(l, this.params));
  }

  /** Quiz answers given so far (for the transcript export). */
  quizAnswers(): Record<string, readonly string[]> {
    const out: Record<string, readonly string[]> = {};
    for (const [id, st] of this.#progress) if (st.quizAnswer) out[id] = st.quizAnswer;
    return out;
  }

  hintsUsed(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, st] of this.#progress) if (st.hintsShown > 0) out[id] = st.hintsShown;
    return out;
  }

  #stepView(step: StepDef): StepView {
    const st = this.#state(step.id);
    const markdown = render(this.lab.markdown[step.id] ?? '', this.params);
    const results = st.completed
      ? (step.checks ?? []).map((c) => ({ id: c.id, description: render(c.description, this.params), passed: true }))
      : st.results;
    return {
      id: step.id,
      title: render(step.title, this.params),
      markdown,
      snippets: extractSnippets(markdown),
      needs: step.needs ?? [],
      state: this.stepState(step.id),
      checks: results,
      hintCount: step.hints?.length ?? 0,
      hintsShown: (step.hints ?? []).slice(0, st.hintsShown).map((h) => render(h, this.params)),
      attempts: st.attempts,
      hasSolution: (step.solution?.length ?? 0) > 0,
      ...(step.quiz
        ? {
            quiz: {
              question: render(step.quiz.question, this.params),
              kind: step.quiz.kind,
              choices: step.quiz.choices.map((c) => ({ id: c.id, text: render(c.text, this.params) })),
              ...(st.quizAnswer ? { answered: st.quizAnswer, correct: st.quizCorrect === true } : {}),
            },
          }
        : {}),
    };
  }

  view(): LabView {
    const m = this.lab.manifest;
    const steps = m.steps.map((s) => this.#stepView(s));
    let total = 0;
    let passed = 0;
    for (const s of m.steps) {
      const units = (s.checks?.length ?? 0) + (s.quiz ? 1 : 0);
      total += units;
      const st = this.#state(s.id);
      if (st.completed) passed += units;
      else passed += st.results.filter((r) => r.passed).length + (s.quiz && st.quizCorrect ? 1 : 0);
    }
    return {
      id: m.id,
      title: m.title,
      summary: m.summary,
      profile: m.profile,
      seed: this.seed,
      scenarios: m.scenarios,
      params: this.params,
      steps,
      completion: total === 0 ? 100 : Math.floor((passed * 100) / total),
      completed: m.steps.every((s) => this.#state(s.id).completed),
    };
  }

  dispose(): void {
    this.shell.dispose?.();
  }
}
