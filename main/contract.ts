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
  /**
   * A resumed lab's earlier commands and their output, as the terminal showed them before the app closed (CRLF
   * line endings), to write before the prompt. Absent for a new session.
   */
  readonly resumedScreen?: string;
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
  /** Wall-clock ms the learner spent while this step was the one being worked on. */
  readonly timeSpentMs: number;
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
// Lab sessions: a lab running in a terminal session's world (labs/engine LabSession). The views are the engine's
// plain-data types, so what the renderer draws is exactly what the engine graded.

export type { CheckResult, LabView, QuizFeedback, QuizView, StepView } from '../labs/engine/types';
export type { TranscriptFile } from '../labs/engine/transcript';
import type { LabView as EngineLabView, QuizFeedback as EngineQuizFeedback } from '../labs/engine/types';
import type { TranscriptFile as EngineTranscriptFile } from '../labs/engine/transcript';

export interface LabStepRequest {
  readonly sessionId: string;
  readonly stepId: string;
}

export interface LabAnswerRequest extends LabStepRequest {
  readonly choices: readonly string[];
}

export interface LabAnswered {
  readonly feedback: EngineQuizFeedback;
  readonly view: EngineLabView;
}

export interface LabExportRequest {
  /** One lab, or every lab with progress when undefined. */
  readonly labId?: string;
}

/** One lab's export: a transcript file `svclab grade` reads as is, plus the saved progress for the instructor. */
export type LabExportEntry = EngineTranscriptFile & { readonly progress: LabProgress | null };

export interface LabExport {
  readonly app: string;
  /** Wall-clock ms. */
  readonly exportedAt: number;
  readonly labs: readonly LabExportEntry[];
}

export interface LabChangedEvent {
  readonly sessionId: string;
  readonly view: EngineLabView;
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
  tracesRequests: 'traces:requests',
  tracesHops: 'traces:hops',
  tracesPcap: 'traces:pcap',
  topologyGraph: 'topology:graph',
  resourcesTree: 'resources:tree',
  resourcesGet: 'resources:get',
  resourcesChains: 'resources:chains',
  editorSave: 'editor:save',
  editorReadFile: 'editor:read-file',
  editorWriteFile: 'editor:write-file',
  labStart: 'lab:start',
  labView: 'lab:view',
  labCheck: 'lab:check',
  labHint: 'lab:hint',
  labAnswer: 'lab:answer',
  labReset: 'lab:reset',
  labExport: 'lab:export',
} as const;

export const Push = {
  terminalOutput: 'terminal:output',
  terminalCommand: 'terminal:command',
  progressChanged: 'progress:changed',
  settingsChanged: 'settings:changed',
  notice: 'notice',
  tracesChanged: 'traces:changed',
  topologyChanged: 'topology:changed',
  editorOpen: 'editor:open',
  labChanged: 'lab:changed',
} as const;

export type InvokeChannel = (typeof Invoke)[keyof typeof Invoke];
export type PushEvent = (typeof Push)[keyof typeof Push];

/** Channel → signature. Main handlers, the preload and the web adapter are all typed from this map. */
export interface InvokeMap extends ViewInvokeMap {
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
  /** Run the lab of a terminal session (opened with `labId`) in its world: setup, then resume from saved progress. */
  'lab:start': (req: SessionRequest) => Promise<EngineLabView>;
  'lab:view': (req: SessionRequest) => Promise<EngineLabView>;
  /** The Check button: evaluate now; a step still failing counts an attempt. */
  'lab:check': (req: LabStepRequest) => Promise<EngineLabView>;
  /** Reveal the step's next hint (counted). */
  'lab:hint': (req: LabStepRequest) => Promise<EngineLabView>;
  'lab:answer': (req: LabAnswerRequest) => Promise<LabAnswered>;
  /** Forget the lab's progress, seed, answers and commands; the renderer then opens a fresh session. */
  'lab:reset': (req: LabIdRequest) => Promise<void>;
  'lab:export': (req: LabExportRequest) => Promise<LabExport>;
}

