/**
 * The offline image catalogue's contract: what a container image offers once running (ports, shell commands,
 * default command, startup logs) and, for web apps, a pure HTTP handler. The network calls `serveHttp` when a
 * TCP connection to the pod's port carries a request; outbound calls (currency-conversion → currency-exchange)
 * go back through the network via `Outbound`.
 */

export interface HttpRequest {
  readonly method: string;
  /** Path with query string, e.g. `/currency-exchange/from/USD/to/INR`. */
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** `HTTP/1.1` */
  readonly httpVersion?: string;
  /** Client address as the server sees it (after any SNAT), for access logs. */
  readonly remoteAddr?: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Reason phrase; defaults from the status. */
  readonly reason?: string;
  /** Header names in the case the server writes them, in order. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Outbound HTTP through the emulated network (DNS, kube-proxy, …); rejects with an Error whose message is what the app would log. */
export interface Outbound {
  httpGet(url: string, headers?: Record<string, string>): Promise<HttpResponse>;
}

export interface PodInfo {
  readonly name: string;
  readonly namespace: string;
  readonly podIP: string;
  readonly nodeName: string;
  readonly containerName: string;
  readonly image: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface AppContext {
  readonly pod: PodInfo;
  /** The container's command line: its command (or the image's entrypoint) and its args (or the image's cmd). */
  readonly argv: readonly string[];
  /** Virtual time, ms since the epoch. */
  readonly now: number;
  /** Append a line to this container's log (`kubectl logs`). */
  log(line: string): void;
}

export interface ImagePort {
  readonly containerPort: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly name?: string;
}

export interface AppImage {
  /** Normalised repository, e.g. `nginx`, `in28min/currency-exchange`, `registry.k8s.io/coredns/coredns`. */
  readonly repository: string;
  /** Tags that exist; `*` accepts any tag (the image is a stand-in for a family of releases). */
  readonly tags: readonly string[] | '*';
  readonly description: string;
  /** What the image listens on when run with its default command. */
  readonly ports: readonly ImagePort[];
  /** Commands available inside the container (`kubectl exec`); empty for distroless images. */
  readonly commands: readonly string[];
  /** Which shell `kubectl exec -- sh` finds, if any. */
  readonly shell: 'busybox' | 'bash' | 'none';
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  /** Compressed size, for the kubelet's `Pulled` event. */
  readonly sizeBytes: number;
  /** Virtual milliseconds a pull takes. */
  readonly pullMs: number;
  /** Whether PID 1 exits on SIGTERM (busybox `sleep` does not; it is killed after the grace period). */
  readonly stopsOnSigterm: boolean;
  /**
   * Given the effective command line, does the main process keep running? (`busybox` with no command runs `sh`,
   * which exits at once without a TTY, so the pod ends in CrashLoopBackOff — as on a real cluster.)
   */
  readonly longRunning: (argv: readonly string[]) => boolean;
  /** The exit status of a main process that ends by itself (not long-running); 0 when absent. */
  readonly exitCode?: (argv: readonly string[]) => number;
  /** Lines the process writes at start-up (the same array may be handed out again: callers only read it). */
  startupLogs(ctx: AppContext): readonly string[];
  /** HTTP handler for requests on `ports`; absent for non-HTTP images. */
  serveHttp?(req: HttpRequest, ctx: AppContext, outbound?: Outbound): HttpResponse | Promise<HttpResponse>;
}

export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
