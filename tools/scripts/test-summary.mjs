// Sums the vitest JSON reports in test-results/ into the one line CI reads:
//   N passed, N failed[, N skipped]
// A failing non-test step (lint, typecheck, install) counts as one failure so it is never hidden.
// Every failed test and suite is named just above that line, with the first line of its error:
// CI keeps only the tail of the log, and a flake nobody can name cannot be fixed.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', '..', 'test-results');
const stepFailed = process.argv.includes('--step-failed');
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const file of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []) {
  try {
    const report = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report);
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    failures.push(...namedFailures(file.replace(/\.json$/, ''), report));
  } catch (error) {
    console.error(`test-summary: unreadable report ${file}: ${error.message}`);
    failed += 1;
  }
}
if (stepFailed && failed === 0) failed = 1;
for (const line of failures) console.log(line);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);

/** Suites that failed only because a test inside failed are already counted by their tests. */
function countSuitesWithFailedTests(report) {
  return (report.testResults ?? []).filter(
    (suite) => suite.status === 'failed' && (suite.assertionResults ?? []).some((t) => t.status === 'failed'),
  ).length;
}

/** One line per failed test, and per suite that failed outside its tests (a hook, an import). */
function namedFailures(project, report) {
  const lines = [];
  for (const suite of report.testResults ?? []) {
    const file = String(suite.name ?? '').replace(/^.*?\/(apps|libs|tools)\//, '$1/');
    const failedTests = (suite.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of failedTests) lines.push(`FAILED ${project} ${file} > ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`);
    if (suite.status === 'failed' && failedTests.length === 0) lines.push(`FAILED ${project} ${file} (suite): ${firstLine(suite.message)}`);
  }
  return lines;
}

function firstLine(text) {
  // Vitest's messages carry ANSI colours; the CI log shows them as escape codes.
  const plain = String(text ?? '').replace(/\u001b\[[0-9;]*m/g, '').trim();
  const line = plain.split('\n').find((l) => l.trim() !== '') ?? '(no message)';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