/** Event → payload. */
export interface PushMap extends ViewPushMap {
  'terminal:output': TerminalOutputEvent;
  'terminal:command': TerminalCommandEvent;
  'progress:changed': LabProgress;
  /** A background check (after a command, or as pods become ready) changed what the lab panel shows. */
  'lab:changed': LabChangedEvent;
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

// ---------------------------------------------------------------------------------------------------------------
// Simulation mode, per-hop inspector, topology graph, resource inspector (issue 7)
// Their channels are in the tables above; their signatures in `ViewInvokeMap` / `ViewPushMap`, which the maps extend.

export type TraceProtocol = 'DNS' | 'HTTP' | 'TCP' | 'UDP' | 'ICMP' | 'ARP' | 'OTHER';

export interface TraceRequestInfo {
  readonly id: number;
  /** What started it, e.g. `curl http://web:80/`. */
  readonly label: string;
  readonly host: string;
  readonly startedAt: number;
  readonly hopCount: number;
  readonly packetCount: number;
}

export interface NetfilterStepInfo {
  readonly hook: string;
  readonly table: string;
  readonly chain: string;
  /** 1-based rule number, 0 for the chain's policy. */
  readonly ruleNum: number;
  /** The rule as iptables-save prints it. */
  readonly ruleText: string;
  readonly verdict: string;
}

/** One hop of one packet, as the emulator recorded it (emulator/net/trace.ts), plus its protocol. */
export interface TraceHopInfo {
  readonly seq: number;
  readonly at: number;
  readonly reqId: number;
  /** Network-wide packet id: the same packet across hops. */
  readonly pid: number;
  /** Network namespace where it happened (`node/worker-1`, `pod/default/web-…`, `workstation`). */
  readonly where: string;
  readonly kind: 'xmit' | 'recv' | 'hook' | 'route' | 'arp' | 'bridge' | 'nat' | 'deliver' | 'proxy' | 'drop';
  readonly iface?: string;
  readonly dir?: 'in' | 'out';
  /** The packet as `tcpdump -n` prints it at this point. */
  readonly packet: string;
  readonly protocol: TraceProtocol;
  readonly hook?: string;
  readonly steps?: readonly NetfilterStepInfo[];
  readonly verdict?: string;
  readonly conntrack?: { readonly line: string; readonly state: string };
  readonly natBefore?: string;
  readonly natAfter?: string;
  readonly route?: string;
  readonly detail?: string;
}

export interface TraceHopsRequest {
  readonly sessionId: string;
  readonly requestId: number;
  /** Only hops recorded after this one (`seq`): a live view fetches what is new, not the whole trace again. */
  readonly afterSeq?: number;
}

export interface PcapExport {
  readonly fileName: string;
  /** pcap bytes, base64 (plain data crosses IPC and a WebSocket unchanged). */
  readonly base64: string;
  readonly packets: number;
}

export type TopologyNodeKind =
  | 'workstation'
  | 'internet'
  | 'router'
  | 'internet-host'
  | 'node'
  | 'pod'
  | 'service'
  | 'loadbalancer'
  | 'vm';

export interface TopologyNode {
  /** Network namespace id for hosts (hops name it in `where`); `svc/<ns>/<name>` for Services. */
  readonly id: string;
  readonly kind: TopologyNodeKind;
  readonly label: string;
  readonly ips: readonly string[];
  /** Pods: the node it runs on; undefined for others. */
  readonly parent?: string;
  /** 'ready' | 'not-ready' | 'unknown'; Services: 'ready' when they have endpoints. */
  readonly status: 'ready' | 'not-ready' | 'unknown';
  /** Role tags: `coredns`, `ingress-controller`, `control-plane`. */
  readonly roles: readonly string[];
  readonly detail: string;
}

export interface TopologyLink {
  readonly id: string;
  readonly from: string;
  readonly to: string;
  readonly kind: 'cable' | 'endpoint';
  readonly label: string;
}

export interface TopologyGraph {
  readonly sessionId: string;
  readonly now: number;
  readonly nodes: readonly TopologyNode[];
  readonly links: readonly TopologyLink[];
}

export interface ResourceRef {
  readonly sessionId: string;
  /** Plural resource (`pods`, `services`, …). */
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
}

export interface ResourceTreeEntry {
  readonly resource: string;
  readonly kind: string;
  readonly namespace: string | null;
  readonly name: string;
}

export interface ResourceTree {
  /** namespace ('' = cluster-scoped) → kind → names. */
  readonly groups: readonly {
    readonly namespace: string;
    readonly kinds: readonly { readonly kind: string; readonly resource: string; readonly names: readonly string[] }[];
  }[];
}

export interface ResourceDetail {
  readonly kind: string;
  readonly yaml: string;
  /** Events about this object, oldest first, as `kubectl events` prints their fields. */
  readonly events: readonly { readonly type: string; readonly reason: string; readonly message: string; readonly count: number }[];
  /** Services: their Endpoints as YAML (shown next to the Service). */
  readonly endpointsYaml?: string;
  /** Services: the nodes whose iptables chains can be shown. */
  readonly nodes?: readonly string[];
}

export interface ServiceChainsRequest {
  readonly sessionId: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
}

export interface ServiceChains {
  readonly node: string;
  /** The nat-table lines (iptables-save format) of this Service's chains on the node. */
  readonly lines: readonly string[];
}

export interface TraceChangedEvent {
  readonly sessionId: string;
  readonly requestId: number;
}

export interface TopologyChangedEvent {
  readonly sessionId: string;
}

export interface ViewInvokeMap {
  'traces:requests': (req: SessionRequest) => Promise<TraceRequestInfo[]>;
  'traces:hops': (req: TraceHopsRequest) => Promise<TraceHopInfo[]>;
  'traces:pcap': (req: TraceHopsRequest) => Promise<PcapExport>;
  'topology:graph': (req: SessionRequest) => Promise<TopologyGraph>;
  'resources:tree': (req: SessionRequest) => Promise<ResourceTree>;
  'resources:get': (req: ResourceRef) => Promise<ResourceDetail>;
  'resources:chains': (req: ServiceChainsRequest) => Promise<ServiceChains>;
  'editor:save': (req: EditorSaveRequest) => Promise<EditorSaveResult>;
  'editor:read-file': (req: EditorFileRequest) => Promise<EditorFile>;
  'editor:write-file': (req: EditorFile & { readonly sessionId: string }) => Promise<void>;
}

export interface ViewPushMap {
  'traces:changed': TraceChangedEvent;
  'topology:changed': TopologyChangedEvent;
  'editor:open': EditorOpenEvent;
}

/** `kubectl edit` (or `vi`) asked the app's editor to open a document. */
export interface EditorOpenEvent {
  readonly sessionId: string;
  readonly editorId: number;
  readonly title: string;
  readonly content: string;
}

export interface EditorSaveRequest {
  readonly sessionId: string;
  readonly editorId: number;
  readonly text: string;
}

export interface EditorSaveResult {
  readonly ok: boolean;
  /** What the command printed (`deployment.apps/web edited`) or the error to show. */
  readonly message: string;
}

export interface EditorFileRequest {
  readonly sessionId: string;
  /** Absolute or `~/`-relative path on the login host. */
  readonly path: string;
}

export interface EditorFile {
  readonly path: string;
  readonly content: string;
}
