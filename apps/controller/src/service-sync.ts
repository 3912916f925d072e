// The service loop's adapter for one leader's term: a work queue of Service keys, each handled by
// the pure ServiceLoop against the informer's cache; its writes go to the API, its Events to the
// recorder, the Services it names go back on the queue.
import {
  WorkQueue,
  Services,
  runWorkers,
  splitKey,
  type EventRecorder,
  type Informer,
  type KubeClient,
  type KubeObject,
  type Service,
  type WorkQueueObserver,
} from '@lb/k8s-watch';
import { serviceKey } from '@lb/config-schema';
import { type MetalLBClientMetrics } from './client-metrics.js';
import { type Logger } from './log.js';
import { ServiceLoop, type ServiceContext, type ServiceLoopOptions, type ServiceStep } from './service-loop.js';
import { type ServiceState } from './service-outcome.js';

export interface ServiceSyncDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly clientMetrics: MetalLBClientMetrics;
  readonly events: EventRecorder;
  readonly services: Informer<Service>;
  readonly context: (service: ServiceState) => ServiceContext;
  /** Addresses were written or freed: the pool status is due. */
  readonly changed: () => void;
  readonly queueObserver?: WorkQueueObserver;
}

export class ServiceSync {
  readonly loop: ServiceLoop;
  private readonly queue: WorkQueue<string>;
  /**
   * Per Service, the resourceVersions our own last writes went through before their final one:
   * while the cache still shows one of those, it has not caught up with what we wrote, and the
   * event for the final version will bring the Service back.
   */
  private readonly inFlight = new Map<string, Set<string>>();

  constructor(
    private readonly deps: ServiceSyncDeps,
    options: ServiceLoopOptions,
  ) {
    this.loop = new ServiceLoop(options);
    this.queue = new WorkQueue<string>(deps.queueObserver ? { observer: deps.queueObserver } : {});
  }

  add(key: string): void {
    this.queue.add(key);
  }

  /** Every cached Service (a new configuration may change any of them). */
  addAll(): void {
    for (const service of this.deps.services.cache.values()) this.queue.add(serviceKey(service as ServiceState));
  }

  /** Re-takes every address Services show, before anything is allocated, so nothing moves. */
  restoreAll(): number {
    if (!this.loop.configured) return 0;
    let restored = 0;
    const services = [...this.deps.services.cache.values()] as ServiceState[];
    services.sort((a, b) => (serviceKey(a) < serviceKey(b) ? -1 : 1));
    for (const service of services) {
      if (service.spec?.type !== 'LoadBalancer') continue;
      if (this.loop.restore(service, this.deps.context(service))) restored++;
      else if ((service.status?.loadBalancer?.ingress?.length ?? 0) > 0) this.deps.log.info('could not restore addresses; will reconcile', { service: serviceKey(service) });
    }
    return restored;
  }

  /** Works the queue until `term` ends. */
  async run(term: AbortSignal, workers: number): Promise<void> {
    const stop = (): void => void this.queue.shutDownNow();
    if (term.aborted) stop();
    term.addEventListener('abort', stop, { once: true });
    try {
      await runWorkers(this.queue, {
        workers,
        handler: async (key) => {
          if (term.aborted) return;
          await this.reconcile(key);
          this.deps.clientMetrics.updateProcessed(true);
        },
        onError: (key, error) => {
          this.deps.clientMetrics.updateProcessed(false);
          this.deps.log.warn('reconcile failed, retrying', { service: key, error: error instanceof Error ? error.message : String(error) });
        },
      });
    } finally {
      term.removeEventListener('abort', stop);
    }
  }

  private async reconcile(key: string): Promise<void> {
    const service = this.deps.services.cache.get(key) as (ServiceState & KubeObject) | undefined;
    if (service) {
      const version = service.metadata?.resourceVersion ?? '';
      if (this.inFlight.get(key)?.has(version)) return;
    }
    this.inFlight.delete(key);
    const step = this.loop.handle(key, service, service ? this.deps.context(service) : { namespaceLabels: undefined, nodes: [] }, now());
    for (const other of step.requeue) this.queue.add(other);
    this.log(step);
    if (step.freed.length > 0) this.deps.changed();
    if (service) await this.write(service, step);
  }

  private async write(service: ServiceState & KubeObject, step: ServiceStep): Promise<void> {
    // Events first: the loop reports a refusal once, and a failed write below must not lose it.
    for (const event of step.events) this.deps.events.event(service, event.type, event.reason, event.message);
    const { namespace, name } = splitKey(step.key);
    const passed = new Set([service.metadata?.resourceVersion ?? '']);
    let written: Service | undefined;
    if (step.annotations) {
      written = await this.deps.client.patch(Services, namespace, name, { metadata: { annotations: step.annotations } });
    }
    if (step.status) {
      if (written?.metadata?.resourceVersion) passed.add(written.metadata.resourceVersion);
      const status: Record<string, unknown> = {
        loadBalancer: step.status.loadBalancer.ingress ? step.status.loadBalancer : { ingress: null },
        conditions: step.status.conditions ?? null,
      };
      written = await this.deps.client.patch(Services, namespace, name, { status }, { subresource: 'status' });
    }
    if (written) this.inFlight.set(step.key, passed);
    if (step.status || step.annotations) this.deps.changed();
  }

  private log(step: ServiceStep): void {
    const { outcome, key } = step;
    if (outcome.kind === 'failed') {
      // The log is the operator's: it names the Services in the way, whatever their namespace. A
      // Service waiting for room is tried often; its refusal is logged when it changes.
      const fields = { service: key, reason: outcome.message, ...(outcome.holders ? { holders: outcome.holders } : {}) };
      if (step.events.some((e) => e.reason === 'AllocationFailed')) this.deps.log.warn('allocation failed', fields);
      else this.deps.log.debug('allocation failed again', fields);
    } else if (outcome.kind === 'assigned' && (outcome.changed || step.status)) {
      this.deps.log.info('addresses assigned', { service: key, pool: outcome.pool, addresses: outcome.addresses });
    } else if (step.freed.length > 0) {
      this.deps.log.info('addresses released', { service: key, addresses: step.freed, waiting: step.requeue.length });
    }
  }
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
