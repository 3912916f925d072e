import { describe, expect, it } from 'vitest';
import { ManualClock, settle } from './clock.js';
import { PerKeyExponentialLimiter } from './rate-limiter.js';
import { WorkQueue } from './work-queue.js';
import { runWorkers } from './workers.js';

type Step =
  | readonly ['add', string]
  | readonly ['addAfter', string, number]
  | readonly ['addRateLimited', string]
  | readonly ['forget', string]
  | readonly ['get', string | undefined]
  | readonly ['done', string]
  | readonly ['advance', number]
  | readonly ['shutDown']
  | readonly ['shutDownNow']
  | readonly ['state', { length?: number; processing?: number; waiting?: number; retries?: [string, number] }];

const cases: { name: string; steps: Step[] }[] = [
  {
    name: 'deduplicates while queued, keeps first-add order',
    steps: [['add', 'a'], ['add', 'b'], ['add', 'a'], ['state', { length: 2 }], ['get', 'a'], ['get', 'b'], ['get', undefined]],
  },
  {
    name: 'a key re-added while processing waits for done',
    steps: [['add', 'a'], ['get', 'a'], ['add', 'a'], ['state', { length: 0, processing: 1 }], ['get', undefined], ['done', 'a'], ['state', { length: 1 }], ['get', 'a']],
  },
  {
    name: 'several re-adds while processing give one more run',
    steps: [['add', 'a'], ['get', 'a'], ['add', 'a'], ['add', 'a'], ['add', 'a'], ['done', 'a'], ['get', 'a'], ['done', 'a'], ['get', undefined]],
  },
  {
    name: 'other keys are handed out while one is processing',
    steps: [['add', 'a'], ['add', 'b'], ['get', 'a'], ['add', 'a'], ['get', 'b'], ['get', undefined], ['done', 'a'], ['get', 'a']],
  },
  {
    name: 'addAfter waits, the earlier of two delays wins',
    steps: [['addAfter', 'a', 100], ['addAfter', 'a', 50], ['addAfter', 'a', 500], ['state', { waiting: 1, length: 0 }], ['advance', 49], ['get', undefined], ['advance', 1], ['get', 'a'], ['advance', 1000], ['state', { length: 0, waiting: 0 }]],
  },
  {
    name: 'addAfter of a queued key does not queue it twice',
    steps: [['add', 'a'], ['addAfter', 'a', 10], ['advance', 10], ['state', { length: 1 }], ['get', 'a'], ['get', undefined]],
  },
  {
    name: 'addAfter 0 queues at once',
    steps: [['addAfter', 'a', 0], ['get', 'a']],
  },
  {
    name: 'per-key exponential backoff on failure, forget on success',
    steps: [
      ['add', 'a'], ['get', 'a'], ['addRateLimited', 'a'], ['done', 'a'],
      ['advance', 9], ['get', undefined], ['advance', 1], ['get', 'a'], ['addRateLimited', 'a'], ['done', 'a'],
      ['advance', 19], ['get', undefined], ['advance', 1], ['get', 'a'], ['addRateLimited', 'a'], ['done', 'a'],
      ['state', { retries: ['a', 3] }],
      ['advance', 40], ['get', 'a'], ['forget', 'a'], ['done', 'a'], ['state', { retries: ['a', 0] }],
      ['addRateLimited', 'a'], ['advance', 10], ['get', 'a'],
    ],
  },
  {
    name: 'backoff is capped',
    steps: [
      ['addRateLimited', 'a'], ['addRateLimited', 'a'], ['addRateLimited', 'a'], ['addRateLimited', 'a'], ['addRateLimited', 'a'], ['addRateLimited', 'a'],
      ['state', { retries: ['a', 6] }], ['advance', 10], ['get', 'a'], ['done', 'a'],
      ['addRateLimited', 'a'], ['advance', 99], ['get', undefined], ['advance', 1], ['get', 'a'],
    ],
  },
  {
    name: 'shutDown hands out queued keys, drops delayed ones and ignores new adds',
    steps: [['add', 'a'], ['add', 'b'], ['addAfter', 'c', 10], ['get', 'a'], ['shutDown'], ['add', 'd'], ['state', { length: 1, waiting: 0 }], ['get', 'b'], ['get', undefined], ['advance', 20], ['get', undefined]],
  },
  {
    name: 'a key re-added while processing is dropped at shutdown',
    steps: [['add', 'a'], ['get', 'a'], ['add', 'a'], ['shutDown'], ['done', 'a'], ['state', { length: 0, processing: 0 }], ['get', undefined]],
  },
  {
    name: 'shutDownNow drops queued keys',
    steps: [['add', 'a'], ['add', 'b'], ['shutDownNow'], ['state', { length: 0 }], ['get', undefined], ['add', 'a'], ['get', undefined]],
  },
  {
    name: 'done of a key not handed out is ignored',
    steps: [['done', 'x'], ['add', 'x'], ['done', 'x'], ['state', { length: 1, processing: 0 }], ['get', 'x']],
  },
];

