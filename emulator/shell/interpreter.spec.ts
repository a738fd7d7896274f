import { describe, expect, it } from 'vitest';
import { createShellHost } from '../hosts/shell-host';
import { TestShell } from './testing/run-line';

describe('interpreter: expansion', () => {
  it('expands variables, $?, ${X:-d}, ${#X}, arithmetic', async () => {
    const t = new TestShell();
    expect((await t.run('X=5; echo $X ${X} "$X" \'$X\' ${Y:-dflt} ${#X} $((X * 2 + 1))')).out).toBe('5 5 5 $X dflt 1 11\n');
    await t.run('false');
    expect((await t.run('echo $?')).out).toBe('1\n');
    expect((await t.run('echo $?')).out).toBe('0\n');
  });

  it('removes prefixes/suffixes, replaces and slices: ${p#pod/} ${f%.yaml} ${x//a/b} ${x:1:2}', async () => {
    const t = new TestShell();
    await t.run('p=pod/web-5d9c7b8f4-abcde; f=/home/student/svc.yaml; x=banana');
    expect((await t.run('echo ${p#pod/} ${p#*-} ${p##*-} ${p%-*} ${p%%-*}')).out).toBe('web-5d9c7b8f4-abcde 5d9c7b8f4-abcde abcde pod/web-5d9c7b8f4 pod/web\n');
    expect((await t.run('echo ${f##*/} ${f%.yaml}.json')).out).toBe('svc.yaml /home/student/svc.json\n');
    expect((await t.run('echo ${x/a/o} ${x//a/o} ${x//an} ${x:1:3} ${x: -2} ${x:2}')).out).toBe('bonana bonono ba ana na nana\n');
  });

  it('splits unquoted expansions into fields, keeps quoted ones whole', async () => {
    const t = new TestShell();
    await t.run('L="a  b c"');
    expect((await t.run('for w in $L; do echo "[$w]"; done')).out).toBe('[a]\n[b]\n[c]\n');
    expect((await t.run('for w in "$L"; do echo "[$w]"; done')).out).toBe('[a  b c]\n');
  });

  it('runs command substitution in a subshell and strips trailing newlines', async () => {
    const t = new TestShell();
    expect((await t.run('echo "<$(printf "a\\n\\n\\n")>"')).out).toBe('<a>\n');
    expect((await t.run('X=1; Y=$(X=2; echo $X); echo $X $Y')).out).toBe('1 2\n');
    expect((await t.run('echo `echo back`ticks')).out).toBe('backticks\n');
  });

  it('expands ~ and globs against the virtual filesystem', async () => {
    const t = new TestShell();
    await t.run('mkdir ~/work && touch ~/work/a.yaml ~/work/b.yaml ~/work/c.txt');
    expect((await t.run('echo ~/work/*.yaml')).out).toBe('/home/student/work/a.yaml /home/student/work/b.yaml\n');
    await t.run('cd work');
    expect((await t.run('echo *.yaml "*.yaml" *.none')).out).toBe('a.yaml b.yaml *.yaml *.none\n');
  });

  it('reports arithmetic errors as bash does', async () => {
    const t = new TestShell();
    const r = await t.run('echo $((1 / 0))');
    expect(r.status).toBe(1);
    expect(r.err).toBe('bash: 1 / 0: division by 0 (error token is "0")\n');
  });
});

describe('interpreter: control flow', () => {
  it('honours && || ; and ! with the right statuses', async () => {
    const t = new TestShell();
    expect((await t.run('false && echo no || echo yes; echo after')).out).toBe('yes\nafter\n');
    expect((await t.run('! false && echo inverted')).out).toBe('inverted\n');
    expect((await t.run('true || echo skipped')).out).toBe('');
  });

  it('runs for loops over $(seq …), while loops and if/else', async () => {
    const t = new TestShell();
    expect((await t.run('for i in $(seq 1 10); do echo -n "$i "; done')).out).toBe('1 2 3 4 5 6 7 8 9 10 ');
    expect((await t.run('i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i')).out).toBe('3\n');
    expect((await t.run('n=0; until test $n = 4; do n=$((n+1)); done; echo $n')).out).toBe('4\n');
    expect((await t.run('[ -d ~/manifests ] && [ ! -f nope ] && echo dirs-ok')).out).toBe('dirs-ok\n');
    const bad = await t.run('[ abc -lt 3 ]');
    expect([bad.status, bad.err]).toEqual([2, 'bash: [: abc: integer expression expected\n']);
    expect((await t.run('if false; then echo a; elif true; then echo b; else echo c; fi')).out).toBe('b\n');
  });

  it('break and continue, also out of nested loops', async () => {
    const t = new TestShell();
    expect((await t.run('for i in 1 2 3 4; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done; echo end')).out).toBe('1\n3\nend\n');
    expect((await t.run('for i in a b; do for j in 1 2; do echo $i$j; break 2; done; done')).out).toBe('a1\n');
    expect((await t.run('n=0; while true; do n=$((n+1)); [ $n -ge 3 ] && break; done; echo $n')).out).toBe('3\n');
    expect((await t.run('break')).err).toBe("bash: break: only meaningful in a `for', `while', or `until' loop\n");
  });

  it('read consumes a loop\'s input line by line', async () => {
    const t = new TestShell();
    expect((await t.run('printf "pod/a 1\\npod/b 2\\n" | while read name n; do echo "$n:$name"; done')).out).toBe('1:pod/a\n2:pod/b\n');
    await t.run('printf "x y z\\nsecond\\n" > in.txt');
    expect((await t.run('while read -r first rest; do echo "[$first][$rest]"; done < in.txt')).out).toBe('[x][y z]\n[second][]\n');
    expect((await t.run('read v < in.txt; echo $v')).out).toBe('x y z\n');
    expect((await t.run('echo $((RANDOM >= 0))')).out).toBe('1\n');
  });

  it('keeps variable and directory changes of ( … ) inside it', async () => {
    const t = new TestShell();
    expect((await t.run('X=1; (X=2; cd /tmp; pwd); echo $X; pwd')).out).toBe('/tmp\n1\n/home/student\n');
  });

  it('pipes each stage into the next and returns the last status', async () => {
    const t = new TestShell();
    expect((await t.run('printf "b\\na\\nb\\n" | sort | uniq -c')).out).toBe('      1 a\n      2 b\n');
    expect((await t.run('echo x | false')).status).toBe(1);
    expect((await t.run('false | true')).status).toBe(0);
  });
});

