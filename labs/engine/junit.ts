/** JUnit XML for CI systems: one testsuite per lab, one testcase per check (and per quiz), failures with messages. */
import type { GradeReport } from './grade';

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    // XML 1.0 forbids most control characters, even escaped.
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');
}

export function toJUnitXml(reports: readonly GradeReport[]): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const tests = reports.reduce((n, r) => n + r.total, 0);
  const failures = reports.reduce((n, r) => n + (r.total - r.passed), 0);
  out.push(`<testsuites name="svclab grade" tests="${tests}" failures="${failures}" errors="0">`);
  for (const r of reports) {
    out.push(`  <testsuite name="${esc(r.labId)}" tests="${r.total}" failures="${r.total - r.passed}" errors="0" skipped="0">`);
    out.push('    <properties>');
    out.push(`      <property name="title" value="${esc(r.title)}"/>`);
    out.push(`      <property name="seed" value="${r.seed}"/>`);
    out.push(`      <property name="profile" value="${esc(r.profile)}"/>`);
    out.push(`      <property name="score" value="${r.score}"/>`);
    out.push('    </properties>');
    for (const s of r.steps) {
      const cls = `${r.labId}.${s.id}`;
      for (const c of s.checks) {
        const name = `${c.id}: ${c.description}`;
        if (c.passed) out.push(`    <testcase classname="${esc(cls)}" name="${esc(name)}"/>`);
        else {
          out.push(`    <testcase classname="${esc(cls)}" name="${esc(name)}">`);
          out.push(`      <failure message="${esc(c.message ?? 'failed')}" type="CheckFailed">${esc(c.message ?? 'failed')}</failure>`);
          out.push('    </testcase>');
        }
      }
      if (s.quiz) {
        const name = `quiz: ${s.title}`;
        if (s.quiz.correct) out.push(`    <testcase classname="${esc(cls)}" name="${esc(name)}"/>`);
        else {
          const msg = esc(s.quiz.message ?? 'quiz failed');
          out.push(`    <testcase classname="${esc(cls)}" name="${esc(name)}">`);
          out.push(`      <failure message="${msg}" type="QuizFailed">${msg}</failure>`);
          out.push('    </testcase>');
        }
      }
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}
