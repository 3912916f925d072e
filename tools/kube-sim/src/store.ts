// The object store: one global resourceVersion, every object kept as its serialized JSON (lists and
// watch events are then string concatenation), a bounded event history for watch resumption, and
// listeners told of every change. Knows nothing of HTTP or of API semantics.
import { type Labels } from '@lb/labels';

export interface StoredObject {
  /** `namespace/name`, or `name` for cluster-scoped objects; also the list order. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly resourceVersion: number;
  /** The object as stored (storage version), `apiVersion` and `kind` first. */
  readonly json: string;
  readonly labels: Labels | undefined;
  /** Values of the type's extra field selectors (`spec.nodeName` for pods). */
  readonly fields: Readonly<Record<string, string>> | undefined;
}

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  readonly resource: string;
  readonly object: StoredObject;
  /** The object before a MODIFIED or DELETED, for selector transitions. */
  readonly previous: StoredObject | undefined;
  readonly resourceVersion: number;
}

class Collection {
  readonly objects = new Map<string, StoredObject>();
  private sorted: string[] | undefined;

  set(obj: StoredObject): void {
    if (!this.objects.has(obj.key)) this.sorted = undefined;
    this.objects.set(obj.key, obj);
  }

  delete(key: string): void {
    if (this.objects.delete(key)) this.sorted = undefined;
  }

  /** Keys in byte order, as etcd returns them; sorted lazily so bulk creates stay O(1). */
  sortedKeys(): readonly string[] {
    if (!this.sorted) this.sorted = [...this.objects.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return this.sorted;
  }
}

export interface StoreOptions {
  /** How many events are kept for watches resuming from an old resourceVersion. */
  readonly historyWindow: number;
}

/** Told of every change before anyone else (persistence writes it down there). */
export interface StoreJournal {
  put(resource: string, obj: StoredObject): void;
  remove(resource: string, final: StoredObject): void;
  drop(resource: string, resourceVersion: number): void;
}

export class Store {
  private collections = new Map<string, Collection>();
  private history: StoreEvent[] = [];
  private historyStart = 0;
  private rv = 1;
  /** Watches and lists from a resourceVersion at or below this get 410 Gone. */
  private compacted = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private journal: StoreJournal | undefined;

  constructor(private readonly options: StoreOptions) {}

  /** From now on every change is written to `journal` first. */
  setJournal(journal: StoreJournal | undefined): void {
    this.journal = journal;
  }

  /** Puts an object back as it was stored (a restart): no event, no journal. */
  load(resource: string, obj: StoredObject): void {
    this.collection(resource).set(obj);
    if (obj.resourceVersion > this.rv) this.rv = obj.resourceVersion;
  }

  /** Forgets an object (a restart replaying a removal): no event, no journal. */
  unload(resource: string, key: string, resourceVersion: number): void {
    this.collections.get(resource)?.delete(key);
    if (resourceVersion > this.rv) this.rv = resourceVersion;
  }

  /** Forgets a whole resource (a restart replaying a deleted CRD): no event, no journal. */
  unloadResource(resource: string, resourceVersion: number): void {
    this.collections.delete(resource);
    if (resourceVersion > this.rv) this.rv = resourceVersion;
  }

  /**
   * After loading: the resourceVersion continues from `rv`, and history starts there (a watch from
   * an older resourceVersion gets 410 Gone, as from a restarted API server's cache).
   */
  restoreResourceVersion(rv: number): void {
    this.rv = Math.max(this.rv, rv);
    this.compacted = this.rv;
    this.history = [];
    this.historyStart = 0;
  }

