import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TestShell } from '../../shell/testing/run-line';
import { columnize } from './files';
import { formatPrintf } from './shell-builtins';
import { strftimeUtc } from './system';

describe('file commands', () => {
  it('ls: plain, -a, -l, columns on a terminal, errors', async () => {
    const t = new TestShell();
    await t.run('mkdir -p d/sub && touch d/b d/a && echo hello > d/a');
    expect((await t.run('ls d')).out).toBe('a\nb\nsub\n');
    expect((await t.run('ls -a d')).out).toBe('.\n..\na\nb\nsub\n');
    expect((await t.run('ls -l d')).out).toBe(
      'total 8\n-rw-r--r-- 1 student student    6 Jan  1 00:00 a\n-rw-r--r-- 1 student student    0 Jan  1 00:00 b\ndrwxr-xr-x 2 student student 4096 Jan  1 00:00 sub\n',
    );
    const missing = await t.run('ls nope d/a');
    expect([missing.status, missing.err, missing.out]).toEqual([2, "ls: cannot access 'nope': No such file or directory\n", 'd/a\n']);
    expect((await t.run('ls -z')).err).toBe("ls: invalid option -- 'z'\nTry 'ls --help' for more information.\n");
  });

  it('columnize lays names out in columns top to bottom, like GNU ls', () => {
    expect(columnize(['alpha', 'b', 'charlie', 'd', 'echo'], 20)).toBe('alpha  charlie  echo\nb      d\n');
    expect(columnize(['one', 'two'], 80)).toBe('one  two\n');
  });

  it('mkdir, rm, cp, mv with coreutils messages', async () => {
    const t = new TestShell();
    expect((await t.run('mkdir a && mkdir a')).err).toBe('mkdir: cannot create directory ‘a’: File exists\n');
    expect((await t.run('mkdir x/y')).err).toBe('mkdir: cannot create directory ‘x/y’: No such file or directory\n');
    expect((await t.run('rm a')).err).toBe("rm: cannot remove 'a': Is a directory\n");
    expect((await t.run('rm nothing')).err).toBe("rm: cannot remove 'nothing': No such file or directory\n");
    expect((await t.run('rm -f nothing')).status).toBe(0);
    await t.run('echo data > f && cp f a/ && cp f g && mv g a/h');
    expect((await t.run('ls a; cat a/f a/h')).out).toBe('f\nh\ndata\ndata\n');
    expect((await t.run('cp a b')).err).toBe("cp: -r not specified; omitting directory 'a'\n");
    expect((await t.run('cp -r a b && ls b')).out).toBe('f\nh\n');
    expect((await t.run('rm -r a b && ls')).out).toBe('f\nmanifests\n');
    expect((await t.run('cat nope')).err).toBe('cat: nope: No such file or directory\n');
    expect((await t.run('rm')).err).toBe("rm: missing operand\nTry 'rm --help' for more information.\n");
  });
});

