/**
 * `window.kubeServiceLab` for the web shell: the same `KubeServiceLabApi` the Electron preload exposes, carried
 * over the web shell's WebSocket. The renderer uses whichever is present and cannot tell them apart.
 */
import type {
  ClientFrame,
  InvokeChannel,
  InvokeMap,
  KubeServiceLabApi,
  Notice,
  PushEvent,
  PushMap,
  ServerFrame,
} from '../../../main/contract';

export const CONNECTION_LOST: Notice = {
  id: 'connection-lost',
  level: 'error',
  message: 'The connection to Kube Service Lab was lost. Start it again and open the link it prints.',
};

/** The small part of WebSocket the adapter needs (a fake in tests). */
export interface SocketLike {
  send(data: string): void;
  addEventListener(type: 'message', fn: (e: { data: unknown }) => void): void;
  addEventListener(type: 'close' | 'open' | 'error', fn: () => void): void;
}

export function createSocketApi(socket: SocketLike): KubeServiceLabApi {
  let nextId = 0;
  let closed = false;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: never) => void>>();

  const emit = (event: string, payload: unknown) => {
    for (const l of [...(listeners.get(event) ?? [])]) (l as (p: unknown) => void)(payload);
  };

  socket.addEventListener('message', (e) => {
    const frame = JSON.parse(String(e.data)) as ServerFrame;
    if (frame.kind === 'push') return emit(frame.event, frame.payload);
    const p = pending.get(frame.id);
    if (!p) return;
    pending.delete(frame.id);
    if (frame.ok) p.resolve(frame.value === null ? undefined : frame.value);
    else p.reject(new Error(frame.error));
  });
  socket.addEventListener('close', () => {
    closed = true;
    for (const p of pending.values()) p.reject(new Error(CONNECTION_LOST.message));
    pending.clear();
    emit('notice', CONNECTION_LOST);
  });

  return {
    invoke<C extends InvokeChannel>(channel: C, ...args: Parameters<InvokeMap[C]>): ReturnType<InvokeMap[C]> {
      const promise = new Promise((resolve, reject) => {
        if (closed) return reject(new Error(CONNECTION_LOST.message));
        const id = ++nextId;
        pending.set(id, { resolve, reject });
        const frame: ClientFrame = { kind: 'invoke', id, channel, arg: args[0] };
        socket.send(JSON.stringify(frame));
      });
      return promise as ReturnType<InvokeMap[C]>;
    },
    on<E extends PushEvent>(event: E, listener: (payload: PushMap[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
  };
}

/** Connect to the web shell that served this page, with the token from the page's URL. */
export function connectWebShell(location: Location): Promise<KubeServiceLabApi> {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const socket = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
  return new Promise((resolve, reject) => {
    const api = createSocketApi(socket);
    socket.addEventListener('open', () => resolve(api));
    socket.addEventListener('error', () => reject(new Error('Could not connect to Kube Service Lab.')));
  });
}
