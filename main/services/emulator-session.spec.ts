import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeServiceLabApp } from '../app';
import type { TerminalOpened, TopologySnapshot } from '../contract';
import { openEmulatorSession } from './emulator-session';
import type { WallClock } from './world-clock';
import { lazyLabRuntime } from '../testing/lazy-lab-runtime';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ksl-emu-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A wall clock the test moves by hand; every interval fires when it moves. */
function manualClock() {
  let now = 0;
  const timers = new Map<number, () => void>();
  let next = 1;
  const clock: WallClock = {
    now: () => now,
    setInterval: (fn) => (timers.set(next, fn), next++),
    clearInterval: (h) => timers.delete(h as number),
  };
  return { clock, pass: (ms: number) => ((now += ms), [...timers.values()].forEach((f) => f())) };
}

describe('the app with the emulator’s real shell', () => {
  it('runs typed commands in the emulated world, saves them, and lets virtual time follow the wall clock', async () => {
    const wall = manualClock();
    const app = new KubeServiceLabApp({ labRuntime: lazyLabRuntime, dataDir: dir, labs: [], version: 't', openWorldSession: openEmulatorSession, wallClock: wall.clock });
    let out = '';
    app.onPush((_c, event, payload) => {
      if (event === 'terminal:output') out += (payload as { data: string }).data;
    });
    const c = { clientId: 'c' };
    const t = (await app.dispatch('terminal:open', { profile: 'local', cols: 100, rows: 30 }, c)) as TerminalOpened;
    expect(t.prompt).toBe('student@workstation:~$ ');

    await app.dispatch('terminal:input', { sessionId: t.sessionId, data: 'echo hello; hostname\r' }, c);
    await expect.poll(() => out).toContain('hello\r\nworkstation\r\n');

    // `sleep 2` waits for two seconds of virtual time, which the ticker only gives as wall time passes.
    out = '';
    await app.dispatch('terminal:input', { sessionId: t.sessionId, data: 'sleep 2; echo woke\r' }, c);
    await new Promise((r) => setTimeout(r, 20)); // let the shell start the command
    wall.pass(1000);
    await new Promise((r) => setTimeout(r, 20));
    expect(out.split('\r\n')).not.toContain('woke');
    wall.pass(1100);
    await expect.poll(() => out.split('\r\n')).toContain('woke');

    const rows = (await app.dispatch('transcript:list', { labId: null }, c)) as { command: string; output: string }[];
    expect(rows.map((r) => [r.command, r.output])).toEqual([
      ['echo hello; hostname', 'hello\nworkstation\n'],
      ['sleep 2; echo woke', 'woke\n'],
    ]);
    const topo = (await app.dispatch('topology:snapshot', { sessionId: t.sessionId }, c)) as TopologySnapshot;
    expect(topo.hosts.map((h) => h.id)).toContain('workstation');
    expect(topo.now).toBeGreaterThanOrEqual(Date.UTC(2026, 0, 1) + 2000);
    expect(Array.isArray(await app.dispatch('traces:list', { sessionId: t.sessionId }, c))).toBe(true);
    app.dispose();
  });
});
