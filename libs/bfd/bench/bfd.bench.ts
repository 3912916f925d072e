// npx nx run bfd:bench (as root, under flock /tmp/lb-bench.lock and flock /tmp/lb-lab.lock).
// Sections: codec, detection (FRR bfdd peer), scale (1,000 sessions), idle (10 min at 3 x 50 ms).
// BENCH_ONLY=codec,scale runs some; rows of the others are kept from the previous results file.
// BENCH_FAILURES (default 20), BENCH_IDLE_MINUTES (default 10), BENCH_SESSIONS (default 1000).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchResultsDir, writeResults, type BenchResult } from '@lb/bench-kit';
import { codecRows } from './codec.js';
import { detectionRows, idleRows } from './detection.js';
import { scaleRows } from './scale.js';

const SECTIONS = ['codec', 'detection', 'scale', 'idle'] as const;
type Section = (typeof SECTIONS)[number];
const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const only = new Set((process.env['BENCH_ONLY'] ?? SECTIONS.join(',')).split(',').map((s) => s.trim()) as Section[]);
const sectionOf = (row: BenchResult): Section | undefined => SECTIONS.find((s) => row.name.startsWith(s === 'idle' ? 'idle link' : s));

const file = join(benchResultsDir(), 'bfd.json');
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]) : [];
const rows: BenchResult[] = previous.filter((row) => {
  const section = sectionOf(row);
  return section !== undefined && !only.has(section);
});

if (only.has('codec')) rows.push(...codecRows());
if (only.has('detection')) rows.push(...(await detectionRows(env('BENCH_FAILURES', 20))));
if (only.has('scale')) rows.push(...(await scaleRows(env('BENCH_SESSIONS', 1000), 6, 10_000)));
if (only.has('idle')) rows.push(...(await idleRows(env('BENCH_IDLE_MINUTES', 10))));

rows.sort((x, y) => SECTIONS.indexOf(sectionOf(x) as Section) - SECTIONS.indexOf(sectionOf(y) as Section));
writeResults('bfd', rows);
