import { describe, expect, it } from 'vitest';
import { shellWorld } from './testing/run-line';
import { createTerminalSession } from './terminal';
import { Pipe } from './pipe';
import type { CommandContext } from './types';
import type { World } from '../world';

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * `feed`: a producer that prints the lines it is handed while it runs, until `feed.end()` (a stand-in for
 * `kubectl get pods -w`). `observe`: a background observer that returns at once when started with `&` and whose
 * promise settles only at `observe.stop()` or `kill` (a stand-in for `tcpdump -c 5 &` / `kubectl port-forward &`).
 */
function withTestCommands(world: World) {
  let write: ((line: string) => void) | undefined;
  let end: (() => void) | undefined;
  world.registerCommand({
    name: 'feed',
    summary: 'test producer',
    run: (ctx: CommandContext) =>
      new Promise<number>((resolve) => {
        write = (line) => ctx.stdout.write(line + '\n');
        end = () => resolve(0);
        ctx.signal.addEventListener('abort', () => resolve(130));
      }),
  });
  let stopObserver: (() => void) | undefined;
  world.registerCommand({
    name: 'observe',
    summary: 'test observer',
    run: (ctx: CommandContext) =>
      new Promise<number>((resolve) => {
        ctx.stdout.write(`observing${ctx.background ? ' in the background' : ''}\n`);
        stopObserver = () => resolve(0);
        ctx.signal.addEventListener('abort', () => resolve(143));
      }),
  });
  return {
    feed: { line: (l: string) => write!(l), end: () => end!() },
    observe: { stop: () => stopObserver!() },
  };
}

function setup() {
  const world = shellWorld({ seed: 7 });
  const cmds = withTestCommands(world);
  const term = createTerminalSession(world, { interactive: true, cols: 80, rows: 24 });
  let screen = '';
  term.onOutput((d) => (screen += d));
  const type = async (keys: string) => {
    term.input(keys);
    await tick();
  };
  return { world, term, ...cmds, type, screen: () => screen, clear: () => (screen = '') };
}

