/** Command-line options shared by the web shell entry (`npm run web -- …`) and `npm start`'s fallback. */
import os from 'node:os';
import path from 'node:path';

export interface WebShellArgs {
  readonly port: number;
  readonly open: boolean;
  readonly dataDir: string;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run web -- [--port N] [--no-open] [--data-dir DIR]

  --port N        listen on 127.0.0.1:N (default: a random free port)
  --no-open       do not open a browser window; just print the link
  --data-dir DIR  keep progress in DIR (default: $XDG_DATA_HOME/kube-service-lab,
                  i.e. ~/.local/share/kube-service-lab)`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `$XDG_DATA_HOME/kube-service-lab`, or `~/.local/share/kube-service-lab` (the XDG default). */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): string {
  const base = env['XDG_DATA_HOME'] && path.isAbsolute(env['XDG_DATA_HOME']) ? env['XDG_DATA_HOME'] : path.join(home, '.local', 'share');
  return path.join(base, 'kube-service-lab');
}

export function parseWebShellArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): WebShellArgs {
  let port = 0;
  let open = true;
  let dataDir: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const v = value();
        if (!/^\d+$/.test(v) || Number(v) > 65535) throw new UsageError(`--port: "${v}" is not a port number (0-65535)`);
        port = Number(v);
        break;
      }
      case '--no-open':
        open = false;
        break;
      case '--data-dir':
        dataDir = path.resolve(value());
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new UsageError(`unknown option ${a}`);
    }
  }
  return { port, open, dataDir: dataDir ?? defaultDataDir(env), help };
}
