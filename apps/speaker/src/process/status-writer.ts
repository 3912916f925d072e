// Writes this node's per-Service status objects (ServiceL2Status for layer 2, ServiceBGPStatus for
// BGP; statusActions decides) and the Events of new announcements. One write pass at a time; a
// change during a pass asks for another. Failures (API outage) retry after a second; announcing
// never waits for them.
// These writes come second to everything else the API server does (the controller assigning
// addresses, other nodes' announcements): the objects are listed once and then remembered as
// written (listed again only after a failure), so a pass over 10,000 Services costs the API server
// only the writes that change something; a pass starts a moment after the change that asked for it,
// so a burst of changes is one pass; and after each write (each batch of Events) the writer waits
// three times as long as it took, so that it takes at most about a quarter of a busy server's turns
// (every node's speaker writes its own objects for the same burst: three nodes at a half each would
// leave the controller, whose writes are the addresses themselves, a quarter of the server).
import { isNotFound, type EventRecorder, type KubeClient, type KubeObject, type ResourceType } from '@lb/k8s-watch';
import { L2_STATUS_LABELS, serviceL2StatusObject, type AnnouncementEvent, type DesiredL2Status } from '../election/status.js';
import { ServiceL2Statuses } from './api.js';
import { canonicalJson, statusActions, statusJson, type DesiredServiceStatus, type ExistingL2Status } from './compose.js';
import { type Logger } from './log.js';

/** Which status kind a writer keeps: its resource type, how a new object looks, what an update clears. */
export interface StatusKind<D extends DesiredServiceStatus> {
  readonly type: ResourceType<KubeObject & { status?: unknown }>;
  readonly object: (desired: D, namespace: string) => KubeObject;
  /** Status fields set to null on update, so that a merge patch drops what is no longer said. */
  readonly clear?: readonly string[];
}

export const L2_STATUS_KIND: StatusKind<DesiredL2Status> = { type: ServiceL2Statuses, object: serviceL2StatusObject, clear: ['interfaces'] };

const RETRY_MS = 1000;
/** After each write, the writer waits this many times as long as it took. */
const YIELD_FACTOR = 3;
/** Events handed to the recorder at a time (its queue holds 1,000). */
const EVENT_BATCH = 100;
/** A pass starts this long after the change that asked for it: the rest of a burst joins it. */
const PASS_DELAY_MS = 200;
/**
 * Objects per page when listing (client-go's reflector uses 500 too): after a restart at 10,000
 * Services, one unpaged list was megabytes of JSON and every object parsed at once.
 */
const LIST_PAGE_SIZE = 500;

export interface StatusWriterDeps<D extends DesiredServiceStatus> {
  readonly client: KubeClient;
  readonly events: EventRecorder;
  readonly log: Logger;
  readonly namespace: string;
  readonly node: string;
  readonly service: (key: string) => KubeObject | undefined;
  readonly kind?: StatusKind<D>;
  /** Default 200 ms. */
  readonly passDelayMs?: number;
  /** After each write, wait this many times as long as it took (default 3: at most a quarter of the server's turns). */
  readonly yieldFactor?: number;
  /** Objects per list page (default 500). */
  readonly listPageSize?: number;
}

/** What one writer did, for tests and logs. */
export interface StatusWriterCounts {
  lists: number;
  passes: number;
  writes: number;
}

export class StatusWriter<D extends DesiredServiceStatus = DesiredL2Status> {
  private desired: ReadonlyMap<string, D> = new Map();
  /** This node's objects as last listed or written, by object name; undefined until listed (again after a failure). */
  private known: Map<string, ExistingL2Status> | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The timer is a retry after a failure: flush() does not hurry it. */
  private retrying = false;
  /** Announcement Events not handed to the recorder yet: events[eventsDone..]. */
  private events: AnnouncementEvent[] = [];
  private eventsDone = 0;
  private recording = false;
  readonly counts: StatusWriterCounts = { lists: 0, passes: 0, writes: 0 };

  constructor(private readonly deps: StatusWriterDeps<D>) {}

  private get kind(): StatusKind<D> {
    return this.deps.kind ?? (L2_STATUS_KIND as unknown as StatusKind<D>);
  }

  set(desired: ReadonlyMap<string, D>, events: readonly AnnouncementEvent[]): void {
    this.desired = desired;
    if (events.length > 0) {
      this.events.push(...events);
      void this.recordEvents();
    }
    this.schedule(this.deps.passDelayMs ?? PASS_DELAY_MS);
  }

