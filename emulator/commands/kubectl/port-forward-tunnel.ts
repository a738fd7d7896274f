/**
 * The data path of `kubectl port-forward`: listening sockets on the learner's machine, and for every connection
 * accepted there a *new* TCP connection opened inside the pod's network namespace to 127.0.0.1:REMOTE — what
 * the kubelet's CRI streaming server (containerd) does after kubectl asked the API server for the pod's
 * `portforward` subresource. Stream records are relayed both ways.
 *
 * Two connections, and neither meets a Service: no ClusterIP, no KUBE-SERVICES rule, no DNAT — port-forward
 * bypasses kube-proxy, so a Service's iptables counters do not move and the app sees the client 127.0.0.1.
 * The API server → kubelet hop (SPDY/WebSocket streams) is not modelled as packets; a trace shows it as one
 * `proxy` step between the two connections.
 */
import { formatIpv4, parseIpv4, type Ipv4 } from '../../net/addr';
import type { NetNamespace, TcpListener } from '../../net/netns';
import type { StreamData } from '../../net/packet/http';
import type { TcpConnection, TcpEvents } from '../../net/tcp-socket';
import type { TraceStore } from '../../net/trace';
import type { Scheduler } from '../../core/scheduler';

const LOOPBACK: Ipv4 = 0x7f000001;

/** One `[LOCAL:]REMOTE` pair after parsing (LOCAL 0 = pick a free port). */
export interface ForwardedPort {
  local: number;
  readonly remote: number;
}

/** What a forward needs to know about the pod it reaches. */
export interface ForwardTarget {
  /** `namespace/name`. */
  readonly podKey: string;
  /** The pod's network namespace now, or undefined once its sandbox is gone (pod deleted). */
  readonly podNs: () => NetNamespace | undefined;
  /** containerd's id of the pod sandbox and its netns path (for kubectl's error text). */
  readonly sandboxId: string;
  readonly netnsPath: string;
}

export interface TunnelDeps {
  readonly scheduler: Scheduler;
  readonly traces: TraceStore;
  /** `Handling connection for 8080` (kubectl's stdout). */
  readonly out: (line: string) => void;
  /** A klog error line body (`an error occurred forwarding …`), printed with klog's header by the caller. */
  readonly error: (message: string) => void;
  /** The stream to the kubelet broke (kubectl then exits with `error: lost connection to pod`). */
  readonly lost: () => void;
}

/** A listening address as client-go's port forwarder binds it (`localhost` = tcp4 127.0.0.1 + tcp6 ::1). */
export interface ListenAddress {
  readonly address: string;
  readonly protocol: 'tcp4' | 'tcp6';
  /** `all`: an error only if every address of the group failed (localhost); `any`: every failure counts. */
  readonly failureMode: 'all' | 'any';
}

/**
 * IPv6 loopback ports held by port-forwards per local namespace: the emulator's stack is IPv4-only, but kubectl
 * binds [::1] too and a second forward on the same port must fail on both families.
 */
const v6Bound = new WeakMap<NetNamespace, Set<number>>();

export class PortForwardTunnel {
  readonly #listeners: TcpListener[] = [];
  readonly #v6: number[] = [];
  readonly #conns = new Set<TcpConnection>();
  #closed = false;

  constructor(
    readonly localNs: NetNamespace,
    readonly target: ForwardTarget,
    readonly deps: TunnelDeps,
  ) {}

  /** Bind one address for a port; returns the `Error listen …` text on failure. */
  listen(addr: ListenAddress, port: ForwardedPort): string | undefined {
    const shown = addr.protocol === 'tcp6' ? `[${addr.address}]:${port.local}` : `${addr.address}:${port.local}`;
    if (addr.protocol === 'tcp6') {
      const held = v6Bound.get(this.localNs) ?? new Set<number>();
      v6Bound.set(this.localNs, held);
      // A dual-stack listener on all addresses (addr 0) holds the port for IPv6 too.
      if (held.has(port.local) || this.localNs.tcpListeners.get(port.local)?.addr === 0) return `listen tcp6 ${shown}: bind: address already in use`;
      if (addr.address !== '::1' && addr.address !== '::') return `listen tcp6 ${shown}: bind: cannot assign requested address`;
      held.add(port.local);
      this.#v6.push(port.local);
      return undefined;
    }
    const ip = addr.address === '0.0.0.0' ? 0 : parseIpv4(addr.address);
    if (ip === undefined || (ip !== 0 && !this.localNs.isLocal(ip))) return `listen tcp4 ${shown}: bind: cannot assign requested address`;
    if (this.localNs.tcpListeners.has(port.local)) return `listen tcp4 ${shown}: bind: address already in use`;
    this.#listeners.push(this.localNs.listenTcp(port.local, (conn) => this.#accept(conn, port), { addr: ip, process: 'kubectl' }));
    return undefined;
  }

