import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'svclab');
const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
const dir = mkdtempSync(path.join(tmpdir(), 'svclab-spec-'));

/** After the first run (which builds dist/cli.js if stale), keep using that bundle while others edit sources. */
let built = false;

function svclab(args: string[], input?: string) {
  const env = built ? { ...process.env, SVCLAB_NO_REBUILD: '1' } : process.env;
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function script(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const DEMO = `# a small demo
echo hello

cat > svc.yaml <<EOF
kind: Service
metadata:
  name: web
EOF
grep -n name svc.yaml
for i in $(seq 1 3); do echo "n=$i"; done
nosuchcommand
start=$(date +%s); sleep 30; echo "$(( $(date +%s) - start )) s later"
`;

beforeAll(() => {
  // The first run builds dist/cli.js when it is missing or stale.
  const r = svclab(['--version']);
  expect(r.stderr).toBe('');
  built = true;
}, 120_000);

describe('svclab', () => {
  it('--version prints the package version', () => {
    expect(svclab(['--version'])).toEqual({ status: 0, stdout: `svclab ${version}\n`, stderr: '' });
  });

  it('--help lists the subcommands; no arguments is a usage error', () => {
    const help = svclab(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('svclab run [--profile local|cloud] [--seed N] [--json] FILE|-');
    expect(help.stdout).toContain('svclab shell [--profile local|cloud] [--seed N]');
    const none = svclab([]);
    expect(none.status).toBe(2);
  });

  it('run prints each command after its prompt, then its output, and exits 0 whatever the commands returned', () => {
    const r = svclab(['run', script('demo.sh', DEMO)]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      [
        'student@workstation:~$ echo hello',
        'hello',
        'student@workstation:~$ cat > svc.yaml <<EOF',
        '> kind: Service',
        '> metadata:',
        '>   name: web',
        '> EOF',
        'student@workstation:~$ grep -n name svc.yaml',
        '3:  name: web',
        'student@workstation:~$ for i in $(seq 1 3); do echo "n=$i"; done',
        'n=1',
        'n=2',
        'n=3',
        'student@workstation:~$ nosuchcommand',
        'bash: nosuchcommand: command not found',
        'student@workstation:~$ start=$(date +%s); sleep 30; echo "$(( $(date +%s) - start )) s later"',
        '30 s later',
        '',
      ].join('\n'),
    );
  });

  it('run --json prints one array of { host, command, output, exitCode }', () => {
    const r = svclab(['run', '--json', script('demo.sh', DEMO)]);
    expect(r.status).toBe(0);
    const results = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(results).toHaveLength(6);
    for (const e of results) expect(Object.keys(e)).toEqual(['host', 'command', 'output', 'exitCode']);
    expect(results[4]).toEqual({ host: 'workstation', command: 'nosuchcommand', output: 'bash: nosuchcommand: command not found\n', exitCode: 127 });
  });

  it('a reader that goes away early (svclab run … | head -1) ends the run quietly with status 0', () => {
    // Far more than a pipe buffer holds, so the writer really meets the closed pipe.
    const file = script('pipe.sh', 'echo one\nseq 1 300000\necho three\n');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" run "${file}" | head -1; echo "status=\${PIPESTATUS[0]}"`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SVCLAB_NO_REBUILD: built ? '1' : '' },
    });
    expect(r.stdout).toMatch(/^student@workstation:~\$ echo one\nstatus=0\n$/);
    expect(r.stderr).not.toContain('EPIPE');
  });

  it('the same seed and script give byte-identical output', () => {
    const file = script('det.sh', DEMO + 'echo $RANDOM $RANDOM\n');
    for (const flags of [[], ['--json'], ['--profile', 'cloud', '--seed', '42']]) {
      const a = svclab(['run', ...flags, file]);
      const b = svclab(['run', ...flags, file]);
      expect(a.status).toBe(0);
      expect(a.stdout).toBe(b.stdout);
    }
    const s1 = svclab(['run', '--seed', '1', file]).stdout;
    const s2 = svclab(['run', '--seed', '2', file]).stdout;
    expect(s1).not.toBe(s2);
  });

  it('run - reads the script from standard input; the cloud profile starts on the laptop', () => {
    const r = svclab(['run', '--profile=cloud', '-'], 'hostname\nwhoami\n');
    expect(r.stdout).toBe('student@laptop:~$ hostname\nlaptop\nstudent@laptop:~$ whoami\nstudent\n');
    expect(r.status).toBe(0);
  });

  it.each([
    [['run', 'missing.sh'], "svclab: run: cannot read 'missing.sh': no such file\n"],
    [['run', '.'], "svclab: run: cannot read '.': is a directory\n"],
    [['run'], 'svclab: run: missing script FILE (or - for standard input)\n'],
    [['run', '--seed', 'abc', 'x.sh'], "svclab: run: --seed must be an integer from 0 to 4294967295, not 'abc'\n"],
    [['run', '--profile', 'mars', 'x.sh'], "svclab: run: --profile must be local or cloud, not 'mars'\n"],
    [['run', '--verbose', 'x.sh'], "svclab: run: unknown option '--verbose'\n"],
    [['frobnicate'], "svclab: unknown command 'frobnicate' (try 'svclab --help')\n"],
  ])('%j is a usage error: exit 2 and one line', (args, message) => {
    const r = svclab(args);
    expect(r).toEqual({ status: 2, stdout: '', stderr: message });
  });

  it('shell runs the same shell over piped input and leaves on exit', () => {
    const r = svclab(['shell'], 'echo hi\nexit\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('student@workstation:~$ echo hi\r\nhi\r\nstudent@workstation:~$ exit\r\nlogout\r\n');
  });
});
