/**
 * The one contract between the main-process services and the renderer.
 *
 * - `Invoke`: every request the renderer can make, as `channel → (request) => Promise<response>`. The same map
 *   types the main-process handlers (`MainHandlers`), the preload invoker and the web-shell adapter.
 * - `PushEvents`: every event main sends to the renderer, as `event → payload`.
 * - `KubeServiceLabApi`: what `window.kubeServiceLab` is, whether the preload (Electron) or the web-shell adapter
 *   (WebSocket) put it there. The renderer cannot tell which.
 *
 * Nothing else in the code base declares a channel string. Every request carries exactly one plain-data argument
 * (or none), so it crosses IPC and a WebSocket unchanged and is validated in one place (`main/ipc-validate.ts`).
 */

export type ProfileName = 'local' | 'cloud';
export type ThemeSetting = 'light' | 'dark' | 'system';

// ---------------------------------------------------------------------------------------------------------------
// Terminal

export interface TerminalOpenRequest {
  /** Lab the session belongs to; undefined = the free-play sandbox. */
  readonly labId?: string;
  readonly profile: ProfileName;
  /** World seed; undefined = the lab's (or the sandbox's) default. */
  readonly seed?: number;
  readonly cols: number;
  readonly rows: number;
}

export interface TerminalOpened {
  readonly sessionId: string;
  readonly profile: ProfileName;
  readonly seed: number;
  readonly labId: string | null;
  readonly prompt: string;
}

export interface TerminalInputRequest {
  readonly sessionId: string;
  /** Raw xterm.js `onData` text: keys, pasted text, escape sequences. */
  readonly data: string;
}

export interface TerminalResizeRequest {
  readonly sessionId: string;
  readonly cols: number;
  readonly rows: number;
}

export interface TerminalSubmitRequest {
  readonly sessionId: string;
  /** A whole command line, run as if typed and followed by Enter (lab snippets). */
  readonly line: string;
}

export interface TerminalCloseRequest {
  readonly sessionId: string;
}

/** One finished command line, as recorded in the transcript. */
export interface CommandRecord {
  readonly host: string;
  readonly prompt: string;
  readonly command: string;
  readonly output: string;
  readonly exitCode: number;
  /** Virtual time (ms since epoch) when the command started. */
  readonly startedAt: number;
}

export interface TerminalOutputEvent {
  readonly sessionId: string;
  readonly data: string;
}

export interface TerminalCommandEvent {
  readonly sessionId: string;
  readonly entry: CommandRecord;
}

// ---------------------------------------------------------------------------------------------------------------
// Labs and progress

export interface LabSummary {
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  readonly profile: ProfileName;
  readonly stepCount: number;
}

export interface LabStepInfo {
  readonly id: string;
  readonly title: string;
  /** Step prose, Markdown. */
  readonly markdown: string;
}

export interface LabDetail extends LabSummary {
  readonly steps: readonly LabStepInfo[];
}

export type StepStatus = 'not-started' | 'in-progress' | 'completed';

export interface StepProgress {
  readonly labId: string;
  readonly stepId: string;
  readonly status: StepStatus;
  readonly attempts: number;
  readonly hintsUsed: number;
  /** Wall-clock ms since epoch. */
  readonly firstAttemptAt: number | null;
  readonly updatedAt: number;
  readonly completedAt: number | null;
}

export interface LabProgress {
  readonly labId: string;
  readonly status: StepStatus;
  readonly seed: number | null;
  readonly profile: ProfileName | null;
  readonly startedAt: number | null;
  readonly updatedAt: number;
  readonly completedAt: number | null;
  readonly steps: readonly StepProgress[];
}

export interface LabIdRequest {
  readonly labId: string;
}

export interface StepEventRequest {
  readonly labId: string;
  readonly stepId: string;
  /** `attempt`: a check ran and failed; `hint`: a hint was shown; `complete`: the step's checks passed. */
  readonly kind: 'attempt' | 'hint' | 'complete';
  /** The lab's seed and profile, remembered so a lab resumes in the same world. */
  readonly seed?: number;
  readonly profile?: ProfileName;
}

export interface TranscriptRequest {
  /** Lab id, or null for the sandbox. */
  readonly labId: string | null;
  /** Most recent N, default 100. */
  readonly limit?: number;
}

export interface TranscriptRow extends CommandRecord {
  readonly labId: string | null;
  readonly sessionId: string;
  /** Wall-clock ms since epoch when it was saved. */
  readonly savedAt: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Settings

export interface Settings {
  readonly theme: ThemeSetting;
  readonly profile: ProfileName;
  /** Seed for the sandbox world. */
  readonly seed: number;
  readonly fontSize: number;
}

export type SettingsPatch = Partial<Settings>;

// ---------------------------------------------------------------------------------------------------------------
// Emulator views: topology and packet traces

export interface TopologyHost {
  readonly id: string;
  readonly kind: 'workstation' | 'node' | 'pod' | 'vm';
  readonly hostname: string;
  readonly netns: string | null;
}

export interface TopologySnapshot {
  readonly sessionId: string;
  readonly profile: ProfileName;
  readonly seed: number;
  /** Virtual time of the snapshot. */
  readonly now: number;
  readonly hosts: readonly TopologyHost[];
}

export interface PacketHop {
  /** Virtual time of the hop. */
  readonly at: number;
  /** Host / netns where it happened. */
  readonly where: string;
  /** What happened: `tx eth0`, `PREROUTING nat KUBE-SERVICES`, `DNAT 10.244.1.5:8000`, `rx`, … */
  readonly what: string;
  readonly summary: string;
}

export interface PacketTrace {
  readonly id: string;
  readonly summary: string;
  readonly hops: readonly PacketHop[];
}

export interface SessionRequest {
  readonly sessionId: string;
}

// ---------------------------------------------------------------------------------------------------------------
// App-level notices and info

export interface Notice {
  readonly id: string;
  readonly level: 'info' | 'warning' | 'error';
  /** Plain words for the learner. */
  readonly message: string;
}

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  /** Where progress is kept, shown so a learner can back it up. */
  readonly dataDir: string;
}

