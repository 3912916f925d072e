import { describe, expect, it } from 'vitest';
import { ManualClock, settle } from './clock.js';
import { ApiError } from './errors.js';
import { Informer } from './informer.js';
import { type ListPage, type ListWatcher, MalformedEventError, type WatchEnd, type WatchEvent } from './list-watch.js';
import { type KubeObject } from './objects.js';

const obj = (name: string, rv: number, labels?: Record<string, string>): KubeObject => ({
  metadata: { namespace: 'ns', name, resourceVersion: String(rv), ...(labels ? { labels } : {}) },
});

interface WatchCall {
  readonly from: string;
  emit(e: WatchEvent<KubeObject>): void;
  end(reason?: WatchEnd): void;
  fail(error: Error): void;
  /** The server accepted the watch. */
  open(): void;
}

/** A ListWatcher driven by the test: lists answer from a script, watches are handed to the test. */
class ScriptedSource implements ListWatcher<KubeObject> {
  readonly listCalls: { limit: number; continue?: string }[] = [];
  readonly watches: WatchCall[] = [];
  private listScript: (ListPage<KubeObject> | Error)[] = [];

  answerLists(...pages: (ListPage<KubeObject> | Error)[]): void {
    this.listScript.push(...pages);
  }

  list(page: { limit: number; continue?: string }): Promise<ListPage<KubeObject>> {
    this.listCalls.push(page);
    const next = this.listScript.shift();
    if (!next) return Promise.reject(new Error('test: no list answer scripted'));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }

  watch(from: { resourceVersion: string }, onEvent: (e: WatchEvent<KubeObject>) => void, signal: AbortSignal, onOpen?: () => void): Promise<WatchEnd> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
      this.watches.push({ from: from.resourceVersion, emit: onEvent, end: (r = 'closed') => resolve(r), fail: reject, open: () => onOpen?.() });
    });
  }

  get lastWatch(): WatchCall {
    const w = this.watches[this.watches.length - 1];
    if (!w) throw new Error('test: no watch open');
    return w;
  }
}

function setup(options: { pageSize?: number; transform?: (o: KubeObject) => KubeObject } = {}) {
  const clock = new ManualClock();
  const source = new ScriptedSource();
  const log: string[] = [];
  const observed: string[] = [];
  const informer = new Informer<KubeObject>(source, {
    clock,
    random: () => 0.5,
    pageSize: options.pageSize ?? 2,
    ...(options.transform ? { transform: options.transform } : {}),
    backoff: { initialMs: 100, maxMs: 1000, jitter: 0 },
    observer: {
      watchEnded: (r) => observed.push(`end:${r}`),
      malformed: () => observed.push('malformed'),
      handlerError: () => observed.push('handler-error'),
      transformError: (e) => observed.push(`transform-error:${(e as Error).message}`),
      listed: (n, pages) => observed.push(`listed:${n}/${pages}`),
    },
  });
  informer.addHandlers({
    onAdd: (o) => log.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    onUpdate: (a, b) => log.push(`update ${a.metadata?.name}@${a.metadata?.resourceVersion}->${b.metadata?.resourceVersion}`),
    onDelete: (o, info) => log.push(`delete ${o.metadata?.name}${info.finalStateUnknown ? ' (unknown)' : ''}`),
  });
  return { clock, source, informer, log, observed };
}

