/**
 * Terminal sessions for the renderer: each one is a shell (from the emulator) on a world of its own, whose
 * virtual time follows the wall clock while the session is open. Output and finished commands are pushed to the
 * client that opened the session; finished commands also go to `onCommand` (the transcript).
 *
 * The service does not know how a world or a shell is built: the composition root passes `openWorldSession`.
 */
import type { Disposable } from '../../emulator/core/events';
import type { TerminalSession } from '../../emulator/shell/terminal-api';
import type {
  CommandRecord,
  ProfileName,
  TerminalOpened,
  TerminalOpenRequest,
  TopologySnapshot,
  PacketTrace,
} from '../contract';
import type { WorldViews } from './world-views';
import { WorldClock, systemClock, type Advanceable, type WallClock } from './world-clock';

/** What a session needs of a world: its clock, and what the topology view shows. */
export interface SessionWorld {
  readonly scheduler: Advanceable & { now(): number };
  readonly hosts: ReadonlyMap<string, { id: string; kind: TopologySnapshotHostKind; hostname: string; netns?: string }>;
}
type TopologySnapshotHostKind = TopologySnapshot['hosts'][number]['kind'];

export interface WorldSession {
  readonly world: SessionWorld;
  readonly session: TerminalSession;
  /** Packet traces the world recorded, when its network records them. */
  readonly traces?: () => PacketTrace[];
  /** Simulation, inspector, topology and resource views of the world (issue 7), when it is a real emulator world. */
  readonly views?: SessionViews;
}

/** What the view channels need of a world (main/services/world-views.ts implements it). */
export type SessionViews = Pick<
  WorldViews,
  | 'requests'
  | 'hops'
  | 'pcap'
  | 'topology'
  | 'resourceTree'
  | 'resource'
  | 'serviceChains'
  | 'onTraceChanged'
  | 'onTopologyChanged'
  | 'onEditorOpen'
  | 'saveEditor'
  | 'readFile'
  | 'writeFile'
  | 'dispose'
>;

export interface OpenWorldSessionRequest {
  readonly profile: ProfileName;
  readonly seed: number;
  readonly labId: string | null;
  readonly cols: number;
  readonly rows: number;
}

export type OpenWorldSession = (req: OpenWorldSessionRequest) => WorldSession;

export interface TerminalPush {
  output(clientId: string, sessionId: string, data: string): void;
  command(clientId: string, sessionId: string, entry: CommandRecord): void;
  /** A request's trace grew (coalesced). */
  traceChanged?(clientId: string, sessionId: string, requestId: number): void;
  /** Pods, Services, Endpoints or Nodes changed (coalesced). */
  topologyChanged?(clientId: string, sessionId: string): void;
  /** `kubectl edit` opened the app's editor. */
  editorOpen?(clientId: string, sessionId: string, e: { editorId: number; title: string; content: string }): void;
}

export interface CommandFinished {
  readonly sessionId: string;
  readonly labId: string | null;
  readonly entry: CommandRecord;
}

function warmKey(profile: ProfileName, seed: number, labId: string | null): string {
  return `${profile}/${seed}/${labId ?? ''}`;
}

export class UnknownSessionError extends Error {
  override readonly name = 'UnknownSessionError';
}

interface OpenSession {
  readonly id: string;
  readonly clientId: string;
  readonly labId: string | null;
  readonly profile: ProfileName;
  readonly seed: number;
  readonly ws: WorldSession;
  readonly clock: WorldClock;
  readonly subscriptions: Disposable[];
}

export interface TerminalServiceOptions {
  readonly openWorldSession: OpenWorldSession;
  readonly push: TerminalPush;
  readonly onCommand?: (c: CommandFinished) => void;
  /** A session closed (its client asked, or went away): whatever ran in its world stops too. */
  readonly onClosed?: (sessionId: string) => void;
  readonly wallClock?: WallClock;
  /** Session ids are not secrets (the client is authenticated), only unique. */
  readonly newId?: () => string;
  readonly defaultSeed?: (labId: string | null) => number;
  /** What a lab's terminal showed when the learner left it (redrawn above the prompt when the lab resumes). */
  readonly resumedScreen?: (labId: string, seed: number) => string;
}

export class TerminalService {
  readonly #sessions = new Map<string, OpenSession>();
  /** A world built ahead of time for the session the app will most likely open first (see `prewarm`). */
  #warm: { key: string; ws: WorldSession } | undefined;
  readonly #opts: TerminalServiceOptions;
  #counter = 0;

  constructor(opts: TerminalServiceOptions) {
    this.#opts = opts;
  }

