// Writes this node's per-Service status objects (ServiceL2Status for layer 2, ServiceBGPStatus for
// BGP; statusActions decides) and the Events of new announcements. One write pass at a time; a
// change during a pass asks for another. Failures (API outage) retry after a second; announcing
// never waits for them.
import { isNotFound, type EventRecorder, type KubeClient, type KubeObject, type ResourceType } from '@lb/k8s-watch';
import { L2_STATUS_LABELS, serviceL2StatusObject, type AnnouncementEvent, type DesiredL2Status } from '../election/status.js';
import { ServiceL2Statuses } from './api.js';
import { statusActions, type DesiredServiceStatus, type ExistingL2Status } from './compose.js';
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

export class StatusWriter<D extends DesiredServiceStatus = DesiredL2Status> {
  private desired: ReadonlyMap<string, D> = new Map();
  private running: Promise<void> | undefined;
  private again = false;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly deps: {
      readonly client: KubeClient;
      readonly events: EventRecorder;
      readonly log: Logger;
      readonly namespace: string;
      readonly node: string;
      readonly service: (key: string) => KubeObject | undefined;
      readonly kind?: StatusKind<D>;
    },
  ) {}

  private get kind(): StatusKind<D> {
    return this.deps.kind ?? (L2_STATUS_KIND as unknown as StatusKind<D>);
  }

  set(desired: ReadonlyMap<string, D>, events: readonly AnnouncementEvent[]): void {
    this.desired = desired;
    for (const event of events) {
      const service = this.deps.service(event.service);
      if (service) this.deps.events.event(service, event.type, event.reason, event.message);
    }
    this.kick();
  }

  /** Waits for the writes in progress (shutdown). */
  async flush(): Promise<void> {
    while (this.running) await this.running;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .then(
        () => undefined,
        (error: unknown) => {
          this.deps.log.warn(`writing ${this.kind.type.kind} failed, retrying`, { error: error instanceof Error ? error.message : String(error) });
          clearTimeout(this.retry);
          this.retry = setTimeout(() => this.kick(), RETRY_MS);
        },
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pass(): Promise<void> {
    const { client, namespace, node } = this.deps;
    const { type, object, clear = [] } = this.kind;
    const listed = await client.list(type, { namespace, labelSelector: `${L2_STATUS_LABELS.node}=${node}` });
    const existing: ExistingL2Status[] = listed.items.map((o) => {
      const labels = o.metadata?.labels ?? {};
      const ns = labels[L2_STATUS_LABELS.serviceNamespace];
      const name = labels[L2_STATUS_LABELS.serviceName];
      return { name: o.metadata?.name ?? '', service: ns !== undefined && name !== undefined ? `${ns}/${name}` : undefined, status: o.status };
    });
    const actions = statusActions<D>(existing, this.desired);
    for (const name of actions.delete) {
      try {
        await client.delete(type, namespace, name);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    for (const desired of actions.create) {
      const created = await client.create(type, object(desired, namespace));
      await client.patch(type, namespace, created.metadata?.name ?? '', { status: desired.status }, { subresource: 'status' });
    }
    for (const { name, desired } of actions.update) {
      // A merge patch keeps what it does not name: null removes what is no longer said.
      const cleared = Object.fromEntries(clear.map((field) => [field, null]));
      await client.patch(type, namespace, name, { status: { ...cleared, ...desired.status } }, { subresource: 'status' });
    }
  }
}