describe('interpreter: redirects and heredocs', () => {
  it('writes, appends, and reads files', async () => {
    const t = new TestShell();
    await t.run('echo one > f.txt; echo two >> f.txt');
    expect((await t.run('cat < f.txt')).out).toBe('one\ntwo\n');
    expect(t.world.loginHost.fs.readFile('/home/student/f.txt')).toBe('one\ntwo\n');
  });

  it('routes stderr with 2> and 2>&1, and discards into /dev/null', async () => {
    const t = new TestShell();
    const r1 = await t.run('ls nope 2> err.txt');
    expect(r1.all).toBe('');
    expect((await t.run('cat err.txt')).out).toBe("ls: cannot access 'nope': No such file or directory\n");
    expect((await t.run('ls nope 2>&1 | wc -l')).out).toBe('1\n');
    expect((await t.run('ls nope 2>/dev/null')).all).toBe('');
    expect((await t.run('ls nope > out.txt 2>&1; cat out.txt')).out).toContain('cannot access');
  });

  it('reports redirect failures as bash does and does not run the command', async () => {
    const t = new TestShell();
    const r = await t.run('echo hi > nodir/f');
    expect(r.err).toBe('bash: nodir/f: No such file or directory\n');
    expect(r.status).toBe(1);
    expect((await t.run('cat < missing')).err).toBe('bash: missing: No such file or directory\n');
  });

  it('feeds heredocs: expanded, quoted, tab-stripped, piped and into a file', async () => {
    const t = new TestShell();
    await t.run('NAME=web');
    expect((await t.run('cat <<EOF\nname: $NAME\nEOF')).out).toBe('name: web\n');
    expect((await t.run("cat <<'EOF'\nname: $NAME\nEOF")).out).toBe('name: $NAME\n');
    expect((await t.run('cat <<-EOF\n\tindented\n\tEOF')).out).toBe('indented\n');
    expect((await t.run('cat <<EOF | grep -c a\na\nb\na\nEOF')).out).toBe('2\n');
    await t.run('cat > svc.yaml <<EOF\napiVersion: v1\nkind: Service\nmetadata:\n  name: $NAME\nEOF');
    expect(t.world.loginHost.fs.readFile('/home/student/svc.yaml')).toBe('apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n');
    expect((await t.run('grep -c . <<< "one line"')).out).toBe('1\n');
  });
});

