/**
 * `iptables`, `iptables-save`, `iptables-restore` over the host's netfilter namespace (emulator/netfilter). The
 * commands only parse, apply and print; the ruleset and its renderers live in netfilter.
 */
import { createNetfilterNamespace, netfilterFor, type NetfilterNamespaceImpl } from '../../netfilter';
import type { NfTable } from '../../netfilter/hook-api';
import { IPTABLES_VERSION, IptablesError, parseIptablesArgs } from '../../netfilter/parse';
import { listRules, listTable } from '../../netfilter/render';
import { isTableName } from '../../netfilter/rule';
import type { CommandContext, CommandSpec } from '../../shell/types';

const scratch = new WeakMap<object, NetfilterNamespaceImpl>();

/** The netfilter namespace of the command's host (an empty one for a host without a network namespace). */
export function hostNetfilter(ctx: Pick<CommandContext, 'world' | 'host'>): NetfilterNamespaceImpl {
  const id = ctx.host.netns;
  const ns = id ? netfilterFor(ctx.world, id) : undefined;
  if (ns) return ns;
  let s = scratch.get(ctx.host);
  if (!s) scratch.set(ctx.host, (s = createNetfilterNamespace({ name: ctx.host.id, rng: { nextUint32: () => 0 } })));
  return s;
}

function needRoot(ctx: CommandContext, prog: string): boolean {
  if (ctx.host.user === 'root') return true;
  ctx.stderr.write(`${prog} ${IPTABLES_VERSION}: Could not fetch rule set generation id: Permission denied (you must be root)\n`);
  return false;
}

const IPTABLES_HELP = `iptables v1.8.9

Usage: iptables -[ACD] chain rule-specification [options]
       iptables -I chain [rulenum] rule-specification [options]
       iptables -R chain rulenum rule-specification [options]
       iptables -D chain rulenum [options]
       iptables -[LS] [chain [rulenum]] [options]
       iptables -[FZ] [chain] [options]
       iptables -[NX] chain
       iptables -E old-chain-name new-chain-name
       iptables -P chain target [options]
       iptables -h (print this help information)
`;

export const iptables: CommandSpec = {
  name: 'iptables',
  summary: 'Administration tool for IPv4 packet filtering and NAT',
  run(ctx) {
    const args = ctx.argv.slice(1);
    if (args.includes('-V') || args.includes('--version')) {
      ctx.stdout.write(`iptables ${IPTABLES_VERSION}\n`);
      return 0;
    }
    if (args.includes('-h') || args.includes('--help')) {
      ctx.stdout.write(IPTABLES_HELP);
      return 0;
    }
    let cmd;
    try {
      cmd = parseIptablesArgs(args);
    } catch (e) {
      if (e instanceof IptablesError) {
        ctx.stderr.write(`${e.message}\n`);
        return e.status;
      }
      throw e;
    }
    if (!needRoot(ctx, 'iptables')) return 4;
    const nf = hostNetfilter(ctx);
    const table = nf.ruleset.table(cmd.table);
    if (cmd.op === 'L' || cmd.op === 'S') {
      if (cmd.chain !== undefined && !table.chains.has(cmd.chain)) {
        ctx.stderr.write(`iptables ${IPTABLES_VERSION}: chain \`${cmd.chain}' in table \`${cmd.table}' is incompatible, use 'nft' tool.\n\n`);
        return 1;
      }
      if (cmd.op === 'S') ctx.stdout.write(listRules(table, cmd.chain, cmd.verbose, cmd.ruleNum));
      else {
        ctx.stdout.write(listTable(table, {
          numeric: cmd.numeric, verbose: cmd.verbose, exact: cmd.exact, lineNumbers: cmd.lineNumbers,
        }, cmd.chain, cmd.ruleNum));
      }
      return 0;
    }
    try {
      nf.change((rs) => rs.apply(cmd));
    } catch (e) {
      if (e instanceof IptablesError) {
        ctx.stderr.write(`${e.message}\n`);
        return e.status;
      }
      throw e;
    }
    return 0;
  },
};

