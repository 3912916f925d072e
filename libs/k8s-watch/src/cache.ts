// The informer's store: objects by key, with indexes by namespace, by label and by caller-supplied
// functions. Objects are kept exactly as they arrived and handed out by reference, so reads copy
// nothing; callers must treat them as read-only. Index lookups walk a set of keys, never the store.
import { compileLabelSelector, type CompiledSelector, type LabelSelector } from '@lb/labels';
import { type KubeObject, keyOf, objectKey } from './objects.js';

/** Index values of an object (none, one or several). */
export type IndexFunc<T> = (obj: T) => string | readonly string[] | undefined;

export const NAMESPACE_INDEX = 'namespace';
const LABEL_INDEX = 'label';

/** What consumers read; the informer alone writes. */
export interface ReadonlyCache<T extends KubeObject> {
  readonly size: number;
  get(key: string): T | undefined;
  /** By namespace and name; pass undefined as namespace for cluster-scoped objects. */
  getByName(namespace: string | undefined, name: string): T | undefined;
  has(key: string): boolean;
  keys(): IterableIterator<string>;
  values(): IterableIterator<T>;
  /** Objects whose index function returned `value`. Throws for an index that was never declared. */
  byIndex(index: string, value: string): IterableIterator<T>;
  /** How many objects byIndex would yield, without walking them. */
  countByIndex(index: string, value: string): number;
  /** Every value the index currently holds. */
  indexValues(index: string): IterableIterator<string>;
  byNamespace(namespace: string): IterableIterator<T>;
  /**
   * Objects matching a label selector or a plain label map. Equality terms are answered from the
   * label index (the smallest matching set is walked); other terms filter. Throws on an invalid
   * selector, listing every problem.
   */
  byLabels(selector: LabelSelector | Readonly<Record<string, string>> | CompiledSelector): IterableIterator<T>;
}

export interface ChangeSet<T> {
  readonly added: T[];
  readonly updated: [old: T, current: T][];
  readonly deleted: T[];
}

export interface CacheOptions<T> {
  /** Named index functions, queried with byIndex. */
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  /** Index labels for byLabels (default true); without it byLabels scans. */
  readonly labelIndex?: boolean;
}

interface Index<T> {
  readonly fn: IndexFunc<T>;
  readonly byValue: Map<string, Set<string>>;
}

const EMPTY: ReadonlySet<string> = new Set();

function valuesOf<T>(fn: IndexFunc<T>, obj: T): readonly string[] {
  const v = fn(obj);
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}

function labelPairs(obj: KubeObject): string[] {
  const labels = obj.metadata?.labels;
  if (!labels) return [];
  const out: string[] = [];
  for (const k in labels) out.push(`${k}=${labels[k]}`);
  return out;
}

function isCompiled(s: unknown): s is CompiledSelector {
  return typeof (s as CompiledSelector).matches === 'function';
}

export class ObjectCache<T extends KubeObject> implements ReadonlyCache<T> {
  private readonly objects = new Map<string, T>();
  private readonly indexes = new Map<string, Index<T>>();

  constructor(options: CacheOptions<T> = {}) {
    this.addIndex(NAMESPACE_INDEX, (o) => o.metadata?.namespace);
    if (options.labelIndex ?? true) this.addIndex(LABEL_INDEX, labelPairs);
    for (const [name, fn] of Object.entries(options.indexers ?? {})) this.addIndex(name, fn);
  }

  get size(): number {
    return this.objects.size;
  }

  /** Declares an index; objects already cached are indexed now. */
  addIndex(name: string, fn: IndexFunc<T>): void {
    if (this.indexes.has(name)) throw new Error(`cache: index '${name}' already exists`);
    const index: Index<T> = { fn, byValue: new Map() };
    this.indexes.set(name, index);
    for (const [key, obj] of this.objects) this.indexAdd(index, key, obj);
  }

  get(key: string): T | undefined {
    return this.objects.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.objects.get(keyOf(namespace, name));
  }

  has(key: string): boolean {
    return this.objects.has(key);
  }

  keys(): IterableIterator<string> {
    return this.objects.keys();
  }