describe('Informer', () => {
  it('lists every page, syncs, then watches from the list version', async () => {
    const { source, informer, log, observed } = setup();
    source.answerLists({ items: [obj('a', 1), obj('b', 2)], resourceVersion: '10', continue: 'c1' }, { items: [obj('c', 3)], resourceVersion: '10' });
    informer.start();
    await informer.synced;
    await settle();
    expect(source.listCalls).toEqual([{ limit: 2 }, { limit: 2, continue: 'c1' }]);
    expect(log).toEqual(['add a@1', 'add b@2', 'add c@3']);
    expect(observed).toEqual(['listed:3/2']);
    expect(source.lastWatch.from).toBe('10');
    expect(informer.hasSynced).toBe(true);
    await informer.stop();
  });

  it('applies events with old and new objects and skips replays of the same version', async () => {
    const { source, informer, log } = setup();
    source.answerLists({ items: [obj('a', 1)], resourceVersion: '5' });
    informer.start();
    await informer.synced;
    await settle();
    const w = source.lastWatch;
    w.emit({ type: 'MODIFIED', object: obj('a', 6) });
    w.emit({ type: 'MODIFIED', object: obj('a', 6) });
    w.emit({ type: 'ADDED', object: obj('b', 7) });
    w.emit({ type: 'DELETED', object: obj('a', 8) });
    w.emit({ type: 'DELETED', object: obj('zz', 9) });
    w.emit({ type: 'BOOKMARK', resourceVersion: '12' });
    expect(log).toEqual(['add a@1', 'update a@1->6', 'add b@7', 'delete a']);
    expect(informer.resourceVersion).toBe('12');
    expect([...informer.cache.keys()]).toEqual(['ns/b']);
    await informer.stop();
  });

  it('caches and delivers objects as the transform leaves them, from lists and from every event type', async () => {
    const seen: KubeObject[] = [];
    const { source, informer, log } = setup({ transform: (o) => ({ metadata: { ...o.metadata, labels: { trimmed: 'yes' } } }) });
    informer.addHandlers({ onAdd: (o) => seen.push(o), onUpdate: (_, o) => seen.push(o), onDelete: (o) => seen.push(o) });
    source.answerLists({ items: [obj('a', 1, { big: 'x' })], resourceVersion: '5' });
    informer.start();
    await informer.synced;
    await settle();
    const w = source.lastWatch;
    w.emit({ type: 'ADDED', object: obj('b', 6, { big: 'x' }) });
    w.emit({ type: 'MODIFIED', object: obj('a', 7, { big: 'y' }) });
    w.emit({ type: 'DELETED', object: obj('b', 8, { big: 'z' }) });
    expect(log).toEqual(['add a@1', 'add b@6', 'update a@1->7', 'delete b']);
    expect(seen.length).toBe(4);
    for (const o of seen) expect(o.metadata?.labels).toEqual({ trimmed: 'yes' });
    expect(informer.cache.get('ns/a')?.metadata?.labels).toEqual({ trimmed: 'yes' });
    // The label index sees the transformed labels only.
    expect([...informer.cache.byLabels({ big: 'y' })]).toEqual([]);
    expect([...informer.cache.byLabels({ trimmed: 'yes' })].map((o) => o.metadata?.name)).toEqual(['a']);
    await informer.stop();
  });

  it('keeps an object whole when the transform throws or changes its key or version, and says so', async () => {
    const transform = (o: KubeObject): KubeObject => {
      if (o.metadata?.name === 'throws') throw new Error('boom');
      if (o.metadata?.name === 'renamed') return { metadata: { ...o.metadata, name: 'other' } };
      if (o.metadata?.name === 'unversioned') return { metadata: { name: 'unversioned', namespace: 'ns' } };
      return { metadata: { ...o.metadata, labels: { trimmed: 'yes' } } };
    };
    const { source, informer, observed } = setup({ transform });
    source.answerLists({ items: [obj('throws', 1, { k: 'v' }), obj('fine', 2, { k: 'v' })], resourceVersion: '5' });
    informer.start();
    await informer.synced;
    await settle();
    source.lastWatch.emit({ type: 'ADDED', object: obj('renamed', 6, { k: 'v' }) });
    source.lastWatch.emit({ type: 'ADDED', object: obj('unversioned', 7, { k: 'v' }) });
    expect(observed).toEqual([
      'transform-error:boom',
      'listed:2/1',
      'transform-error:informer transform changed the key or resourceVersion of ns/renamed',
      'transform-error:informer transform changed the key or resourceVersion of ns/unversioned',
    ]);
    expect([...informer.cache.values()].map((o) => [o.metadata?.name, o.metadata?.resourceVersion, o.metadata?.labels])).toEqual([
      ['throws', '1', { k: 'v' }],
      ['fine', '2', { trimmed: 'yes' }],
      ['renamed', '6', { k: 'v' }],
      ['unversioned', '7', { k: 'v' }],
    ]);
    await informer.stop();
  });

  it('resumes from the last version after a watch ends, without listing again', async () => {
    const { clock, source, informer, observed } = setup();
    source.answerLists({ items: [], resourceVersion: '5' });
    informer.start();
    await informer.synced;
    await settle();
    source.lastWatch.emit({ type: 'ADDED', object: obj('a', 6) });
    source.lastWatch.end('closed');
    await settle();
    expect(source.watches.map((w) => w.from)).toEqual(['5', '6']);
    source.lastWatch.fail(new Error('connection reset'));
    await settle();
    expect(source.watches).toHaveLength(2);
    await clock.advance(100);
    expect(source.watches.map((w) => w.from)).toEqual(['5', '6', '6']);
    expect(source.listCalls).toHaveLength(1);
    expect(observed).toEqual(['listed:0/1', 'end:closed', 'end:error']);
    await informer.stop();
  });

  it('relists after 410 Gone and reports objects that vanished as deletes with unknown final state', async () => {
    const { source, informer, log, observed } = setup();
    source.answerLists({ items: [obj('a', 1), obj('b', 2)], resourceVersion: '5' });
    informer.start();
    await informer.synced;
    await settle();
    source.answerLists({ items: [obj('a', 1), obj('c', 9)], resourceVersion: '20' });
    source.lastWatch.fail(new ApiError({ method: 'WATCH', path: '/x', code: 410, status: { reason: 'Expired', message: 'too old' } }));
    await settle();
    await settle();
    expect(log).toEqual(['add a@1', 'add b@2', 'add c@9', 'delete b (unknown)']);
    expect(source.lastWatch.from).toBe('20');
    expect(observed).toContain('end:gone');
    await informer.stop();
  });

  it('restarts paging from the start when a continue token expires', async () => {
    const { source, informer } = setup();
    const gone = new ApiError({ method: 'GET', path: '/x', code: 410, status: { reason: 'Expired', message: 'continue too old' } });
    source.answerLists({ items: [obj('a', 1), obj('b', 1)], resourceVersion: '5', continue: 'c1' }, gone, { items: [obj('a', 1)], resourceVersion: '9' });
    informer.start();
    await informer.synced;
    expect(source.listCalls).toEqual([{ limit: 2 }, { limit: 2, continue: 'c1' }, { limit: 2 }]);
    expect([...informer.cache.keys()]).toEqual(['ns/a']);
    await informer.stop();
  });

  it('backs off exponentially on list errors and honours Retry-After', async () => {
    const { clock, source, informer } = setup();
    source.answerLists(new Error('refused'), new Error('refused'), new ApiError({ method: 'GET', path: '/x', code: 429, retryAfterSeconds: 2 }), { items: [], resourceVersion: '1' });
    informer.start();
    await settle();
    expect(source.listCalls).toHaveLength(1);
    await clock.advance(99);
    expect(source.listCalls).toHaveLength(1);
    await clock.advance(1);
    expect(source.listCalls).toHaveLength(2);
    await clock.advance(200);
    expect(source.listCalls).toHaveLength(3);
    // 429 asks for 2 s, more than the 400 ms backoff.
    await clock.advance(1999);
    expect(source.listCalls).toHaveLength(3);
    expect(informer.hasSynced).toBe(false);
    await clock.advance(1);
    await informer.synced;
    await informer.stop();
  });

  it('says since when lists and watches have been failing, until one works again', async () => {
    const { clock, source, informer } = setup();
    source.answerLists(new Error('refused'), new Error('refused'), { items: [], resourceVersion: '1' });
    await clock.advance(1000);
    informer.start();
    await settle();
    expect(informer.failingSince).toBe(1000);
    expect(String(informer.lastError)).toContain('refused');
    await clock.advance(100);
    expect(informer.failingSince).toBe(1000);
    await clock.advance(200);
    await informer.synced;
    expect(informer.failingSince).toBeUndefined();
    // The watch fails, and so does the next try; the server accepting a watch (with nothing to send yet) is health again.
    source.lastWatch.fail(new Error('reset'));
    await settle();
    const failedAt = clock.now();
    expect(informer.failingSince).toBe(failedAt);
    await clock.advance(100);
    source.lastWatch.fail(new Error('refused'));
    await settle();
    expect(informer.failingSince).toBe(failedAt);
    await clock.advance(200);
    expect(informer.failingSince).toBe(failedAt);
    source.lastWatch.open();
    expect(informer.failingSince).toBeUndefined();
    await informer.stop();
  });

  it('counts a malformed event and resumes from the last good version', async () => {
    const { clock, source, informer, observed } = setup();
    source.answerLists({ items: [], resourceVersion: '5' });
    informer.start();
    await informer.synced;
    await settle();
    source.lastWatch.emit({ type: 'ADDED', object: obj('a', 7) });
    source.lastWatch.fail(new MalformedEventError('WATCH /x: not JSON'));
    await clock.advance(100);
    expect(observed).toContain('malformed');
    expect(source.lastWatch.from).toBe('7');
    await informer.stop();
  });

  it('keeps going when a handler throws, and replays the cache to late handlers', async () => {
    const { source, informer, observed } = setup();
    informer.addHandlers({
      onAdd: () => {
        throw new Error('handler bug');
      },
    });
    source.answerLists({ items: [obj('a', 1), obj('b', 1)], resourceVersion: '5' });
    informer.start();
    await informer.synced;
    expect(observed.filter((o) => o === 'handler-error')).toHaveLength(2);
    const late: string[] = [];
    informer.addHandlers({ onAdd: (o) => late.push(o.metadata?.name ?? '') })();
    expect(late.sort()).toEqual(['a', 'b']);
    await informer.stop();
  });

  it('backs off when watches end at once without events', async () => {
    const { clock, source, informer } = setup();
    source.answerLists({ items: [], resourceVersion: '5' });
    informer.start();
    await informer.synced;
    await settle();
    source.lastWatch.end();
    await settle();
    expect(source.watches).toHaveLength(1);
    await clock.advance(100);
    expect(source.watches).toHaveLength(2);
    await informer.stop();
  });

  it('stop rejects a pending synced and leaves no timers', async () => {
    const { clock, source, informer } = setup();
    source.answerLists(new Error('refused'));
    informer.start();
    await settle();
    const synced = informer.synced.then(
      () => 'resolved',
      (e: Error) => e.message,
    );
    await informer.stop();
    expect(await synced).toBe('informer stopped before it synced');
    expect(clock.pending).toBe(0);
  });
});
