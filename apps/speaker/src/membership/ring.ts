// Who watches whom. Members sit on a ring ordered by the hash of their names; each member sends
// heartbeats to its next `k` members (its monitors) and watches its previous `k`. The load per
// member is k heartbeats out and k in per interval whatever the cluster size, and a member's
// monitors are scattered across the cluster rather than being its neighbours in name order.
// Members come and go one at a time (binary search and splice), as the membership changes.
import { hashString } from '../hash.js';

interface Slot {
  readonly key: number;
  readonly name: string;
}

function compare(a: Slot, b: Slot): number {
  return a.key - b.key || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

export class Ring {
  private readonly slots: Slot[] = [];
  private names: string[] | undefined;

  constructor(members: Iterable<string> = []) {
    for (const name of members) this.add(name);
  }

  get size(): number {
    return this.slots.length;
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  add(name: string): void {
    const slot = { key: hashString(name), name };
    const at = this.search(slot);
    if (this.slots[at]?.name === name) return;
    this.slots.splice(at, 0, slot);
    this.names = undefined;
  }

  remove(name: string): void {
    const at = this.indexOf(name);
    if (at < 0) return;
    this.slots.splice(at, 1);
    this.names = undefined;
  }

  /** The `k` members after `name` (fewer in a small ring), nearest first. */
  successors(name: string, k: number): string[] {
    return this.walk(name, k, 1);
  }

  /** The `k` members before `name`, nearest first. */
  predecessors(name: string, k: number): string[] {
    return this.walk(name, k, -1);
  }

  members(): readonly string[] {
    this.names ??= this.slots.map((s) => s.name);
    return this.names;
  }

  /** First index whose slot is not before `slot`. */
  private search(slot: Slot): number {
    let low = 0;
    let high = this.slots.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (compare(this.slots[mid] as Slot, slot) < 0) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  private indexOf(name: string): number {
    const at = this.search({ key: hashString(name), name });
    return this.slots[at]?.name === name ? at : -1;
  }

  private walk(name: string, k: number, step: 1 | -1): string[] {
    const at = this.indexOf(name);
    if (at < 0) return [];
    const n = this.slots.length;
    const out: string[] = [];
    for (let i = 1; i <= Math.min(k, n - 1); i++) out.push((this.slots[(((at + step * i) % n) + n) % n] as Slot).name);
    return out;
  }
}
