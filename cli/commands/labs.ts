/** `svclab labs list [--json]`: the labs, their profiles and the seed scenarios each one covers. */
import { LAB_MANIFESTS } from '../../labs/catalog';
import { listing } from '../../labs/engine/load';
import { CliUsageError, parseArgs, type CliCommand, type CliIo } from '../cli-command';

export const labs: CliCommand = {
  name: 'labs',
  summary: 'List the labs with their profile, steps, checks and the seed scenarios they cover',
  usage: 'svclab labs list [--json]',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs(args, { json: 'boolean' }, 'labs');
    const [sub, extra] = parsed.positionals;
    if (sub !== 'list') throw new CliUsageError(sub === undefined ? "labs: missing subcommand (try 'svclab labs list')" : `labs: unknown subcommand '${sub}' (try 'svclab labs list')`);
    if (extra !== undefined) throw new CliUsageError(`labs: unexpected argument '${extra}'`);
    const all = LAB_MANIFESTS.map(listing);
    if (parsed.flags.get('json') === true) {
      io.stdout.write(JSON.stringify(all, null, 2) + '\n');
      return 0;
    }
    const idWidth = Math.max(...all.map((l) => l.id.length)) + 2;
    io.stdout.write(`${'ID'.padEnd(idWidth)}${'PROFILE'.padEnd(9)}${'STEPS'.padEnd(7)}${'CHECKS'.padEnd(8)}TITLE\n`);
    for (const l of all) {
      io.stdout.write(`${l.id.padEnd(idWidth)}${l.profile.padEnd(9)}${String(l.stepCount).padEnd(7)}${String(l.checkCount).padEnd(8)}${l.title}\n`);
      for (const s of l.scenarios) io.stdout.write(`${''.padEnd(idWidth)}  seed: ${s}\n`);
    }
    return 0;
  },
};