export const iptablesSave: CommandSpec = {
  name: 'iptables-save',
  summary: 'Dump iptables rules (iptables-restore format)',
  run(ctx) {
    const args = ctx.argv.slice(1);
    let table: NfTable | undefined;
    let counters = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-c' || a === '--counters') counters = true;
      else if (a === '-t' || a === '--table') {
        const t = args[++i] ?? '';
        if (!isTableName(t)) {
          ctx.stderr.write(`iptables-save ${IPTABLES_VERSION}: Cannot initialize: Table does not exist (do you need to insmod?)\n`);
          return 1;
        }
        table = t;
      } else if (/^--table=/.test(a)) {
        const t = a.slice(8);
        if (!isTableName(t)) return 1;
        table = t;
      } else if (a === '-V' || a === '--version') {
        ctx.stdout.write(`iptables-save ${IPTABLES_VERSION}\n`);
        return 0;
      } else if (a === '-h' || a === '--help') {
        ctx.stdout.write('Usage: iptables-save [-b] [-c] [-d] [-t table] [-V]\n');
        return 0;
      } else {
        ctx.stderr.write(`iptables-save: unrecognized option '${a}'\nUsage: iptables-save [-b] [-c] [-d] [-t table] [-V]\n`);
        return 1;
      }
    }
    if (ctx.host.user !== 'root') {
      ctx.stderr.write(`iptables-save ${IPTABLES_VERSION}: Could not fetch rule set generation id: Permission denied (you must be root)\n`);
      return 4;
    }
    const nf = hostNetfilter(ctx);
    ctx.stdout.write(nf.save({ counters, now: ctx.world.scheduler.now(), ...(table ? { table } : {}) }));
    return 0;
  },
};

export const iptablesRestore: CommandSpec = {
  name: 'iptables-restore',
  summary: 'Restore iptables rules from stdin or a file',
  run(ctx) {
    const args = ctx.argv.slice(1);
    let noflush = false, counters = false, test = false;
    let file: string | undefined;
    let table: NfTable | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-n' || a === '--noflush') noflush = true;
      else if (a === '-c' || a === '--counters') counters = true;
      else if (a === '-t' || a === '--test') test = true;
      else if (a === '-v' || a === '--verbose' || a === '-w' || a === '--wait') continue;
      else if (a === '-T' || a === '--table') {
        const t = args[++i] ?? '';
        if (!isTableName(t)) {
          ctx.stderr.write(`iptables-restore ${IPTABLES_VERSION}: table '${t}' does not exist\n`);
          return 1;
        }
        table = t;
      } else if (a.startsWith('-')) {
        ctx.stderr.write(`iptables-restore: unrecognized option '${a}'\nUsage: iptables-restore [-c] [-v] [-V] [-t] [-h] [-n] [-w secs] [-W usecs] [-T table] [-M command] [file]\n`);
        return 1;
      } else file = a;
    }
    let text = ctx.stdin;
    if (file !== undefined) {
      const content = ctx.host.fs.readFile(ctx.resolvePath(file));
      if (content === undefined) {
        ctx.stderr.write(`iptables-restore ${IPTABLES_VERSION}: Can't open ${file}: No such file or directory\n`);
        return 1;
      }
      text = content;
    }
    if (ctx.host.user !== 'root') {
      ctx.stderr.write(`iptables-restore ${IPTABLES_VERSION}: Could not fetch rule set generation id: Permission denied (you must be root)\n`);
      return 4;
    }
    const nf = hostNetfilter(ctx);
    try {
      if (test) {
        // Parse and apply to a throwaway copy: same errors, no change.
        const probe = createNetfilterNamespace({ name: 'test', rng: { nextUint32: () => 0 } });
        probe.restore(nf.save(), { noflush: true });
        probe.restore(text, { noflush, counters, ...(table ? { table } : {}) });
      } else {
        nf.change((rs) => rs.restore(text, { noflush, counters, ...(table ? { table } : {}) }));
      }
    } catch (e) {
      if (e instanceof IptablesError) {
        ctx.stderr.write(`${e.message}\n`);
        return e.status === 2 ? 1 : e.status;
      }
      throw e;
    }
    return 0;
  },
};