// ---------------------------------------------------------------------------------------------------------------
// The maps

/** Channel names. The values are the wire names on ipcMain/ipcRenderer and in WebSocket frames. */
export const Invoke = {
  appInfo: 'app:info',
  noticesList: 'notices:list',
  noticesDismiss: 'notices:dismiss',
  terminalOpen: 'terminal:open',
  terminalInput: 'terminal:input',
  terminalResize: 'terminal:resize',
  terminalSubmit: 'terminal:submit',
  terminalClose: 'terminal:close',
  labsList: 'labs:list',
  labsGet: 'labs:get',
  progressGet: 'progress:get',
  progressList: 'progress:list',
  progressRecordStep: 'progress:record-step',
  progressReset: 'progress:reset',
  transcriptList: 'transcript:list',
  settingsGet: 'settings:get',
  settingsUpdate: 'settings:update',
  topologySnapshot: 'topology:snapshot',
  tracesList: 'traces:list',
} as const;

export const Push = {
  terminalOutput: 'terminal:output',
  terminalCommand: 'terminal:command',
  progressChanged: 'progress:changed',
  settingsChanged: 'settings:changed',
  notice: 'notice',
} as const;

export type InvokeChannel = (typeof Invoke)[keyof typeof Invoke];
export type PushEvent = (typeof Push)[keyof typeof Push];

/** Channel → signature. Main handlers, the preload and the web adapter are all typed from this map. */
export interface InvokeMap {
  'app:info': () => Promise<AppInfo>;
  'notices:list': () => Promise<Notice[]>;
  'notices:dismiss': (req: { readonly id: string }) => Promise<void>;
  'terminal:open': (req: TerminalOpenRequest) => Promise<TerminalOpened>;
  'terminal:input': (req: TerminalInputRequest) => Promise<void>;
  'terminal:resize': (req: TerminalResizeRequest) => Promise<void>;
  'terminal:submit': (req: TerminalSubmitRequest) => Promise<CommandRecord>;
  'terminal:close': (req: TerminalCloseRequest) => Promise<void>;
  'labs:list': () => Promise<LabSummary[]>;
  'labs:get': (req: LabIdRequest) => Promise<LabDetail | null>;
  'progress:get': (req: LabIdRequest) => Promise<LabProgress | null>;
  'progress:list': () => Promise<LabProgress[]>;
  'progress:record-step': (req: StepEventRequest) => Promise<LabProgress>;
  'progress:reset': (req: LabIdRequest) => Promise<void>;
  'transcript:list': (req: TranscriptRequest) => Promise<TranscriptRow[]>;
  'settings:get': () => Promise<Settings>;
  'settings:update': (req: SettingsPatch) => Promise<Settings>;
  'topology:snapshot': (req: SessionRequest) => Promise<TopologySnapshot>;
  'traces:list': (req: SessionRequest) => Promise<PacketTrace[]>;
}

/** Event → payload. */
export interface PushMap {
  'terminal:output': TerminalOutputEvent;
  'terminal:command': TerminalCommandEvent;
  'progress:changed': LabProgress;
  'settings:changed': Settings;
  notice: Notice;
}

// A compile-time check that the constant tables and the maps name the same channels, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const invokeTableMatchesMap: Same<InvokeChannel, keyof InvokeMap> = true;
const pushTableMatchesMap: Same<PushEvent, keyof PushMap> = true;
void invokeTableMatchesMap;
void pushTableMatchesMap;

export type RequestOf<C extends InvokeChannel> = Parameters<InvokeMap[C]> extends [infer R] ? R : undefined;
export type ResponseOf<C extends InvokeChannel> = Awaited<ReturnType<InvokeMap[C]>>;

/** Which client (a BrowserWindow's webContents, a WebSocket connection) made a request. */
export interface ClientRef {
  readonly clientId: string;
}

/** What the main process implements: one handler per channel, told which client asked. */
export type MainHandlers = {
  [C in InvokeChannel]: (req: RequestOf<C>, client: ClientRef) => Promise<ResponseOf<C>>;
};

/** What `window.kubeServiceLab` is. */
export interface KubeServiceLabApi {
  invoke<C extends InvokeChannel>(channel: C, ...args: Parameters<InvokeMap[C]>): ReturnType<InvokeMap[C]>;
  /** Subscribe to a push event; returns the unsubscribe function. */
  on<E extends PushEvent>(event: E, listener: (payload: PushMap[E]) => void): () => void;
}

declare global {
  interface Window {
    kubeServiceLab?: KubeServiceLabApi;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The web shell's WebSocket frames (the Electron path uses ipcRenderer.invoke / webContents.send instead).

export type ClientFrame = { readonly kind: 'invoke'; readonly id: number; readonly channel: string; readonly arg?: unknown };

export type ServerFrame =
  | { readonly kind: 'result'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly kind: 'result'; readonly id: number; readonly ok: false; readonly error: string }
  | { readonly kind: 'push'; readonly event: PushEvent; readonly payload: unknown };

/** The Electron IPC channel that carries push events (one channel; the event name travels in the message). */
export const PUSH_IPC_CHANNEL = 'ksl:push';

export const INVOKE_CHANNELS: readonly InvokeChannel[] = Object.values(Invoke);
export const PUSH_EVENTS: readonly PushEvent[] = Object.values(Push);