describe('text commands', () => {
  it('grep: -i -v -c -n -E -w -o, several files, statuses', async () => {
    const t = new TestShell();
    await t.run('printf "web-1 Running\\nweb-2 Pending\\ndb-1 Running\\n" > pods; printf "x\\n" > other');
    expect((await t.run('grep Running pods')).out).toBe('web-1 Running\ndb-1 Running\n');
    expect((await t.run('grep -v Running pods')).out).toBe('web-2 Pending\n');
    expect((await t.run('grep -ic running pods')).out).toBe('2\n');
    expect((await t.run('grep -n db pods')).out).toBe('3:db-1 Running\n');
    expect((await t.run('grep -E "web-(1|2)" pods | wc -l')).out).toBe('2\n');
    expect((await t.run('grep "web-\\(1\\|2\\)" pods | wc -l')).out).toBe('2\n');
    expect((await t.run('grep -o "web-[0-9]" pods')).out).toBe('web-1\nweb-2\n');
    expect((await t.run('grep -w web pods')).out).toBe('web-1 Running\nweb-2 Pending\n');
    expect((await t.run('grep -c x pods other')).out).toBe('pods:0\nother:1\n');
    expect((await t.run('grep nomatch pods')).status).toBe(1);
    expect((await t.run('grep x missing')).status).toBe(2);
    expect((await t.run('grep "[" pods')).err).toBe('grep: Unmatched [, [^, [:, [., or [=\n');
  });

  it('head, tail, wc, sort, uniq, seq, cut, tr, tee', async () => {
    const t = new TestShell();
    expect((await t.run('seq 5 | head -n 2')).out).toBe('1\n2\n');
    expect((await t.run('seq 5 | head -3 | tail -1')).out).toBe('3\n');
    expect((await t.run('seq 5 | tail -n +4')).out).toBe('4\n5\n');
    expect((await t.run('seq 3 | wc -l')).out).toBe('3\n');
    expect((await t.run('seq 10 | sort -n -r | head -2')).out).toBe('10\n9\n');
    expect((await t.run('printf "b 2\\na 10\\nc 1\\n" | sort -k2 -n')).out).toBe('c 1\nb 2\na 10\n');
    expect((await t.run('printf "a\\na\\nb\\n" | uniq -c')).out).toBe('      2 a\n      1 b\n');
    expect((await t.run('seq 2 2 9')).out).toBe('2\n4\n6\n8\n');
    expect((await t.run('echo a,b,c | cut -d, -f2-')).out).toBe('b,c\n');
    expect((await t.run('echo hello | tr a-z A-Z')).out).toBe('HELLO\n');
    expect((await t.run('echo saved | tee t.txt > /dev/null; cat t.txt')).out).toBe('saved\n');
  });

  it('printf formats widths, precision and repeats the format', () => {
    const err: string[] = [];
    expect(formatPrintf('%-6s|%4d|%.2f|%x\n', ['ab', '42', '3.14159', '255'], (m) => err.push(m))).toBe('ab    |  42|3.14|ff\n');
    expect(formatPrintf('%s=%s\n', ['a', '1', 'b', '2'], () => {})).toBe('a=1\nb=2\n');
    expect(formatPrintf('%05d\n', ['-42'], () => {})).toBe('-0042\n');
    expect(err).toEqual([]);
  });
});

describe('misc commands', () => {
  it('xargs appends input words, -n splits calls, -I substitutes', async () => {
    const t = new TestShell();
    expect((await t.run('printf "a b\\nc\\n" | xargs echo x')).out).toBe('x a b c\n');
    expect((await t.run('seq 3 | xargs -n 2 echo')).out).toBe('1 2\n3\n');
    expect((await t.run('printf "p1\\np2\\n" | xargs -I {} echo pod/{} done')).out).toBe('pod/p1 done\npod/p2 done\n');
    expect((await t.run('echo a | xargs false')).status).toBe(123);
    expect((await t.run('echo a | xargs nosuch')).status).toBe(127);
  });

  it('less/more print everything; basename, dirname, base64 round-trip', async () => {
    const t = new TestShell();
    expect((await t.run('seq 3 | less')).out).toBe('1\n2\n3\n');
    expect((await t.run('basename /a/b/svc.yaml .yaml; dirname /a/b/svc.yaml; dirname svc.yaml')).out).toBe('svc\n/a/b\n.\n');
    expect((await t.run('echo -n "admin:s3cret ✓" | base64')).out).toBe('YWRtaW46czNjcmV0IOKckw==\n');
    expect((await t.run('echo YWRtaW46czNjcmV0IOKckw== | base64 -d')).out).toBe('admin:s3cret ✓');
  });
});

