/**
 * The tables of one network namespace and the operations iptables performs on them (`-A -I -D -R -C -N -X -F -Z
 * -P -E`) and iptables-restore's transactional per-table COMMIT. Every change bumps `generation`, which is how
 * the interpreter knows to recompile; nothing here evaluates packets.
 */
import type { NfTable } from './hook-api';
import {
  IPTABLES_VERSION, IptablesError, isBuiltinTarget, parseIptablesArgs, tokenizeRestoreLine, usageError,
  type IptablesCommand,
} from './parse';
import { ruleSaveBody } from './render';
import { cloneTable, isTableName, newTable, newUserChain, type Chain, type Rule, type RuleSpec, type Table } from './rule';

const NO_CHAIN = 'iptables: No chain/target/match by that name.';
const BAD_RULE = 'iptables: Bad rule (does a matching rule exist in that chain?).';

function fail(msg: string, status = 1): IptablesError {
  return new IptablesError(msg, status);
}

const NAT_ONLY = new Set(['DNAT', 'SNAT', 'MASQUERADE']);

export class Ruleset {
  readonly tables = new Map<NfTable, Table>();
  /** Bumped on every change; the interpreter recompiles when it differs from what it compiled. */
  generation = 0;

  constructor() {
    for (const t of ['raw', 'mangle', 'nat', 'filter'] as const) this.tables.set(t, newTable(t));
  }

  table(name: NfTable): Table {
    return this.tables.get(name)!;
  }

  /** Run one parsed `iptables` command that changes state (not -L/-S). */
  apply(cmd: IptablesCommand): void {
    const t = this.table(cmd.table);
    applyTo(t, cmd);
    t.touched = true;
    this.generation++;
  }

  /** `iptables-restore [--noflush] [--counters] [-T table]`. Throws IptablesError with restore's message. */
  restore(text: string, opts: { noflush?: boolean; counters?: boolean; table?: NfTable } = {}): void {
    const lines = text.split('\n');
    let current: Table | undefined;
    let startLine = 0;
    for (let ln = 0; ln < lines.length; ln++) {
      const line = lines[ln]!.trim();
      const lineNo = ln + 1;
      if (line === '' || line.startsWith('#')) continue;
      try {
        if (line.startsWith('*')) {
          if (current) throw restoreError(`table '${current.name}' was not committed`, lineNo);
          const name = line.slice(1).trim();
          if (!isTableName(name)) throw restoreError(`Can't initialize table '${name}'`, lineNo);
          current = cloneTable(this.table(name));
          startLine = lineNo;
          if (!opts.noflush) {
            for (const [n, c] of [...current.chains]) {
              if (c.builtin) c.rules = [];
              else current.chains.delete(n);
            }
          }
          continue;
        }
        if (!current) throw restoreError('no command specified', lineNo);
        if (line === 'COMMIT') {
          validateJumps(current, startLine);
          if (opts.table === undefined || opts.table === current.name) {
            current.touched = true;
            this.tables.set(current.name, current);
            this.generation++;
          }
          current = undefined;
          continue;
        }
        if (line.startsWith(':')) {
          const [name, policy, cnt] = line.slice(1).split(/\s+/);
          if (!name) throw restoreError('no chain name', lineNo);
          const existing = current.chains.get(name);
          if (existing?.builtin) {
            if (policy !== 'ACCEPT' && policy !== 'DROP') throw restoreError(`Can't set policy \`${policy}' on \`${name}'`, lineNo);
            existing.policy = policy;
            if (opts.counters && cnt) {
              const m = /^\[(\d+):(\d+)\]$/.exec(cnt);
              if (m) {
                existing.packets = Number(m[1]);
                existing.bytes = Number(m[2]);
              }
            }
          } else if (policy !== '-' && policy !== undefined) {
            throw restoreError(`Can't set policy \`${policy}' on \`${name}' line ${lineNo}: Bad built-in chain name`, lineNo);
          } else if (existing) {
            existing.rules = [];
          } else {
            if (name.length > 28) throw restoreError(`chain name \`${name}' too long (must be under 29 chars)`, lineNo);
            current.chains.set(name, newUserChain(name));
          }
          continue;
        }
        let rest = line;
        let counters: { packets: number; bytes: number } | undefined;
        const cm = /^\[(\d+):(\d+)\]\s+/.exec(rest);
        if (cm) {
          counters = { packets: Number(cm[1]), bytes: Number(cm[2]) };
          rest = rest.slice(cm[0].length);
        }
        const cmd = parseRestoreLine(rest, current.name);
        if (cmd.op === 'L' || cmd.op === 'S') throw restoreError('invalid command in restore input', lineNo);
        applyTo(current, opts.counters && counters ? { ...cmd, counters } : cmd, true);
      } catch (e) {
        if (e instanceof RestoreError) throw e.asIptables();
        if (e instanceof IptablesError) throw restoreError(stripPrefix(e.message), lineNo).asIptables();
        throw e;
      }
    }
    if (current) throw restoreError(`COMMIT expected at line ${lines.length + 1}`, lines.length + 1).asIptables();
  }
}

