/**
 * Golden transcripts, one per command family (`__golden__/*.txt`): each `$ command` line is replayed in a fresh
 * `createWorld({ profile: 'local', seed: 1 })` through the non-interactive shell, and what it prints (stdout and
 * stderr, as a terminal shows them, plus `[exit N]` when the status is not 0) must equal the lines that follow it.
 * `UPDATE_GOLDEN=1 npx vitest run emulator/commands/kubectl/golden.spec.ts` rewrites the expected output after a
 * deliberate change; review the diff like code.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TestShell } from '../../shell/testing/run-line';
import { createWorld } from '../../world';

const DIR = join(__dirname, '__golden__');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Step {
  readonly command: string;
  readonly expected: string;
}

export function parseTranscript(text: string): { profile: 'local' | 'cloud'; steps: Step[] } {
  const steps: Step[] = [];
  let profile: 'local' | 'cloud' = 'local';
  let cur: { command: string; lines: string[] } | undefined;
  for (const line of text.split('\n')) {
    const m = /^#! profile=(local|cloud)$/.exec(line);
    if (m && !cur) {
      profile = m[1] as 'local' | 'cloud';
      continue;
    }
    if (line.startsWith('$ ')) {
      if (cur) steps.push({ command: cur.command, expected: cur.lines.join('\n') });
      cur = { command: line.slice(2), lines: [] };
    } else if (cur) cur.lines.push(line);
  }
  if (cur) {
    // The file ends with a newline: drop the empty last line.
    if (cur.lines[cur.lines.length - 1] === '') cur.lines.pop();
    steps.push({ command: cur.command, expected: cur.lines.join('\n') });
  }
  return { profile, steps };
}

async function replay(profile: 'local' | 'cloud', steps: readonly Step[]): Promise<string[]> {
  const sh = new TestShell({ world: createWorld({ profile, seed: 1 }) });
  const outputs: string[] = [];
  for (const s of steps) {
    const r = await sh.run(s.command);
    // Transcripts show what a learner sees: without colours, with a trailing newline per line.
    let text = r.all.replace(/\x1b\[[0-9;]*m/g, '');
    if (r.status !== 0) text += `[exit ${r.status}]\n`;
    outputs.push(text.replace(/\n$/, ''));
  }
  return outputs;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort();

describe('kubectl golden transcripts', () => {
  it('has transcripts to check', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const f of files) {
    it(f, async () => {
      const text = readFileSync(join(DIR, f), 'utf8');
      const { profile, steps } = parseTranscript(text);
      expect(steps.length).toBeGreaterThan(0);
      const got = await replay(profile, steps);
      if (UPDATE) {
        const header = text.startsWith('#!') ? text.split('\n')[0] + '\n' : '';
        const body = steps.map((s, i) => `$ ${s.command}\n${got[i]}${got[i] ? '\n' : ''}`).join('');
        writeFileSync(join(DIR, f), header + body);
        return;
      }
      for (let i = 0; i < steps.length; i++) expect(`$ ${steps[i]!.command}\n${got[i]}`).toBe(`$ ${steps[i]!.command}\n${steps[i]!.expected}`);
    });
  }
});
