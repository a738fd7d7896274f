import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM script without type declarations
import { countPlaywright, countVitest, summaryLine } from './test-report.mjs';

describe('test report counting', () => {
  it('counts vitest results, including a test file that failed to load as a failure', () => {
    expect(countVitest({ numPassedTests: 10, numFailedTests: 1, numPendingTests: 2, numTodoTests: 1, success: false, testResults: [] })).toEqual({ passed: 10, failed: 1, skipped: 3 });
    expect(
      countVitest({ numPassedTests: 5, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, success: false, testResults: [{ status: 'failed', assertionResults: [] }] }),
    ).toEqual({ passed: 5, failed: 1, skipped: 0 });
  });

  it('counts Playwright results: flaky passed on retry, errors outside tests fail', () => {
    expect(countPlaywright({ stats: { expected: 6, unexpected: 0, flaky: 1, skipped: 1 }, errors: [] })).toEqual({ passed: 7, failed: 0, skipped: 1 });
    expect(countPlaywright({ stats: { expected: 0, unexpected: 0, flaky: 0, skipped: 0 }, errors: [{ message: 'globalSetup failed' }] })).toEqual({ passed: 0, failed: 1, skipped: 0 });
  });

  it('prints the plain closing line, skipped only when there are some', () => {
    expect(summaryLine({ passed: 3, failed: 0, skipped: 0 })).toBe('3 passed, 0 failed');
    expect(summaryLine({ passed: 3, failed: 2, skipped: 1 })).toBe('3 passed, 2 failed, 1 skipped');
  });
});