describe('pipes stream into filters that read incrementally', () => {
  it('`producer | grep web` shows each matching line as the producer writes it, before the producer ends', async () => {
    const t = setup();
    await t.type('feed | grep web\r');
    expect(t.term.busy).toBe(true);
    t.feed.line('NAME      READY   STATUS');
    t.feed.line('web-1     0/1     Pending');
    await tick();
    expect(t.screen()).toContain('web-1     0/1     Pending\r\n');
    expect(t.screen()).not.toContain('NAME');
    t.feed.line('db-1      1/1     Running');
    t.feed.line('web-1     1/1     Running');
    await tick();
    expect(t.screen()).toContain('web-1     1/1     Running\r\n');
    expect(t.screen()).not.toContain('db-1');
    await t.type('\x03');
    await tick();
    expect(t.term.busy).toBe(false);
  });

  it('`producer | head -2` prints two lines as they come, then ends the line: the producer is stopped (SIGPIPE)', async () => {
    const t = setup();
    await t.type('feed | head -2; echo after\r');
    t.feed.line('one');
    await tick();
    expect(t.screen()).toContain('one\r\n');
    expect(t.term.busy).toBe(true);
    t.feed.line('two');
    t.feed.line('three');
    await tick();
    await tick();
    expect(t.term.busy).toBe(false);
    expect(t.screen()).toContain('one\r\ntwo\r\nafter\r\n');
    expect(t.screen()).not.toContain('three');
  });

  it('an endless loop into head stops once head has its lines; grep -m1 stops its producer too', async () => {
    const { TestShell } = await import('./testing/run-line');
    const sh = new TestShell();
    const r = await sh.run('while true; do echo y; done | head -3');
    expect(r.out).toBe('y\ny\ny\n');
    expect(r.err).toBe('');
    const g = await sh.run('i=0; while true; do i=$((i+1)); echo line$i; done | grep -m1 line7');
    expect(g.out).toBe('line7\n');
    expect(g.err).toBe('');
  });

  it('head and grep still read files and `-` whole when a pipe is there', async () => {
    const { TestShell } = await import('./testing/run-line');
    const sh = new TestShell();
    await sh.run("printf 'f1\\nf2\\n' > /tmp/f");
    await sh.run("printf 'a\\nb\\nc\\n' > /tmp/abc");
    expect((await sh.run("printf 'a\\nb\\nc\\n' | head -c 3")).out).toBe((await sh.run('head -c 3 /tmp/abc')).out);
    expect((await sh.run("printf 'a\\nb\\nc\\n' | head -n -1")).out).toBe('a\nb\n');
    expect((await sh.run("printf 'x1\\n' | grep 1 - /tmp/f")).out).toBe('(standard input):x1\n/tmp/f:f1\n');
  });

  it('a filter that does not stream (sort) still gets the whole output once the producer exits', async () => {
    const t = setup();
    await t.type('feed | sort\r');
    t.feed.line('b');
    t.feed.line('a');
    await tick();
    expect(t.screen()).not.toContain('a\r\nb');
    t.feed.end();
    await tick();
    await tick();
    expect(t.screen()).toContain('a\r\nb\r\n');
  });

  it('`producer | awk` and `producer | sed` print each record as it arrives (sed one line behind, for `$`)', async () => {
    const t = setup();
    await t.type("feed | awk 'NR>1 {print $1}'\r");
    t.feed.line('NAME      READY   STATUS');
    t.feed.line('web-1     0/1     Pending');
    await tick();
    expect(t.screen()).toContain('web-1\r\n');
    expect(t.screen()).not.toContain('NAME');
    t.feed.line('web-2     0/1     Pending');
    await tick();
    expect(t.screen()).toContain('web-2\r\n');
    t.feed.end();
    await tick();
    await tick();
    expect(t.term.busy).toBe(false);
    t.clear();
    await t.type("feed | sed -n 's/Pending/Waiting/p; $s/^/last: /p'\r");
    t.feed.line('a Pending');
    t.feed.line('b Running');
    await tick();
    expect(t.screen()).toContain('a Waiting\r\n');
    t.feed.line('c Pending');
    t.feed.end();
    await tick();
    await tick();
    expect(t.screen()).toContain('c Waiting\r\nlast: c Waiting\r\n');
    expect(t.term.busy).toBe(false);
  });

  it('awk and sed over a streamed pipe print what they print over the same whole text', async () => {
    const { TestShell } = await import('./testing/run-line');
    const sh = new TestShell({ world: shellWorld({ seed: 1 }) });
    const text = 'a 1\nb 2\nc 3\nd 4';
    await sh.run(`printf '${text.replace(/\n/g, '\\n')}' > /tmp/in`);
    const programs = [
      "awk '{s+=$2} END {print s, NR}'", "awk -F' ' 'NR%2==0 {print $1}'", "awk 'BEGIN {print \"h\"} /c/ {next} {print}'",
      "sed -n '$p'", "sed '2d'", "sed 's/[0-9]/N/; 3q'", "sed -n '2,3p'", "sed '$s/$/!/'", "awk '{print}' - /tmp/in",
    ];
    for (const prog of programs) {
      // `- /tmp/in` over a pipe reads the pipe then the file: the file twice, as naming it twice does.
      const whole = await sh.run(prog.includes(' - ') ? prog.replace(' - ', ' /tmp/in ') : `${prog} /tmp/in`);
      const piped = await sh.run(`cat /tmp/in | ${prog}`);
      expect(piped.out, prog).toBe(whole.out);
      expect(piped.status, prog).toBe(whole.status);
    }
  });

  it('grep over a streamed pipe matches what grep over the same whole text prints (-n, -v, -c, -A/-B)', async () => {
    const world = shellWorld({ seed: 1 });
    const { TestShell } = await import('./testing/run-line');
    const sh = new TestShell({ world });
    const text = 'a web\nb db\nc web\nd db\ne db\nf web\ng\n';
    await sh.run(`printf '${text.replace(/\n/g, '\\n')}' > /tmp/in`);
    for (const opts of ['web', '-n web', '-v web', '-c web', '-B1 -n web', '-A1 web', '-m2 web', '-q web', '-o w.b']) {
      const whole = await sh.run(`grep ${opts} /tmp/in`);
      const piped = await sh.run(`cat /tmp/in | grep ${opts}`);
      expect(piped.out, opts).toBe(whole.out);
      expect(piped.status, opts).toBe(whole.status);
    }
  });

  it('Pipe: readers see chunks in order as written and the end once closed', async () => {
    const p = new Pipe();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const c of p) seen.push(c);
    })();
    p.write('x');
    await tick();
    expect(seen).toEqual(['x']);
    p.write('y');
    p.close();
    p.write('ignored');
    await reading;
    expect(seen).toEqual(['x', 'y']);
    expect(await p.text()).toBe('xy');
  });
});

