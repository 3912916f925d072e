// An informer keeps a cache of one resource type in step with the server and tells handlers what
// changed: it lists (in pages), then watches from the list's resourceVersion; a dropped watch
// resumes from the last resourceVersion seen (events and bookmarks both advance it); 410 Gone
// relists, and the relist reports deletes for objects that vanished meanwhile; any other failure
// waits an exponential, jittered backoff. The HTTP side is behind ListWatcher, time behind Clock.
import { Backoff, type BackoffOptions } from './backoff.js';
import { type CacheOptions, ObjectCache, type ReadonlyCache, type IndexFunc } from './cache.js';
import { type Clock, sleep, systemClock } from './clock.js';
import { ApiError, isGone } from './errors.js';
import { type ListWatcher, MalformedEventError, type WatchEvent } from './list-watch.js';
import { type KubeObject, objectKey } from './objects.js';

export interface DeleteInfo {
  /**
   * True when the delete was inferred by a relist (the object vanished while the watch was down):
   * the object passed is the last state this informer saw, not the final one.
   */
  readonly finalStateUnknown: boolean;
}

export interface EventHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T, info: DeleteInfo): void;
}

export type WatchEndReason = 'closed' | 'deadline' | 'gone' | 'error' | 'malformed';

/** What an informer reports as it works; the metrics adapter implements it. */
export interface InformerObserver {
  /** A full list finished: objects, pages, milliseconds. */
  listed?(objects: number, pages: number, ms: number): void;
  /** A watch ended, and why. */
  watchEnded?(reason: WatchEndReason): void;
  /** A watch event was applied. */
  event?(type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'): void;
  /** A watch line was not a well-formed event (the watch restarts from the last good version). */
  malformed?(): void;
  /** Objects in the cache. */
  size?(n: number): void;
  /** A handler threw; the informer carries on. */
  handlerError?(error: unknown): void;
  /** The transform threw or changed an object's key or resourceVersion; the object is kept whole. */
  transformError?(error: unknown): void;
  /** A list or watch failed; the informer retries. */
  error?(error: unknown, retryInMs: number): void;
}

export interface InformerOptions<T> extends CacheOptions<T> {
  /** Objects per list page (default 500); the initial list is always paged. */
  readonly pageSize?: number;
  /** Retry delays after failures (default 800 ms doubling to 30 s, half jitter). */
  readonly backoff?: BackoffOptions;
  /** Watches ask the server to end after a random time in [t, 2t) seconds (default t = 300). */
  readonly watchTimeoutSeconds?: number;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly observer?: InformerObserver;
  /**
   * Applied to every object (list items and watch events) before it is cached and delivered, as
   * client-go's SetTransform: it keeps what the consumers read and drops the rest (managedFields,
   * last-applied annotations, status the consumer never looks at), so that a cache of thousands of
   * objects holds only that. It may return a new object or the one it was given; it must keep
   * metadata.name, metadata.namespace and metadata.resourceVersion (the cache's key and version).
   * If it throws or changes those, the object is kept as it arrived and `transformError` says so.
   */
  readonly transform?: (obj: T) => T;
}

/** Relists after 410 are immediate unless they keep coming; then they back off too. */
const QUICK_RELISTS = 3;
/** A watch that ends sooner than this without delivering anything counts as a failure. */
const HEALTHY_WATCH_MS = 1000;

export class Informer<T extends KubeObject> {
  readonly synced: Promise<void>;
  private readonly store: ObjectCache<T>;
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly backoff: Backoff;
  private readonly observer: InformerObserver;
  private readonly abort = new AbortController();
  private resolveSynced!: () => void;
  private rejectSynced!: (error: Error) => void;
  private running: Promise<void> | undefined;
  private isSynced = false;
  private rv = '';
  private failingFrom: number | undefined;
  private lastFailure: unknown;

  constructor(
    private readonly source: ListWatcher<T>,
    private readonly options: InformerOptions<T> = {},
  ) {
    this.store = new ObjectCache<T>(options);
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.observer = options.observer ?? {};
    this.backoff = new Backoff(options.backoff ?? { initialMs: 800, maxMs: 30_000, jitter: 0.5, random: this.random });
    this.synced = new Promise<void>((resolve, reject) => {
      this.resolveSynced = resolve;
      this.rejectSynced = reject;
    });
    // Nobody may be waiting on synced when stop() rejects it; that is not an unhandled failure.
    this.synced.catch(() => {});
  }

  /** The informer's objects; shared, not copies: do not modify them. */
  get cache(): ReadonlyCache<T> {
    return this.store;
  }

  get hasSynced(): boolean {
    return this.isSynced;
  }

  /** The resourceVersion the cache is current to ('' before the first list). */
  get resourceVersion(): string {
    return this.rv;
  }

  get started(): boolean {
    return this.running !== undefined;
  }

  /**
   * When (clock milliseconds) the current run of failed lists and watches began; undefined while
   * the last one worked (a list completed, or the server accepted a watch).
   */
  get failingSince(): number | undefined {
    return this.failingFrom;
  }

  /** The error of the latest failed list or watch (kept after recovery, for the record). */
  get lastError(): unknown {
    return this.lastFailure;
  }

  /** Declares a cache index (objects already cached are indexed at once). */
  addIndex(name: string, fn: IndexFunc<T>): void {
    this.store.addIndex(name, fn);
  }

  /**
   * Registers handlers; objects already cached are delivered to the new handlers as adds right
   * away. Returns a function that unregisters them.
   */
  addHandlers(handlers: EventHandlers<T>): () => void {
    this.handlers.add(handlers);
    if (handlers.onAdd) for (const obj of this.store.values()) this.call(() => handlers.onAdd?.(obj));
    return () => this.handlers.delete(handlers);
  }

