import { describe, expect, it } from 'vitest';
import { shellWorld as createWorld } from './testing/run-line';
import { createShellHost } from '../hosts/shell-host';
import { createTerminalSession } from './terminal';
import type { TranscriptEntry } from './terminal-api';

/** Let pending promise continuations run (command completion is asynchronous). */
const tick = () => new Promise<void>((r) => setImmediate(r));

function setup(opts: { interactive?: boolean; cols?: number } = {}) {
  const world = createWorld({ seed: 7 });
  const term = createTerminalSession(world, { interactive: opts.interactive ?? true, cols: opts.cols ?? 80, rows: 24 });
  let screen = term.prompt();
  const entries: TranscriptEntry[] = [];
  term.onOutput((d) => (screen += d));
  term.onCommand((e) => entries.push(e));
  const type = async (keys: string) => {
    term.input(keys);
    await tick();
  };
  return { world, term, entries, type, screen: () => screen, clear: () => (screen = '') };
}

describe('terminal: running commands', () => {
  it('echoes keys, runs the line, prints output with \\r\\n and a new prompt, emits a transcript entry', async () => {
    const t = setup();
    await t.type('echo hi\r');
    expect(t.screen()).toBe('student@workstation:~$ echo hi\r\nhi\r\nstudent@workstation:~$ ');
    expect(t.entries).toEqual([
      { host: 'workstation', prompt: 'student@workstation:~$ ', command: 'echo hi', output: 'hi\n', exitCode: 0, startedAt: t.world.scheduler.now() },
    ]);
  });

  it('submit() types a line and resolves with its entry', async () => {
    const t = setup();
    const e = await t.term.submit('ls ~ ; false');
    expect(e.command).toBe('ls ~ ; false');
    expect(e.output).toBe('manifests\n');
    expect(e.exitCode).toBe(1);
    expect(t.screen()).toContain('ls ~ ; false\r\nmanifests\r\n');
  });

  it('shows > continuation prompts for a heredoc typed over several lines', async () => {
    const t = setup();
    await t.type('cat > svc.yaml <<EOF\r');
    expect(t.screen().endsWith('\r\n> ')).toBe(true);
    expect(t.term.prompt()).toBe('> ');
    await t.type('kind: Service\r');
    await t.type('EOF\r');
    expect(t.entries[0]!.command).toBe('cat > svc.yaml <<EOF\nkind: Service\nEOF');
    expect(t.world.loginHost.fs.readFile('/home/student/svc.yaml')).toBe('kind: Service\n');
    expect(t.term.prompt()).toBe('student@workstation:~$ ');
  });

  it('runs pasted multi-line text line by line, heredocs included', async () => {
    const t = setup();
    await t.type('echo a\ncat <<EOF | wc -l\nx\ny\nEOF\necho b\n');
    for (let i = 0; i < 5; i++) await tick();
    expect(t.entries.map((e) => [e.command, e.output])).toEqual([
      ['echo a', 'a\n'],
      ['cat <<EOF | wc -l\nx\ny\nEOF', '2\n'],
      ['echo b', 'b\n'],
    ]);
  });

  it('prints a syntax error and records its status', async () => {
    const t = setup();
    const e = await t.term.submit('ls ; ; echo');
    expect(e.output).toBe("bash: syntax error near unexpected token `;'\n");
    expect(e.exitCode).toBe(2);
  });
});

describe('terminal: history expansion', () => {
  it('expands !!, !$ and !N, echoing the expanded line; unknown events are errors', async () => {
    const t = setup();
    await t.term.submit('echo one two');
    t.clear();
    const e = await t.term.submit('echo !! !$');
    expect(e.command).toBe('echo echo one two two');
    expect(t.screen()).toContain('echo !! !$\r\necho echo one two two\r\necho one two two\r\n');
    expect((await t.term.submit("echo '!!' !1")).output).toBe('!! echo one two\n');
    t.clear();
    await t.type('echo !nope\r');
    expect(t.screen()).toBe('echo !nope\r\nbash: !nope: event not found\r\nstudent@workstation:~$ ');
    expect((await t.term.submit('echo !zzz')).exitCode).toBe(1);
    expect((await t.term.submit('echo hi!')).output).toBe('hi!\n');
  });
});

