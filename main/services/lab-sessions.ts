/**
 * Labs running in the app: one `LabSession` (labs/engine) per terminal session opened for a lab, in the world that
 * terminal already owns. The engine judges; this service remembers. Every command the learner finishes is recorded
 * in the session (background checks) and in SQLite; hints, Check-button attempts, quiz answers, completions and the
 * time spent go to the progress store as they happen, so a restart resumes by replaying the saved commands and
 * answers into a world rebuilt from the same seed — deterministic, so the learner lands where they left.
 */
import type { World } from '../../emulator/world';
import type { TranscriptEntry } from '../../emulator/shell/terminal-api';
import type { EnterHostOptions, ShellHost } from '../../emulator/shell/types';
import { LabSession, type LabRuntime, type ShellState } from '../../labs/engine/session';
import { toTranscriptFile } from '../../labs/engine/transcript';
import type { LabView, LoadedLab, QuizFeedback } from '../../labs/engine/types';
import type { CommandRecord, LabExport, LabExportEntry, LabProgress, ProfileName } from '../contract';
import type { ProgressStore } from './progress/progress-store';

/** The terminal session a lab runs in, as the terminal service knows it. */
export interface LabTerminal {
  readonly labId: string | null;
  readonly seed: number;
  readonly profile: ProfileName;
  readonly world: World;
  /** The terminal's own shell, which a resumed lab hands the replayed variables, directory and history to. */
  readonly shell?: TerminalShell;
}

/** What resuming needs of the terminal's shell (the emulator's `Shell`). */
export interface TerminalShell {
  readonly host: { readonly id: string };
  readonly env: Map<string, string>;
  setCwd(path: string): void;
  addHistory(line: string): void;
  /** Step into a host as `ssh`/`kubectl exec -it` do (so a lab left inside one resumes there). */
  enterHost?(host: ShellHost, opts?: EnterHostOptions): void;
}

export interface LabSessionsOptions {
  readonly labs: readonly LoadedLab[];
  readonly store: ProgressStore;
  /** Loaded lazily: the engine's runtime pulls in the emulator, which the web shell loads after listening. */
  readonly runtime: () => Promise<LabRuntime>;
  /** Wall clock, ms. */
  readonly now: () => number;
  readonly push: {
    view(clientId: string, sessionId: string, view: LabView): void;
    progress(progress: LabProgress): void;
  };
  /** Background re-evaluation period (pods become ready between commands); 0 disables it. Default 2000 ms. */
  readonly pollMs?: number;
  readonly setInterval?: (fn: () => void, ms: number) => unknown;
  readonly clearInterval?: (handle: unknown) => void;
}

/** The last commands a resumed terminal redraws (its scrollback holds 5,000 lines; older ones are in Export). */
const RESUMED_SCREEN_COMMANDS = 200;
/** …and at most this much text (a few `iptables-save` outputs are plenty to scroll back through). */
const RESUMED_SCREEN_CHARS = 256 * 1024;

/** Time away longer than this is not counted as time spent on a step (the learner left the app open). */
const IDLE_CAP_MS = 5 * 60_000;

interface Running {
  readonly clientId: string;
  readonly labId: string;
  readonly session: LabSession;
  /** Steps already recorded as completed (edge-triggered). */
  readonly completed: Set<string>;
  lastActivity: number;
  lastJson: string;
  poll: unknown;
}

export class LabSessions {
  readonly #opts: LabSessionsOptions;
  readonly #labs: ReadonlyMap<string, LoadedLab>;
  readonly #running = new Map<string, Running>();
  /** Commands that finished while setup/replay was still running; recorded once the session exists. */
  readonly #pending = new Map<string, TranscriptEntry[]>();
  readonly #starting = new Set<string>();

  constructor(opts: LabSessionsOptions) {
    this.#opts = opts;
    this.#labs = new Map(opts.labs.map((l) => [l.manifest.id, l]));
  }