  /** Starts listing and watching (once; later calls do nothing). */
  start(): void {
    if (this.running || this.abort.signal.aborted) return;
    this.running = this.run();
  }

  /** Stops and waits until no request or timer of this informer is left; `synced` rejects if pending. */
  async stop(): Promise<void> {
    if (!this.abort.signal.aborted) this.abort.abort(new Error('informer stopped'));
    if (!this.isSynced) this.rejectSynced(new Error('informer stopped before it synced'));
    await this.running;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let needList = true;
    let quickRelists = 0;
    while (!signal.aborted) {
      let watchStarted = 0;
      let watching = false;
      let delivered = 0;
      try {
        if (needList) {
          await this.listAll(signal);
          needList = false;
        }
        if (signal.aborted) break;
        watchStarted = this.clock.now();
        watching = true;
        const base = this.options.watchTimeoutSeconds ?? 300;
        const timeoutSeconds = Math.max(1, Math.floor(base * (1 + this.random())));
        const end = await this.source.watch(
          { resourceVersion: this.rv, timeoutSeconds },
          (e) => {
            delivered++;
            this.apply(e);
          },
          signal,
          () => this.working(),
        );
        this.observer.watchEnded?.(end);
        if (delivered > 0 || this.clock.now() - watchStarted >= HEALTHY_WATCH_MS) {
          this.backoff.reset();
          quickRelists = 0;
        } else {
          // A server that ends watches at once would otherwise be hammered.
          await this.pause(this.backoff.next(), signal);
        }
      } catch (error) {
        if (signal.aborted) break;
        if (delivered > 0) this.backoff.reset();
        if (isGone(error)) {
          this.observer.watchEnded?.('gone');
          needList = true;
          if (++quickRelists <= QUICK_RELISTS) continue;
        } else if (error instanceof MalformedEventError) {
          this.observer.malformed?.();
          this.observer.watchEnded?.('malformed');
        } else if (watching) {
          this.observer.watchEnded?.('error');
        }
        this.failingFrom ??= this.clock.now();
        this.lastFailure = error;
        let wait = this.backoff.next();
        const retryAfter = error instanceof ApiError ? error.retryAfterSeconds : undefined;
        if (retryAfter !== undefined) wait = Math.max(wait, retryAfter * 1000);
        this.observer.error?.(error, wait);
        await this.pause(wait, signal);
      }
    }
  }

  private async pause(ms: number, signal: AbortSignal): Promise<void> {
    await sleep(this.clock, ms, signal).catch(() => {});
  }

  /** Lists every page, then makes the cache match the list in one step. */
  private async listAll(signal: AbortSignal): Promise<void> {
    const started = this.clock.now();
    const pageSize = this.options.pageSize ?? 500;
    const items: T[] = [];
    let pages = 0;
    let cont: string | undefined;
    let rv = '';
    do {
      const page = await this.source.list({ limit: pageSize, ...(cont ? { continue: cont } : {}) }, signal);
      pages++;
      for (const item of page.items) items.push(this.transformed(item));
      rv = page.resourceVersion;
      cont = page.continue;
    } while (cont);
    if (signal.aborted) return;
    const changes = this.store.replace(items);
    this.rv = rv;
    this.working();
    this.observer.listed?.(items.length, pages, this.clock.now() - started);
    this.observer.size?.(this.store.size);
    for (const obj of changes.added) this.emitAdd(obj);
    for (const [oldObj, newObj] of changes.updated) this.emitUpdate(oldObj, newObj);
    for (const obj of changes.deleted) this.emitDelete(obj, { finalStateUnknown: true });
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
  }

  private working(): void {
    this.failingFrom = undefined;
  }

  private apply(event: WatchEvent<T>): void {
    if (event.type === 'BOOKMARK') {
      this.rv = event.resourceVersion;
      this.observer.event?.('BOOKMARK');
      return;
    }
    if (event.type === 'ERROR') return;
    const obj = this.transformed(event.object);
    const rv = obj.metadata?.resourceVersion ?? this.rv;
    this.observer.event?.(event.type);
    if (event.type === 'DELETED') {
      const old = this.store.delete(objectKey(obj));
      this.rv = rv;
      this.observer.size?.(this.store.size);
      if (old) this.emitDelete(obj, { finalStateUnknown: false });
      return;
    }
    const key = objectKey(obj);
    const cached = this.store.get(key);
    this.rv = rv;
    if (cached && cached.metadata?.resourceVersion === rv) return;
    this.store.upsert(obj);
    if (cached) this.emitUpdate(cached, obj);
    else {
      this.observer.size?.(this.store.size);
      this.emitAdd(obj);
    }
  }

  /** The object as the transform leaves it; the object itself when there is none or it misbehaves. */
  private transformed(obj: T): T {
    const transform = this.options.transform;
    if (!transform) return obj;
    const key = objectKey(obj);
    const rv = obj.metadata?.resourceVersion;
    try {
      const out = transform(obj);
      if (objectKey(out) === key && out.metadata?.resourceVersion === rv) return out;
      this.observer.transformError?.(new Error(`informer transform changed the key or resourceVersion of ${key}`));
    } catch (error) {
      this.observer.transformError?.(error);
    }
    return obj;
  }

  private emitAdd(obj: T): void {
    for (const h of this.handlers) if (h.onAdd) this.call(() => h.onAdd?.(obj));
  }

  private emitUpdate(oldObj: T, newObj: T): void {
    for (const h of this.handlers) if (h.onUpdate) this.call(() => h.onUpdate?.(oldObj, newObj));
  }

  private emitDelete(obj: T, info: DeleteInfo): void {
    for (const h of this.handlers) if (h.onDelete) this.call(() => h.onDelete?.(obj, info));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.observer.handlerError?.(error);
    }
  }
}