describe('interpreter: commands and errors', () => {
  it('prints command not found with status 127', async () => {
    const t = new TestShell();
    const r = await t.run('foo --bar');
    expect(r.err).toBe('bash: foo: command not found\n');
    expect(r.status).toBe(127);
    expect((await t.run('./run.sh')).err).toBe('bash: ./run.sh: No such file or directory\n');
  });

  it('prints syntax errors as bash does, with status 2', async () => {
    const t = new TestShell();
    const r = await t.run('&& ls');
    expect(r.err).toBe("bash: syntax error near unexpected token `&&'\n");
    expect(r.status).toBe(2);
    expect((await t.run('echo "open')).err).toBe("bash: unexpected EOF while looking for matching `\"'\nbash: syntax error: unexpected end of file\n");
  });

  it('filters commands by the host command set, builtins always available, busybox wording', async () => {
    const t = new TestShell();
    const pod = createShellHost(t.world, {
      id: 'pod/default/bb',
      kind: 'pod',
      hostname: 'bb',
      user: 'root',
      promptStyle: 'busybox',
      commands: new Set(['ls']),
    });
    t.shell.enterHost(pod);
    expect(t.shell.prompt()).toBe('~ # ');
    const r = await t.run('grep x /etc/hostname');
    expect(r.err).toBe('sh: grep: not found\n');
    expect(r.status).toBe(127);
    expect((await t.run('cd / && echo ok && ls')).out).toBe('ok\netc\nroot\ntmp\nusr\nvar\n');
    expect(t.shell.prompt()).toBe('/ # ');
    expect((await t.run('echo )')).err).toBe('sh: syntax error: unexpected ")"\n');
    expect((await t.run('echo "open')).err).toBe('sh: syntax error: unterminated quoted string\n');
  });

  it('passes prefix assignments to the command only', async () => {
    const t = new TestShell();
    expect((await t.run('GREETING=hi env | grep GREETING')).out).toBe('');
    expect((await t.run('export GREETING=hi; env | grep GREETING')).out).toBe('GREETING=hi\n');
    expect((await t.run('A=1 printf "%s\\n" "${A:-unset}"')).out).toBe('unset\n');
  });

  it('turns a throwing command into a message and status 1', async () => {
    const t = new TestShell();
    t.world.registerCommand({ name: 'boom', summary: 'throws', run: () => { throw new Error('kaput'); } });
    const r = await t.run('boom; echo $?');
    expect(r.all).toBe('boom: kaput\n1\n');
  });
});

describe('interpreter: aliases, source, process substitution', () => {
  it('expands aliases in command position, once, with arguments and redirects', async () => {
    const t = new TestShell({ loginShell: true });
    await t.run("alias k=echo ll='ls -a' two='echo a; echo b' ls='ls -1'");
    expect((await t.run('k get pods')).out).toBe('get pods\n');
    expect((await t.run('k hi > f.txt; cat f.txt')).out).toBe('hi\n');
    expect((await t.run('two c')).out).toBe('a\nb c\n');
    expect((await t.run('"k" x')).err).toBe('bash: k: command not found\n');
    expect((await t.run('alias k')).out).toBe("alias k='echo'\n");
    expect((await t.run('alias')).out).toBe("alias k='echo'\nalias ll='ls -a'\nalias ls='ls -1'\nalias two='echo a; echo b'\n");
    await t.run('unalias k');
    expect((await t.run('k')).status).toBe(127);
  });

  it('source and . run a file in the current shell', async () => {
    const t = new TestShell({ loginShell: true });
    await t.run("printf 'export APP=web\\nalias k=echo\\ncd /tmp\\n' > setup.sh");
    await t.run('source ~/setup.sh');
    expect((await t.run('echo $APP; pwd; k ok')).out).toBe('web\n/tmp\nok\n');
    expect((await t.run('. ~/.profile && echo sourced')).out).toBe('sourced\n');
    expect((await t.run('source nope.sh')).err).toBe('bash: nope.sh: No such file or directory\n');
  });

  it('supports <(cmd) as a file, e.g. source <(…)', async () => {
    const t = new TestShell({ loginShell: true });
    expect((await t.run("source <(echo 'alias kk=echo'); kk works")).out).toBe('works\n');
    expect((await t.run('cat <(seq 2) <(echo x)')).out).toBe('1\n2\nx\n');
  });
});

describe('interpreter: hosts, ssh and exit', () => {
  function withNode(t: TestShell) {
    const node = createShellHost(t.world, { id: 'node/worker-1', kind: 'node', hostname: 'worker-1', user: 'root', addresses: ['172.18.0.3'] });
    t.world.hosts.set(node.id, node);
    return node;
  }

  it('ssh enters the node, exit returns with ssh\'s goodbye', async () => {
    const t = new TestShell();
    withNode(t);
    expect(t.shell.prompt()).toBe('student@workstation:~$ ');
    expect((await t.run('ssh worker-1')).status).toBe(0);
    expect(t.shell.prompt()).toBe('root@worker-1:~# ');
    expect((await t.run('hostname; whoami')).out).toBe('worker-1\nroot\n');
    const r = await t.run('exit');
    expect(r.out).toBe('logout\nConnection to worker-1 closed.\n');
    expect(t.shell.prompt()).toBe('student@workstation:~$ ');
  });

  it('ssh by address and user@host, with a remote command', async () => {
    const t = new TestShell();
    withNode(t);
    expect((await t.run('ssh root@172.18.0.3 hostname | tr a-z A-Z')).out).toBe('WORKER-1\n');
    expect(t.shell.host.id).toBe('workstation');
  });

  it('unknown host gives ssh\'s resolver error, status 255', async () => {
    const t = new TestShell();
    const r = await t.run('ssh nowhere');
    expect(r.err).toBe('ssh: Could not resolve hostname nowhere: Name or service not known\n');
    expect(r.status).toBe(255);
  });

  it('exit stops the rest of the line', async () => {
    const t = new TestShell();
    withNode(t);
    await t.run('ssh worker-1');
    const r = await t.run('exit 3; echo not-printed');
    expect(r.out).toBe('logout\nConnection to worker-1 closed.\n');
    expect(r.status).toBe(3);
  });
});
