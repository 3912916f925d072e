// Watch streams: events for one resource, filtered by namespace and selectors, written as
// newline-delimited JSON. Lines are queued per watcher and flushed once per tick, so fan-out to
// many watchers costs one serialization per event and one socket write per watcher per tick.
import { type KubeApi, type ListQuery, type Target } from './api.js';
import { type Obj } from './objects.js';
import { type StoreEvent, type StoredObject } from './store.js';
import { type Column, type KubeObject, toTable } from './table.js';

/** Where a watch writes: the HTTP adapter passes the response stream. */
export interface WatchSink {
  write(chunk: string): void;
  end(): void;
  /** Bytes queued but not yet sent; a watcher far behind is closed, as the real server does. */
  readonly backlog: number;
}

export interface WatchRequest {
  readonly target: Target;
  readonly query: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>;
  /** `undefined` or `'0'`: start with ADDED for every current object. */
  readonly resourceVersion: string | undefined;
  readonly allowBookmarks: boolean;
  readonly sendInitialEvents: boolean;
  readonly timeoutSeconds: number | undefined;
  /** Rows of a meta.k8s.io Table instead of objects (`kubectl get -w`). */
  readonly tableColumns: readonly Column[] | undefined;
}

const MAX_BACKLOG = 64 * 1024 * 1024;

class Watcher {
  private queue: string[] = [];
  private scheduled = false;
  private closed = false;
  private bookmarkTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private sentDefinitions = false;
  lastResourceVersion: number;

  constructor(
    readonly request: WatchRequest,
    private readonly sink: WatchSink,
    private readonly hub: WatchHub,
    startRv: number,
  ) {
    this.lastResourceVersion = startRv;
  }

  start(bookmarkIntervalMs: number): void {
    if (this.request.allowBookmarks) {
      this.bookmarkTimer = setInterval(() => this.bookmark(false), bookmarkIntervalMs);
      this.bookmarkTimer.unref();
    }
    if (this.request.timeoutSeconds !== undefined && this.request.timeoutSeconds > 0) {
      this.timeoutTimer = setTimeout(() => this.close(), this.request.timeoutSeconds * 1000);
      this.timeoutTimer.unref();
    }
  }

  enqueue(line: string): void {
    if (this.closed) return;
    this.queue.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    if (this.closed || this.queue.length === 0) return;
    const chunk = this.queue.length === 1 ? (this.queue[0] as string) : this.queue.join('');
    this.queue = [];
    this.sink.write(chunk);
    if (this.sink.backlog > MAX_BACKLOG) this.close();
  }

  send(event: StoreEvent | { type: 'ADDED'; object: StoredObject; resourceVersion: number }, lineCache?: Map<string, string>): void {
    const key = `${event.type}`;
    let line = lineCache?.get(key);
    if (line === undefined) {
      line = this.render(event.type, event.object);
      if (lineCache && !this.request.tableColumns) lineCache.set(key, line);
    }
    this.lastResourceVersion = Math.max(this.lastResourceVersion, event.resourceVersion);
    this.enqueue(line);
  }

  private render(type: string, stored: StoredObject): string {
    const api = this.hub.api;
    if (this.request.tableColumns) {
      const obj = api.decode(stored, this.request.target) as KubeObject;
      const table = toTable([obj], this.request.tableColumns, String(stored.resourceVersion), 'Metadata', {}, !this.sentDefinitions);
      this.sentDefinitions = true;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    }
    return `{"type":"${type}","object":${api.encodeFor(stored, this.request.target)}}\n`;
  }

