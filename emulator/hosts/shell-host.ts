/**
 * Building hosts a learner can open a shell on. `createShellHost` gives any host (login host, node, VM, pod) a
 * virtual filesystem laid out like a small Linux system, with mtimes from the world's virtual clock.
 */
import type { World } from '../world';
import type { ShellHost } from '../shell/types';
import { MemoryFs } from '../shell/vfs';

export interface ShellHostOptions {
  readonly id: string;
  readonly kind: ShellHost['kind'];
  readonly hostname: string;
  readonly user: string;
  /** Default: `/root` for root, `/home/USER` otherwise. */
  readonly home?: string;
  readonly promptStyle?: ShellHost['promptStyle'];
  readonly commands?: ReadonlySet<string>;
  readonly env?: ReadonlyMap<string, string>;
  readonly netns?: string;
  readonly addresses?: readonly string[];
  /** Extra files to create, path → content (parents are created). */
  readonly files?: Readonly<Record<string, string>>;
}

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;

const BASHRC = `# ~/.bashrc: executed by bash(1) for non-login shells.
export PS1='\\u@\\h:\\w\\$ '
`;

const PROFILE = `# ~/.profile: executed by the command interpreter for login shells.
if [ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ]; then
    . "$HOME/.bashrc"
fi
`;

/** A host with a fresh filesystem: /etc, /tmp, /root, the user's home (with dotfiles for bash users). */
export function createShellHost(world: World, opts: ShellHostOptions): ShellHost {
  const home = opts.home ?? (opts.user === 'root' ? '/root' : `/home/${opts.user}`);
  const promptStyle = opts.promptStyle ?? 'bash';
  const fs = new MemoryFs({ now: () => world.scheduler.now(), owner: opts.user });
  for (const dir of ['/etc', '/tmp', '/root', '/usr/bin', '/var/log', home]) fs.mkdir(dir, true);
  fs.writeFile('/etc/hostname', opts.hostname + '\n');
  if (promptStyle === 'bash') {
    fs.writeFile('/etc/os-release', OS_RELEASE);
    fs.writeFile(`${home}/.bashrc`, BASHRC);
    fs.writeFile(`${home}/.profile`, PROFILE);
  }
  for (const [path, content] of Object.entries(opts.files ?? {})) {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    fs.mkdir(parent, true);
    fs.writeFile(path, content);
  }
  return {
    id: opts.id,
    kind: opts.kind,
    hostname: opts.hostname,
    user: opts.user,
    home,
    fs,
    promptStyle,
    ...(opts.commands ? { commands: opts.commands } : {}),
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.netns ? { netns: opts.netns } : {}),
    ...(opts.addresses ? { addresses: opts.addresses } : {}),
  };
}