describe('WorkQueue steps', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases)('$name', async ({ steps }) => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new PerKeyExponentialLimiter({ baseMs: 10, maxMs: 100 }) });
    let n = 0;
    for (const step of steps) {
      const at = `step ${n++} ${JSON.stringify(step)}`;
      switch (step[0]) {
        case 'add': q.add(step[1]); break;
        case 'addAfter': q.addAfter(step[1], step[2]); break;
        case 'addRateLimited': q.addRateLimited(step[1]); break;
        case 'forget': q.forget(step[1]); break;
        case 'get': expect(q.tryGet(), at).toBe(step[1]); break;
        case 'done': q.done(step[1]); break;
        case 'advance': await clock.advance(step[1]); break;
        case 'shutDown': void q.shutDown(); break;
        case 'shutDownNow': void q.shutDownNow(); break;
        case 'state': {
          const s = step[1];
          if (s.length !== undefined) expect(q.length, at).toBe(s.length);
          if (s.processing !== undefined) expect(q.processing, at).toBe(s.processing);
          if (s.waiting !== undefined) expect(q.waiting, at).toBe(s.waiting);
          if (s.retries) expect(q.retries(s.retries[0]), at).toBe(s.retries[1]);
          break;
        }
      }
    }
  });
});

describe('WorkQueue async', () => {
  it('get waits for a key and returns undefined after shutdown', async () => {
    const q = new WorkQueue<string>({ clock: new ManualClock() });
    const first = q.get();
    q.add('a');
    expect(await first).toBe('a');
    const second = q.get();
    void q.shutDown();
    expect(await second).toBeUndefined();
  });

  it('shutDown resolves only after in-flight keys are done', async () => {
    const q = new WorkQueue<string>({ clock: new ManualClock() });
    q.add('a');
    q.add('b');
    expect(q.tryGet()).toBe('a');
    let drained = false;
    const shut = q.shutDown().then(() => (drained = true));
    await settle();
    expect(drained).toBe(false);
    q.done('a');
    await settle();
    expect(drained).toBe(false);
    expect(q.tryGet()).toBe('b');
    q.done('b');
    await shut;
    expect(drained).toBe(true);
  });

  it('leaves no timers behind after shutdown', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 1000);
    q.addRateLimited('b');
    await q.shutDown();
    expect(clock.pending).toBe(0);
  });

  it('reports to the observer', async () => {
    const clock = new ManualClock();
    const seen = { added: 0, retried: 0, depth: [] as number[], queued: [] as number[], processed: [] as number[] };
    const q = new WorkQueue<string>({
      clock,
      rateLimiter: new PerKeyExponentialLimiter({ baseMs: 10 }),
      observer: {
        added: () => seen.added++,
        retried: () => seen.retried++,
        depth: (n) => seen.depth.push(n),
        queued: (ms) => seen.queued.push(ms),
        processed: (ms) => seen.processed.push(ms),
      },
    });
    q.add('a');
    q.add('a');
    await clock.advance(5);
    q.tryGet();
    await clock.advance(7);
    q.addRateLimited('a');
    q.done('a');
    expect(seen).toEqual({ added: 1, retried: 1, depth: [1, 0], queued: [5], processed: [7] });
  });
});

describe('runWorkers', () => {
  it('never runs one key concurrently, runs different keys in parallel, retries failures', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new PerKeyExponentialLimiter({ baseMs: 1, maxMs: 4 }) });
    const running = new Set<string>();
    let maxParallel = 0;
    let overlapSameKey = 0;
    const runs = new Map<string, number>();
    const failuresLeft = new Map([['k3', 2]]);
    const done = runWorkers(q, {
      workers: 4,
      handler: async (key) => {
        if (running.has(key)) overlapSameKey++;
        running.add(key);
        maxParallel = Math.max(maxParallel, running.size);
        await new Promise((r) => setTimeout(r, 2));
        // Re-adding while processing must not start a second run of this key.
        if ((runs.get(key) ?? 0) === 0) q.add(key);
        running.delete(key);
        runs.set(key, (runs.get(key) ?? 0) + 1);
        const left = failuresLeft.get(key) ?? 0;
        if (left > 0) {
          failuresLeft.set(key, left - 1);
          throw new Error('try again');
        }
      },
    });
    for (const k of ['k1', 'k2', 'k3', 'k4']) q.add(k);
    await new Promise((r) => setTimeout(r, 100));
    await q.shutDown();
    await done;
    expect(overlapSameKey).toBe(0);
    expect(maxParallel).toBeGreaterThan(1);
    expect(runs.get('k1')).toBe(2);
    expect(runs.get('k3')).toBeGreaterThanOrEqual(3);
    expect(q.retries('k3')).toBe(0);
  });

  it('drops a key after maxRetries and keeps going when callbacks throw', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new PerKeyExponentialLimiter({ baseMs: 1, maxMs: 2 }) });
    const dropped: string[] = [];
    let calls = 0;
    const done = runWorkers(q, {
      maxRetries: 2,
      handler: () => {
        calls++;
        throw new Error('always');
      },
      onError: () => {
        throw new Error('callback bug');
      },
      onDrop: (key) => dropped.push(key),
    });
    q.add('bad');
    // Poll rather than sleep a fixed time: a loaded machine may need more than a few milliseconds.
    for (let waited = 0; dropped.length === 0 && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(calls).toBe(3);
    expect(dropped).toEqual(['bad']);
    await q.shutDown();
    await done;
  });

  it('requeueAfter brings the key back without counting a failure', async () => {
    const clock = new ManualClock();
    const q = new WorkQueue<string>({ clock });
    let calls = 0;
    const done = runWorkers(q, { handler: () => (++calls === 1 ? { requeueAfter: 1000 } : undefined) });
    q.add('a');
    await clock.advance(999);
    expect(calls).toBe(1);
    await clock.advance(1);
    expect(calls).toBe(2);
    expect(q.retries('a')).toBe(0);
    await q.shutDown();
    await done;
  });
});
