import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TestShell } from '../../shell/testing/run-line';

const PODS = `NAME                      READY   STATUS    RESTARTS   AGE   IP
web-5d9c7b8f4-abcde       1/1     Running   0          10s   10.244.1.5
web-5d9c7b8f4-fghij       1/1     Running   0          10s   10.244.2.7
db-7c8d9e0f1-klmno        0/1     Pending   0          3s    <none>
`;

describe('awk', () => {
  it('prints fields, skips the header, counts matches, uses -F and printf', async () => {
    const t = new TestShell();
    expect((await t.run("awk '{print $1}'", PODS)).out).toBe('NAME\nweb-5d9c7b8f4-abcde\nweb-5d9c7b8f4-fghij\ndb-7c8d9e0f1-klmno\n');
    expect((await t.run("awk 'NR>1 {print $NF}'", PODS)).out).toBe('10.244.1.5\n10.244.2.7\n<none>\n');
    expect((await t.run("awk '/Running/ {n++} END {print n}'", PODS)).out).toBe('2\n');
    expect((await t.run("awk '$3 == \"Pending\" {print $1, \"is\", $3}'", PODS)).out).toBe('db-7c8d9e0f1-klmno is Pending\n');
    expect((await t.run("echo a:b:c | awk -F: '{print $2 $3}'")).out).toBe('bc\n');
    expect((await t.run("awk 'NR>1 {printf \"%-4s %s\\n\", $3, $6}'", PODS)).out).toBe('Running 10.244.1.5\nRunning 10.244.2.7\nPending <none>\n');
    expect((await t.run("seq 4 | awk '{s += $1} END {print s, s/NR}'")).out).toBe('10 2.5\n');
  });

  it('reports syntax errors', async () => {
    const t = new TestShell();
    const r = await t.run("awk '{print $1'", 'x\n');
    expect(r.status).toBe(2);
    expect(r.err).toBe('awk: line 1: missing } near end of file\n');
  });
});

describe('sed', () => {
  it('substitutes, prints, deletes, addresses lines and ranges', async () => {
    const t = new TestShell();
    expect((await t.run("sed 's/Running/Ready/'", PODS)).out).toContain('web-5d9c7b8f4-abcde       1/1     Ready   0');
    expect((await t.run("sed -n '2p'", PODS)).out).toBe('web-5d9c7b8f4-abcde       1/1     Running   0          10s   10.244.1.5\n');
    expect((await t.run("sed '1d' | wc -l", PODS)).out).toBe('3\n');
    expect((await t.run("echo aaa | sed 's/a/b/g'")).out).toBe('bbb\n');
    expect((await t.run("echo 'port: 80' | sed -E 's/([a-z]+): ([0-9]+)/\\2=\\1/'")).out).toBe('80=port\n');
    expect((await t.run("seq 6 | sed -n '2,4p'")).out).toBe('2\n3\n4\n');
    expect((await t.run("echo x | sed 's/x/$HOME & &/'")).out).toBe('$HOME x x\n');
  });

  it('edits files in place with -i', async () => {
    const t = new TestShell();
    await t.run('printf "replicas: 2\\n" > d.yaml');
    await t.run("sed -i 's/replicas: 2/replicas: 3/' d.yaml");
    expect(t.world.loginHost.fs.readFile('/home/student/d.yaml')).toBe('replicas: 3\n');
  });

  it('reports bad scripts as GNU sed does', async () => {
    const t = new TestShell();
    const r = await t.run("sed 'zz'", 'x\n');
    expect([r.status, r.err]).toEqual([1, "sed: -e expression #1, char 1: unknown command: `z'\n"]);
  });
});

describe('sh and bash as commands', () => {
  it('sh -c runs a command line; a script file runs; stdin scripts run', async () => {
    const t = new TestShell();
    expect((await t.run("sh -c 'echo one; echo two | tr a-z A-Z'")).out).toBe('one\nTWO\n');
    await t.run("printf 'echo from-file\\n' > s.sh");
    expect((await t.run('bash s.sh')).out).toBe('from-file\n');
    expect((await t.run('echo "echo piped" | sh')).out).toBe('piped\n');
    expect((await t.run("sh -c 'exit 3'; echo $?")).out).toBe('3\n');
  });
});

describe('sed and awk against the real tools', () => {
  const have = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  const missing = ['sed', 'awk'].filter((x) => !have(x));
  const dir = mkdtempSync(path.join(tmpdir(), 'sedawk-'));
  const word = fc.stringMatching(/^[ab12]{1,4}$/);
  const line = fc.array(word, { maxLength: 4 }).map((ws) => ws.join(' '));
  const programs = [
    "awk '{print $1}'",
    "awk '{print $2, $1}'",
    "awk 'NR>1 {print $NF}'",
    "awk '/a/'",
    "awk '$1 == \"a\" {print NR}'",
    "awk '{n += NF} END {print n+0}'",
    "awk 'NF > 1'",
    "sed 's/a/X/'",
    "sed 's/a/X/g'",
    "sed -n '2p'",
    "sed '1d'",
    "sed -n '/b/p'",
    "sed 's/\\(a\\)\\(b\\)/\\2\\1/g'",
  ];

  it.skipIf(missing.length > 0)(`match on random input (${missing.length ? 'missing ' + missing.join(', ') : 'tools present'})`, async () => {
    const t = new TestShell();
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 8 }), fc.constantFrom(...programs), async (ls, prog) => {
        const text = ls.map((l) => l + '\n').join('');
        const file = path.join(dir, 'in.txt');
        writeFileSync(file, text);
        const real = spawnSync('sh', ['-c', `cat ${file} | ${prog}`], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
        const ours = await t.run(prog, text);
        expect({ prog, out: ours.out }).toEqual({ prog, out: real.stdout });
      }),
      { numRuns: 300 },
    );
  });
});