  open(req: TerminalOpenRequest, clientId: string): TerminalOpened {
    const id = this.#opts.newId?.() ?? `t${++this.#counter}`;
    const labId = req.labId ?? null;
    const seed = req.seed ?? this.#opts.defaultSeed?.(labId) ?? 1;
    const key = warmKey(req.profile, seed, labId);
    const warm = this.#warm?.key === key ? this.#warm.ws : undefined;
    // A warm world nobody asked for is let go: the learner chose another profile or seed meanwhile.
    if (!warm) this.#warm?.ws.session.dispose();
    this.#warm = undefined;
    const ws = warm ?? this.#opts.openWorldSession({ profile: req.profile, seed, labId, cols: req.cols, rows: req.rows });
    const clock = new WorldClock(ws.world.scheduler, this.#opts.wallClock ?? systemClock);
    const s: OpenSession = { id, clientId, labId, profile: req.profile, seed, ws, clock, subscriptions: [] };
    s.subscriptions.push(
      ws.session.onOutput((data) => this.#opts.push.output(clientId, id, data)),
      ws.session.onCommand((entry) => {
        const record: CommandRecord = { ...entry };
        this.#opts.push.command(clientId, id, record);
        this.#opts.onCommand?.({ sessionId: id, labId, entry: record });
      }),
    );
    const views = ws.views;
    if (views) {
      const offTrace = views.onTraceChanged((requestId) => this.#opts.push.traceChanged?.(clientId, id, requestId));
      const offTopology = views.onTopologyChanged(() => this.#opts.push.topologyChanged?.(clientId, id));
      const offEditor = views.onEditorOpen((e) => this.#opts.push.editorOpen?.(clientId, id, e));
      s.subscriptions.push({ dispose: () => (offTrace(), offTopology(), offEditor()) });
    }
    ws.session.resize(req.cols, req.rows);
    this.#sessions.set(id, s);
    clock.start();
    const resumedScreen = labId ? (this.#opts.resumedScreen?.(labId, seed) ?? '') : '';
    return { sessionId: id, profile: req.profile, seed, labId, prompt: ws.session.prompt(), ...(resumedScreen ? { resumedScreen } : {}) };
  }

  /**
   * Build the world for the session the renderer will ask for first, while the window is still loading, so the
   * terminal is ready sooner. The world stands still (no clock) until a matching `open` takes it, so what the
   * learner sees is exactly what an unwarmed open would show.
   */
  prewarm(req: { profile: ProfileName; seed?: number; labId?: string | null }): void {
    const labId = req.labId ?? null;
    const seed = req.seed ?? this.#opts.defaultSeed?.(labId) ?? 1;
    const key = warmKey(req.profile, seed, labId);
    if (this.#warm?.key === key) return;
    this.#warm?.ws.session.dispose();
    this.#warm = { key, ws: this.#opts.openWorldSession({ profile: req.profile, seed, labId, cols: 80, rows: 24 }) };
  }

  input(sessionId: string, data: string, clientId: string): void {
    const s = this.#get(sessionId, clientId);
    s.ws.session.input(data);
    // Run what the keystroke made due now, so output does not wait for the next tick.
    s.clock.tick();
  }

  resize(sessionId: string, cols: number, rows: number, clientId: string): void {
    this.#get(sessionId, clientId).ws.session.resize(cols, rows);
  }

  async submit(sessionId: string, line: string, clientId: string): Promise<CommandRecord> {
    const s = this.#get(sessionId, clientId);
    const done = s.ws.session.submit(line);
    s.clock.tick();
    return { ...(await done) };
  }

  close(sessionId: string, clientId: string): void {
    this.#dispose(this.#get(sessionId, clientId));
  }

  /** A window closed or a WebSocket dropped: its sessions go with it. */
  closeClient(clientId: string): void {
    for (const s of [...this.#sessions.values()]) if (s.clientId === clientId) this.#dispose(s);
  }

  topology(sessionId: string, clientId: string): TopologySnapshot {
    const s = this.#get(sessionId, clientId);
    const hosts = [...s.ws.world.hosts.values()].map((h) => ({
      id: h.id,
      kind: h.kind,
      hostname: h.hostname,
      netns: h.netns ?? null,
    }));
    return { sessionId, profile: s.profile, seed: s.seed, now: s.ws.world.scheduler.now(), hosts };
  }

  traces(sessionId: string, clientId: string): PacketTrace[] {
    return this.#get(sessionId, clientId).ws.traces?.() ?? [];
  }

  /** Run what became due now (a save in the editor finished a command). */
  tick(sessionId: string, clientId: string): void {
    this.#get(sessionId, clientId).clock.tick();
  }

  /** The views of a session's world; throws when the session is unknown or its world has none. */
  views(sessionId: string, clientId: string): SessionViews {
    const v = this.#get(sessionId, clientId).ws.views;
    if (!v) throw new Error(`terminal session ${sessionId} has no packet-level world`);
    return v;
  }

  /** What a lab session needs of a terminal session: the lab, the seed, the world it runs in and its shell session. */
  labTerminal(
    sessionId: string,
    clientId: string,
  ): { labId: string | null; seed: number; profile: ProfileName; world: SessionWorld; session: TerminalSession } {
    const s = this.#get(sessionId, clientId);
    return { labId: s.labId, seed: s.seed, profile: s.profile, world: s.ws.world, session: s.ws.session };
  }

  get size(): number {
    return this.#sessions.size;
  }

  dispose(): void {
    for (const s of [...this.#sessions.values()]) this.#dispose(s);
    this.#warm?.ws.session.dispose();
    this.#warm = undefined;
  }

  #get(sessionId: string, clientId: string): OpenSession {
    const s = this.#sessions.get(sessionId);
    // Another client's session is reported exactly like a missing one.
    if (!s || s.clientId !== clientId) throw new UnknownSessionError(`no terminal session ${sessionId}`);
    return s;
  }

  #dispose(s: OpenSession): void {
    s.clock.stop();
    for (const d of s.subscriptions) d.dispose();
    s.ws.session.dispose();
    s.ws.views?.dispose();
    this.#sessions.delete(s.id);
    this.#opts.onClosed?.(s.id);
  }
}