  /**
   * Hands the queued Events to the recorder a batch at a time, each after the last was written and
   * a pause (see `pause`): 10,000 new announcements are 10,000 Events, which would otherwise
   * overflow the recorder's queue (and be dropped) and take the API server's turns all at once.
   */
  private async recordEvents(): Promise<void> {
    if (this.recording) return;
    this.recording = true;
    try {
      while (this.eventsDone < this.events.length && !this.stopped) {
        const started = performance.now();
        const end = Math.min(this.events.length, this.eventsDone + EVENT_BATCH);
        for (; this.eventsDone < end; this.eventsDone++) {
          const event = this.events[this.eventsDone] as AnnouncementEvent;
          const service = this.deps.service(event.service);
          if (service) this.deps.events.event(service, event.type, event.reason, event.message);
        }
        await this.deps.events.flush();
        await this.pause(performance.now() - started);
      }
    } finally {
      this.events = this.events.slice(this.eventsDone);
      this.eventsDone = 0;
      this.recording = false;
    }
  }

  /** Waits yieldFactor times as long as the write (or batch of Events) took. */
  private async pause(tookMs: number): Promise<void> {
    const ms = tookMs * (this.deps.yieldFactor ?? YIELD_FACTOR);
    if (ms >= 1) await new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** Writes what is still to write now and waits for it (shutdown). */
  async flush(): Promise<void> {
    for (;;) {
      if (this.timer && !this.retrying) {
        clearTimeout(this.timer);
        this.timer = undefined;
        this.kick();
      }
      if (!this.running) return;
      await this.running;
    }
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number, retrying = false): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.retrying = retrying;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, delayMs);
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    let failed = false;
    this.running = this.pass()
      .catch((error: unknown) => {
        failed = true;
        // What was written is no longer certain: list again.
        this.known = undefined;
        this.deps.log.warn(`writing ${this.kind.type.kind} failed, retrying`, { error: error instanceof Error ? error.message : String(error) });
      })
      .finally(() => {
        this.running = undefined;
        const again = this.again;
        this.again = false;
        if (failed) this.schedule(RETRY_MS, true);
        else if (again) this.schedule(this.deps.passDelayMs ?? PASS_DELAY_MS);
      });
  }

  private async list(): Promise<Map<string, ExistingL2Status>> {
    const { client, namespace, node } = this.deps;
    this.counts.lists++;
    const known = new Map<string, ExistingL2Status>();
    let next: string | undefined;
    do {
      const page = await client.list(this.kind.type, { namespace, labelSelector: `${L2_STATUS_LABELS.node}=${node}`, limit: this.deps.listPageSize ?? LIST_PAGE_SIZE, ...(next ? { continue: next } : {}) });
      for (const o of page.items) {
        const labels = o.metadata?.labels ?? {};
        const ns = labels[L2_STATUS_LABELS.serviceNamespace];
        const name = labels[L2_STATUS_LABELS.serviceName];
        const objectName = o.metadata?.name ?? '';
        // Only the status's JSON is kept: the listed objects are not held after their page.
        known.set(objectName, { name: objectName, service: ns !== undefined && name !== undefined ? `${ns}/${name}` : undefined, statusJson: canonicalJson(o.status ?? {}) });
      }
      next = page.metadata.continue || undefined;
    } while (next);
    return known;
  }

  /** One API write, then a pause (see `pause`): the writer yields to a busy server. */
  private async write<T>(request: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await request();
    this.counts.writes++;
    await this.pause(performance.now() - started);
    return result;
  }

  private async pass(): Promise<void> {
    const { client, namespace } = this.deps;
    const { type, object, clear = [] } = this.kind;
    this.counts.passes++;
    const known = (this.known ??= await this.list());
    const actions = statusActions<D>([...known.values()], this.desired);
    for (const name of actions.delete) {
      if (this.stopped) return;
      try {
        await this.write(() => client.delete(type, namespace, name));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
      known.delete(name);
    }
    for (const desired of actions.create) {
      if (this.stopped) return;
      const created = await this.write(() => client.create(type, object(desired, namespace)));
      const name = created.metadata?.name ?? '';
      await this.write(() => client.patch(type, namespace, name, { status: desired.status }, { subresource: 'status' }));
      known.set(name, { name, service: desired.service, statusJson: statusJson(desired.status) });
    }
    // A merge patch keeps what it does not name: null removes what is no longer said.
    const cleared = Object.fromEntries(clear.map((field) => [field, null]));
    for (const { name, desired } of actions.update) {
      if (this.stopped) return;
      await this.write(() => client.patch(type, namespace, name, { status: { ...cleared, ...desired.status } }, { subresource: 'status' }));
      known.set(name, { name, service: desired.service, statusJson: statusJson(desired.status) });
    }
  }
}