  /** The seed a lab's world must be built from: the saved one (resume), else the lab's default. */
  seedFor(labId: string): number | undefined {
    return this.#opts.store.getLab(labId)?.seed ?? this.#labs.get(labId)?.manifest.defaultSeed;
  }

  /**
   * What the terminal showed when the learner left a lab, to draw again above the prompt when it resumes in the
   * same seed's world: each saved command after the prompt it was typed at, then its output, as the learner last
   * saw them (the world is rebuilt from the same commands, so the screen and the world agree). Empty for a lab
   * without saved commands, or saved in another seed's world (which `start` throws away).
   */
  resumedScreen(labId: string, seed: number): string {
    const { store } = this.#opts;
    if (store.getLab(labId)?.seed !== seed) return '';
    const shown: string[] = [];
    let size = 0;
    // Newest first, so the cap drops the oldest commands whole.
    for (const r of store.labTranscript(labId).slice(-RESUMED_SCREEN_COMMANDS).reverse()) {
      const output = r.output.replace(/\r?\n/g, '\r\n');
      const text = `${r.prompt}${r.command}\r\n${output}${output === '' || output.endsWith('\r\n') ? '' : '\r\n'}`;
      size += text.length;
      if (size > RESUMED_SCREEN_CHARS && shown.length > 0) break;
      shown.push(text);
    }
    return shown.reverse().join('');
  }