  /** Whether a port is free on every address family kubectl would bind for `localhost`. */
  portFree(port: number): boolean {
    return !this.localNs.tcpListeners.has(port) && !(v6Bound.get(this.localNs)?.has(port) ?? false);
  }

  /** Stop listening and drop the relayed connections (Ctrl-C, `kill %N`, lost connection). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const l of this.#listeners) l.close();
    const held = v6Bound.get(this.localNs);
    for (const p of this.#v6) held?.delete(p);
    for (const c of this.#conns) c.abort();
    this.#conns.clear();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** A local client connected: kubectl opens a stream pair; the runtime dials 127.0.0.1:REMOTE in the pod. */
  #accept(local: TcpConnection, port: ForwardedPort): TcpEvents {
    this.deps.out(`Handling connection for ${port.local}\n`);
    this.#conns.add(local);
    const pending: StreamData[] = [];
    let remote: TcpConnection | undefined;
    let remoteUp = false;
    let localEnded = false;
    const podNs = this.target.podNs();
    this.#trace(local, port, podNs);
    const fail = (errno: string) => {
      // kubectl closes the local connection (the client sees an empty reply), reports the runtime's error, and
      // since client-go 1.23 tears the whole stream connection down: the forward ends.
      this.deps.error(
        `an error occurred forwarding ${port.local} -> ${port.remote}: error forwarding port ${port.remote} to pod ${this.target.sandboxId}, uid : ` +
          `failed to execute portforward in network namespace "${this.target.netnsPath}": failed to connect to localhost:${port.remote} inside namespace "${this.target.sandboxId}", ` +
          `IPv4: dial tcp4 127.0.0.1:${port.remote}: connect: ${errno} IPv6 dial tcp6 [::1]:${port.remote}: connect: ${errno}`,
      );
      local.close();
      this.#conns.delete(local);
      this.deps.lost();
    };
    if (!podNs) {
      this.deps.scheduler.after(0, () => fail('no such file or directory'), { label: 'port-forward' });
    } else {
      remote = podNs.connectTcp({
        dst: LOOPBACK,
        dport: port.remote,
        src: LOOPBACK,
        reqId: local.reqId,
        events: {
          onConnect: (r) => {
            remoteUp = true;
            this.#conns.add(r);
            for (const d of pending.splice(0)) r.send(d);
            if (localEnded) r.close();
          },
          onData: (_r, data) => local.send(data),
          // The app finished its side: copy-to-local is done, kubectl closes the local connection.
          onPeerClose: (r) => {
            local.close();
            r.close();
          },
          onClose: (r, error) => {
            this.#conns.delete(r);
            if (!remoteUp && error) fail(error === 'ECONNREFUSED' ? 'connection refused' : error === 'ETIMEDOUT' ? 'connection timed out' : 'no route to host');
            else if (error) local.abort();
          },
        },
      });
    }
    return {
      onData: (_l, data) => {
        if (remoteUp) remote!.send(data);
        else pending.push(data);
      },
      onPeerClose: (l) => {
        localEnded = true;
        if (remoteUp) remote!.close();
        if (!remote) l.close();
      },
      onClose: (l, error) => {
        this.#conns.delete(l);
        if (error && remote) remote.abort();
      },
    };
  }

  #trace(local: TcpConnection, port: ForwardedPort, podNs: NetNamespace | undefined): void {
    const traces = this.deps.traces;
    if (!traces.wants(local.reqId)) return;
    traces.record({
      time: this.deps.scheduler.now(),
      reqId: local.reqId,
      pid: 0,
      netns: this.localNs.id,
      kind: 'proxy',
      packet: `kubectl port-forward ${formatIpv4(local.localAddr)}:${port.local} -> pod ${this.target.podKey} port ${port.remote}`,
      verdict: podNs ? `new TCP connection in ${podNs.id} to 127.0.0.1:${port.remote}` : 'pod sandbox gone',
      detail:
        `kubectl accepted ${formatIpv4(local.remoteAddr)}:${local.remotePort} on ${formatIpv4(local.localAddr)}:${port.local} and streams it through the API server ` +
        `to the kubelet; the container runtime dials 127.0.0.1:${port.remote} inside the pod's network namespace. ` +
        `No Service, ClusterIP or kube-proxy rule is involved (port-forward bypasses kube-proxy).`,
    });
  }
}
