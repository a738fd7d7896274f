/** Reading vitest's and Playwright's JSON reports into one count (used by scripts/test.mjs). */

/** Counts from vitest's JSON reporter (Jest-compatible shape). */
export function countVitest(report) {
  const r = report;
  const passed = r.numPassedTests ?? 0;
  let failed = r.numFailedTests ?? 0;
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  // A file that failed to load has no tests but must count as a failure.
  for (const file of r.testResults ?? []) {
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failed++;
  }
  if (r.success === false && failed === 0) failed++;
  return { passed, failed, skipped };
}

/** Counts from Playwright's JSON reporter. */
export function countPlaywright(report) {
  const s = report.stats ?? {};
  const failed = (s.unexpected ?? 0) + (report.errors?.length ?? 0);
  return { passed: (s.expected ?? 0) + (s.flaky ?? 0), failed, skipped: s.skipped ?? 0 };
}

/** The one closing line CI reads. */
export function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}
