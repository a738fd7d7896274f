/**
 * The composition root: builds the services once, with explicit arguments, and exposes them as the contract's
 * handlers. Electron's main process and the web shell both host exactly this object; neither adds logic of its own.
 * Nothing here imports `electron`, so the whole app is tested under Node.
 */
import path from 'node:path';
import {
  Push,
  type ClientRef,
  type InvokeChannel,
  type MainHandlers,
  type Notice,
  type PushEvent,
  type PushMap,
} from './contract';
import { validateRequest } from './ipc-validate';
import type { ShellTerminalSession } from '../emulator/shell/terminal';
import type { World } from '../emulator/world';
import type { LoadedLab } from '../labs/engine/types';
import type { LabRuntime } from '../labs/engine/session';
import { LabSessions } from './services/lab-sessions';
import { LabsService, type CatalogLab } from './services/labs-service';
import { NoticeBoard } from './services/notices';
import { openProgressDatabase } from './services/progress/open-database';
import { ProgressStore } from './services/progress/progress-store';
import { TerminalService, type OpenWorldSession } from './services/terminal-service';
import type { WallClock } from './services/world-clock';

export interface AppOptions {
  /** Where progress.db lives. */
  readonly dataDir: string;
  /** Every lab the app offers (the build's `virtual:lab-catalog`): manifests with their checks, and Markdown. */
  readonly labs: readonly (CatalogLab | LoadedLab)[];
  readonly version: string;
  /**
   * Builds a world and its shell. May be a promise: the web shell loads the (large) emulator after it has started
   * listening, so the browser fetches the page while the emulator's code loads.
   */
  readonly openWorldSession: OpenWorldSession | Promise<OpenWorldSession>;
  /**
   * The lab engine's runtime (it pulls in the emulator). Given by each entry point, not imported here: the web
   * shell loads it lazily from a split chunk; the Electron main process, one CommonJS file, imports it statically,
   * because a dynamic import() inside a single-file bundle makes esbuild wrap every module it reaches in a lazy
   * initializer, turning the emulator's module-level constants into mutable variables its optimized code must load
   * and check at every use (4 % more instructions on the packet path).
   */
  readonly labRuntime: () => Promise<LabRuntime>;
  readonly wallClock?: WallClock;
  /** Wall clock for timestamps in the progress database. */
  readonly now?: () => number;
}

/** `clientId` null = every client. */
export type PushListener = <E extends PushEvent>(clientId: string | null, event: E, payload: PushMap[E]) => void;

export const PROGRESS_DB_FILE = 'progress.db';

export class KubeServiceLabApp {
  readonly handlers: MainHandlers;
  readonly dataDir: string;
  readonly #listeners = new Set<PushListener>();
  readonly #store: ProgressStore;
  readonly #closeDb: () => void;
  readonly #terminals: TerminalService;
  readonly #labSessions: LabSessions;
  readonly #notices: NoticeBoard;
  readonly #emulatorReady: Promise<unknown>;
  #transcriptFailed = false;

