#!/usr/bin/env node
/**
 * `npm test`: unit tests (vitest) then end-to-end tests (Playwright), each printing its usual output, each also
 * writing a JSON report to reports/. The last line is one plain summary summed over both, from those reports:
 *   N passed, N failed, N skipped
 * Exit status is non-zero when anything failed or a report is missing (a runner that crashed wrote none).
 * Extra arguments go to vitest (e.g. `npm test -- main/`); `--unit` / `--e2e` run one runner only.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { countPlaywright, countVitest, summaryLine } from './test-report.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const reports = path.join(root, 'reports');
const argv = process.argv.slice(2);
const only = argv.includes('--unit') ? 'unit' : argv.includes('--e2e') ? 'e2e' : null;
const passThrough = argv.filter((a) => a !== '--unit' && a !== '--e2e');
fs.mkdirSync(reports, { recursive: true });

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (cmd, args, env = {}) => spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

function readReport(file, label) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    console.error(`${label}: no JSON report at ${path.relative(root, file)} (the runner did not finish)`);
    return null;
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let missing = 0;
const add = (c) => {
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
};

if (only !== 'e2e') {
  const file = path.join(reports, 'vitest.json');
  fs.rmSync(file, { force: true });
  run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${file}`, ...passThrough]);
  const r = readReport(file, 'vitest');
  if (r) add(countVitest(r));
  else missing++;
}

if (only !== 'unit') {
  const file = path.join(reports, 'playwright.json');
  fs.rmSync(file, { force: true });
  run(bin('playwright'), ['test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: file });
  const r = readReport(file, 'playwright');
  if (r) add(countPlaywright(r));
  else missing++;
}

// Checks that ran before this script (CI's type check) and failed, passed in so the one closing line counts them.
const earlier = Number(process.env.KSL_EARLIER_FAILURES ?? 0) || 0;
if (earlier) console.log(`${earlier} earlier check(s) failed (see above)`);
const failed = totals.failed + missing + earlier;
console.log(summaryLine({ ...totals, failed }));
process.exit(failed > 0 ? 1 : 0);