describe('terminal: line editing', () => {
  it('edits with Backspace, arrows, Home/End, Delete', async () => {
    const t = setup();
    await t.type('ecoh hX\x7fi');
    await t.type('\x1b[H\x1b[C\x1b[C\x1b[3~\x1b[Co\x1b[F !');
    await t.type('\r');
    expect(t.entries[0]!.command).toBe('echo hi !');
  });

  it('kills with Ctrl-U, Ctrl-K, Ctrl-W and yanks with Ctrl-Y', async () => {
    const t = setup();
    await t.type('garbage\x15echo one two\x17three\r');
    expect(t.entries[0]!.command).toBe('echo one three');
    await t.type('echo keep drop\x02\x02\x02\x02\x0b\x01\x0b\x19\r');
    expect(t.entries[1]!.command).toBe('echo keep ');
  });

  it('recalls history with ↑/↓ and keeps the draft', async () => {
    const t = setup();
    await t.type('echo one\r');
    await t.type('echo two\r');
    await t.type('draft\x1b[A\x1b[A');
    await t.type('\x1b[B\x1b[B');
    await t.type('\x15\x1b[A\x1b[A\r');
    expect(t.entries.map((e) => e.command)).toEqual(['echo one', 'echo two', 'echo one']);
    expect(t.term.shell.history()).toEqual(['echo one', 'echo two', 'echo one']);
  });

  it('Ctrl-R searches history backwards; Enter runs the match, Ctrl-G restores the line', async () => {
    const t = setup();
    await t.type('echo alpha\r');
    await t.type('hostname\r');
    await t.type('echo beta\r');
    t.clear();
    await t.type('\x12ech');
    expect(t.screen().endsWith("(reverse-i-search)`ech': echo beta")).toBe(true);
    await t.type('\x12');
    expect(t.screen().endsWith("(reverse-i-search)`ech': echo alpha")).toBe(true);
    await t.type('\r');
    expect(t.entries[3]!.command).toBe('echo alpha');
    await t.type('draft\x12zzz');
    expect(t.screen().endsWith("(failed reverse-i-search)`zzz': ")).toBe(true);
    await t.type('\x07');
    await t.type('\r');
    expect(t.entries[4]!.command).toBe('draft');
    await t.type('\x12host\x1b[D\x01echo \r');
    expect(t.entries[5]!.command).toBe('echo hostname');
  });

  it('↑ then Enter reruns a multi-line heredoc command whole', async () => {
    const t = setup();
    await t.type('cat <<EOF\rone\rtwo\rEOF\r');
    t.clear();
    await t.type('\x1b[A');
    expect(t.screen()).toContain('cat <<EOF');
    await t.type('\r');
    expect(t.entries[1]).toMatchObject({ command: 'cat <<EOF\none\ntwo\nEOF', output: 'one\ntwo\n' });
    expect(t.screen()).toContain('\r\n> one\r\n> two\r\n> EOF\r\none\r\ntwo\r\n');
  });

  it('redraws correctly when a line wraps past the terminal width', async () => {
    const t = setup({ cols: 30 });
    // Prompt is 23 columns; the line wraps. Insert at the start after wrapping, then run.
    await t.type('echo abcdefghijklmnop');
    await t.type('\x01X\x7f\x05Z\r');
    expect(t.entries[0]!.command).toBe('echo abcdefghijklmnopZ');
    expect(t.screen()).toContain('\x1b[1A');
  });

  it('redraws the line being typed when the terminal changes width, and nothing else', async () => {
    const t = setup({ cols: 30 });
    // At the prompt with nothing typed (the renderer resizes right after opening): the prompt fits, nothing to do.
    t.term.resize(40, 24);
    expect(t.screen()).toBe('student@workstation:~$ ');
    await t.type('echo abcdefghijklmnop');
    t.clear();
    t.term.resize(30, 24);
    // Up to the prompt's row (the cursor was one row down at 40 columns), clear, and draw again at 30.
    expect(t.screen()).toBe('\x1b[1A\r\x1b[Jstudent@workstation:~$ echo abcdefghijklmnop');
    t.clear();
    t.term.resize(30, 50);
    expect(t.screen()).toBe('');
    // A running command's output is its own; the next prompt is drawn for the new width.
    const done = t.term.submit('sleep 5');
    await tick();
    t.clear();
    t.term.resize(20, 24);
    expect(t.screen()).toBe('');
    t.world.scheduler.advance(5000);
    await done;
    expect(t.screen()).toMatch(/student@workstation:~\$ $/);
  });

  it('redraws the Ctrl-R search line when the terminal changes width', async () => {
    const t = setup({ cols: 30 });
    await t.type('echo abc\r\x12abc');
    t.clear();
    // 33 columns: two rows at 30, one at 80; the redraw goes up the one row it took.
    t.term.resize(80, 24);
    expect(t.screen()).toBe("\x1b[1A\r\x1b[J(reverse-i-search)`abc': echo abc");
    await t.type('\r');
    expect(t.entries.map((e) => e.command)).toEqual(['echo abc', 'echo abc']);
  });

  it('Ctrl-C at the prompt abandons the line, sets $? to 130', async () => {
    const t = setup();
    await t.type('echo never\x03');
    expect(t.screen()).toBe('student@workstation:~$ echo never^C\r\nstudent@workstation:~$ ');
    const e = await t.term.submit('echo $?');
    expect(e.output).toBe('130\n');
  });

  it('Ctrl-L clears the screen and redraws the prompt and line', async () => {
    const t = setup();
    await t.type('echo x');
    t.clear();
    await t.type('\x0c');
    expect(t.screen()).toBe('\x1b[H\x1b[2Jstudent@workstation:~$ echo x');
  });

  it('echoes a keystroke in well under a millisecond', () => {
    const t = setup();
    const n = 2000;
    const start = performance.now();
    for (let i = 0; i < n; i++) t.term.input(i % 50 === 49 ? '\x15' : 'k');
    const perKey = (performance.now() - start) / n;
    expect(perKey).toBeLessThan(1);
  });
});

