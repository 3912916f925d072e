import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Summary } from './stats.js';

/** One row of bench-results/<project>.json. `limit` is the goal the issue names, or null. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly limit: number | null;
}

/** Where bench-results/ is: the workspace root, found from this file or overridden for tests. */
export function benchResultsDir(): string {
  return process.env['BENCH_RESULTS_DIR'] ?? join(import.meta.dirname, '..', '..', '..', 'bench-results');
}

/**
 * Rows for the min, median and max of a measurement, so the noisy spread is visible in the file;
 * the goal applies to the median.
 */
export function spreadRows(name: string, summary: Summary, unit: string, limit: number | null): BenchResult[] {
  return [
    { name: `${name} (median)`, value: round(summary.median), unit, limit },
    { name: `${name} (min)`, value: round(summary.min), unit, limit: null },
    { name: `${name} (max)`, value: round(summary.max), unit, limit: null },
  ];
}

export function round(value: number, digits = 4): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** Math.max(0, digits - Math.max(0, Math.floor(Math.log10(Math.abs(value) || 1)) + 1));
  return Math.round(value * scale) / scale;
}

/** Writes bench-results/<project>.json and prints the rows, flagging any over its limit. */
export function writeResults(project: string, rows: readonly BenchResult[]): string {
  const dir = benchResultsDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${project}.json`);
  writeFileSync(file, JSON.stringify(rows, null, 2) + '\n');
  const width = Math.max(...rows.map((r) => r.name.length), 10);
  for (const r of rows) {
    const over = r.limit !== null && r.value > r.limit ? '  OVER LIMIT' : '';
    const limit = r.limit === null ? '' : ` (limit ${r.limit})`;
    console.log(`${r.name.padEnd(width)}  ${String(r.value).padStart(12)} ${r.unit}${limit}${over}`);
  }
  console.log(`wrote ${file}`);
  return file;
}
