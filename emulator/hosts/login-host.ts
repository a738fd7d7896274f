/**
 * The learner's own machine, where every terminal starts: `workstation` (local profile, on the kind network at
 * 172.18.0.1) or `laptop` (cloud profile, on the internet at 198.51.100.7). User `student`, home /home/student
 * with a `manifests/` directory that labs drop YAML into.
 */
import type { World } from '../world';
import type { ShellHost } from '../shell/types';
import { createShellHost } from './shell-host';

export const LOGIN_USER = 'student';
export const LOGIN_HOME = '/home/student';
export const MANIFESTS_DIR = `${LOGIN_HOME}/manifests`;

/** Id and hostname of the login host for a profile (`workstation` / `laptop`). */
export function loginHostName(profile: World['profile']): 'workstation' | 'laptop' {
  return profile === 'cloud' ? 'laptop' : 'workstation';
}

/** Create the login host and add it to `world.hosts` (id = hostname). */
export function createLoginHost(world: World): ShellHost {
  const name = loginHostName(world.profile);
  const host = createShellHost(world, {
    id: name,
    kind: 'workstation',
    hostname: name,
    user: LOGIN_USER,
    home: LOGIN_HOME,
    addresses: [world.profile === 'cloud' ? '198.51.100.7' : '172.18.0.1'],
    // Debian's default: `curl localhost:8080` (after `kubectl port-forward`) resolves through it.
    files: { '/etc/hosts': `127.0.0.1\tlocalhost\n127.0.1.1\t${name}\n::1\tlocalhost ip6-localhost ip6-loopback\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n` },
  });
  host.fs.mkdir(MANIFESTS_DIR, true);
  world.hosts.set(host.id, host);
  return host;
}
