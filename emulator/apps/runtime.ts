/**
 * The container runtime (containerd's role): which containers run in which pod, what they listen on, and their
 * logs. The kubelet starts and stops containers here; the network asks it who listens on `podIP:port` and hands
 * it HTTP requests (`serveHttp`); `kubectl logs` reads `logs`.
 */
import { Emitter, type Disposable } from '../core/events';
import type { Scheduler } from '../core/scheduler';
import type { ImageRef } from './catalogue';
import type { AppContext, AppImage, HttpRequest, HttpResponse, ImagePort, Outbound, PodInfo } from './types';

export interface LogLine {
  /** Virtual ms since the epoch. */
  readonly t: number;
  readonly text: string;
}

export interface LogLineEvent {
  readonly podKey: string;
  readonly container: string;
  readonly line: LogLine;
}

/** One container's log buffers: the current instance's and the previous one's (`kubectl logs --previous`). */
interface ContainerLog {
  readonly name: string;
  current: LogLine[] | undefined;
  previous: LogLine[] | undefined;
}

/**
 * Per-container log buffers, current and previous instance (`kubectl logs --previous`), kept per pod (looked up
 * with the pod key the runtime already hashed; a pod's logs go with it at once).
 */
export class ContainerLogs {
  /** podKey → its containers' logs (one or a few: a short list). */
  readonly #pods = new Map<string, ContainerLog[]>();
  readonly #onLine = new Emitter<LogLineEvent>();
  /** `onLine(listener) → Disposable`, for `kubectl logs -f`. */
  readonly onLine = this.#onLine.event;
  static readonly MAX_LINES = 10_000;

  append(podKey: string, container: string, text: string, t: number): void {
    this.appendAll(podKey, container, [text], t);
  }

  /**
   * Several lines written at the same instant (a container's start-up output): one buffer lookup for all. The
   * same texts at the same instant (every replica an image starts in one instant: `startupLogs` hands out one
   * array per instant) become the same line records, shared by those containers' logs: lines are never changed.
   */
  appendAll(podKey: string, container: string, texts: readonly string[], t: number): void {
    if (texts.length === 0) return;
    const log = this.#logOf(podKey, container);
    let buf = log.current;
    const lines = this.#linesOf(texts, t);
    if (!buf && lines.length <= ContainerLogs.MAX_LINES && this.#onLine.size === 0) {
      log.current = lines.slice();
      return;
    }
    if (!buf) log.current = buf = [];
    const listened = this.#onLine.size > 0;
    for (const line of lines) {
      buf.push(line);
      if (buf.length > ContainerLogs.MAX_LINES) buf.splice(0, buf.length - ContainerLogs.MAX_LINES);
      if (listened) this.#onLine.fire({ podKey, container, line });
    }
  }

  #lastTexts: readonly string[] | undefined;
  #lastT = 0;
  #lastLines: readonly LogLine[] = [];

  #linesOf(texts: readonly string[], t: number): readonly LogLine[] {
    if (texts === this.#lastTexts && t === this.#lastT) return this.#lastLines;
    const lines: LogLine[] = [];
    for (let i = 0; i < texts.length; i++) lines.push({ t, text: texts[i]! });
    this.#lastTexts = texts;
    this.#lastT = t;
    this.#lastLines = lines;
    return lines;
  }

  /** The container's log record, made on first use. */
  #logOf(podKey: string, container: string): ContainerLog {
    const logs = this.#pods.get(podKey);
    if (logs) for (const log of logs) if (log.name === container) return log;
    const log: ContainerLog = { name: container, current: undefined, previous: undefined };
    // A one-element literal: most pods have one container (a push onto [] reserves room for seventeen).
    if (logs) logs.push(log);
    else this.#pods.set(podKey, [log]);
    return log;
  }

  /** Lines of a container, or undefined when it has never run. */
  lines(podKey: string, container: string, opts: { previous?: boolean } = {}): readonly LogLine[] | undefined {
    const logs = this.#pods.get(podKey);
    if (logs) for (const log of logs) if (log.name === container) return opts.previous ? log.previous : log.current;
    return undefined;
  }

  /** The container restarted: its log becomes the previous one. */
  rotate(podKey: string, container: string): void {
    const log = this.#logOf(podKey, container);
    if (log.current) log.previous = log.current;
    log.current = [];
  }

  removePod(podKey: string): void {
    this.#pods.delete(podKey);
  }
}

