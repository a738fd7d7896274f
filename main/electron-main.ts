/**
 * Electron's main process: windows, IPC and security settings only. Everything the app does is in
 * `KubeServiceLabApp` (main/app.ts), which the web shell hosts the same way.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, app, ipcMain, session } from 'electron';
import { LAB_CATALOG } from 'virtual:lab-catalog';
import { KubeServiceLabApp } from './app';
import { INVOKE_CHANNELS, PUSH_IPC_CHANNEL } from './contract';
import { openEmulatorSession } from './services/emulator-session';
import { labRuntime } from './services/lab-runtime';

/** The same policy the web shell sends, minus the WebSocket (Electron uses IPC). */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; " +
  "connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const rendererIndex = path.join(__dirname, '..', 'renderer', 'index.html');
const rendererUrlPrefix = pathToFileURL(path.dirname(rendererIndex)).href + '/';

// One instance: a second launch would open a second connection to the same progress database.
const primary = app.requestSingleInstanceLock();
if (!primary) app.quit();

app.on('web-contents-created', (_event, contents) => {
  // Nothing the page does may take the window elsewhere or open another one.
  contents.on('will-navigate', (e) => e.preventDefault());
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

void app.whenReady().then(() => {
  if (!primary) return;
  const kapp = new KubeServiceLabApp({
    dataDir: app.getPath('userData'),
    labs: LAB_CATALOG,
    version: app.getVersion(),
    openWorldSession: openEmulatorSession,
    // Static, not import(): see AppOptions.labRuntime.
    labRuntime: async () => labRuntime,
  });

  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });

  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, (event, arg) => {
      // Only our own page may call in (not a frame that somehow loaded elsewhere).
      const url = event.senderFrame?.url ?? '';
      if (!url.startsWith(rendererUrlPrefix)) throw new Error('request from an unexpected page');
      return kapp.dispatch(channel, arg, { clientId: `wc${event.sender.id}` });
    });
  }

  kapp.onPush((clientId, event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      const wc = win.webContents;
      if (!wc.isDestroyed() && (clientId === null || clientId === `wc${wc.id}`)) wc.send(PUSH_IPC_CHANNEL, { event, payload });
    }
  });

  const createWindow = () => {
    const win = new BrowserWindow({
      width: 1280,
      height: 800,
      minWidth: 800,
      minHeight: 500,
      title: 'Kube Service Lab',
      show: false,
      autoHideMenuBar: true,
      webPreferences: {
        preload: path.join(__dirname, 'preload.cjs'),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        webviewTag: false,
        navigateOnDragDrop: false,
        spellcheck: false,
      },
    });
    const clientId = `wc${win.webContents.id}`;
    win.webContents.on('destroyed', () => kapp.clientGone(clientId));
    win.once('ready-to-show', () => win.show());
    void win.loadFile(rendererIndex);
  };

  createWindow();
  setImmediate(() => void kapp.prewarm());
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => kapp.dispose());
});
