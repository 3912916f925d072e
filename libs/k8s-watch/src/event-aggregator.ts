// Decides what a recorded Event becomes on the server, without I/O: a new Event, one more count on
// an Event already sent (the same object, type, reason and message), or nothing (the object is
// flooding). When one object keeps producing the same reason with many different messages, they
// are folded into one "combined" Event. The recorder turns the decisions into API calls.
import { type Clock } from './clock.js';

export type EventSeverity = 'Normal' | 'Warning';

export interface InvolvedObject {
  readonly apiVersion?: string | undefined;
  readonly kind?: string | undefined;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
  readonly uid?: string | undefined;
  readonly resourceVersion?: string | undefined;
}

export interface EventRecord {
  readonly involved: InvolvedObject;
  readonly type: EventSeverity;
  readonly reason: string;
  readonly message: string;
}

export type EventDecision =
  | {
      readonly kind: 'send';
      /** Identifies the server-side Event this belongs to. */
      readonly key: string;
      /** The Event's name; new when `isNew`. */
      readonly name: string;
      readonly isNew: boolean;
      readonly count: number;
      readonly message: string;
    }
  | { readonly kind: 'drop' };

export interface AggregatorOptions {
  readonly clock: Clock;
  /** Makes a unique Event name for an object name (`web.1873a2b4c5d6e7f8`). */
  readonly newName: (objectName: string) => string;
  /** Events remembered for counting (least recently seen forgotten first; default 4096). */
  readonly maxEntries?: number;
  /** Distinct messages per object and reason before they are combined (default 10). */
  readonly similarThreshold?: number;
  /** How long repeats are counted onto the same Event, and similar ones combined (default 10 min). */
  readonly windowMs?: number;
  /** Events one object may produce at once (default 25)… */
  readonly burst?: number;
  /** …and then one more per this many milliseconds (default 5 min). */
  readonly refillMs?: number;
}

export const COMBINED_PREFIX = '(combined from similar events): ';

interface Sent {
  name: string;
  count: number;
  lastSeen: number;
}

interface Similar {
  readonly messages: Set<string>;
  windowStart: number;
}

interface Bucket {
  tokens: number;
  last: number;
}

function objectId(o: InvolvedObject): string {
  return JSON.stringify([o.apiVersion ?? '', o.kind ?? '', o.namespace ?? '', o.name ?? '', o.uid ?? '']);
}

/** A Map used as an LRU: touching an entry moves it to the end, overflow drops the oldest. */
function touch<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

export class EventAggregator {
  private readonly sent = new Map<string, Sent>();
  private readonly similar = new Map<string, Similar>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly max: number;
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly burst: number;
  private readonly refillMs: number;

  constructor(private readonly options: AggregatorOptions) {
    this.max = options.maxEntries ?? 4096;
    this.threshold = options.similarThreshold ?? 10;
    this.windowMs = options.windowMs ?? 600_000;
    this.burst = options.burst ?? 25;
    this.refillMs = options.refillMs ?? 300_000;
  }

  decide(record: EventRecord): EventDecision {
    const now = this.options.clock.now();
    const object = objectId(record.involved);
    if (!this.admit(object, now)) return { kind: 'drop' };

    const groupKey = JSON.stringify([object, record.type, record.reason]);
    let group = this.similar.get(groupKey);
    if (!group || now - group.windowStart > this.windowMs) group = { messages: new Set(), windowStart: now };
    let message = record.message;
    let key: string;
    if (group.messages.has(message) || group.messages.size < this.threshold) {
      group.messages.add(message);
      key = JSON.stringify([groupKey, message]);
    } else {
      // Too many different messages for one object and reason: one Event carries them all.
      message = COMBINED_PREFIX + message;
      key = JSON.stringify([groupKey, COMBINED_PREFIX]);
    }
    touch(this.similar, groupKey, group, this.max);

    const previous = this.sent.get(key);
    if (previous && now - previous.lastSeen <= this.windowMs) {
      previous.count++;
      previous.lastSeen = now;
      touch(this.sent, key, previous, this.max);
      return { kind: 'send', key, name: previous.name, isNew: false, count: previous.count, message };
    }
    const entry: Sent = { name: this.options.newName(record.involved.name ?? 'unknown'), count: 1, lastSeen: now };
    touch(this.sent, key, entry, this.max);
    return { kind: 'send', key, name: entry.name, isNew: true, count: 1, message };
  }

  /** The server no longer has the Event for `key` (it expired): the next repeat starts a new one. */
  forget(key: string): void {
    this.sent.delete(key);
  }

  /** Per-object token bucket: a burst, then a slow refill. */
  private admit(object: string, now: number): boolean {
    let bucket = this.buckets.get(object);
    if (!bucket) bucket = { tokens: this.burst, last: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.last) / this.refillMs);
    bucket.last = now;
    touch(this.buckets, object, bucket, this.max);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
