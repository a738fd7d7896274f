/**
 * `svclab`: Kube Service Lab from the command line — the same emulator as the app. Entry point of the esbuild
 * bundle `dist/cli.js` (scripts/build.mjs), started by `bin/svclab`.
 */
import { COMMANDS } from './commands/index';
import { CliUsageError, type CliCommand, type CliIo } from './cli-command';

declare const __APP_VERSION__: string | undefined;

export const VERSION = typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : '0.0.0-dev';

export function helpText(commands: readonly CliCommand[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'svclab — Kube Service Lab: hands-on Kubernetes Service networking labs in an offline emulator',
    '',
    'Usage:',
    ...commands.map((c) => `  ${c.usage}`),
    '  svclab --help | --version',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'The same profile, seed and commands always give the same output.',
    '',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === undefined) {
      io.stderr.write(helpText());
      return 2;
    }
    io.stdout.write(helpText());
    return 0;
  }
  if (first === '--version' || first === '-V') {
    io.stdout.write(`svclab ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  try {
    if (!command) throw new CliUsageError(`unknown command '${first}' (try 'svclab --help')`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(`Usage: ${command.usage}\n${command.summary}\n`);
      return 0;
    }
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof CliUsageError) {
      io.stderr.write(`svclab: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

// Run when loaded as the program (the bundle), not when imported by a test.
const isEntry = typeof process !== 'undefined' && process.argv[1] !== undefined && /(?:^|[\\/])(?:svclab|cli\.js)$/.test(process.argv[1]);
if (isEntry) {
  // `svclab run script | head`: the reader went away; stop quietly as other Unix tools do (no stack trace).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`svclab: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