  async start(sessionId: string, clientId: string, terminal: LabTerminal): Promise<LabView> {
    const existing = this.#running.get(sessionId);
    if (existing) return this.#view(existing);
    if (!terminal.labId) throw new Error(`terminal session ${sessionId} is not a lab session`);
    const lab = this.#labs.get(terminal.labId);
    if (!lab) throw new Error(`no lab "${terminal.labId}"`);
    const labId = lab.manifest.id;
    const { store, now } = this.#opts;
    const saved = store.getLab(labId);
    // Progress made in another seed's world cannot be replayed into this one: start that lab over.
    if (saved?.seed !== null && saved?.seed !== undefined && saved.seed !== terminal.seed) store.resetLab(labId);
    const resumeFrom = store.getLab(labId);
    const commands = resumeFrom ? store.labTranscript(labId).map((r) => ({ command: r.command, host: r.host })) : [];
    const quizAnswers = resumeFrom ? store.quizAnswers(labId) : {};
    const hintsUsed = Object.fromEntries((resumeFrom?.steps ?? []).filter((s) => s.hintsUsed > 0).map((s) => [s.stepId, s.hintsUsed]));
    store.startLab(labId, terminal.seed, lab.manifest.profile, now());

    this.#starting.add(sessionId);
    let session: LabSession;
    try {
      session = await LabSession.start(lab, { seed: terminal.seed, runtime: await this.#opts.runtime(), world: terminal.world });
      if (commands.length > 0 || Object.keys(quizAnswers).length > 0 || Object.keys(hintsUsed).length > 0) {
        await session.replay({ commands, quizAnswers, hintsUsed });
      }
      if (commands.length > 0 && terminal.shell) restoreShell(terminal.shell, session.shellState(), terminal.world);
    } finally {
      this.#starting.delete(sessionId);
    }
    const completed = new Set((resumeFrom?.steps ?? []).filter((s) => s.status === 'completed').map((s) => s.stepId));
    const r: Running = { clientId, labId, session, completed, lastActivity: now(), lastJson: '', poll: undefined };
    this.#running.set(sessionId, r);
    for (const entry of this.#pending.get(sessionId) ?? []) session.record(entry);
    this.#pending.delete(sessionId);
    this.#latch(r);
    const pollMs = this.#opts.pollMs ?? 2000;
    if (pollMs > 0) {
      const setI = this.#opts.setInterval ?? ((fn, ms) => setInterval(fn, ms));
      r.poll = setI(() => this.#reevaluate(sessionId), pollMs);
    }
    const view = this.#view(r);
    r.lastJson = JSON.stringify(view);
    return view;
  }

  /** A command the learner finished in a terminal session (saved to the transcript by the caller). */
  onCommand(sessionId: string, entry: CommandRecord): void {
    const r = this.#running.get(sessionId);
    if (!r) {
      if (this.#starting.has(sessionId)) this.#pending.set(sessionId, [...(this.#pending.get(sessionId) ?? []), entry]);
      return;
    }
    this.#spend(r);
    r.session.world.settle();
    r.session.record(entry);
    this.#latch(r);
    this.#pushIfChanged(sessionId, r);
  }

  view(sessionId: string, clientId: string): LabView {
    return this.#view(this.#get(sessionId, clientId));
  }

  check(sessionId: string, clientId: string, stepId: string): LabView {
    const r = this.#get(sessionId, clientId);
    this.#spend(r);
    const before = r.session.view().steps.find((s) => s.id === stepId)?.attempts ?? 0;
    const step = r.session.check(stepId);
    if (step.attempts > before) this.#record(r, stepId, 'attempt');
    this.#latch(r);
    return this.#view(r);
  }

  hint(sessionId: string, clientId: string, stepId: string): LabView {
    const r = this.#get(sessionId, clientId);
    this.#spend(r);
    if (r.session.hint(stepId) !== undefined) this.#record(r, stepId, 'hint');
    return this.#view(r);
  }

  answer(sessionId: string, clientId: string, stepId: string, choices: readonly string[]): { feedback: QuizFeedback; view: LabView } {
    const r = this.#get(sessionId, clientId);
    this.#spend(r);
    const wasActive = r.session.stepState(stepId) === 'active';
    const feedback = r.session.answerQuiz(stepId, choices);
    if (wasActive) {
      this.#opts.store.setQuizAnswer(r.labId, stepId, r.session.quizAnswers()[stepId] ?? [], this.#opts.now());
      if (!feedback.correct) this.#record(r, stepId, 'attempt');
    }
    this.#latch(r);
    return { feedback, view: this.#view(r) };
  }

  /** Forget a lab's saved progress; sessions running it stop (the renderer opens a fresh terminal). */
  reset(labId: string): void {
    for (const [id, r] of [...this.#running]) if (r.labId === labId) this.stop(id);
    this.#opts.store.resetLab(labId);
  }

  export(labId: string | undefined): LabExport {
    const { store } = this.#opts;
    const ids = labId ? [labId] : store.listLabs().map((l) => l.labId);
    const labs: LabExportEntry[] = [];
    for (const id of ids) {
      const progress = store.getLab(id);
      const lab = this.#labs.get(id);
      if (!lab) continue;
      const seed = progress?.seed ?? lab.manifest.defaultSeed ?? 1;
      const file = toTranscriptFile({
        labId: id,
        seed,
        profile: lab.manifest.profile,
        entries: store.labTranscript(id),
        quizAnswers: store.quizAnswers(id),
        hintsUsed: Object.fromEntries((progress?.steps ?? []).filter((s) => s.hintsUsed > 0).map((s) => [s.stepId, s.hintsUsed])),
      });
      labs.push({ ...file, progress });
    }
    return { app: 'Kube Service Lab', exportedAt: this.#opts.now(), labs };
  }

  /** The terminal session closed: its lab session goes with it (progress is already saved). */
  stop(sessionId: string): void {
    const r = this.#running.get(sessionId);
    this.#pending.delete(sessionId);
    if (!r) return;
    this.#spend(r);
    if (r.poll !== undefined) (this.#opts.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout)))(r.poll);
    r.session.dispose();
    this.#running.delete(sessionId);
  }

  dispose(): void {
    for (const id of [...this.#running.keys()]) this.stop(id);
  }

  #get(sessionId: string, clientId: string): Running {
    const r = this.#running.get(sessionId);
    if (!r || r.clientId !== clientId) throw new Error(`no lab is running in terminal session ${sessionId}`);
    return r;
  }

  #reevaluate(sessionId: string): void {
    const r = this.#running.get(sessionId);
    if (!r) return;
    r.session.evaluate();
    this.#latch(r);
    this.#pushIfChanged(sessionId, r);
  }

  #pushIfChanged(sessionId: string, r: Running): void {
    const view = this.#view(r);
    const json = JSON.stringify(view);
    if (json === r.lastJson) return;
    r.lastJson = json;
    this.#opts.push.view(r.clientId, sessionId, view);
  }

  /** Record each newly completed step once (completion is edge-triggered and never regresses). */
  #latch(r: Running): void {
    for (const s of r.session.view().steps) {
      if (s.state === 'completed' && !r.completed.has(s.id)) {
        r.completed.add(s.id);
        this.#record(r, s.id, 'complete');
      }
    }
  }

  #record(r: Running, stepId: string, kind: 'attempt' | 'hint' | 'complete'): void {
    const lab = this.#labs.get(r.labId)!;
    const progress = this.#opts.store.recordStep(
      { labId: r.labId, stepId, kind, seed: r.session.seed, profile: lab.manifest.profile },
      { now: this.#opts.now(), stepCount: lab.manifest.steps.length },
    );
    this.#opts.push.progress(progress);
  }

  /** Time since the last activity goes to the first step still being worked on. */
  #spend(r: Running): void {
    const now = this.#opts.now();
    const elapsed = Math.min(now - r.lastActivity, IDLE_CAP_MS);
    r.lastActivity = now;
    const current = r.session.view().steps.find((s) => s.state === 'active');
    if (current && elapsed > 0) this.#opts.store.addTimeSpent(r.labId, current.id, elapsed, now);
  }

  /** The engine's view, with attempts as saved (the replay does not re-count attempts made before a restart). */
  #view(r: Running): LabView {
    const view = r.session.view();
    const saved = this.#opts.store.getLab(r.labId);
    const attempts = new Map((saved?.steps ?? []).map((s) => [s.stepId, s.attempts]));
    return { ...view, steps: view.steps.map((s) => ({ ...s, attempts: Math.max(s.attempts, attempts.get(s.id) ?? 0) })) };
  }
}

/**
 * The replay ran the saved commands in a shell of its own; the learner's terminal takes over what that shell
 * remembers (variables, working directory, history) so the commands they type next mean what they meant before the
 * app closed. A replay that ended inside `ssh worker-1` or `kubectl exec -it POD -- sh` puts the terminal there too
 * (`exit` then leaves as it would have); if one of those hosts is gone from the world, the terminal stays on its
 * login host and is handed nothing.
 */
function restoreShell(terminal: TerminalShell, replayed: ShellState | undefined, world: World): void {
  if (!replayed) return;
  if (replayed.host !== terminal.host.id) {
    const stack = replayed.hostStack ?? [];
    const hosts = stack.slice(1).map((id) => world.hosts.get(id));
    if (stack[0] !== terminal.host.id || !terminal.enterHost || hosts.length === 0 || hosts.some((h) => h === undefined)) return;
    for (const h of hosts as ShellHost[]) {
      // ssh's goodbye for nodes and VMs; a pod shell (kubectl exec) leaves without a word.
      terminal.enterHost(h, h.kind === 'node' || h.kind === 'vm' ? { onExit: () => `logout\nConnection to ${h.hostname} closed.\n` } : undefined);
    }
  }
  for (const name of [...terminal.env.keys()]) if (!replayed.env.has(name)) terminal.env.delete(name);
  for (const [name, value] of replayed.env) terminal.env.set(name, value);
  terminal.setCwd(replayed.cwd);
  for (const line of replayed.history) terminal.addHistory(line);
}
