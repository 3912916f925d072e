// Watch streams: events for one resource, filtered by namespace and selectors, written as
// newline-delimited JSON. Each event is serialized once per API version, whatever the number of
// watchers: small lines are strings queued per watcher and written once per tick; a large object's
// line is one Buffer shared by every watcher (and by every watch starting with it), written to
// each socket in slices as the socket drains, so 500 watchers of a 3 MB object hold one copy, not
// 500, and no socket buffers more than a slice ahead of the network.
import { type KubeApi, type ListQuery, type Target } from './api.js';
import { type Obj } from './objects.js';
import { tooLargeResourceVersion } from './status.js';
import { type StoreEvent, type StoredObject } from './store.js';
import { type Column, type KubeObject, toTable } from './table.js';

/** Where a watch writes: the HTTP adapter passes the response stream. */
export interface WatchSink {
  /** false when the stream wants no more until it drains. */
  write(chunk: string | Buffer): boolean;
  /** Calls back once when the stream has drained. */
  onDrain(callback: () => void): void;
  end(): void;
}

export interface WatchRequest {
  readonly target: Target;
  readonly query: Pick<ListQuery, 'labelSelector' | 'fieldSelector'>;
  /** `undefined` or `'0'`: start with ADDED for every current object. */
  readonly resourceVersion: string | undefined;
  readonly allowBookmarks: boolean;
  readonly sendInitialEvents: boolean;
  /** Absent or 0: no timeout; negative: the watch ends at once (as the API server's timer does). */
  readonly timeoutSeconds: number | undefined;
  /** Rows of a meta.k8s.io Table instead of objects (`kubectl get -w`). */
  readonly tableColumns: readonly Column[] | undefined;
}

/** A watcher this far behind is disconnected, as the real watch cache drops slow watchers. */
const MAX_BACKLOG = 64 * 1024 * 1024;
/** Objects at least this large are rendered into a shared Buffer rather than a string per watcher. */
const SHARED_LINE_BYTES = 64 * 1024;
/** The most written to one socket before waiting for it to drain. */
const SLICE_BYTES = 64 * 1024;
/** How long a watch from a resourceVersion not reached yet waits for it (the watch cache's blockTimeout). */
export const FUTURE_WATCH_WAIT_MS = 3000;

type Line = string | Buffer;

/** `{"type":"ADDED","object":<json>}\n` in one Buffer, the object's text copied once. */
function lineBuffer(type: string, json: string): Buffer {
  const head = `{"type":"${type}","object":`;
  const size = Buffer.byteLength(head) + Buffer.byteLength(json) + 2;
  const buf = Buffer.allocUnsafe(size);
  let at = buf.write(head, 0, 'latin1');
  at += buf.write(json, at, 'utf8');
  buf.write('}\n', at, 'latin1');
  return buf;
}

// Shared lines of large objects, per stored state, event type and API version: a watch opening on
// a namespace that holds a 3 MB ConfigMap reuses the line the previous watch rendered.
const sharedLines = new WeakMap<StoredObject, Map<string, Buffer>>();