/**
 * Parsed `-A` lines by text. kube-proxy rewrites every rule on every sync and almost all lines are the same as
 * last time; the parse result is immutable data, so a repeated line costs one map lookup.
 */
const lineCache = new Map<string, IptablesCommand>();
const LINE_CACHE_MAX = 500_000;

function parseRestoreLine(line: string, table: NfTable): IptablesCommand {
  if (!line.startsWith('-A ')) return parseIptablesArgs(tokenizeRestoreLine(line), table);
  const key = `${table} ${line}`;
  let cmd = lineCache.get(key);
  if (cmd === undefined) {
    cmd = parseIptablesArgs(tokenizeRestoreLine(line), table);
    if (lineCache.size >= LINE_CACHE_MAX) lineCache.clear();
    lineCache.set(key, cmd);
  }
  return cmd;
}

class RestoreError extends Error {
  constructor(readonly detail: string, readonly lineNo: number) {
    super(detail);
  }
  asIptables(): IptablesError {
    return new IptablesError(
      `iptables-restore ${IPTABLES_VERSION}: ${this.detail}\nError occurred at line: ${this.lineNo}\n` +
        "Try `iptables-restore -h' or 'iptables-restore --help' for more information.", 2);
  }
}

function restoreError(detail: string, lineNo: number): RestoreError {
  return new RestoreError(detail, lineNo);
}

