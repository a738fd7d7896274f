/**
 * In the app's terminal: a foreground `kubectl port-forward` holds the prompt until Ctrl-C, then its listener is
 * gone; `kubectl get pods -w | grep web` shows lines as the watch prints them, not when it ends.
 */
import { describe, expect, it } from 'vitest';
import { runScript } from '../../shell/script-runner';
import { createTerminalSession } from '../../shell/terminal';
import { createWorld } from '../../world';

const tick = () => new Promise<void>((r) => setImmediate(r));

async function setup() {
  const world = createWorld({ profile: 'local', seed: 21 });
  await runScript(world, ['kubectl create deployment web --image=nginx', 'kubectl expose deployment web --port=80', 'kubectl rollout status deployment/web'].join('\n'));
  const term = createTerminalSession(world, { interactive: true, cols: 120, rows: 24 });
  let screen = '';
  term.onOutput((d) => (screen += d));
  const type = async (keys: string) => {
    term.input(keys);
    for (let i = 0; i < 3; i++) await tick();
  };
  /** The app's wall-clock ticker, played by the test. */
  const pass = async (ms: number) => {
    for (let t = 0; t < ms; t += 250) {
      world.scheduler.advance(250);
      await tick();
    }
  };
  return { world, term, type, pass, screen: () => screen, clear: () => (screen = '') };
}

describe('kubectl port-forward in the terminal', () => {
  it('holds the prompt until Ctrl-C; afterwards nothing listens on the port', async () => {
    const t = await setup();
    await t.type('kubectl port-forward svc/web 8080:80\r');
    await t.pass(1000);
    expect(t.term.busy).toBe(true);
    expect(t.screen()).toContain('Forwarding from 127.0.0.1:8080 -> 80\r\nForwarding from [::1]:8080 -> 80\r\n');
    const ns = t.world.network.ns('workstation')!;
    expect(ns.tcpListeners.get(8080)?.process).toBe('kubectl');
    await t.type('\x03');
    await t.pass(250);
    expect(t.term.busy).toBe(false);
    expect(ns.tcpListeners.has(8080)).toBe(false);
  });

  it('as a job it serves curl typed at the next prompt, `jobs` shows it Running, fg + Ctrl-C stops it', async () => {
    const t = await setup();
    await t.type('kubectl port-forward svc/web 8080:80 &\r');
    await t.pass(250);
    const curl = t.term.submit('curl -s localhost:8080 | grep title');
    await t.pass(1000);
    expect((await curl).output).toBe('<title>Welcome to nginx!</title>\n');
    expect(t.screen()).toContain('Handling connection for 8080\r\n');
    expect((await t.term.submit('jobs')).output).toBe('[1]+  Running                 kubectl port-forward svc/web 8080:80 &\n');
    t.clear();
    await t.type('fg\r');
    expect(t.screen()).toContain('kubectl port-forward svc/web 8080:80\r\n');
    expect(t.term.busy).toBe(true);
    await t.type('\x03');
    await t.pass(250);
    expect(t.term.busy).toBe(false);
    expect(t.world.network.ns('workstation')!.tcpListeners.has(8080)).toBe(false);
  });
});

describe('a watch piped into grep', () => {
  it('`kubectl get pods -w | grep web` prints each new matching line while the watch runs', async () => {
    const t = await setup();
    await t.type('kubectl get pods -w | grep web\r');
    await t.pass(500);
    expect(t.screen()).toMatch(/web-[a-z0-9]+-[a-z0-9]+ +1\/1 +Running/);
    expect(t.screen()).not.toContain('NAME');
    t.clear();
    await runScript(t.world, 'kubectl scale deployment web --replicas=2', { settle: false });
    await t.pass(3000);
    expect(t.term.busy).toBe(true);
    expect(t.screen()).toMatch(/web-[a-z0-9]+-[a-z0-9]+ +0\/1 +Pending/);
    await t.type('\x03');
    await t.pass(250);
    expect(t.term.busy).toBe(false);
  });
});