  /** Every object, by resource (a snapshot). */
  *entries(): Generator<[string, StoredObject]> {
    for (const [resource, c] of this.collections) for (const obj of c.objects.values()) yield [resource, obj];
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get compactedResourceVersion(): number {
    return this.compacted;
  }

  /** The next resourceVersion, consumed by the write that uses it. */
  nextResourceVersion(): number {
    return ++this.rv;
  }

  /** Resolves true once the store's resourceVersion reaches `rv`, false after `timeoutMs` without. */
  reached(rv: number, timeoutMs: number): Promise<boolean> {
    if (this.rv >= rv) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        off();
        resolve(ok);
      };
      const timer = setTimeout(() => done(this.rv >= rv), timeoutMs);
      const off = this.onEvent(() => {
        if (this.rv >= rv) done(true);
      });
    });
  }

  onEvent(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private collection(resource: string): Collection {
    let c = this.collections.get(resource);
    if (!c) {
      c = new Collection();
      this.collections.set(resource, c);
    }
    return c;
  }

  get(resource: string, key: string): StoredObject | undefined {
    return this.collections.get(resource)?.objects.get(key);
  }

  /** Objects in key order; `prefix` (`namespace/`) narrows to one namespace. */
  *list(resource: string, prefix = '', after?: string): Generator<StoredObject> {
    const c = this.collections.get(resource);
    if (!c) return;
    const keys = c.sortedKeys();
    let i = 0;
    const from = after !== undefined && after > prefix ? after : prefix;
    // Binary search for the first key at or after `from`.
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((keys[mid] as string) < from) lo = mid + 1;
      else hi = mid;
    }
    i = lo;
    for (; i < keys.length; i++) {
      const key = keys[i] as string;
      if (after !== undefined && key <= after) continue;
      if (prefix && !key.startsWith(prefix)) break;
      const obj = c.objects.get(key);
      if (obj) yield obj;
    }
  }

  count(resource?: string): number {
    if (resource !== undefined) return this.collections.get(resource)?.objects.size ?? 0;
    let n = 0;
    for (const c of this.collections.values()) n += c.objects.size;
    return n;
  }

  resources(): string[] {
    return [...this.collections.keys()];
  }

  /** Stores `obj` (whose resourceVersion came from nextResourceVersion) and records the event. */
  put(resource: string, obj: StoredObject): StoreEvent {
    this.journal?.put(resource, obj);
    const c = this.collection(resource);
    const previous = c.objects.get(obj.key);
    c.set(obj);
    return this.record({ type: previous ? 'MODIFIED' : 'ADDED', resource, object: obj, previous, resourceVersion: obj.resourceVersion });
  }

  /** Removes an object; `final` is its last state carrying the deletion's resourceVersion. */
  remove(resource: string, final: StoredObject): StoreEvent {
    this.journal?.remove(resource, final);
    const c = this.collection(resource);
    const previous = c.objects.get(final.key);
    c.delete(final.key);
    return this.record({ type: 'DELETED', resource, object: final, previous, resourceVersion: final.resourceVersion });
  }

  /** Drops a whole resource (its CRD was deleted) without events, as the real server does. */
  dropResource(resource: string): void {
    this.journal?.drop(resource, this.rv);
    this.collections.delete(resource);
  }

  private record(event: StoreEvent): StoreEvent {
    this.history.push(event);
    const excess = this.history.length - this.historyStart - this.options.historyWindow;
    if (excess > 0) {
      const dropped = this.history[this.historyStart + excess - 1] as StoreEvent;
      this.compacted = dropped.resourceVersion;
      this.historyStart += excess;
      // Reclaim the array's head now and then rather than shifting on every event.
      if (this.historyStart > 4096 && this.historyStart > this.history.length / 2) {
        this.history = this.history.slice(this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const l of this.listeners) l(event);
    return event;
  }

  /** Events after `resourceVersion`, or undefined when history no longer reaches back that far. */
  eventsSince(resourceVersion: number, resource?: string): StoreEvent[] | undefined {
    if (resourceVersion < this.compacted) return undefined;
    const out: StoreEvent[] = [];
    // History is in resourceVersion order: binary search for the first newer event.
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.history[mid] as StoreEvent).resourceVersion <= resourceVersion) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.history.length; i++) {
      const e = this.history[i] as StoreEvent;
      if (resource === undefined || e.resource === resource) out.push(e);
    }
    return out;
  }

  /** Forgets all history: every watch or paged list from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compacted = this.rv;
    this.history = [];
    this.historyStart = 0;
  }
}