function stripPrefix(msg: string): string {
  return msg
    .replace(`iptables ${IPTABLES_VERSION}: `, '')
    .replace(/\nTry `iptables -h'.*$/s, '')
    .replace(/^iptables: /, '');
}

function validateJumps(t: Table, line: number): void {
  for (const c of t.chains.values()) {
    for (const r of c.rules) {
      if (r.target.kind === 'jump' && !t.chains.has(r.target.chain)) {
        throw restoreError(`Chain '${r.target.chain}' does not exist`, line);
      }
    }
  }
}

function checkSpec(t: Table, spec: RuleSpec, deferJumpCheck: boolean): void {
  const k = spec.target.kind;
  if (NAT_ONLY.has(k) && t.name !== 'nat') {
    throw fail(`iptables ${IPTABLES_VERSION}: RULE_APPEND failed (Invalid argument): ${k} is only valid in the nat table`, 4);
  }
  if (spec.target.kind === 'jump') {
    const target = spec.target.chain;
    const chain = t.chains.get(target);
    if (chain?.builtin) throw fail(`iptables ${IPTABLES_VERSION}: RULE_APPEND failed (Operation not supported): jump to built-in chain ${target}`, 4);
    if (!chain && !deferJumpCheck) {
      if (/^[A-Z]+$/.test(target) && !isBuiltinTarget(target) && target.length < 12) {
        throw usageError(`Chain '${target}' does not exist`);
      }
      throw usageError(`Chain '${target}' does not exist`);
    }
  }
}

function getChain(t: Table, name: string | undefined): Chain {
  const c = name === undefined ? undefined : t.chains.get(name);
  if (!c) throw fail(NO_CHAIN);
  return c;
}

/**
 * Every rule has one object shape (absent parts are undefined, not missing), whatever options it was parsed
 * from: the interpreter's counter updates then see a single hidden class.
 */
function newRule(spec: RuleSpec, counters?: { packets: number; bytes: number }): Rule {
  return {
    src: spec.src, dst: spec.dst, inIface: spec.inIface, outIface: spec.outIface, proto: spec.proto,
    matches: spec.matches, target: spec.target, packets: counters?.packets ?? 0, bytes: counters?.bytes ?? 0,
  } as Rule;
}

function findBySpec(c: Chain, spec: RuleSpec): number {
  const want = ruleSaveBody(spec);
  return c.rules.findIndex((r) => ruleSaveBody(r) === want);
}

function applyTo(t: Table, cmd: IptablesCommand, inRestore = false): void {
  switch (cmd.op) {
    case 'A': {
      const c = getChain(t, cmd.chain);
      checkSpec(t, cmd.spec!, inRestore);
      c.rules.push(newRule(cmd.spec!, cmd.counters));
      return;
    }
    case 'I': {
      const c = getChain(t, cmd.chain);
      checkSpec(t, cmd.spec!, inRestore);
      const pos = (cmd.ruleNum ?? 1) - 1;
      if (pos < 0 || pos > c.rules.length) throw fail('iptables: Index of insertion too big.');
      c.rules.splice(pos, 0, newRule(cmd.spec!, cmd.counters));
      return;
    }
    case 'R': {
      const c = getChain(t, cmd.chain);
      checkSpec(t, cmd.spec!, inRestore);
      const pos = cmd.ruleNum! - 1;
      if (pos < 0 || pos >= c.rules.length) throw fail('iptables: Index of replacement too big.');
      c.rules[pos] = newRule(cmd.spec!, cmd.counters);
      return;
    }
    case 'D': {
      const c = getChain(t, cmd.chain);
      if (cmd.ruleNum !== undefined) {
        if (cmd.ruleNum < 1 || cmd.ruleNum > c.rules.length) throw fail('iptables: Index of deletion too big.');
        c.rules.splice(cmd.ruleNum - 1, 1);
        return;
      }
      const idx = findBySpec(c, cmd.spec!);
      if (idx < 0) throw fail(BAD_RULE);
      c.rules.splice(idx, 1);
      return;
    }
    case 'C': {
      const c = getChain(t, cmd.chain);
      if (findBySpec(c, cmd.spec!) < 0) throw fail(BAD_RULE);
      return;
    }
    case 'N': {
      const name = cmd.chain!;
      if (t.chains.has(name)) throw fail('iptables: Chain already exists.');
      if (name.length > 28) throw usageError(`chain name \`${name}' too long (must be under 29 chars)`);
      if (name.startsWith('-') || name === '!') throw usageError(`chain name not allowed to start with \`-'`);
      t.chains.set(name, newUserChain(name));
      return;
    }
    case 'X': {
      const victims = cmd.chain === undefined ? [...t.chains.values()].filter((c) => !c.builtin) : [getChain(t, cmd.chain)];
      for (const v of victims) {
        if (v.builtin) continue;
        const referenced = [...t.chains.values()].some((c) => c.rules.some((r) => r.target.kind === 'jump' && r.target.chain === v.name) && !victims.includes(c));
        if (v.rules.length > 0 || referenced) {
          throw fail(`iptables ${IPTABLES_VERSION}:  CHAIN_DEL failed (Device or resource busy): chain ${v.name}`, 4);
        }
      }
      for (const v of victims) if (!v.builtin) t.chains.delete(v.name);
      return;
    }
    case 'F': {
      const cs = cmd.chain === undefined ? [...t.chains.values()] : [getChain(t, cmd.chain)];
      for (const c of cs) c.rules = [];
      return;
    }
    case 'Z': {
      const cs = cmd.chain === undefined ? [...t.chains.values()] : [getChain(t, cmd.chain)];
      for (const c of cs) {
        c.packets = 0;
        c.bytes = 0;
        c.rules.forEach((r, i) => {
          if (cmd.ruleNum === undefined || cmd.ruleNum === i + 1) {
            r.packets = 0;
            r.bytes = 0;
          }
        });
      }
      return;
    }
    case 'P': {
      const c = t.chains.get(cmd.chain!);
      if (!c || !c.builtin) throw fail('iptables: Bad built-in chain name.');
      if (cmd.arg !== 'ACCEPT' && cmd.arg !== 'DROP') throw fail("iptables: Bad policy name. Run `dmesg' for more information.");
      c.policy = cmd.arg;
      if (cmd.counters) {
        c.packets = cmd.counters.packets;
        c.bytes = cmd.counters.bytes;
      }
      return;
    }
    case 'E': {
      const c = getChain(t, cmd.chain);
      if (c.builtin) throw fail('iptables: Invalid argument. Run `dmesg\' for more information.');
      const to = cmd.arg!;
      if (t.chains.has(to)) throw fail('iptables: File exists.');
      t.chains.delete(c.name);
      t.chains.set(to, { ...c, name: to });
      for (const ch of t.chains.values()) {
        ch.rules = ch.rules.map((r) => (r.target.kind === 'jump' && r.target.chain === c.name ? { ...r, target: { ...r.target, chain: to } } : r));
      }
      return;
    }
    case 'L': case 'S':
      return;
  }
}