export interface RunningContainer {
  readonly podKey: string;
  readonly name: string;
  readonly image: AppImage;
  readonly ref: ImageRef;
  readonly pod: PodInfo;
  /** The effective command line (see AppContext.argv). */
  readonly argv: readonly string[];
  readonly startedAt: number;
  /** What it listens on (the image's ports; a pod's declared containerPorts are informational, as in Kubernetes). */
  readonly ports: readonly ImagePort[];
  readonly hostNetwork: boolean;
}

export type RuntimeChange = { type: 'started' | 'stopped'; container: RunningContainer };

export class ContainerRuntime {
  readonly logs = new ContainerLogs();
  /** podKey → its containers in start order (a pod has one or a few: a short list, not a map per pod). */
  readonly #byPod = new Map<string, RunningContainer[]>();
  readonly #changes = new Emitter<RuntimeChange>();
  /** `onChange(listener) → Disposable`: a container started or stopped. */
  readonly onChange = this.#changes.event;

  constructor(private readonly scheduler: Scheduler) {}

  start(c: Omit<RunningContainer, 'startedAt'>): RunningContainer {
    // Built field by field: a spread of the caller's object is a generic copy on every container start.
    const running: RunningContainer = { podKey: c.podKey, name: c.name, image: c.image, ref: c.ref, pod: c.pod, argv: c.argv, startedAt: this.scheduler.now(), ports: c.ports, hostNetwork: c.hostNetwork };
    const list = this.#byPod.get(c.podKey);
    if (!list) this.#byPod.set(c.podKey, [running]);
    else {
      // A restarted container takes its own place in the list.
      const i = list.findIndex((x) => x.name === c.name);
      if (i >= 0) list[i] = running;
      else list.push(running);
    }
    this.logs.appendAll(c.podKey, c.name, c.image.startupLogs(this.#context(running)), running.startedAt);
    if (this.#changes.size) this.#changes.fire({ type: 'started', container: running });
    return running;
  }

  stop(podKey: string, name?: string): void {
    const list = this.#byPod.get(podKey);
    if (!list) return;
    for (const c of [...list]) {
      if (name !== undefined && c.name !== name) continue;
      list.splice(list.indexOf(c), 1);
      this.#changes.fire({ type: 'stopped', container: c });
    }
    if (list.length === 0) this.#byPod.delete(podKey);
  }

  containersOf(podKey: string): RunningContainer[] {
    const list = this.#byPod.get(podKey);
    return list ? [...list] : [];
  }

  /** The container listening on `ip:port/protocol` (pod IP; hostNetwork pods listen on the node IP). */
  listener(ip: string, port: number, protocol: 'TCP' | 'UDP' = 'TCP'): RunningContainer | undefined {
    for (const list of this.#byPod.values())
      for (const c of list) if (c.pod.podIP === ip && c.ports.some((p) => p.containerPort === port && p.protocol === protocol)) return c;
    return undefined;
  }

  /**
   * Hand an HTTP request to whatever listens on `ip:port`; undefined when nothing listens there (the network then
   * answers with a TCP RST: "Connection refused"). Requests are logged by the app as it would log them.
   */
  serveHttp(ip: string, port: number, req: HttpRequest, outbound?: Outbound): Promise<HttpResponse> | undefined {
    const c = this.listener(ip, port, 'TCP');
    if (!c || !c.image.serveHttp) return undefined;
    return Promise.resolve(c.image.serveHttp(req, this.#context(c), outbound));
  }

  #context(c: RunningContainer): AppContext {
    return new ContainerContext(c, this.logs, this.scheduler);
  }

  dispose(): Disposable {
    return { dispose: () => this.#changes.dispose() };
  }
}

/** What a container's process sees: its pod, the virtual clock (read at each use) and its own log. */
class ContainerContext implements AppContext {
  readonly pod: PodInfo;

  constructor(
    private readonly container: RunningContainer,
    private readonly logs: ContainerLogs,
    private readonly scheduler: Scheduler,
  ) {
    this.pod = container.pod;
  }

  get argv(): readonly string[] {
    return this.container.argv;
  }

  get now(): number {
    return this.scheduler.now();
  }

  log(line: string): void {
    this.logs.append(this.container.podKey, this.container.name, line, this.scheduler.now());
  }
}