  bookmark(initialEventsEnd: boolean): void {
    const t = this.request.target;
    const type = t.resolved.type;
    const rv = initialEventsEnd ? this.lastResourceVersion : Math.max(this.lastResourceVersion, this.hub.api.store.resourceVersion);
    this.lastResourceVersion = rv;
    const metadata: Record<string, unknown> = { resourceVersion: String(rv), creationTimestamp: null };
    if (initialEventsEnd) metadata['annotations'] = { 'k8s.io/initial-events-end': 'true' };
    const apiVersion = type.group ? `${type.group}/${t.resolved.version.name}` : t.resolved.version.name;
    this.enqueue(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: type.kind, apiVersion, metadata } })}\n`);
  }

  /** Sends an ERROR event carrying a Status, as the real server reports an expired watch. */
  error(status: object): void {
    this.enqueue(`${JSON.stringify({ type: 'ERROR', object: status })}\n`);
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.bookmarkTimer);
    clearTimeout(this.timeoutTimer);
    this.hub.remove(this);
    this.sink.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

/** All open watches, fed from the store's events. */
export class WatchHub {
  private readonly byResource = new Map<string, Set<Watcher>>();

  constructor(
    readonly api: KubeApi,
    private readonly bookmarkIntervalMs: number,
  ) {
    api.store.onEvent((e) => this.dispatch(e));
  }

  get count(): number {
    let n = 0;
    for (const s of this.byResource.values()) n += s.size;
    return n;
  }

  /** Opens a watch; returns a handle to close it (the adapter calls it when the client goes away). */
  open(request: WatchRequest, sink: WatchSink): { close(): void } {
    const store = this.api.store;
    const t = request.target;
    const rvParam = request.resourceVersion;
    const fromScratch = rvParam === undefined || rvParam === '' || rvParam === '0';
    const start = fromScratch ? store.resourceVersion : Number(rvParam);
    const watcher = new Watcher(request, sink, this, start);
    if (!fromScratch && (!Number.isInteger(start) || start < 0)) {
      watcher.error(statusOf(400, 'BadRequest', `invalid resource version: ${String(rvParam)}`));
      watcher.close();
      return watcher;
    }
    const missed = fromScratch ? [] : store.eventsSince(start, t.resolved.storeKey);
    if (missed === undefined) {
      watcher.error(statusOf(410, 'Expired', `too old resource version: ${start} (${store.compactedResourceVersion})`));
      watcher.close();
      return watcher;
    }
    if (fromScratch || request.sendInitialEvents) {
      const prefix = t.resolved.type.namespaced && t.namespace ? `${t.namespace}/` : '';
      for (const stored of store.list(t.resolved.storeKey, prefix)) {
        if (this.api.matches(stored, t, request.query)) watcher.send({ type: 'ADDED', object: stored, resourceVersion: stored.resourceVersion });
      }
      watcher.lastResourceVersion = store.resourceVersion;
      if (request.sendInitialEvents && request.allowBookmarks) watcher.bookmark(true);
    }
    for (const e of missed) this.deliver(watcher, e);
    let set = this.byResource.get(t.resolved.storeKey);
    if (!set) {
      set = new Set();
      this.byResource.set(t.resolved.storeKey, set);
    }
    set.add(watcher);
    watcher.start(this.bookmarkIntervalMs);
    return watcher;
  }

  remove(w: Watcher): void {
    this.byResource.get(w.request.target.resolved.storeKey)?.delete(w);
  }

  private dispatch(e: StoreEvent): void {
    const set = this.byResource.get(e.resource);
    if (!set || set.size === 0) return;
    // Watchers of the same API and version share the serialized line.
    const lines = new Map<string, Map<string, string>>();
    for (const w of set) {
      const version = `${w.request.target.resolved.key}/${w.request.target.resolved.version.name}`;
      let cache = lines.get(version);
      if (!cache) {
        cache = new Map();
        lines.set(version, cache);
      }
      this.deliver(w, e, cache);
    }
  }

  /** Sends one event to one watcher, turning selector transitions into ADDED/DELETED. */
  private deliver(w: Watcher, e: StoreEvent, cache?: Map<string, string>): void {
    const t = w.request.target;
    const q = w.request.query;
    const now = this.api.matches(e.object, t, q);
    const before = e.previous !== undefined && this.api.matches(e.previous, t, q);
    if (e.type === 'MODIFIED') {
      if (now && before) w.send(e, cache);
      else if (now) w.send({ ...e, type: 'ADDED' }, cache);
      else if (before) w.send({ ...e, type: 'DELETED' }, cache);
    } else if (now) w.send(e, cache);
  }

  /** Ends every open watch, as an API server restart or a network blip would. */
  closeAll(): number {
    let n = 0;
    for (const set of this.byResource.values()) {
      for (const w of [...set]) {
        w.close();
        n++;
      }
    }
    return n;
  }
}

function statusOf(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

