/** An entry the heap orders by `at`; `index` is the heap's bookkeeping (-1 when not in it). */
export interface HeapEntry {
  at: number;
  index: number;
}

/**
 * A binary min-heap keyed by deadline, with the position kept in each entry so that a session's
 * deadline moves in O(log n) whenever a packet or a tick changes it. Thousands of sessions then
 * need one timer between them.
 */
export class DeadlineHeap<T extends HeapEntry> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Inserts `entry`, or moves it when already present; Infinity removes it. */
  set(entry: T, at: number): void {
    if (at === Number.POSITIVE_INFINITY) {
      this.remove(entry);
      return;
    }
    if (entry.index < 0) {
      entry.at = at;
      entry.index = this.items.length;
      this.items.push(entry);
      this.up(entry.index);
      return;
    }
    const earlier = at < entry.at;
    entry.at = at;
    if (earlier) this.up(entry.index);
    else this.down(entry.index);
  }

  remove(entry: T): void {
    const i = entry.index;
    if (i < 0) return;
    const last = this.items.pop() as T;
    entry.index = -1;
    if (last === entry) return;
    this.items[i] = last;
    last.index = i;
    this.up(i);
    this.down(last.index);
  }

  private up(i: number): void {
    const items = this.items;
    const entry = items[i] as T;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as T;
      if (p.at <= entry.at) break;
      items[i] = p;
      p.index = i;
      i = parent;
    }
    items[i] = entry;
    entry.index = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const entry = items[i] as T;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && (items[right] as T).at < (items[left] as T).at ? right : left;
      const c = items[child] as T;
      if (c.at >= entry.at) break;
      items[i] = c;
      c.index = i;
      i = child;
    }
    items[i] = entry;
    entry.index = i;
  }
}