describe('terminal: completion', () => {
  it('completes a unique command name and adds a space', async () => {
    const t = setup();
    await t.type('hostn\t');
    await t.type('\r');
    expect(t.entries[0]!.command).toBe('hostname ');
    expect(t.entries[0]!.output).toBe('workstation\n');
  });

  it('completes paths, directories with a slash', async () => {
    const t = setup();
    t.world.loginHost.fs.writeFile('/home/student/manifests/deployment.yaml', 'x');
    await t.type('cat ~/man\t');
    await t.type('dep\t');
    await t.type('\r');
    expect(t.entries[0]!.command).toBe('cat ~/manifests/deployment.yaml ');
    expect(t.entries[0]!.output).toBe('x');
  });

  it('completes node names after ssh and directories after cd', async () => {
    const t = setup();
    for (const name of ['worker-1', 'worker-2']) {
      const node = createShellHost(t.world, { id: `node/${name}`, kind: 'node', hostname: name, user: 'root' });
      t.world.hosts.set(node.id, node);
    }
    t.world.loginHost.fs.writeFile('/home/student/manual.txt', '');
    await t.type('ssh root@wor\t');
    await t.type('2\t\x15cd ma\t\r');
    expect(t.entries[0]!.command).toBe('cd manifests/');
    expect(t.screen()).toContain('ssh root@worker-2 ');
  });

  it('lists candidates on the second Tab, then redraws the line', async () => {
    const t = setup();
    await t.type('h');
    t.clear();
    await t.type('\t');
    expect(t.screen()).toBe('\x07');
    await t.type('\t');
    const s = t.screen();
    expect(s).toContain('head');
    expect(s).toContain('hostname');
    expect(s.endsWith('student@workstation:~$ h')).toBe(true);
  });

  it("asks the command's own completer for its arguments", async () => {
    const t = setup();
    t.world.registerCommand({
      name: 'kubectl',
      summary: 'test double',
      run: (ctx) => {
        ctx.stdout.write(ctx.argv.join(' ') + '\n');
        return 0;
      },
      complete: (args) => (args.length === 1 ? ['get', 'describe', 'delete'] : ['pods', 'services']),
    });
    await t.type('kubectl g\tse\t\r');
    expect(t.entries[0]!.command).toBe('kubectl get services ');
  });
});

