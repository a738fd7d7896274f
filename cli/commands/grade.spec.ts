import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { CliUsageError } from '../cli-command';
import { grade } from './grade';
import { labs } from './labs';
import { probe } from '../../labs/capabilities';
import { findLab } from '../../labs/node-loader';
import { LabSession } from '../../labs/engine/session';
import { defaultRuntime } from '../../labs/engine/runtime';
import { solve } from '../../labs/testing';
import { toTranscriptFile } from '../../labs/engine/transcript';

function io() {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += String(d)));
  err.on('data', (d) => (stderr += String(d)));
  return { io: { stdout: out, stderr: err, stdin: new PassThrough() }, text: () => ({ stdout, stderr }) };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svclab-grade-'));
const write = (name: string, data: unknown) => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, typeof data === 'string' ? data : JSON.stringify(data));
  return f;
};

describe('svclab labs list', () => {
  it('prints every lab with its profile and seed scenarios; --json is the listing', async () => {
    const a = io();
    expect(await labs.run(['list'], a.io)).toBe(0);
    expect(a.text().stdout).toMatch(/^ID\s+PROFILE\s+STEPS\s+CHECKS\s+TITLE\n01-why-services\s+local\s+4\s+\d+\s+Why do we need a Kubernetes Service\?\n\s+seed: Why do we need a Kubernetes Service\?/);
    const b = io();
    expect(await labs.run(['list', '--json'], b.io)).toBe(0);
    const list = JSON.parse(b.text().stdout);
    expect(list.length).toBeGreaterThanOrEqual(17);
    expect(list[3]).toMatchObject({ id: '04-loadbalancer-cloud', profile: 'cloud' });
  });

  it('rejects a missing or unknown subcommand', async () => {
    await expect(labs.run([], io().io)).rejects.toThrow(new CliUsageError("labs: missing subcommand (try 'svclab labs list')"));
    await expect(labs.run(['show'], io().io)).rejects.toThrow("labs: unknown subcommand 'show'");
  });
});

const dnsReady = (await probe('local')).present.has('dns');
if (!dnsReady) console.warn('[grade.spec] solved-transcript test skipped: emulator capability missing: dns');

describe('svclab grade', () => {
  it.skipIf(!dnsReady)('grades a solved transcript exported from a lab session to 100%, exit 0, JUnit without failures', async () => {
    const lab = findLab('07-externalname')!;
    const session = await LabSession.start(lab, { seed: 11, runtime: defaultRuntime });
    await solve(session);
    const t = write('solved.json', toTranscriptFile({ labId: lab.manifest.id, seed: 11, profile: 'local', entries: session.transcript, quizAnswers: session.quizAnswers() }));
    const junit = path.join(tmp, 'solved.xml');
    const a = io();
    expect(await grade.run(['--lab', '07-externalname', '--transcript', t, '--junit', junit], a.io)).toBe(0);
    expect(a.text().stdout).toMatch(/Score: 100% \((\d+)\/\1 checks passed\) — completed/);
    expect(fs.readFileSync(junit, 'utf8')).toMatch(/failures="0"/);
    expect(fs.readFileSync(junit, 'utf8')).not.toContain('<failure');
  });

  it('grades an empty attempt to 0% with every check failed, exit 1, and writes JUnit', async () => {
    const t = write('empty.json', { labId: '07-externalname', seed: 4, profile: 'local', entries: [], quizAnswers: {} });
    const junit = path.join(tmp, 'out.xml');
    const a = io();
    expect(await grade.run(['--lab', '07-externalname', '--transcript', t, '--junit', junit], a.io)).toBe(1);
    const out = a.text().stdout;
    expect(out).toContain('Lab 07-externalname: ExternalName: a Service that is only a DNS alias');
    expect(out).toMatch(/Score: 0% \(0\/\d+ checks passed\)/);
    expect(out).toMatch(/FAIL {2}externalname: Service .* is an ExternalName for api\.external\.com\n {10}Service (external|payments|rates)-api not found in namespace default/);
    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="svclab grade" tests="\d+" failures="\d+" errors="0">/);
    expect(xml).toContain('<testsuite name="07-externalname"');
  });

  it('--json prints the report; the same transcript always gives the same report', async () => {
    const t = write('q.json', { labId: '07-externalname', seed: 4, profile: 'local', entries: [{ host: 'workstation', command: 'kubectl get svc' }], quizAnswers: { '04-quiz': ['dns'] } });
    const a = io();
    const b = io();
    await grade.run(['--lab', '07-externalname', '--transcript', t, '--json'], a.io);
    await grade.run(['--lab', '07-externalname', '--transcript', t, '--json'], b.io);
    const r = JSON.parse(a.text().stdout);
    expect(a.text().stdout).toBe(b.text().stdout);
    expect(r).toMatchObject({ labId: '07-externalname', seed: 4, profile: 'local', commandsReplayed: 1 });
    expect(r.steps.find((s: { id: string }) => s.id === '04-quiz').quiz).toEqual({ answered: ['dns'], correct: false, message: 'quiz locked: complete the steps it needs first' });
  });

  it.each([
    [['--transcript', 'x.json'], 'grade: missing --lab ID (see svclab labs list)'],
    [['--lab', '07-externalname'], 'grade: missing --transcript FILE'],
    [['--lab', 'nope', '--transcript', 'x.json'], "grade: unknown lab 'nope'"],
    [['--lab', '07-externalname', '--transcript', '/nonexistent/t.json'], "grade: cannot read transcript '/nonexistent/t.json': no such file"],
    [['--lab', '07-externalname', '--transcript', 'x', 'extra'], "grade: unexpected argument 'extra'"],
  ])('usage error for %j', async (args, message) => {
    await expect(grade.run(args, io().io)).rejects.toThrow(message);
  });

  it('explains invalid transcripts and mismatched labs', async () => {
    const notJson = write('bad.txt', '{');
    await expect(grade.run(['--lab', '07-externalname', '--transcript', notJson], io().io)).rejects.toThrow(/is not JSON/);
    const badSeed = write('seed.json', { labId: '07-externalname', seed: 'x', profile: 'local', entries: [] });
    await expect(grade.run(['--lab', '07-externalname', '--transcript', badSeed], io().io)).rejects.toThrow('transcript: seed must be a non-negative integer');
    const other = write('other.json', { labId: '02-clusterip', seed: 1, profile: 'local', entries: [] });
    await expect(grade.run(['--lab', '07-externalname', '--transcript', other], io().io)).rejects.toThrow('grade: transcript is for lab "02-clusterip", not "07-externalname"');
  });

  it('--ui says what it needs when the browser is missing, and checks the transcript first', async () => {
    const t = write('ui.json', { labId: '07-externalname', seed: 4, profile: 'local', entries: [], quizAnswers: {} });
    const before = process.env['KSL_CHROMIUM'];
    process.env['KSL_CHROMIUM'] = path.join(tmp, 'no-such-chromium');
    try {
      const a = io();
      expect(await grade.run(['--lab', '07-externalname', '--transcript', t, '--ui'], a.io)).toBe(2);
      expect(a.text().stderr).toMatch(/^svclab: grade --ui: grade --ui needs (the built app|Chromium): .* is missing/);
      expect(a.text().stdout).toBe('');
    } finally {
      if (before === undefined) delete process.env['KSL_CHROMIUM'];
      else process.env['KSL_CHROMIUM'] = before;
    }
    await expect(grade.run(['--lab', '07-externalname', '--transcript', path.join(tmp, 'missing.json'), '--ui'], io().io)).rejects.toThrow(/cannot read transcript/);
  });
});
