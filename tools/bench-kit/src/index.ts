// Public API of @lb/bench-kit: what every benchmark in the workspace uses to measure and report.
export { percentile, summarize, type Summary } from './stats.js';
export { benchResultsDir, round, spreadRows, writeResults, type BenchResult } from './results.js';
export { opsPerSecond, sampleMs, settledHeapBytes, timeMs } from './timing.js';
