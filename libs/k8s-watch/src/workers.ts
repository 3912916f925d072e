// Runs a handler over a work queue with N concurrent workers: success forgets the key's retries,
// failure re-queues it through the rate limiter, and a handler can ask to be called again later.
import { type WorkQueue } from './work-queue.js';

/** `requeueAfter` asks for the key again after that many milliseconds, without counting a failure. */
export type HandlerResult = void | undefined | { readonly requeueAfter: number };

export interface WorkerOptions<K> {
  /** Processes one key; throwing (or rejecting) counts as a failure and retries the key later. */
  readonly handler: (key: K) => HandlerResult | Promise<HandlerResult>;
  /** Concurrent workers (default 1). Different keys run in parallel, one key never does. */
  readonly workers?: number;
  /** Failures of one key after which it is dropped instead of retried (default: never dropped). */
  readonly maxRetries?: number;
  /** Told of every failure, with the number of retries of that key before this one. */
  readonly onError?: (key: K, error: unknown, retries: number) => void;
  /** Told when a key is dropped after maxRetries failures. */
  readonly onDrop?: (key: K, error: unknown) => void;
}

/** Starts the workers; resolves when the queue has shut down and every worker has returned. */
export async function runWorkers<K>(queue: WorkQueue<K>, options: WorkerOptions<K>): Promise<void> {
  const count = options.workers ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`runWorkers: workers must be a positive integer, got ${count}`);
  const loops: Promise<void>[] = [];
  for (let i = 0; i < count; i++) loops.push(workerLoop(queue, options));
  await Promise.all(loops);
}

async function workerLoop<K>(queue: WorkQueue<K>, options: WorkerOptions<K>): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    try {
      const result = await options.handler(key);
      queue.forget(key);
      if (result && result.requeueAfter >= 0) queue.addAfter(key, result.requeueAfter);
    } catch (error) {
      const retries = queue.retries(key);
      report(() => options.onError?.(key, error, retries));
      if (options.maxRetries !== undefined && retries >= options.maxRetries) {
        queue.forget(key);
        report(() => options.onDrop?.(key, error));
      } else {
        queue.addRateLimited(key);
      }
    } finally {
      queue.done(key);
    }
  }
}

/** A throwing callback must not end the worker, or one bad key would stall the whole queue. */
function report(callback: () => void): void {
  try {
    callback();
  } catch {
    // The callback's own failure has nowhere better to go.
  }
}
