/**
 * The preload: exposes the contract as `window.kubeServiceLab`, and nothing else. No logic lives here; requests
 * are validated in the main process (main/ipc-validate.ts).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { PUSH_IPC_CHANNEL, type KubeServiceLabApi, type PushEvent } from './contract';

const api: KubeServiceLabApi = {
  invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args) as never,
  on: (event, listener) => {
    const handler = (_e: IpcRendererEvent, message: unknown) => {
      const m = message as { event: PushEvent; payload: never };
      if (m.event === event) listener(m.payload);
    };
    ipcRenderer.on(PUSH_IPC_CHANNEL, handler);
    return () => ipcRenderer.removeListener(PUSH_IPC_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('kubeServiceLab', api);
