// What this member believes about every other: status, the (epoch, incarnation) that status is
// about, and until when a returning member is held down. Beliefs merge by a total order, so that
// every member ends with the same table whatever order news arrives in:
//   a newer epoch wins (the member restarted); within an epoch a higher incarnation wins (it
//   refuted); at the same (epoch, incarnation) down beats alive, so a death cannot be undone
//   except by the dead member itself, with a new incarnation.
import { hashString, mix32 } from '../hash.js';
import { STATUS_CODES, type Update } from './messages.js';

export type MemberStatus = 'unknown' | 'alive' | 'dead' | 'left';

export interface MemberRecord {
  readonly name: string;
  /** Transport address (opaque to the core: "10.0.0.1:7946"); from the API hint or a datagram's source. */
  address: string | undefined;
  /** Listed by the API's member hint. */
  hinted: boolean;
  /** `unknown`: hinted, never heard of as alive. */
  status: MemberStatus;
  epoch: number;
  incarnation: number;
  /** Monotonic ms from which an alive member may own addresses. */
  eligibleAt: number;
  /** Monotonic ms of the last authenticated datagram from it. */
  lastHeard: number;
}

export type MergeResult =
  /** Changes status or (epoch, incarnation). */
  | 'changed'
  /** Same belief as ours (maybe a fresher hold-down). */
  | 'same'
  /** Older than ours, or a status code this version does not know. */
  | 'stale';

const STATUS_BY_CODE = new Map<number, MemberStatus>([
  [STATUS_CODES.alive, 'alive'],
  [STATUS_CODES.dead, 'dead'],
  [STATUS_CODES.left, 'left'],
]);

/**
 * Hold-downs heard again (every datagram of a held-down member repeats its own) move only when they
 * disagree by more than this: transit and rounding must not churn the timers.
 */
const HOLD_DOWN_TOLERANCE_MS = 20;

const PRECEDENCE: Record<MemberStatus, number> = { unknown: -1, alive: 0, dead: 1, left: 2 };

export function statusCode(status: MemberStatus): number {
  return status === 'unknown' ? 0 : STATUS_CODES[status];
}

/** Orders two beliefs about one member: > 0 when `a` supersedes `b`. */
export function compareBeliefs(a: { epoch: number; incarnation: number; status: MemberStatus }, b: { epoch: number; incarnation: number; status: MemberStatus }): number {
  if (a.status === 'unknown' || b.status === 'unknown') return PRECEDENCE[a.status] - PRECEDENCE[b.status];
  return a.epoch - b.epoch || a.incarnation - b.incarnation || PRECEDENCE[a.status] - PRECEDENCE[b.status];
}

function aliveHash(record: { name: string; epoch: number; incarnation: number }): number {
  return mix32(hashString(record.name) ^ mix32(record.epoch % 0x100000000) ^ mix32(Math.floor(record.epoch / 0x100000000) + 0x3c6ef372) ^ mix32(record.incarnation + 0x6a09e667));
}

export class MemberTable {
  private readonly records = new Map<string, MemberRecord>();
  /** XOR of aliveHash over alive members: equal digests mean (almost surely) equal live views. */
  private digestValue = 0;

  get digest(): number {
    return this.digestValue >>> 0;
  }

  get(name: string): MemberRecord | undefined {
    return this.records.get(name);
  }

  all(): IterableIterator<MemberRecord> {
    return this.records.values();
  }

  get size(): number {
    return this.records.size;
  }

  /** A hinted member nobody has heard of yet. */
  addHinted(name: string, address: string): MemberRecord {
    let record = this.records.get(name);
    if (!record) {
      record = { name, address, hinted: true, status: 'unknown', epoch: 0, incarnation: 0, eligibleAt: 0, lastHeard: Number.NEGATIVE_INFINITY };
      this.records.set(name, record);
    }
    record.hinted = true;
    record.address = address;
    return record;
  }

  delete(name: string): void {
    const record = this.records.get(name);
    if (!record) return;
    if (record.status === 'alive') this.digestValue ^= aliveHash(record);
    this.records.delete(name);
  }

  /**
   * Merges an update; `now` is when a hold-down it carries starts counting. Returns what changed and
   * the record (created when the member was not known).
   */
  merge(update: Update, now: number): { result: MergeResult; record: MemberRecord | undefined } {
    const status = STATUS_BY_CODE.get(update.status);
    if (!status) return { result: 'stale', record: this.records.get(update.member) };
    let record = this.records.get(update.member);
    if (!record) {
      record = { name: update.member, address: undefined, hinted: false, status: 'unknown', epoch: 0, incarnation: 0, eligibleAt: 0, lastHeard: Number.NEGATIVE_INFINITY };
      this.records.set(update.member, record);
    }
    const order = compareBeliefs({ epoch: update.epoch, incarnation: update.incarnation, status }, record);
    if (order < 0) return { result: 'stale', record };
    if (order === 0) {
      const eligibleAt = now + update.holdDownMs;
      if (status === 'alive' && Math.abs(eligibleAt - record.eligibleAt) > HOLD_DOWN_TOLERANCE_MS) record.eligibleAt = eligibleAt;
      return { result: 'same', record };
    }
    this.set(record, status, update.epoch, update.incarnation);
    if (status === 'alive') record.eligibleAt = now + update.holdDownMs;
    return { result: 'changed', record };
  }

  /** Sets a belief directly (this member's own record, a declaration). */
  set(record: MemberRecord, status: MemberStatus, epoch: number, incarnation: number): void {
    if (record.status === 'alive') this.digestValue ^= aliveHash(record);
    record.status = status;
    record.epoch = epoch;
    record.incarnation = incarnation;
    if (status === 'alive') this.digestValue ^= aliveHash(record);
  }

  /** The belief about `record` as an update to send, its hold-down measured from `now`. */
  updateFor(record: MemberRecord, now: number): Update {
    return {
      member: record.name,
      epoch: record.epoch,
      incarnation: record.incarnation,
      status: statusCode(record.status),
      holdDownMs: record.status === 'alive' ? Math.max(0, Math.ceil(record.eligibleAt - now)) : 0,
    };
  }
}