class Watcher {
  private queue: Line[] = [];
  /** How much of queue[0] (a Buffer) was written already. */
  private offset = 0;
  private queuedBytes = 0;
  private scheduled = false;
  private waitingForDrain = false;
  private closed = false;
  private ending = false;
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
    const timeout = this.request.timeoutSeconds;
    if (timeout !== undefined && timeout !== 0) {
      this.timeoutTimer = setTimeout(() => this.close(), Math.max(0, timeout) * 1000);
      this.timeoutTimer.unref();
    }
  }

  enqueue(line: Line): void {
    if (this.closed || this.ending) return;
    this.queue.push(line);
    this.queuedBytes += line.length;
    if (this.queuedBytes > MAX_BACKLOG) {
      this.abandon();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Writes what is queued until the socket asks to wait: strings joined, Buffers in slices. */
  private flush(): void {
    while (!this.closed && !this.waitingForDrain && this.queue.length > 0) {
      const head = this.queue[0] as Line;
      let chunk: Line;
      if (typeof head === 'string') {
        let n = 0;
        let bytes = 0;
        while (n < this.queue.length && typeof this.queue[n] === 'string' && bytes < SLICE_BYTES) bytes += (this.queue[n++] as string).length;
        chunk = n === 1 ? head : (this.queue.slice(0, n) as string[]).join('');
        this.queue.splice(0, n);
        this.queuedBytes -= bytes;
      } else {
        const end = Math.min(head.length, this.offset + SLICE_BYTES);
        chunk = head.subarray(this.offset, end);
        this.queuedBytes -= end - this.offset;
        this.offset = end;
        if (end === head.length) {
          this.queue.shift();
          this.offset = 0;
        }
      }
      if (!this.sink.write(chunk)) {
        this.waitingForDrain = true;
        this.sink.onDrain(() => {
          this.waitingForDrain = false;
          this.flush();
        });
      }
    }
    if (this.ending && this.queue.length === 0 && !this.waitingForDrain) this.finish();
  }

  send(event: StoreEvent | { type: 'ADDED'; object: StoredObject; resourceVersion: number }, lineCache?: Map<string, Line>): void {
    const key = event.type;
    let line = lineCache?.get(key);
    if (line === undefined) {
      line = this.render(event.type, event.object);
      if (lineCache && !this.request.tableColumns) lineCache.set(key, line);
    }
    this.lastResourceVersion = Math.max(this.lastResourceVersion, event.resourceVersion);
    this.enqueue(line);
  }

  private render(type: string, stored: StoredObject): Line {
    const api = this.hub.api;
    if (this.request.tableColumns) {
      const obj = api.decode(stored, this.request.target) as KubeObject;
      const table = toTable([obj], this.request.tableColumns, String(stored.resourceVersion), 'Metadata', {}, !this.sentDefinitions);
      this.sentDefinitions = true;
      return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
    }
    if (stored.json.length < SHARED_LINE_BYTES) return `{"type":"${type}","object":${api.encodeFor(stored, this.request.target)}}\n`;
    const version = `${type} ${this.request.target.resolved.key}/${this.request.target.resolved.version.name}`;
    let lines = sharedLines.get(stored);
    if (!lines) {
      lines = new Map();
      sharedLines.set(stored, lines);
    }
    let line = lines.get(version);
    if (!line) {
      line = lineBuffer(type, api.encodeFor(stored, this.request.target));
      lines.set(version, line);
    }
    return line;
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

  /** Ends the watch once what is queued has been written. */
  close(): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    this.stopTimers();
    this.hub.remove(this);
    this.flush();
  }

  /** Ends the watch now, dropping what is queued (the client went away or fell too far behind). */
  abandon(): void {
    this.queue = [];
    this.queuedBytes = 0;
    this.finish();
  }

  private stopTimers(): void {
    clearInterval(this.bookmarkTimer);
    clearTimeout(this.timeoutTimer);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
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

  /** Opens a watch; returns a handle to drop it (the adapter calls it when the client goes away). */
  open(request: WatchRequest, sink: WatchSink): { close(): void } {
    const store = this.api.store;
    const rvParam = request.resourceVersion;
    const fromScratch = rvParam === undefined || rvParam === '' || rvParam === '0';
    const start = fromScratch ? store.resourceVersion : Number(rvParam);
    const watcher = new Watcher(request, sink, this, start);
    const handle = { close: () => watcher.abandon() };
    if (!fromScratch && (!Number.isInteger(start) || start < 0)) {
      watcher.error(statusOf(400, 'BadRequest', `invalid resource version: ${String(rvParam)}`));
      watcher.close();
      return handle;
    }
    if (!fromScratch && start > store.resourceVersion) {
      // Not reached yet: wait for it as the watch cache does, then answer "too large" in an ERROR event.
      void store.reached(start, FUTURE_WATCH_WAIT_MS).then((reached) => {
        if (watcher.isClosed) return;
        if (reached) this.begin(watcher, false, start);
        else {
          watcher.error(tooLargeResourceVersion(start, store.resourceVersion).status);
          watcher.close();
        }
      });
      return handle;
    }
    this.begin(watcher, fromScratch, start);
    return handle;
  }

  /** Initial events (or the events missed since `start`), then live ones. */
  private begin(watcher: Watcher, fromScratch: boolean, start: number): void {
    const store = this.api.store;
    const request = watcher.request;
    const t = request.target;
    const missed = fromScratch ? [] : store.eventsSince(start, t.resolved.storeKey);
    if (missed === undefined) {
      watcher.error(statusOf(410, 'Expired', `too old resource version: ${start} (${store.compactedResourceVersion})`));
      watcher.close();
      return;
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
    if (watcher.isClosed) return;
    let set = this.byResource.get(t.resolved.storeKey);
    if (!set) {
      set = new Set();
      this.byResource.set(t.resolved.storeKey, set);
    }
    set.add(watcher);
    watcher.start(this.bookmarkIntervalMs);
  }

  remove(w: Watcher): void {
    this.byResource.get(w.request.target.resolved.storeKey)?.delete(w);
  }

  private dispatch(e: StoreEvent): void {
    const set = this.byResource.get(e.resource);
    if (!set || set.size === 0) return;
    // Watchers of the same API and version share the serialized line.
    const lines = new Map<string, Map<string, Line>>();
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
  private deliver(w: Watcher, e: StoreEvent, cache?: Map<string, Line>): void {
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

