/** Run a network command against a World from tests, as the shell would (non-interactive). */
import { createWorld, type World } from '../../world';
import { createShellHost } from '../../hosts/shell-host';
import type { CommandContext, CommandSpec, ShellHost } from '../../shell/types';

export interface Ran {
  readonly stdout: string;
  readonly stderr: string;
  readonly code: number;
}

export async function runCmd(world: World, host: ShellHost, spec: CommandSpec, line: string, opts: { terminal?: boolean; columns?: number } = {}): Promise<Ran> {
  let stdout = '', stderr = '';
  const ctx: CommandContext = {
    argv: line.split(/\s+/).filter(Boolean),
    stdin: '',
    stdout: { write: (t) => (stdout += t) },
    stderr: { write: (t) => (stderr += t) },
    env: new Map(),
    cwd: host.home,
    host,
    world,
    session: { enterHost() {}, clearScreen() {} },
    signal: new AbortController().signal,
    interactive: false,
    stdoutIsTerminal: opts.terminal ?? false,
    columns: opts.columns ?? 80,
    resolvePath: (p) => (p.startsWith('/') ? p : `${host.home}/${p}`),
  };
  const code = await spec.run(ctx);
  return { stdout, stderr, code };
}

export function hostFor(world: World, netns: string, kind: ShellHost['kind'] = 'node'): ShellHost {
  const h = createShellHost(world, { id: netns, kind, hostname: netns.split('/').pop()!, user: 'root', netns });
  world.hosts.set(h.id, h);
  return h;
}

export function podHost(world: World, name: string, node: string, ip: string, podCIDR: string): ShellHost {
  const r = world.cni.addPod({ podKey: `default/${name}`, nodeName: node, podIP: ip, podCIDR, hostname: name });
  return hostFor(world, r.netns, 'pod');
}

export { createWorld };
