/**
 * What depends on a terminal: `exec -it … -- sh` and `run -it --rm` open the pod's shell (enterHost) and `--rm`
 * deletes the pod when the learner leaves it; without a terminal kubectl says it cannot use a TTY.
 */
import { describe, expect, it } from 'vitest';
import type { CommandContext, EnterHostOptions, ShellHost } from '../../shell/types';
import { createWorld, type World } from '../../world';
import { kubectlCommand } from './index';

function ctxFor(world: World, args: string[], interactive: boolean, entered: { host?: ShellHost; opts?: EnterHostOptions }) {
  const out = { text: '' };
  const ctx: CommandContext = {
    argv: ['kubectl', ...args],
    stdin: '',
    stdout: { write: (t) => (out.text += t) },
    stderr: { write: (t) => (out.text += t) },
    env: new Map(),
    cwd: '/home/student',
    host: world.loginHost,
    world,
    session: {
      enterHost: (h, o) => {
        entered.host = h;
        entered.opts = o;
      },
      clearScreen: () => {},
      runCommand: async (_h, argv, io) => {
        io.stdout.write(`ran ${argv.join(' ')}\n`);
        return 0;
      },
    },
    signal: new AbortController().signal,
    interactive,
    resolvePath: (p) => p,
  };
  return { ctx, out };
}

async function kubectl(world: World, args: string[], interactive = false) {
  const entered: { host?: ShellHost; opts?: EnterHostOptions } = {};
  const { ctx, out } = ctxFor(world, args, interactive, entered);
  let finished = false;
  const p = Promise.resolve(kubectlCommand.run(ctx)).finally(() => (finished = true));
  // In the app a wall-clock ticker moves virtual time; here the test plays that part.
  while (interactive && !finished) {
    world.scheduler.advance(250);
    await new Promise((r) => setImmediate(r));
  }
  const status = await p;
  return { status, out: out.text, entered };
}

async function runningDeployment(): Promise<{ world: World; pod: string }> {
  const world = createWorld({ profile: 'local', seed: 1 });
  await kubectl(world, ['create', 'deployment', 'web', '--image=nginx']);
  await kubectl(world, ['rollout', 'status', 'deployment/web']);
  const pod = world.store.list('pods', { namespace: 'default', labelSelector: 'app=web' }).items[0]!.metadata.name!;
  return { world, pod };
}

describe('kubectl exec', () => {
  it('-it … -- sh in the app terminal enters the pod host', async () => {
    const { world, pod } = await runningDeployment();
    const r = await kubectl(world, ['exec', '-it', pod, '--', 'sh'], true);
    expect(r.status).toBe(0);
    expect(r.entered.host?.id).toBe(`pod/default/${pod}`);
  });

  it('runs a one-shot command on the pod host; without a TTY -t is refused politely', async () => {
    const { world, pod } = await runningDeployment();
    const r = await kubectl(world, ['exec', '-it', pod, '--', 'cat', '/etc/hostname'], false);
    expect(r.out).toBe('Unable to use a TTY - input is not a terminal or the right kind of file\nran cat /etc/hostname\n');
    expect(r.entered.host).toBeUndefined();
  });

  it('names a missing binary as the runtime does', async () => {
    const { world, pod } = await runningDeployment();
    const r = await kubectl(world, ['exec', pod, '--', 'no-such-tool']);
    expect(r.status).toBe(1);
    expect(r.out).toMatch(
      /^Error from server \(InternalError\): error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-tool": executable file not found in \$PATH: unknown\n$/,
    );
  });
});

describe('kubectl run -it --rm', () => {
  it('enters the new pod and deletes it when the learner exits', async () => {
    const world = createWorld({ profile: 'local', seed: 1 });
    const r = await kubectl(world, ['run', 'tmp', '--image=busybox', '--rm', '-it', '--restart=Never', '--', 'sh'], true);
    expect(r.status).toBe(0);
    expect(r.out).toBe("If you don't see a command prompt, try pressing enter.\n");
    expect(r.entered.host?.id).toBe('pod/default/tmp');
    expect(world.store.tryGet('pods', 'default', 'tmp')).toBeDefined();
    const bye = r.entered.opts!.onExit!(0);
    expect(bye).toBe(`Session ended, resume using 'kubectl attach tmp -c tmp -i -t' command when the pod is running\npod "tmp" deleted\n`);
    world.settle();
    expect(world.store.tryGet('pods', 'default', 'tmp')).toBeUndefined();
  });

  it('a one-shot --rm -i command prints its output and removes the pod', async () => {
    const world = createWorld({ profile: 'local', seed: 1 });
    const r = await kubectl(world, ['run', 'once', '--image=busybox', '--rm', '-i', '--restart=Never', '--', 'echo', 'hi']);
    expect(r.out).toBe('ran echo hi\npod "once" deleted\n');
    expect(r.status).toBe(0);
    expect(world.store.tryGet('pods', 'default', 'once')).toBeUndefined();
  });
});

describe('kubectl logs -f', () => {
  it('streams new lines until Ctrl-C', async () => {
    const { world, pod } = await runningDeployment();
    const entered: { host?: ShellHost } = {};
    const { ctx, out } = ctxFor(world, ['logs', '-f', pod, '--tail=0'], true, entered);
    const ac = new AbortController();
    const p = Promise.resolve(kubectlCommand.run({ ...ctx, signal: ac.signal }));
    await new Promise((r) => setImmediate(r));
    world.cluster.runtime.logs.append(`default/${pod}`, 'nginx', 'GET / 200', world.scheduler.now());
    world.cluster.runtime.logs.append(`default/${pod}`, 'nginx', 'GET /x 404', world.scheduler.now());
    ac.abort();
    expect(await p).toBe(0);
    expect(out.text).toBe('GET / 200\nGET /x 404\n');
  });
});
