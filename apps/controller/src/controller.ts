// The controller's glue: informers on every replica (a standby keeps a warm cache and serves the
// webhook); while leading, three jobs: the configuration loop (config-sync.ts), the service loop
// (service-sync.ts around the pure service-loop.ts) and the pool status (pool-status.ts). The API
// health watch (api-health.ts) runs always.
import { serviceKey, type CompiledConfig } from '@lb/config-schema';
import {
  EventRecorder,
  InformerFactory,
  Namespaces,
  Nodes,
  Services,
  splitKey,
  trimObject,
  type Informer,
  type KubeClient,
  type KubeObject,
  type Service,
  type WatchMetrics,
} from '@lb/k8s-watch';
import { type Labels } from '@lb/labels';
import { ApiHealth, type WatchState } from './api-health.js';
import { labelsOnly } from './cached-objects.js';
import { type MetalLBClientMetrics } from './client-metrics.js';
import { ConfigSync } from './config-sync.js';
import { type Logger } from './log.js';
import { type ApiHealthMetrics, type AllocatorMetrics } from './metrics.js';
import { PoolStatusWriter } from './pool-status.js';
import { CONFIG_TYPES } from './resources.js';
import { type ServiceContext } from './service-loop.js';
import { type ServiceState } from './service-outcome.js';
import { ServiceSync } from './service-sync.js';

export interface ControllerDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly watchMetrics: WatchMetrics;
  readonly clientMetrics: MetalLBClientMetrics;
  readonly allocatorMetrics: AllocatorMetrics;
  readonly apiHealthMetrics?: ApiHealthMetrics;
  /** Namespaces whose metallb.io objects form the configuration. */
  readonly namespaces: readonly string[];
  readonly lbClass: string | undefined;
  /** Where the ConfigurationState goes. */
  readonly stateNamespace: string;
  readonly identity: string;
  /** Services reconciled at once (default DEFAULT_WORKERS). */
  readonly workers?: number;
}

/**
 * Each reconcile mostly waits on the API server (a status PATCH), so the rate in a burst is about
 * the number in flight over the server's response time. With 32, a busy API server answering in
 * ~100 ms held the controller to ~300 Services/s, below the 420/s a burst of 10,000 was created at,
 * and the last address came 6-13 s after the last create; with 128, 1.6 s. A key is never worked
 * on twice at once (the queue), and allocation itself is synchronous, so more in flight is safe.
 */
export const DEFAULT_WORKERS = 128;

const COMPONENT = 'metallb-controller';
/** How often the informers' health is looked at. */
const HEALTH_CHECK_MS = 1000;

export class Controller {
  private readonly informers: InformerFactory;
  readonly services: Informer<Service>;
  private readonly namespaceInformer: Informer<KubeObject>;
  private readonly nodes: Informer<KubeObject>;
  private readonly configInformers: Array<{ readonly resource: string; readonly informer: Informer<KubeObject> }> = [];
  private readonly events: EventRecorder;
  private readonly config: ConfigSync;
  private readonly pools: PoolStatusWriter;
  private readonly health = new ApiHealth();
  private healthTimer: NodeJS.Timeout | undefined;
  /** The leader's service loop; undefined while not leading. */
  private sync: ServiceSync | undefined;
  private readyForService = false;