describe('terminal: interrupting and virtual time', () => {
  it('sleep in interactive mode waits for the ticker to advance virtual time', async () => {
    const t = setup();
    const start = t.world.scheduler.now();
    await t.type('sleep 5\r');
    expect(t.term.busy).toBe(true);
    t.world.scheduler.advance(4_000);
    await tick();
    expect(t.term.busy).toBe(true);
    t.world.scheduler.advance(1_000);
    await tick();
    expect(t.term.busy).toBe(false);
    expect(t.entries[0]!).toMatchObject({ command: 'sleep 5', exitCode: 0, startedAt: start });
  });

  it('Ctrl-C interrupts a running command, prints ^C, exit 130, and drops typeahead', async () => {
    const t = setup();
    await t.type('sleep 100\r');
    await t.type('echo typed-ahead');
    await t.type('\x03');
    for (let i = 0; i < 3; i++) await tick();
    expect(t.term.busy).toBe(false);
    expect(t.entries[0]!.exitCode).toBe(130);
    expect(t.screen()).toContain('sleep 100\r\n^C\r\nstudent@workstation:~$ ');
    expect(t.screen()).not.toContain('typed-ahead');
  });

  it('Ctrl-C returns control even from a command that ignores the signal', async () => {
    const t = setup();
    t.world.registerCommand({ name: 'hang', summary: 'never returns', run: () => new Promise<number>(() => {}) });
    await t.type('hang; echo after\r');
    await t.type('\x03');
    await tick();
    expect(t.term.busy).toBe(false);
    expect(t.entries[0]!.exitCode).toBe(130);
    expect(t.entries[0]!.output).toBe('');
  });

  it('watch redraws every interval until Ctrl-C', async () => {
    const t = setup();
    await t.type('watch -n 1 hostname\r');
    for (let i = 0; i < 3; i++) {
      t.world.scheduler.advance(1_000);
      await tick();
    }
    expect(t.screen().split('Every 1.0s: hostname').length - 1).toBe(4);
    await t.type('\x03');
    await tick();
    expect(t.term.busy).toBe(false);
    expect(t.screen().endsWith('^C\r\nstudent@workstation:~$ ')).toBe(true);
  });

  it('runs cmd & in the background, reports it done before a later prompt; kill %N stops one', async () => {
    const t = setup();
    const e = await t.term.submit('sleep 5 &');
    expect(e.output).toBe('[1] 4343\n');
    expect(t.term.busy).toBe(false);
    await t.term.submit('sleep 100 &');
    expect((await t.term.submit('jobs')).output).toBe('[1]-  Running                 sleep 5 &\n[2]+  Running                 sleep 100 &\n');
    t.world.scheduler.advance(5_000);
    await tick();
    t.clear();
    await t.term.submit('kill %2');
    await tick();
    await t.term.submit('true');
    expect(t.screen()).toContain('[1]-  Done                    sleep 5\r\n');
    expect(t.screen()).toContain('[2]+  Terminated              sleep 100\r\n');
    expect((await t.term.submit('kill %7')).output).toBe('bash: kill: %7: no such job\n');
  });

  it('buffers typeahead while a command runs and runs it afterwards', async () => {
    const t = setup();
    await t.type('sleep 1\r');
    await t.type('echo next\r');
    t.world.scheduler.advance(1_000);
    for (let i = 0; i < 4; i++) await tick();
    expect(t.entries.map((e) => e.command)).toEqual(['sleep 1', 'echo next']);
  });

  it('sleep in non-interactive mode advances the clock itself', async () => {
    const t = setup({ interactive: false });
    const start = t.world.scheduler.now();
    await t.term.submit('sleep 30');
    expect(t.world.scheduler.now() - start).toBe(30_000);
  });
});

describe('terminal: hosts', () => {
  it('ssh then Ctrl-D on an empty line leaves the node as ssh does', async () => {
    const t = setup();
    const node = createShellHost(t.world, { id: 'node/worker-1', kind: 'node', hostname: 'worker-1', user: 'root' });
    t.world.hosts.set(node.id, node);
    await t.term.submit('ssh worker-1');
    expect(t.term.prompt()).toBe('root@worker-1:~# ');
    t.clear();
    await t.type('\x04');
    expect(t.screen()).toBe('logout\r\nConnection to worker-1 closed.\r\nstudent@workstation:~$ ');
  });

  it('exit at the login host logs out, fires onLogout, and a fresh login shell follows', async () => {
    const t = setup();
    const codes: number[] = [];
    t.term.onLogout((c) => codes.push(c));
    await t.term.submit('cd /tmp');
    const e = await t.term.submit('exit 4');
    expect(e.output).toBe('logout\n');
    expect(codes).toEqual([4]);
    expect(t.term.prompt()).toBe('student@workstation:~$ ');
  });
});

describe('terminal: prompt refreshed after the shell changed from outside', () => {
  it('redraws an empty prompt line with the new directory; leaves a half-typed line alone', async () => {
    const t = setup();
    t.world.loginHost.fs.mkdir('/home/student/labs', true);
    t.term.shell.setCwd('/home/student/labs');
    t.clear();
    t.term.refreshPrompt?.();
    expect(t.screen()).toBe('\r\x1b[Kstudent@workstation:~/labs$ ');
    await t.type('echo x');
    t.clear();
    t.term.refreshPrompt?.();
    expect(t.screen()).toBe('');
    await t.type('\r');
    expect(t.entries.at(-1)).toMatchObject({ prompt: 'student@workstation:~/labs$ ', command: 'echo x' });
  });
});
