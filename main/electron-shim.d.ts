/**
 * The part of Electron's API this app uses. The `electron` package (an optional dependency) ships the full types,
 * but it is absent where its binary cannot be downloaded; this keeps `npm run typecheck` working there too.
 */
declare module 'electron' {
  interface IpcMainInvokeEvent {
    readonly sender: WebContents;
    readonly senderFrame: { readonly url: string } | null;
  }
  interface IpcRendererEvent {
    readonly sender: unknown;
  }
  interface WebContents {
    readonly id: number;
    send(channel: string, ...args: unknown[]): void;
    isDestroyed(): boolean;
    on(event: 'will-navigate' | 'will-redirect', listener: (event: { preventDefault(): void }, url: string) => void): this;
    on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): this;
    on(event: 'destroyed', listener: () => void): this;
    setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void;
  }
  interface BrowserWindowOptions {
    width?: number;
    height?: number;
    minWidth?: number;
    minHeight?: number;
    title?: string;
    show?: boolean;
    backgroundColor?: string;
    autoHideMenuBar?: boolean;
    webPreferences?: {
      preload?: string;
      contextIsolation?: boolean;
      sandbox?: boolean;
      nodeIntegration?: boolean;
      nodeIntegrationInWorker?: boolean;
      nodeIntegrationInSubFrames?: boolean;
      webSecurity?: boolean;
      allowRunningInsecureContent?: boolean;
      webviewTag?: boolean;
      spellcheck?: boolean;
      navigateOnDragDrop?: boolean;
    };
  }
  class BrowserWindow {
    constructor(options?: BrowserWindowOptions);
    readonly webContents: WebContents;
    loadFile(path: string): Promise<void>;
    once(event: 'ready-to-show', listener: () => void): this;
    show(): void;
    static getAllWindows(): BrowserWindow[];
  }
  interface OnHeadersReceivedDetails {
    readonly responseHeaders?: Record<string, string[]>;
  }
  interface Session {
    webRequest: {
      onHeadersReceived(
        listener: (details: OnHeadersReceivedDetails, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void,
      ): void;
    };
    setPermissionRequestHandler(handler: (wc: WebContents, permission: string, callback: (granted: boolean) => void) => void): void;
  }
  const session: { readonly defaultSession: Session };
  const app: {
    whenReady(): Promise<void>;
    getPath(name: 'userData'): string;
    getVersion(): string;
    quit(): void;
    on(event: 'window-all-closed' | 'will-quit', listener: () => void): void;
    on(event: 'activate', listener: () => void): void;
    on(event: 'web-contents-created', listener: (event: unknown, contents: WebContents) => void): void;
    requestSingleInstanceLock(): boolean;
  };
  const ipcMain: {
    handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  };
  const ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
    removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): void;
  };
  const contextBridge: {
    exposeInMainWorld(key: string, api: unknown): void;
  };
}
