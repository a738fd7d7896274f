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
  const app = new KubeServiceLabApp({
    dataDir: args.dataDir,
    labs: LAB_CATALOG,
    version: __APP_VERSION__,
    // Loaded after the server listens: the browser fetches the page while the emulator's code compiles.
    openWorldSession: new Promise((resolve) => setImmediate(resolve)).then(() =>
      import('../services/emulator-session').then((m) => m.openEmulatorSession),
    ),
  });
  let shell;
  try {
    shell = await startWebShell({ app, rendererDir: path.join(here, '..', 'renderer'), port: args.port });
  } catch (err) {
    app.dispose();
    const code = (err as NodeJS.ErrnoException).code;
    console.error(`kube-service-lab: cannot listen on 127.0.0.1:${args.port}: ${code === 'EADDRINUSE' ? 'the port is in use' : String(err)}`);
    process.exit(1);
  }
  console.log(`Kube Service Lab: ${shell.url}`);
  // While the browser loads the page, build the world its terminal will ask for.
  app.prewarm().catch((err: unknown) => console.error(`kube-service-lab: ${err instanceof Error ? err.stack : String(err)}`));

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