  values(): IterableIterator<T> {
    return this.objects.values();
  }

  byIndex(index: string, value: string): IterableIterator<T> {
    return this.walk(this.indexKeys(index, value));
  }

  countByIndex(index: string, value: string): number {
    return this.indexKeys(index, value).size;
  }

  indexValues(index: string): IterableIterator<string> {
    return this.index(index).byValue.keys();
  }

  byNamespace(namespace: string): IterableIterator<T> {
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  *byLabels(selector: LabelSelector | Readonly<Record<string, string>> | CompiledSelector): IterableIterator<T> {
    let compiled: CompiledSelector;
    if (isCompiled(selector)) compiled = selector;
    else {
      const result = compileLabelSelector(selector);
      if (!result.ok) throw new TypeError(`invalid label selector: ${result.error.message}`);
      compiled = result.value;
    }
    const labelIndex = this.indexes.get(LABEL_INDEX);
    let candidates: Iterable<T> = this.objects.values();
    if (labelIndex && compiled.equalities.length > 0) {
      let smallest: ReadonlySet<string> | undefined;
      for (const [k, v] of compiled.equalities) {
        const keys = labelIndex.byValue.get(`${k}=${v}`) ?? EMPTY;
        if (!smallest || keys.size < smallest.size) smallest = keys;
      }
      candidates = this.walk(smallest ?? EMPTY);
    }
    for (const obj of candidates) if (compiled.matches(obj.metadata?.labels)) yield obj;
  }

  /** Inserts or replaces by key; returns the object it replaced. */
  upsert(obj: T): T | undefined {
    const key = objectKey(obj);
    const old = this.objects.get(key);
    if (old) for (const index of this.indexes.values()) this.indexRemove(index, key, old);
    this.objects.set(key, obj);
    for (const index of this.indexes.values()) this.indexAdd(index, key, obj);
    return old;
  }

  /** Removes by key; returns what was removed. */
  delete(key: string): T | undefined {
    const old = this.objects.get(key);
    if (!old) return undefined;
    for (const index of this.indexes.values()) this.indexRemove(index, key, old);
    this.objects.delete(key);
    return old;
  }

  /**
   * Makes the cache hold exactly `objects` (a fresh list) and says what changed. An object whose
   * resourceVersion is unchanged is kept as cached and not reported: it is the same object.
   */
  replace(objects: Iterable<T>): ChangeSet<T> {
    const changes: ChangeSet<T> = { added: [], updated: [], deleted: [] };
    const seen = new Set<string>();
    for (const obj of objects) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.objects.get(key);
      if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion && old.metadata?.resourceVersion !== undefined) continue;
      this.upsert(obj);
      if (old) changes.updated.push([old, obj]);
      else changes.added.push(obj);
    }
    for (const key of [...this.objects.keys()]) {
      if (seen.has(key)) continue;
      const old = this.delete(key);
      if (old) changes.deleted.push(old);
    }
    return changes;
  }

  clear(): void {
    this.objects.clear();
    for (const index of this.indexes.values()) index.byValue.clear();
  }

  private index(name: string): Index<T> {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`cache: no index named '${name}' (declared: ${[...this.indexes.keys()].join(', ')})`);
    return index;
  }

  private indexKeys(name: string, value: string): ReadonlySet<string> {
    return this.index(name).byValue.get(value) ?? EMPTY;
  }

  private *walk(keys: ReadonlySet<string>): IterableIterator<T> {
    for (const key of keys) {
      const obj = this.objects.get(key);
      if (obj) yield obj;
    }
  }

  private indexAdd(index: Index<T>, key: string, obj: T): void {
    for (const value of valuesOf(index.fn, obj)) {
      let keys = index.byValue.get(value);
      if (!keys) {
        keys = new Set();
        index.byValue.set(value, keys);
      }
      keys.add(key);
    }
  }

  private indexRemove(index: Index<T>, key: string, obj: T): void {
    for (const value of valuesOf(index.fn, obj)) {
      const keys = index.byValue.get(value);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.byValue.delete(value);
    }
  }
}