  constructor(opts: AppOptions) {
    const now = opts.now ?? Date.now;
    this.dataDir = opts.dataDir;
    this.#notices = new NoticeBoard((n) => this.#push(null, Push.notice, n));

    const opened = openProgressDatabase(path.join(opts.dataDir, PROGRESS_DB_FILE), { now });
    this.#store = new ProgressStore(opened.db);
    this.#closeDb = () => opened.db.close();
    if (opened.recovery) {
      this.#notices.add({ id: 'progress-recovered', level: 'warning', message: opened.recovery.message });
    }

    const labs = new LabsService(opts.labs);
    const store = this.#store;
    const labSessions = new LabSessions({
      labs: opts.labs as readonly LoadedLab[],
      store,
      runtime: opts.labRuntime,
      now,
      push: {
        view: (clientId, sessionId, view) => this.#push(clientId, Push.labChanged, { sessionId, view }),
        progress: (p) => this.#push(null, Push.progressChanged, p),
      },
    });
    this.#labSessions = labSessions;
    let openWorldSession: OpenWorldSession | undefined;
    this.#emulatorReady = Promise.resolve(opts.openWorldSession).then((open) => (openWorldSession = open));
    this.#terminals = new TerminalService({
      openWorldSession: (req) => {
        if (!openWorldSession) throw new Error('the emulator is still loading');
        return openWorldSession(req);
      },
      wallClock: opts.wallClock,
      // A lab resumes in the world of its saved seed.
      defaultSeed: (labId) => (labId ? labSessions.seedFor(labId) : undefined) ?? store.getSettings().seed,
      resumedScreen: (labId, seed) => labSessions.resumedScreen(labId, seed),
      onClosed: (sessionId) => labSessions.stop(sessionId),
      push: {
        output: (clientId, sessionId, data) => this.#push(clientId, Push.terminalOutput, { sessionId, data }),
        command: (clientId, sessionId, entry) => this.#push(clientId, Push.terminalCommand, { sessionId, entry }),
        traceChanged: (clientId, sessionId, requestId) => this.#push(clientId, Push.tracesChanged, { sessionId, requestId }),
        topologyChanged: (clientId, sessionId) => this.#push(clientId, Push.topologyChanged, { sessionId }),
        editorOpen: (clientId, sessionId, e) => this.#push(clientId, Push.editorOpen, { sessionId, ...e }),
      },
      onCommand: ({ sessionId, labId, entry }) => {
        if (labId) labSessions.onCommand(sessionId, entry);
        try {
          store.appendTranscript({ ...entry, sessionId, labId }, now());
        } catch (err) {
          // Say it once; the terminal keeps working even when the disk is full.
          if (!this.#transcriptFailed) {
            this.#transcriptFailed = true;
            this.#notices.add({
              id: 'transcript-save-failed',
              level: 'error',
              message: `Commands could not be saved to your progress file (${err instanceof Error ? err.message : String(err)}).`,
            });
          }
        }
      },
    });
    const terminals = this.#terminals;
    const notices = this.#notices;

    this.handlers = {
      'app:info': async () => ({ name: 'Kube Service Lab', version: opts.version, dataDir: opts.dataDir }),
      'notices:list': async () => notices.list(),
      'notices:dismiss': async ({ id }) => notices.dismiss(id),
      'terminal:open': async (req, c) => {
        await this.#emulatorReady;
        return terminals.open(req, c.clientId);
      },
      'terminal:input': async ({ sessionId, data }, c) => terminals.input(sessionId, data, c.clientId),
      'terminal:resize': async ({ sessionId, cols, rows }, c) => terminals.resize(sessionId, cols, rows, c.clientId),
      'terminal:submit': async ({ sessionId, line }, c) => terminals.submit(sessionId, line, c.clientId),
      'terminal:close': async ({ sessionId }, c) => terminals.close(sessionId, c.clientId),
      'labs:list': async () => labs.list(),
      'labs:get': async ({ labId }) => labs.get(labId),
      'progress:get': async ({ labId }) => store.getLab(labId),
      'progress:list': async () => store.listLabs(),
      'progress:record-step': async (req) => {
        const lab = store.recordStep(req, { now: now(), stepCount: labs.stepCount(req.labId) });
        this.#push(null, Push.progressChanged, lab);
        return lab;
      },
      'progress:reset': async ({ labId }) => labSessions.reset(labId),
      'transcript:list': async ({ labId, limit }) => store.listTranscript(labId, limit),
      'settings:get': async () => store.getSettings(),
      'settings:update': async (patch) => {
        const settings = store.updateSettings(patch);
        this.#push(null, Push.settingsChanged, settings);
        return settings;
      },
      'lab:start': async ({ sessionId }, c) => {
        const { session, ...t } = terminals.labTerminal(sessionId, c.clientId);
        // The terminal service's worlds and sessions are the emulator's (openEmulatorSession), typed there by what it
        // needs; a resumed lab hands the emulator shell's variables back to it.
        const shell = (session as Partial<ShellTerminalSession>).shell;
        const view = await labSessions.start(sessionId, c.clientId, { ...t, world: t.world as unknown as World, ...(shell ? { shell } : {}) });
        // The prompt was drawn when the terminal opened, before the resumed lab gave the shell back its directory.
        session.refreshPrompt?.();
        return view;
      },
      'lab:view': async ({ sessionId }, c) => labSessions.view(sessionId, c.clientId),
      'lab:check': async ({ sessionId, stepId }, c) => labSessions.check(sessionId, c.clientId, stepId),
      'lab:hint': async ({ sessionId, stepId }, c) => labSessions.hint(sessionId, c.clientId, stepId),
      'lab:answer': async ({ sessionId, stepId, choices }, c) => labSessions.answer(sessionId, c.clientId, stepId, choices),
      'lab:reset': async ({ labId }) => {
        labSessions.reset(labId);
        const p = store.getLab(labId);
        if (p) this.#push(null, Push.progressChanged, p);
      },
      'lab:export': async ({ labId }) => labSessions.export(labId),
      'topology:snapshot': async ({ sessionId }, c) => terminals.topology(sessionId, c.clientId),
      'traces:list': async ({ sessionId }, c) => terminals.traces(sessionId, c.clientId),
      'traces:requests': async ({ sessionId }, c) => terminals.views(sessionId, c.clientId).requests(),
      'traces:hops': async ({ sessionId, requestId, afterSeq }, c) => terminals.views(sessionId, c.clientId).hops(requestId, afterSeq),
      'traces:pcap': async ({ sessionId, requestId }, c) => terminals.views(sessionId, c.clientId).pcap(requestId),
      'topology:graph': async ({ sessionId }, c) => terminals.views(sessionId, c.clientId).topology(sessionId),
      'resources:tree': async ({ sessionId }, c) => terminals.views(sessionId, c.clientId).resourceTree(),
      'resources:get': async ({ sessionId, resource, namespace, name }, c) =>
        terminals.views(sessionId, c.clientId).resource(resource, namespace, name),
      'resources:chains': async ({ sessionId, namespace, name, node }, c) =>
        terminals.views(sessionId, c.clientId).serviceChains(namespace, name, node),
      'editor:save': async ({ sessionId, editorId, text }, c) => {
        const result = terminals.views(sessionId, c.clientId).saveEditor(editorId, text);
        // The edit command finishes on save: run what it made due now.
        terminals.tick(sessionId, c.clientId);
        return result;
      },
      'editor:read-file': async ({ sessionId, path }, c) => terminals.views(sessionId, c.clientId).readFile(path),
      'editor:write-file': async ({ sessionId, path, content }, c) => terminals.views(sessionId, c.clientId).writeFile(path, content),
    };
  }

  /** Validate and run one request from a client. Rejects with a message fit to show (never a stack). */
  async dispatch(channel: unknown, arg: unknown, client: ClientRef): Promise<unknown> {
    const req = validateRequest(channel, arg);
    const handler = this.handlers[channel as InvokeChannel] as (r: unknown, c: ClientRef) => Promise<unknown>;
    return handler(req, client);
  }

  onPush(listener: PushListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Build the sandbox world the first window will open, ahead of time (startup speed). */
  async prewarm(): Promise<void> {
    await this.#emulatorReady;
    const { profile, seed } = this.#store.getSettings();
    this.#terminals.prewarm({ profile, seed });
  }

  addNotice(n: Notice): void {
    this.#notices.add(n);
  }

  clientGone(clientId: string): void {
    this.#terminals.closeClient(clientId);
  }

  dispose(): void {
    this.#labSessions.dispose();
    this.#terminals.dispose();
    this.#listeners.clear();
    this.#closeDb();
  }

  #push<E extends PushEvent>(clientId: string | null, event: E, payload: PushMap[E]): void {
    for (const l of [...this.#listeners]) l(clientId, event, payload);
  }
}