  constructor(private readonly deps: ControllerDeps) {
    // The caches keep what the controller reads (cached-objects.ts) and no label index: nothing
    // here looks objects up by label, and with 10,000 Services it would be 10,000 more sets.
    this.informers = new InformerFactory(deps.client, { metrics: deps.watchMetrics, defaults: { labelIndex: false } });
    this.services = this.informers.informer(Services, {}, { transform: trimObject });
    this.namespaceInformer = this.informers.informer(Namespaces, {}, { transform: labelsOnly });
    this.nodes = this.informers.informer(Nodes, {}, { transform: labelsOnly });
    for (const type of CONFIG_TYPES) {
      const namespaces = type.namespaced ? deps.namespaces : [undefined];
      for (const namespace of namespaces) {
        const informer = this.informers.informer(type, namespace !== undefined ? { namespace } : {}, { transform: trimObject });
        this.configInformers.push({ resource: namespace !== undefined ? `${type.plural}.${type.group} in ${namespace}` : `${type.plural}.${type.group}`, informer });
      }
    }
    this.events = new EventRecorder({ client: deps.client, component: COMPONENT, instance: deps.identity });
    this.config = new ConfigSync({
      client: deps.client,
      log: deps.log,
      clientMetrics: deps.clientMetrics,
      events: this.events,
      stateNamespace: deps.stateNamespace,
      objects: () => this.configObjectsOnly(),
      nodes: () => [...this.nodes.cache.values()].map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} })),
      onValid: (config) => this.configurationValid(config),
    });
    this.pools = new PoolStatusWriter({ client: deps.client, log: deps.log, metrics: deps.allocatorMetrics, objects: () => this.configObjectsOnly() });

    const enqueue = (svc: KubeObject): void => this.sync?.add(serviceKey(svc as ServiceState));
    this.services.addHandlers({ onAdd: enqueue, onUpdate: (_old, svc) => enqueue(svc), onDelete: enqueue });
    // A namespace's labels choose pools (namespaceSelectors): its Services need another look.
    this.namespaceInformer.addHandlers({
      onUpdate: (old, ns) => {
        if (JSON.stringify(old.metadata?.labels ?? {}) === JSON.stringify(ns.metadata?.labels ?? {})) return;
        for (const svc of this.services.cache.byNamespace(ns.metadata?.name ?? '')) enqueue(svc);
      },
    });
    // Node labels decide how many addresses a MetalLoadBalancerClass Service may have.
    const nodesChanged = (): void => {
      if ((this.sync?.loop.configuration?.classes.length ?? 0) === 0) return;
      for (const svc of this.services.cache.values()) if (svc.spec?.type === 'LoadBalancer') enqueue(svc);
    };
    this.nodes.addHandlers({
      onAdd: nodesChanged,
      onUpdate: (old, node) => JSON.stringify(old.metadata?.labels) !== JSON.stringify(node.metadata?.labels) && nodesChanged(),
      onDelete: nodesChanged,
    });
    for (const { informer } of this.configInformers) {
      informer.addHandlers({ onAdd: () => this.config.changed(), onUpdate: () => this.config.changed(), onDelete: () => this.config.changed() });
    }
  }

  /** Starts the informers and the API health watch (every replica). */
  start(): void {
    this.informers.start();
    this.healthTimer = setInterval(() => this.checkHealth(), HEALTH_CHECK_MS);
    this.healthTimer.unref();
  }

  /** True once every informer has listed once: the standby is ready, and the leader can start. */
  get synced(): boolean {
    return this.services.hasSynced && this.namespaceInformer.hasSynced && this.nodes.hasSynced && this.configInformers.every((c) => c.informer.hasSynced);
  }

  /**
   * True when serving: synced, and (while leading) past restoring and the first configuration.
   * An API outage later does not make it false: the cache still answers the webhook, and
   * restarting would not bring the API back (the outage shows in the log and metrics instead).
   */
  get ready(): boolean {
    return this.synced && (this.sync === undefined || this.readyForService);
  }

  /** The configuration objects and nodes, for the admission webhook to check a change against. */
  configObjects(): KubeObject[] {
    return [...this.configObjectsOnly(), ...this.nodes.cache.values()];
  }

  /**
   * Runs the leader's work until `term` aborts: restore every assignment from the Services' status,
   * then serve. Returns when the term ends.
   */
  async lead(term: AbortSignal): Promise<void> {
    // A term may end before the informers sync (a CRD not installed yet): stop waiting then, or
    // shutdown would wait forever. Stopping the informers rejects `synced`, which nobody awaits then.
    const synced = this.informers.synced();
    synced.catch(() => {});
    await Promise.race([synced, untilAborted(term)]);
    if (term.aborted) return;
    const started = Date.now();
    const sync = new ServiceSync(
      {
        client: this.deps.client,
        log: this.deps.log,
        clientMetrics: this.deps.clientMetrics,
        events: this.events,
        services: this.services,
        context: (svc) => this.context(svc),
        changed: () => this.pools.schedule(),
        queueObserver: this.deps.watchMetrics.queue('services'),
      },
      this.deps.lbClass !== undefined ? { loadBalancerClass: this.deps.lbClass } : {},
    );
    this.sync = sync;
    this.pools.follow(sync.loop);
    this.config.activate();
    try {
      await this.config.apply();
      const restored = sync.restoreAll();
      this.readyForService = true;
      this.deps.log.info('leading', { restored, services: this.services.cache.size, ms: Date.now() - started });
      sync.addAll();
      this.pools.schedule();
      await sync.run(term, this.deps.workers ?? DEFAULT_WORKERS);
    } finally {
      this.readyForService = false;
      this.sync = undefined;
      this.config.deactivate();
      this.pools.follow(undefined);
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    this.config.deactivate();
    this.pools.follow(undefined);
    await this.informers.stop();
    await this.events.stop();
  }

  private configurationValid(config: CompiledConfig): void {
    const sync = this.sync;
    if (!sync) return;
    const { released, moved } = sync.loop.setConfig(config);
    this.deps.log.info('configuration applied', { pools: config.pools.length, peers: config.peers.length, released: released.length, moved: moved.length });
    for (const r of released) this.deps.log.warn('address released by configuration change', { service: r.service, addresses: r.addresses, reason: r.reason });
    // Every Service may be affected (new pools, released addresses, renamed pools).
    sync.addAll();
    this.pools.schedule();
  }

  private context(svc: ServiceState): ServiceContext {
    // The namespace part of the Service's one key (serviceKey puts a namespace-less one in default).
    const namespace = splitKey(serviceKey(svc)).namespace ?? 'default';
    return {
      namespaceLabels: this.namespaceInformer.cache.get(namespace)?.metadata?.labels,
      nodes: nodeLabels(this.nodes.cache.values()),
    };
  }

  private configObjectsOnly(): KubeObject[] {
    return this.configInformers.flatMap(({ informer }) => [...informer.cache.values()]);
  }

  private checkHealth(): void {
    const watches: WatchState[] = [
      { resource: 'services', informer: this.services as Informer<KubeObject> },
      { resource: 'namespaces', informer: this.namespaceInformer },
      { resource: 'nodes', informer: this.nodes },
      ...this.configInformers,
    ].map(({ resource, informer }) => ({ resource, failingSince: informer.failingSince, lastError: informer.lastError }));
    const report = this.health.check(performance.now(), watches);
    this.deps.apiHealthMetrics?.update(report.healthy, report.failingSeconds);
    if (report.log) this.deps.log[report.log.level](report.log.message, report.log.fields);
  }
}

function* nodeLabels(nodes: Iterable<KubeObject>): Iterable<Labels | undefined> {
  for (const node of nodes) yield node.metadata?.labels;
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}