describe('background jobs run until their command really ends', () => {
  it('an observer started with & is Running in `jobs` until it stops, then reported Done', async () => {
    const t = setup();
    const e = await t.term.submit('observe &');
    expect(e.output).toBe('[1] 4343\n');
    await tick();
    expect(t.screen()).toContain('observing in the background\r\n');
    expect((await t.term.submit('jobs')).output).toBe('[1]+  Running                 observe &\n');
    t.world.scheduler.advance(10_000);
    expect((await t.term.submit('jobs')).output).toBe('[1]+  Running                 observe &\n');
    t.observe.stop();
    await tick();
    t.clear();
    await t.term.submit('true');
    expect(t.screen()).toContain('[1]+  Done                    observe\r\n');
  });

  it('kill %1 ends it (Terminated)', async () => {
    const t = setup();
    await t.term.submit('observe &');
    await tick();
    t.clear();
    await t.term.submit('kill %1');
    await tick();
    await t.term.submit('true');
    expect(t.screen()).toContain('[1]+  Terminated              observe\r\n');
    expect((await t.term.submit('jobs')).output).toBe('');
  });

  it('fg brings it to the foreground (prints its command line); Ctrl-C then ends it and the job is gone', async () => {
    const t = setup();
    await t.term.submit('observe &');
    await tick();
    t.clear();
    await t.type('fg\r');
    expect(t.screen()).toBe('fg\r\nobserve\r\n');
    expect(t.term.busy).toBe(true);
    await t.type('\x03');
    await tick();
    expect(t.term.busy).toBe(false);
    expect((await t.term.submit('jobs')).output).toBe('');
    expect((await t.term.submit('echo $?')).output).toBe('0\n');
  });

  it('fg returns the job status when it ends by itself; fg without jobs says so', async () => {
    const t = setup();
    await t.term.submit('observe &');
    const fg = t.term.submit('fg %1');
    await tick();
    t.observe.stop();
    const e = await fg;
    expect(e.output).toBe('observe\n');
    expect(e.exitCode).toBe(0);
    expect((await t.term.submit('fg')).output).toBe('bash: fg: current: no such job\n');
    expect((await t.term.submit('fg %4')).output).toBe('bash: fg: %4: no such job\n');
  });

  it('`wait` in a script moves the clock until the job ends, and gives up on one that only a signal ends', async () => {
    const { TestShell } = await import('./testing/run-line');
    const sh = new TestShell();
    const cmds = withTestCommands(sh.world);
    const start = sh.world.scheduler.now();
    sh.world.scheduler.after(3_000, () => cmds.observe.stop());
    await sh.run('observe &');
    const r = await sh.run('wait %1');
    expect(r.status).toBe(0);
    expect(sh.world.scheduler.now() - start).toBeGreaterThanOrEqual(3_000);
    expect(sh.world.scheduler.now() - start).toBeLessThan(4_000);
    await sh.run('observe &');
    const before = sh.world.scheduler.now();
    await sh.run('wait');
    expect(sh.world.scheduler.now() - before).toBe(60_000);
    const jobs = (await sh.run('jobs')).out;
    expect(jobs, jobs).toMatch(/^\[\d\]\+  Running +observe &$/m);
  });
});
