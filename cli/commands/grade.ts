/**
 * `svclab grade --lab ID --transcript FILE [--json] [--junit FILE] [--ui]`: grade a learner's exported transcript
 * headlessly — replay it into a fresh emulated cluster (the lab's profile, the learner's seed), answer the quizzes
 * from the file, evaluate every check — and print the score, each check with its message, and optionally JUnit XML.
 * Exit 0 when every check passed, 1 when some failed, 2 for bad usage or an unreadable/invalid transcript.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { formatReport, GradeError, gradeTranscript } from '../../labs/engine/grade';
import { toJUnitXml } from '../../labs/engine/junit';
import { defaultRuntime } from '../../labs/engine/runtime';
import { parseTranscriptFile, TranscriptFormatError } from '../../labs/engine/transcript';
import { findLab } from '../../labs/node-loader';
import { LAB_MANIFESTS } from '../../labs/catalog';
import { formatUiReport, gradeThroughUi, type UiGradeReport } from './grade-ui';
import { CliUsageError, parseArgs, type CliCommand, type CliIo } from '../cli-command';

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? e);
    throw new CliUsageError(`grade: cannot read ${what} '${file}': ${why}`);
  }
}

export const grade: CliCommand = {
  name: 'grade',
  summary: "Grade a learner's exported transcript: replay it headlessly, print score % and every check (JUnit XML optional)",
  usage: 'svclab grade --lab ID --transcript FILE [--json] [--junit FILE] [--ui]',
  async run(args: readonly string[], io: CliIo): Promise<number> {
    const parsed = parseArgs(args, { lab: 'string', transcript: 'string', json: 'boolean', junit: 'string', ui: 'boolean' }, 'grade');
    if (parsed.positionals.length > 0) throw new CliUsageError(`grade: unexpected argument '${parsed.positionals[0]}'`);
    const labId = parsed.flags.get('lab');
    const file = parsed.flags.get('transcript');
    if (typeof labId !== 'string') throw new CliUsageError('grade: missing --lab ID (see svclab labs list)');
    if (typeof file !== 'string') throw new CliUsageError('grade: missing --transcript FILE');
    const lab = findLab(labId);
    if (!lab) throw new CliUsageError(`grade: unknown lab '${labId}' (known: ${LAB_MANIFESTS.map((m) => m.id).join(', ')})`);
    let transcript;
    try {
      transcript = parseTranscriptFile(JSON.parse(readText(file, 'transcript')));
    } catch (e) {
      if (e instanceof SyntaxError) throw new CliUsageError(`grade: '${file}' is not JSON: ${e.message}`);
      if (e instanceof TranscriptFormatError) throw new CliUsageError(`grade: '${file}': ${e.message}`);
      throw e;
    }
    if (parsed.flags.get('ui') === true) {
      if (transcript.labId !== lab.manifest.id) throw new CliUsageError(`grade: transcript is for lab "${transcript.labId}", not "${lab.manifest.id}"`);
      let ui;
      try {
        ui = await gradeThroughUi(lab, transcript);
      } catch (e) {
        io.stderr.write(`svclab: grade --ui: ${e instanceof Error ? e.message : String(e)}\n`);
        return 2;
      }
      const junitFile = parsed.flags.get('junit');
      if (typeof junitFile === 'string') writeFileSync(junitFile, uiJUnit(ui));
      io.stdout.write(parsed.flags.get('json') === true ? JSON.stringify(ui, null, 2) + '\n' : formatUiReport(ui));
      return ui.score === 100 ? 0 : 1;
    }
    let report;
    try {
      report = await gradeTranscript(lab, transcript, defaultRuntime);
    } catch (e) {
      if (e instanceof GradeError) throw new CliUsageError(`grade: ${e.message}`);
      throw e;
    }
    const junit = parsed.flags.get('junit');
    if (typeof junit === 'string') {
      try {
        writeFileSync(junit, toJUnitXml([report]));
      } catch (e) {
        throw new CliUsageError(`grade: cannot write '${junit}': ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    io.stdout.write(parsed.flags.get('json') === true ? JSON.stringify(report, null, 2) + '\n' : formatReport(report));
    return report.passed === report.total ? 0 : 1;
  },
};

/** JUnit XML of a grade read from the UI: one test case per check, its message as the failure. */
function uiJUnit(r: UiGradeReport): string {
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const cases = r.checks.map(
    (c) =>
      `    <testcase classname="${esc(`${r.labId}.${c.stepId}`)}" name="${esc(`${c.id}: ${c.description}`)}">` +
      (c.passed ? '' : `<failure message="${esc(c.message ?? 'failed')}"/>`) +
      '</testcase>',
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="${esc(r.labId)} (ui)" tests="${r.total}" failures="${r.total - r.passed}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
