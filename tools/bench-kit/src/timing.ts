import { performance } from 'node:perf_hooks';

/** Milliseconds taken by `fn`, awaited when it returns a promise. */
export async function timeMs(fn: () => unknown): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** Runs `fn` `runs` times (after `warmup` unrecorded runs) and returns each run's milliseconds. */
export async function sampleMs(fn: () => unknown, runs: number, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await timeMs(fn));
  return samples;
}

/** Operations per second of a synchronous `op`, over batches of `batch` calls lasting ~`budgetMs`. */
export function opsPerSecond(op: () => void, batch: number, budgetMs = 300): number[] {
  const rates: number[] = [];
  const deadline = performance.now() + budgetMs;
  do {
    const start = performance.now();
    for (let i = 0; i < batch; i++) op();
    const elapsed = performance.now() - start;
    rates.push((batch / elapsed) * 1000);
  } while (performance.now() < deadline || rates.length < 3);
  return rates;
}

/** Heap in use after a forced collection (needs `--expose-gc`; falls back to the current figure). */
export function settledHeapBytes(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    gc();
  }
  return process.memoryUsage().heapUsed;
}
