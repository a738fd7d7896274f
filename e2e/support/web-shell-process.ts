/**
 * Starts the real web shell (`node dist/main/web-main.js`) as a child process, the way `npm run web` does, and
 * reads the one line it prints to learn the URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const URL_LINE = /^Kube Service Lab: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+))$/;

export interface WebShellProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Everything the process printed on stdout. */
  readonly stdout: () => string;
  stop(): Promise<void>;
}

export function tempDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-e2e-data-'));
}

export async function startWebShellProcess(dataDir: string, extraArgs: string[] = []): Promise<WebShellProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['dist/main/web-main.js', '--port', '0', '--no-open', '--data-dir', dataDir, ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web shell printed no URL in 15 s; stderr: ${err}`)), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const first = out.split('\n')[0] ?? '';
      const m = URL_LINE.exec(first);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`web shell exited with ${code}: ${err}`));
    });
  });
  return {
    url: url[1]!,
    port: Number(url[2]),
    dataDir,
    stdout: () => out,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
