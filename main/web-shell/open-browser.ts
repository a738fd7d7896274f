/**
 * Opening the web shell as an app window where Electron cannot run: Chromium's `--app=URL` mode with a fresh
 * profile (no extensions, no sync, no first-run dialogs), so it looks and behaves like a desktop window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export function findChromium(exists: (p: string) => boolean = fs.existsSync): string | undefined {
  return CHROMIUM_PATHS.find(exists);
}

export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  return platform !== 'linux' || Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

export function chromiumArgs(url: string, userDataDir: string): string[] {
  return [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${userDataDir}`,
    '--window-size=1280,800',
    `--app=${url}`,
  ];
}

/** Start Chromium on `url`; its throwaway profile is removed when it exits. */
export function openAppWindow(chromium: string, url: string): ChildProcess {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-service-lab-chromium-'));
  const child = spawn(chromium, chromiumArgs(url, profile), { stdio: 'ignore' });
  child.on('exit', () => fs.rmSync(profile, { recursive: true, force: true }));
  return child;
}
