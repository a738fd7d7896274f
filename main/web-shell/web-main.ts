/**
 * `npm run web [-- --port N --no-open --data-dir DIR]`: the app as a web shell. Prints exactly one line,
 * `Kube Service Lab: http://127.0.0.1:PORT/?token=…`, then serves until interrupted (or until the app window it
 * opened is closed).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAB_CATALOG } from 'virtual:lab-catalog';
import { KubeServiceLabApp } from '../app';
import { USAGE, UsageError, parseWebShellArgs } from './cli-args';
import { findChromium, hasDisplay, openAppWindow } from './open-browser';
import { startWebShell } from './server';

/** Without a browser asking for the page, the emulator is built this long after the URL is printed anyway. */
const WARM_UP_GRACE_MS = 1500;

async function main(): Promise<void> {
  let args;
  try {
    args = parseWebShellArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`kube-service-lab: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  if (args.help) {
    console.log(USAGE);
    return;
  }
  const here = path.dirname(fileURLToPath(import.meta.url));
  // Loading the emulator's code and building the first world block this process for a few hundred milliseconds.
  // They start once the browser has the renderer's script (it parses it meanwhile, on the other core), or after
  // a grace period when no browser comes; never while the page's own files are still being asked for.
  let startEmulator!: () => void;
  const emulatorWanted = new Promise<void>((resolve) => (startEmulator = resolve));
  const app = new KubeServiceLabApp({
    dataDir: args.dataDir,
    labs: LAB_CATALOG,
    version: __APP_VERSION__,
    openWorldSession: emulatorWanted.then(() => import('../services/emulator-session').then((m) => m.openEmulatorSession)),
    labRuntime: () => import('../services/lab-runtime').then((m) => m.labRuntime),
  });
  let warming = false;
  const warmUp = () => {
    if (warming) return;
    warming = true;
    startEmulator();
    app.prewarm().catch((err: unknown) => console.error(`kube-service-lab: ${err instanceof Error ? err.stack : String(err)}`));
  };
  let shell;
  try {
    shell = await startWebShell({ app, rendererDir: path.join(here, '..', 'renderer'), port: args.port, onScriptSent: warmUp });
  } catch (err) {
    app.dispose();
    const code = (err as NodeJS.ErrnoException).code;
    console.error(`kube-service-lab: cannot listen on 127.0.0.1:${args.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : String(err)}`);
    process.exit(1);
  }
  console.log(`Kube Service Lab: ${shell.url}`);
  setTimeout(warmUp, WARM_UP_GRACE_MS).unref();

  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    await shell.close();
    app.dispose();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  if (args.open) {
    const chromium = findChromium();
    if (chromium && hasDisplay()) {
      // The window is the app: when the learner closes it, the web shell stops too.
      openAppWindow(chromium, shell.url).on('exit', () => void stop());
    } else {
      console.error(chromium ? 'No display found: open the link above in a browser.' : 'Chromium was not found: open the link above in a browser.');
    }
  }
}

main().catch((err: unknown) => {
  console.error(`kube-service-lab: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
