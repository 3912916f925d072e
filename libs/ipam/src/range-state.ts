import { isBuggyIp, countBuggyIps, type AddressRange, type IpFamily } from './address.js';
import { MinHeap } from './min-heap.js';

/**
 * Position of an address inside its range. A number for the first 2^53 addresses (all that can
 * ever be handed out one by one); a bigint only for explicitly requested addresses beyond that in
 * huge IPv6 ranges.
 */
export type Offset = number | bigint;

const MAX_NUMBER_OFFSET = 2n ** 53n;

/**
 * Allocation state of one range: who holds which address, and the lowest free one.
 *
 * Offsets below `cursor` are either held, released (then in `released`, a min-heap) or skipped
 * as buggy; offsets at or above `cursor` are free unless held. Automatic allocation therefore
 * takes the heap's minimum, or else the cursor, in O(log n): the same address MetalLB's
 * scan-from-the-start finds, without the scan. Holders of offsets below `dense.length` live in an
 * array (8 bytes each); explicit requests far ahead of it go to `sparse`.
 */
export class RangeState<Holding, Owner = unknown> {
  /** The pool this range belongs to; reassigned when a pool is renamed or restated. */
  owner: Owner;
  /** Position of this range in its pool, i.e. in the order addresses are handed out. */
  index: number;
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  readonly text: string;
  /** Addresses the range can hand out as numbers: min(size, 2^53). */
  readonly numberLimit: number;
  private readonly firstLow: number;
  private avoidBuggy: boolean;
  private readonly dense: Array<Holding | undefined> = [];
  private readonly sparse = new Map<Offset, Holding>();
  private readonly released = new MinHeap();
  private cursor = 0;
  /** Distinct addresses held. */
  inUse = 0;

  constructor(range: AddressRange, avoidBuggy: boolean, owner: Owner, index: number) {
    this.owner = owner;
    this.index = index;
    this.family = range.family;
    this.first = range.first;
    this.last = range.last;
    this.text = range.text;
    const size = range.last - range.first + 1n;
    this.numberLimit = Number(size < MAX_NUMBER_OFFSET ? size : MAX_NUMBER_OFFSET);
    this.firstLow = Number(range.first & 0xffn);
    this.avoidBuggy = avoidBuggy && range.family === 'IPv4';
  }

  get size(): bigint {
    return this.last - this.first + 1n;
  }

  /** Addresses this range may hand out: all of them, less .0/.255 when avoiding buggy IPs. */
  get capacity(): bigint {
    return this.avoidBuggy ? this.size - countBuggyIps(this.family, this.first, this.last) : this.size;
  }

  get avoidsBuggyIPs(): boolean {
    return this.avoidBuggy;
  }

  contains(value: bigint): boolean {
    return value >= this.first && value <= this.last;
  }

  offsetOf(value: bigint): Offset {
    const delta = value - this.first;
    return delta < MAX_NUMBER_OFFSET ? Number(delta) : delta;
  }

  addressAt(offset: Offset): bigint {
    return this.first + BigInt(offset);
  }

  /** True when the address at `offset` ends in .0 or .255 and this range avoids those. */
  isAvoided(offset: Offset): boolean {
    if (!this.avoidBuggy) return false;
    if (typeof offset === 'number') {
      const low = (this.firstLow + offset) % 256;
      return low === 0 || low === 255;
    }
    return isBuggyIp(this.family, this.addressAt(offset));
  }

  holdingAt(offset: Offset): Holding | undefined {
    if (typeof offset === 'number' && offset < this.dense.length) return this.dense[offset];
    return this.sparse.size === 0 ? undefined : this.sparse.get(offset);
  }

  /**
   * The lowest offset that is neither held nor avoided, or undefined when the range is full.
   * Amortised O(log n): stale heap entries and held offsets are passed over once.
   */
  lowestFree(): number | undefined {
    while (this.released.size > 0) {
      const top = this.released.peek() as number;
      if (this.holdingAt(top) === undefined && !this.isAvoided(top)) return top;
      this.released.pop();
    }
    while (this.cursor < this.numberLimit) {
      if (this.holdingAt(this.cursor) === undefined && !this.isAvoided(this.cursor)) return this.cursor;
      this.cursor++;
    }
    return undefined;
  }

  /** Marks `offset` as held by `holding`; the caller has checked that this is allowed. */
  hold(offset: Offset, holding: Holding): void {
    if (this.holdingAt(offset) === undefined) this.inUse++;
    this.store(offset, holding);
    if (offset === this.cursor) this.cursor++;
    else if (offset === this.released.peek()) this.released.pop();
  }

  /** Replaces the holding of an address already held (sharing changes), leaving counts alone. */
  replace(offset: Offset, holding: Holding): void {
    this.store(offset, holding);
  }

  /** Frees `offset`; it becomes the first candidate again if it is the lowest free address. */
  free(offset: Offset): void {
    if (this.holdingAt(offset) === undefined) return;
    this.inUse--;
    if (typeof offset === 'number' && offset < this.dense.length) {
      this.dense[offset] = undefined;
    } else {
      this.sparse.delete(offset);
    }
    if (typeof offset === 'number' && offset < this.cursor) this.released.push(offset);
  }

  /** Every held offset with its holding, in ascending offset order. */
  *held(): Generator<[Offset, Holding]> {
    for (let i = 0; i < this.dense.length; i++) {
      const holding = this.dense[i];
      if (holding !== undefined) yield [i, holding];
    }
    if (this.sparse.size > 0) {
      const offsets = [...this.sparse.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const offset of offsets) yield [offset, this.sparse.get(offset) as Holding];
    }
  }

  /**
   * Changes whether .0/.255 are avoided (the pool's avoidBuggyIPs changed). Returns the offsets
   * held that the range may no longer hand out, for the caller to release. Addresses skipped
   * while avoided become candidates again when avoidance is turned off.
   */
  setAvoidBuggy(avoid: boolean): Offset[] {
    const next = avoid && this.family === 'IPv4';
    if (next === this.avoidBuggy) return [];
    this.avoidBuggy = next;
    const affected: Offset[] = [];
    // Offsets whose last octet is .0, then .255: two progressions with a step of 256.
    for (const lastOctet of [0, 255]) {
      for (let offset = (lastOctet - this.firstLow + 256) % 256; offset < this.numberLimit; offset += 256) {
        if (next) {
          if (this.holdingAt(offset) !== undefined) affected.push(offset);
        } else if (offset < this.cursor && this.holdingAt(offset) === undefined) {
          this.released.push(offset);
        }
      }
    }
    return affected.sort((a, b) => Number(a) - Number(b));
  }

  private store(offset: Offset, holding: Holding): void {
    const dense = this.dense;
    if (typeof offset === 'number') {
      if (offset < dense.length) {
        dense[offset] = holding;
        return;
      }
      // Grow the array when the offset is near its end: requests restored out of order still
      // land in the array, while one far-off explicit address does not allocate a huge one.
      if (offset <= dense.length * 2 + 1024) {
        while (dense.length < offset) {
          const index = dense.length;
          const pending = this.sparse.size === 0 ? undefined : this.sparse.get(index);
          if (pending !== undefined) this.sparse.delete(index);
          dense.push(pending);
        }
        dense.push(holding);
        this.sparse.delete(offset);
        return;
      }
    }
    this.sparse.set(offset, holding);
  }
}