describe('system commands', () => {
  it('date prints the virtual clock as GNU date does, in UTC', async () => {
    const t = new TestShell();
    const now = t.world.scheduler.now();
    expect((await t.run('date')).out).toBe(strftimeUtc('%a %b %e %H:%M:%S UTC %Y', now) + '\n');
    expect(strftimeUtc('%a %b %e %H:%M:%S %Z %Y', Date.UTC(2026, 0, 1, 0, 0, 3))).toBe('Thu Jan  1 00:00:03 UTC 2026');
    await t.run('sleep 1h');
    expect((await t.run('date +%s')).out).toBe(`${Math.floor((now + 3_600_000) / 1000)}\n`);
    expect(strftimeUtc('%a %d %b %Y %j %s', Date.UTC(2026, 10, 28, 6, 9, 15))).toBe('Sat 28 Nov 2026 332 1795846155');
  });

  it('watch prints one round without a terminal; -g waits in virtual time for a change', async () => {
    const t = new TestShell();
    const r = await t.run('watch -n 5 echo hi');
    expect(r.out).toMatch(/^Every 5\.0s: echo hi {2,}workstation: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n\nhi\n$/);
    expect(r.out.split('\n')[0]!.length).toBe(80);
    let n = 0;
    t.world.registerCommand({ name: 'counter', summary: 'changes after 3 calls', run: (ctx) => (ctx.stdout.write(n++ < 3 ? 'same\n' : 'changed\n'), 0) });
    const start = t.world.scheduler.now();
    const g = await t.run('watch -g -t counter');
    expect(g.out).toBe('changed\n');
    expect(t.world.scheduler.now() - start).toBe(6_000);
  });

  it('sleep rejects bad intervals as coreutils does', async () => {
    const t = new TestShell();
    expect((await t.run('sleep x')).err).toBe("sleep: invalid time interval ‘x’\nTry 'sleep --help' for more information.\n");
    expect((await t.run('sleep')).err).toBe("sleep: missing operand\nTry 'sleep --help' for more information.\n");
  });

  it('env, export, unset, whoami, hostname, history, type, help', async () => {
    const t = new TestShell();
    await t.run('export APP=web; LOCAL=1');
    const env = (await t.run('env')).out;
    expect(env).toContain('APP=web\n');
    expect(env).toContain('HOME=/home/student\n');
    expect(env).not.toContain('LOCAL=');
    await t.run('unset APP');
    expect((await t.run('echo "[$APP]"')).out).toBe('[]\n');
    expect((await t.run('whoami; hostname')).out).toBe('student\nworkstation\n');
    expect((await t.run('type cd ls nope')).all).toBe('cd is a shell builtin\nls is /usr/bin/ls\nbash: type: nope: not found\n');
    expect((await t.run('help')).out).toMatch(/^ {2}grep {2,}Print lines that match/m);
  });

  it('editors hand the file to the app, or explain there is none', async () => {
    const t = new TestShell();
    const r = await t.run('vi svc.yaml');
    expect(r.status).toBe(1);
    expect(r.err).toContain("vi: no editor in this terminal");
    const opened: string[] = [];
    (t.shell as unknown as { openEditor: (req: { title: string; content: string; onSave: (s: string) => { message: string } }) => boolean }).openEditor = (req) => {
      opened.push(req.title);
      opened.push(req.onSave('a: 1\n').message);
      return true;
    };
    expect((await t.run('nano svc.yaml')).status).toBe(0);
    expect(opened).toEqual(['/home/student/svc.yaml', '"svc.yaml" 1L, 5B written']);
    expect(t.world.loginHost.fs.readFile('/home/student/svc.yaml')).toBe('a: 1\n');
  });
});

/** Differential tests against GNU coreutils on this machine (skipped with a reason where a tool is missing). */
describe('against GNU coreutils', () => {
  const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  const tools = ['sort', 'uniq', 'wc', 'head', 'tail', 'grep', 'cut'];
  const missing = tools.filter((x) => !have(x));
  const dir = mkdtempSync(path.join(tmpdir(), 'coreutils-'));
  const line = fc.string({ unit: fc.constantFrom('a', 'b', 'B', '1', '2', '9', ' ', ',', '-'), maxLength: 8 });
  const cases = [
    'sort', 'sort -r', 'sort -n', 'sort -u', 'sort -t, -k2', 'uniq', 'uniq -c', 'wc', 'wc -l', 'wc -w',
    'head -n 3', 'tail -n 2', 'grep -c a', 'grep -v b', 'grep -n 1', 'grep -i b', 'cut -d, -f2', 'cut -c2-3',
  ];

  it.skipIf(missing.length > 0)(`matches GNU output on random input (${missing.length ? 'missing ' + missing.join(', ') : 'all tools present'})`, async () => {
    const t = new TestShell();
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), fc.constantFrom(...cases), async (lines, cmd) => {
        const text = lines.map((l) => l + '\n').join('');
        const file = path.join(dir, 'in.txt');
        writeFileSync(file, text);
        const real = spawnSync('sh', ['-c', `cat ${file} | ${cmd}`], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
        const ours = await t.run(cmd, text);
        expect({ cmd, out: ours.out, status: ours.status }).toEqual({ cmd, out: real.stdout, status: real.status });
      }),
      { numRuns: 400 },
    );
  });
});
