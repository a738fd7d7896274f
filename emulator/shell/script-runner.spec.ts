import { describe, expect, it } from 'vitest';
import { shellWorld as createWorld } from './testing/run-line';
import { createShellHost } from '../hosts/shell-host';
import { renderPlain, runScript, splitScript, stripAnsi, toScriptResults } from './script-runner';

const GOLDEN_SCRIPT = `# Files, pipes, heredocs and a node
mkdir -p ~/manifests/app && cd ~/manifests
cat > app/svc.yaml <<EOF
apiVersion: v1
kind: Service
metadata:
  name: currency-exchange
spec:
  ports:
  - port: 8000
EOF
ls -l app
grep -c port app/svc.yaml
for n in 3 1 2; do
  echo "replica-$n"
done | sort -r
ssh worker-1
hostname
exit
echo "back on $(hostname), last status $?"
`;

const GOLDEN_OUTPUT = `student@workstation:~$ mkdir -p ~/manifests/app && cd ~/manifests
student@workstation:~/manifests$ cat > app/svc.yaml <<EOF
> apiVersion: v1
> kind: Service
> metadata:
>   name: currency-exchange
> spec:
>   ports:
>   - port: 8000
> EOF
student@workstation:~/manifests$ ls -l app
total 4
-rw-r--r-- 1 student student 95 Jan  1 00:00 svc.yaml
student@workstation:~/manifests$ grep -c port app/svc.yaml
2
student@workstation:~/manifests$ for n in 3 1 2; do
>   echo "replica-$n"
> done | sort -r
replica-3
replica-2
replica-1
student@workstation:~/manifests$ ssh worker-1
root@worker-1:~# hostname
worker-1
root@worker-1:~# exit
logout
Connection to worker-1 closed.
student@workstation:~/manifests$ echo "back on $(hostname), last status $?"
back on workstation, last status 0
`;

function worldWithNode(seed = 1) {
  const world = createWorld({ seed });
  const node = createShellHost(world, { id: 'node/worker-1', kind: 'node', hostname: 'worker-1', user: 'root' });
  world.hosts.set(node.id, node);
  return world;
}

describe('script runner', () => {
  it('renders the golden transcript', async () => {
    const steps = await runScript(worldWithNode(), GOLDEN_SCRIPT);
    expect(renderPlain(steps)).toBe(GOLDEN_OUTPUT);
    expect(steps.map((s) => s.host)).toEqual([
      'workstation', 'workstation', 'workstation', 'workstation', 'workstation', 'workstation', 'node/worker-1', 'node/worker-1', 'workstation',
    ]);
  });

  it('is byte-identical for the same seed and script', async () => {
    const script = GOLDEN_SCRIPT + 'echo $RANDOM $RANDOM\nsleep 90; date\n';
    const a = JSON.stringify(toScriptResults(await runScript(worldWithNode(9), script)));
    const b = JSON.stringify(toScriptResults(await runScript(worldWithNode(9), script)));
    expect(a).toBe(b);
  });

  it('settles the world before each command', async () => {
    const world = createWorld();
    let fired = 0;
    world.registerCommand({
      name: 'later',
      summary: 'schedules work 5 s ahead',
      run: (ctx) => {
        ctx.world.scheduler.after(5_000, () => fired++);
        return 0;
      },
    });
    const steps = await runScript(world, 'later\ndate\n');
    expect(fired).toBe(1);
    expect(steps[1]!.startedAt - steps[0]!.startedAt).toBeGreaterThanOrEqual(5_000);
  });

  it('runs an unterminated heredoc at end of file with bash\'s warning', async () => {
    const steps = await runScript(createWorld(), 'cat <<EOF\nno end');
    expect(steps).toHaveLength(1);
    expect(steps[0]!.output).toBe("bash: warning: here-document at line 1 delimited by end-of-file (wanted `EOF')\nno end\n");
  });

  it('stops at exit from the login host', async () => {
    const steps = await runScript(createWorld(), 'echo a\nexit\necho never\n');
    expect(steps.map((s) => [s.command, s.output])).toEqual([
      ['echo a', 'a\n'],
      ['exit', 'logout\n'],
    ]);
  });

  it('splits a script into complete command units, skipping blanks and comments', () => {
    expect(splitScript('# c\n\necho a\nfor i in 1 2\ndo echo $i\ndone\ncat <<X\n# not a comment\nX\necho "open\n')).toEqual([
      { text: 'echo a', complete: true },
      { text: 'for i in 1 2\ndo echo $i\ndone', complete: true },
      { text: 'cat <<X\n# not a comment\nX', complete: true },
      { text: 'echo "open', complete: false },
    ]);
  });

  it('strips ANSI escapes from transcript output', () => {
    expect(stripAnsi('\x1b[1mbold\x1b[0m \x1b]0;title\x07plain')).toBe('bold plain');
  });
});
