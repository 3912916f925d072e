// Records core/v1 Events for objects without making the caller wait: decisions come from the
// EventAggregator, and one background sender turns them into creates (new Events) and patches
// (more counts). Repeats that pile up while a write is in flight are merged into one write.
import { Backoff } from './backoff.js';
import { type KubeClient } from './client.js';
import { type Clock, sleep, systemClock } from './clock.js';
import { isNotFound, isRetriable } from './errors.js';
import { EventAggregator, type AggregatorOptions, type EventSeverity, type InvolvedObject } from './event-aggregator.js';
import { type Event, type KubeObject } from './objects.js';
import { Events } from './resources.js';

export interface EventRecorderObserver {
  sent?(): void;
  dropped?(reason: 'rate-limited' | 'failed' | 'overflow' | 'stopped'): void;
  error?(error: unknown): void;
}

export interface EventRecorderOptions extends Partial<Omit<AggregatorOptions, 'clock' | 'newName'>> {
  readonly client: KubeClient;
  /** Who reports (`source.component`, `reportingComponent`), e.g. `metallb-controller`. */
  readonly component: string;
  /** `source.host` (the node, for per-node components). */
  readonly host?: string;
  /** `reportingInstance` (the pod name, usually). */
  readonly instance?: string;
  readonly clock?: Clock;
  readonly wallClock?: () => Date;
  readonly observer?: EventRecorderObserver;
  /** Distinct Events waiting to be written before new ones are dropped (default 1000). */
  readonly maxPending?: number;
}

interface Pending {
  name: string;
  isNew: boolean;
  count: number;
  message: string;
  readonly namespace: string;
  readonly involved: InvolvedObject;
  readonly type: EventSeverity;
  readonly reason: string;
  readonly firstTimestamp: string;
  lastTimestamp: string;
}

const MAX_MESSAGE = 1024;

export class EventRecorder {
  private readonly aggregator: EventAggregator;
  private readonly clock: Clock;
  private readonly wallClock: () => Date;
  private readonly pending = new Map<string, Pending>();
  private readonly abort = new AbortController();
  private sender: Promise<void> | undefined;
  private seq = 0;
  private stopped = false;

  constructor(private readonly options: EventRecorderOptions) {
    this.clock = options.clock ?? systemClock;
    this.wallClock = options.wallClock ?? (() => new Date());
    this.aggregator = new EventAggregator({ ...options, clock: this.clock, newName: (n) => this.newName(n) });
  }

  /** Records an Event about `object`; returns at once, the write happens in the background. */
  event(object: KubeObject, type: EventSeverity, reason: string, message: string): void {
    if (this.stopped) {
      this.options.observer?.dropped?.('stopped');
      return;
    }
    const meta = object.metadata ?? {};
    const involved: InvolvedObject = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: meta.namespace,
      name: meta.name,
      uid: meta.uid,
      resourceVersion: meta.resourceVersion,
    };
    const text = message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
    const decision = this.aggregator.decide({ involved, type, reason, message: text });
    if (decision.kind === 'drop') {
      this.options.observer?.dropped?.('rate-limited');
      return;
    }
    const now = timeSeconds(this.wallClock());
    const queued = this.pending.get(decision.key);
    if (queued) {
      // Not written yet: the write to come carries the latest count.
      queued.count = decision.count;
      queued.message = decision.message;
      queued.lastTimestamp = now;
      if (decision.isNew) {
        queued.isNew = true;
        queued.name = decision.name;
      }
    } else {
      if (this.pending.size >= (this.options.maxPending ?? 1000)) {
        this.options.observer?.dropped?.('overflow');
        return;
      }
      this.pending.set(decision.key, {
        name: decision.name,
        isNew: decision.isNew,
        count: decision.count,
        message: decision.message,
        namespace: meta.namespace || 'default',
        involved,
        type,
        reason,
        firstTimestamp: now,
        lastTimestamp: now,
      });
    }
    this.sender ??= this.send();
  }

  /** Resolves when every Event recorded so far has been written (or given up on). */
  async flush(): Promise<void> {
    while (this.sender) await this.sender;
  }

  /** Writes what is pending (within `timeoutMs`, default 5 s), then records nothing more. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopped = true;
    const timer = this.clock.setTimer(() => this.abort.abort(new Error('event recorder stopped')), timeoutMs);
    try {
      await this.flush();
    } finally {
      timer.cancel();
    }
    for (const _ of this.pending.keys()) this.options.observer?.dropped?.('stopped');
    this.pending.clear();
  }

  private newName(objectName: string): string {
    // Unique per recorder: wall-clock nanoseconds-ish plus a counter, in hex, like other recorders.
    const stamp = BigInt(this.wallClock().getTime()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    return `${objectName}.${stamp.toString(16)}`;
  }

  private async send(): Promise<void> {
    try {
      while (this.pending.size > 0 && !this.abort.signal.aborted) {
        const [key, item] = this.pending.entries().next().value as [string, Pending];
        this.pending.delete(key);
        await this.write(key, item);
      }
    } finally {
      this.sender = undefined;
    }
  }

  private async write(key: string, item: Pending): Promise<void> {
    const { client } = this.options;
    const backoff = new Backoff({ initialMs: 100, maxMs: 2000 });
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        if (item.isNew) await client.create(Events, this.eventObject(item));
        else {
          await client.patch(Events, item.namespace, item.name, { count: item.count, message: item.message, lastTimestamp: item.lastTimestamp });
        }
        this.options.observer?.sent?.();
        return;
      } catch (error) {
        if (!item.isNew && isNotFound(error)) {
          // The Event expired on the server: start a new one carrying the count so far.
          this.aggregator.forget(key);
          item.isNew = true;
          item.name = this.newName(item.involved.name ?? 'unknown');
          continue;
        }
        this.options.observer?.error?.(error);
        if (!isRetriable(error)) break;
        try {
          await sleep(this.clock, backoff.next(), this.abort.signal);
        } catch {
          break;
        }
      }
    }
    this.options.observer?.dropped?.('failed');
  }

  private eventObject(item: Pending): Event {
    const involved = Object.fromEntries(Object.entries(item.involved).filter(([, v]) => v !== undefined));
    return {
      metadata: { name: item.name, namespace: item.namespace },
      involvedObject: involved,
      type: item.type,
      reason: item.reason,
      message: item.message,
      count: item.count,
      firstTimestamp: item.firstTimestamp,
      lastTimestamp: item.lastTimestamp,
      source: { component: this.options.component, ...(this.options.host ? { host: this.options.host } : {}) },
      reportingComponent: this.options.component,
      reportingInstance: this.options.instance ?? this.options.host ?? '',
    };
  }
}

/** Event timestamps are whole seconds (metav1.Time). */
function timeSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}
