/** `svclab run`: a script of terminal commands, non-interactively, with deterministic output. */
import { readFileSync } from 'node:fs';
import { createWorld } from '../../emulator/world';
import { renderStep, runScript, toScriptResults } from '../../emulator/shell/script-runner';
import { CliUsageError, parseArgs, profileFlag, seedFlag, type CliCommand, type CliIo } from '../cli-command';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

function readScript(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? e);
    throw new CliUsageError(`run: cannot read '${file}': ${why}`);
  }
}

export const run: CliCommand = {
  name: 'run',
  summary: 'Run a script of terminal commands non-interactively (one per line; # comments, heredocs)',
  usage: 'svclab run [--profile local|cloud] [--seed N] [--json] FILE|-',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs(args, { profile: 'string', seed: 'string', json: 'boolean' }, 'run');
    const profile = profileFlag(parsed, 'run');
    const seed = seedFlag(parsed, 'run');
    if (parsed.positionals.length !== 1) {
      throw new CliUsageError(parsed.positionals.length === 0 ? 'run: missing script FILE (or - for standard input)' : `run: unexpected argument '${parsed.positionals[1]}'`);
    }
    const file = parsed.positionals[0]!;
    const script = file === '-' ? await readAll(io.stdin) : readScript(file);
    const json = parsed.flags.get('json') === true;
    const world = createWorld({ profile, seed });
    const steps = await runScript(world, script, {
      // Plain output streams command by command; JSON is one document at the end.
      onStep: json ? undefined : (step) => io.stdout.write(renderStep(step)),
    });
    if (json) io.stdout.write(JSON.stringify(toScriptResults(steps), null, 2) + '\n');
    return 0;
  },
};
