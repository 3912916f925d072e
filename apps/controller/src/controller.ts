import { compile, formatIssue, type ConfigIssue } from '@lb/config-schema';
import {
  EventRecorder,
  InformerFactory,
  Namespaces,
  Nodes,
  Services,
  WorkQueue,
  isNotFound,
  runWorkers,
  splitKey,
  type Informer,
  type KubeClient,
  type KubeObject,
  type Service,
  type WatchMetrics,
} from '@lb/k8s-watch';
import { type MetalLBClientMetrics } from './client-metrics.js';
import { type PoolStatistics } from '@lb/ipam';
import { matchesLabelSelector } from '@lb/labels';
import { AllocationState, serviceKey, type ReconcileContext, type ServiceState } from './allocation-state.js';
import { type Logger } from './log.js';
import { type AllocatorMetrics } from './metrics.js';
import { CONFIG_TYPES, ConfigurationStates, IPAddressPools, type IPAddressPoolStatus } from './resources.js';
import { serviceWrites } from './service-status.js';

export interface ControllerDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly watchMetrics: WatchMetrics;
  readonly clientMetrics: MetalLBClientMetrics;
  readonly allocatorMetrics: AllocatorMetrics;
  /** Namespaces whose metallb.io objects form the configuration. */
  readonly namespaces: readonly string[];
  readonly lbClass: string | undefined;
  /** Where the ConfigurationState goes. */
  readonly stateNamespace: string;
  readonly identity: string;
  readonly workers?: number;
}

const CONFIG_STATE_NAME = 'controller';
const COMPONENT = 'metallb-controller';

/**
 * Watches what the configuration and the Services are, and while leading gives Services their
 * addresses. Informers run on every replica (a standby has a warm cache and serves the webhook);
 * only the leader writes.
 */
export class Controller {
  private readonly informers: InformerFactory;
  readonly services: Informer<Service>;
  private readonly namespaceInformer: Informer<KubeObject>;
  private readonly nodes: Informer<KubeObject>;
  private readonly configInformers: Array<Informer<KubeObject>>;
  private readonly events: EventRecorder;
  private state: AllocationState;
  private queue: WorkQueue<string> | undefined;
  private leading = false;
  private configTimer: NodeJS.Timeout | undefined;
  private poolStatusTimer: NodeJS.Timeout | undefined;
  private readonly lastWarnings = new Map<string, string>();
  private readonly servicePools = new Map<string, string>();
  /**
   * Per Service, the resourceVersions our own last writes went through before their final one:
   * while the cache still shows one of those, it has not caught up with what we wrote, and the
   * event for the final version will bring the Service back.
   */
  private readonly inFlight = new Map<string, Set<string>>();
  private lastConfigSignature = '';
  private readyForService = false;

  constructor(private readonly deps: ControllerDeps) {
    this.state = new AllocationState(deps.lbClass !== undefined ? { loadBalancerClass: deps.lbClass } : {});
    this.informers = new InformerFactory(deps.client, { metrics: deps.watchMetrics });
    this.services = this.informers.informer(Services);
    this.namespaceInformer = this.informers.informer(Namespaces);
    this.nodes = this.informers.informer(Nodes);
    this.configInformers = [];
    for (const type of CONFIG_TYPES) {
      if (!type.namespaced) {
        this.configInformers.push(this.informers.informer(type));
        continue;
      }
      for (const namespace of deps.namespaces) this.configInformers.push(this.informers.informer(type, { namespace }));
    }
    this.events = new EventRecorder({ client: deps.client, component: COMPONENT, instance: deps.identity });

    const enqueueService = (svc: KubeObject): void => this.queue?.add(serviceKey(svc as ServiceState));
    this.services.addHandlers({ onAdd: enqueueService, onUpdate: (_old, svc) => enqueueService(svc), onDelete: enqueueService });
    // A namespace's labels choose pools (namespaceSelectors): its services need another look.
    this.namespaceInformer.addHandlers({
      onUpdate: (old, ns) => {
        if (JSON.stringify(old.metadata?.labels ?? {}) === JSON.stringify(ns.metadata?.labels ?? {})) return;
        for (const svc of this.services.cache.byNamespace(ns.metadata?.name ?? '')) enqueueService(svc);
      },
    });
    // Node labels decide how many addresses a MetalLoadBalancerClass service may have.
    const nodesChanged = (): void => {
      if ((this.state.configuration?.classes.length ?? 0) === 0) return;
      for (const svc of this.services.cache.values()) if (svc.spec?.type === 'LoadBalancer') enqueueService(svc);
    };
    this.nodes.addHandlers({ onAdd: nodesChanged, onUpdate: (old, node) => JSON.stringify(old.metadata?.labels) !== JSON.stringify(node.metadata?.labels) && nodesChanged(), onDelete: nodesChanged });
    for (const informer of this.configInformers) {
      informer.addHandlers({ onAdd: () => this.configChanged(), onUpdate: () => this.configChanged(), onDelete: () => this.configChanged() });
    }
  }

  /** Starts the informers (every replica). */
  start(): void {
    this.informers.start();
  }

  /** True once every informer has listed once: the standby is ready, and the leader can start. */
  get synced(): boolean {
    return this.services.hasSynced && this.namespaceInformer.hasSynced && this.nodes.hasSynced && this.configInformers.every((i) => i.hasSynced);
  }

  /** True when serving: synced, and (while leading) past restoring and the first configuration. */
  get ready(): boolean {
    return this.synced && (!this.leading || this.readyForService);
  }

  /** The configuration objects, for the admission webhook to check a change against. */
  configObjects(): KubeObject[] {
    return [...this.configInformers.flatMap((i) => [...i.cache.values()]), ...this.nodes.cache.values()];
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
    this.leading = true;
    this.state = new AllocationState(this.deps.lbClass !== undefined ? { loadBalancerClass: this.deps.lbClass } : {});
    this.servicePools.clear();
    this.lastConfigSignature = '';
    const queue = new WorkQueue<string>({ observer: this.deps.watchMetrics.queue('services') });
    this.queue = queue;
    const started = Date.now();

    await this.applyConfig();
    const restored = this.restoreAll();
    this.readyForService = true;
    this.deps.log.info('leading', { restored, services: this.services.cache.size, ms: Date.now() - started });
    for (const key of this.services.cache.keys()) queue.add(key);
    this.schedulePoolStatus();

    const stop = (): void => void queue.shutDownNow();
    term.addEventListener('abort', stop, { once: true });
    try {
      await runWorkers(queue, {
        workers: this.deps.workers ?? 8,
        handler: async (key) => {
          await this.reconcile(key, term);
          this.deps.clientMetrics.updateProcessed(true);
        },
        onError: (key, error) => {
          this.deps.clientMetrics.updateProcessed(false);
          this.deps.log.warn('reconcile failed, retrying', { service: key, error: errorText(error) });
        },
      });
    } finally {
      term.removeEventListener('abort', stop);
      this.leading = false;
      this.readyForService = false;
      this.queue = undefined;
      clearTimeout(this.configTimer);
      clearTimeout(this.poolStatusTimer);
      this.configTimer = undefined;
      this.poolStatusTimer = undefined;
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.configTimer);
    clearTimeout(this.poolStatusTimer);
    await this.queue?.shutDownNow();
    await this.informers.stop();
    await this.events.stop();
  }

  // --- configuration -----------------------------------------------------------------------------

  private configChanged(): void {
    if (!this.leading || this.configTimer) return;
    // Coalesce a burst (kubectl apply of a file) into one compile.
    this.configTimer = setTimeout(() => {
      this.configTimer = undefined;
      void this.applyConfig().catch((error: unknown) => this.deps.log.error('applying configuration failed', { error: errorText(error) }));
    }, 100);
  }

  /** Compiles the configuration; a valid one replaces the last, an invalid one is reported and ignored. */
  private async applyConfig(): Promise<void> {
    const objects = this.configInformers.flatMap((i) => [...i.cache.values()]);
    const nodes = [...this.nodes.cache.values()].map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
    // The generation moves with spec changes only, so our own status writes (pool counts) do not
    // trigger another compile.
    const signature = JSON.stringify(objects.map((o) => [o.kind, o.metadata?.namespace, o.metadata?.name, o.metadata?.generation ?? o.metadata?.resourceVersion]));
    if (signature === this.lastConfigSignature) return;
    this.lastConfigSignature = signature;
    const result = compile(objects, { nodes });
    if (!result.ok) {
      this.deps.clientMetrics.configLoadFailed();
      const errors = result.error.issues;
      this.deps.log.error('configuration invalid, keeping the last valid one', { errors: errors.map(formatIssue) });
      await this.writeConfigurationState(errors);
      this.reportInvalid(objects, errors);
      return;
    }
    for (const warning of result.warnings) this.deps.log.warn('configuration warning', { warning: formatIssue(warning) });
    const { released, moved } = this.state.setConfig(result.value);
    this.deps.clientMetrics.configLoadSucceeded();
    this.deps.log.info('configuration applied', { pools: result.value.pools.length, peers: result.value.peers.length, released: released.length, moved: moved.length });
    for (const r of released) this.deps.log.warn('address released by configuration change', { service: r.service, addresses: r.addresses, reason: r.reason });
    await this.writeConfigurationState([]);
    // Every service may be affected (new pools, released addresses, renamed pools).
    for (const key of this.services.cache.keys()) this.queue?.add(key);
    this.schedulePoolStatus();
  }

  private reportInvalid(objects: readonly KubeObject[], errors: readonly ConfigIssue[]): void {
    for (const error of errors.slice(0, 50)) {
      const ref = error.resource;
      if (!ref) continue;
      const target = objects.find((o) => o.kind === ref.kind && o.metadata?.name === ref.name && (o.metadata?.namespace ?? undefined) === (ref.namespace ?? undefined));
      if (target) this.events.event(target, 'Warning', 'InvalidConfiguration', formatIssue(error));
    }
  }

  private async writeConfigurationState(errors: readonly ConfigIssue[]): Promise<void> {
    const namespace = this.deps.stateNamespace;
    const valid = errors.length === 0;
    const summary = errors.map(formatIssue).join('\n').slice(0, 32_000);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = {
      result: valid ? ('Valid' as const) : ('Invalid' as const),
      // A merge patch keeps fields it does not mention: null removes the last invalid one's errors.
      errorSummary: valid ? null : summary,
      conditions: [
        {
          type: 'Ready',
          status: valid ? 'True' : 'False',
          reason: valid ? 'ConfigurationValid' : 'ConfigurationInvalid',
          message: valid ? 'the configuration is valid and in use' : `${errors.length} error(s); the last valid configuration stays in use`,
          lastTransitionTime: now,
        },
      ],
    };
    try {
      try {
        await this.deps.client.patch(ConfigurationStates, namespace, CONFIG_STATE_NAME, { status }, { subresource: 'status' });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        await this.deps.client.create(ConfigurationStates, {
          metadata: { name: CONFIG_STATE_NAME, namespace, labels: { 'metallb.io/component-type': 'controller' } },
        });
        await this.deps.client.patch(ConfigurationStates, namespace, CONFIG_STATE_NAME, { status }, { subresource: 'status' });
      }
    } catch (error) {
      // The CRD may not be installed; the log and metrics still tell.
      this.deps.log.warn('could not write ConfigurationState', { namespace, error: errorText(error) });
    }
  }

  // --- services ----------------------------------------------------------------------------------

  /** Re-takes every address Services hold, before anything is allocated, so nothing moves. */
  private restoreAll(): number {
    if (!this.state.configured) return 0;
    let restored = 0;
    const keys = [...this.services.cache.keys()].sort();
    for (const key of keys) {
      const svc = this.services.cache.get(key) as ServiceState | undefined;
      if (!svc || svc.spec?.type !== 'LoadBalancer') continue;
      if (this.state.restore(svc, this.context(svc))) {
        restored++;
      } else if ((svc.status?.loadBalancer?.ingress?.length ?? 0) > 0) {
        this.deps.log.info('could not restore addresses; will reconcile', { service: key });
      }
    }
    return restored;
  }

  private async reconcile(key: string, term: AbortSignal): Promise<void> {
    if (term.aborted) return;
    const svc = this.services.cache.get(key) as ServiceState | undefined;
    if (!svc) {
      this.state.forget(key);
      this.inFlight.delete(key);
      this.servicePools.delete(key);
      this.lastWarnings.delete(key);
      this.schedulePoolStatus();
      return;
    }
    const version = (svc as KubeObject).metadata?.resourceVersion ?? '';
    const stale = this.inFlight.get(key);
    if (stale?.has(version)) return;
    this.inFlight.delete(key);
    const outcome = this.state.reconcile(svc, this.context(svc));
    if (outcome.kind === 'waiting') return;
    const writes = serviceWrites(svc, outcome, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
    const { namespace, name } = splitKey(key);
    const passed = new Set([version]);
    let written: Service | undefined;
    if (writes.annotations) {
      written = await this.deps.client.patch(Services, namespace, name, { metadata: { annotations: writes.annotations } });
    }
    if (writes.status) {
      if (written?.metadata?.resourceVersion) passed.add(written.metadata.resourceVersion);
      const status: Record<string, unknown> = {
        loadBalancer: writes.status.loadBalancer.ingress ? writes.status.loadBalancer : { ingress: null },
        conditions: writes.status.conditions ?? null,
      };
      written = await this.deps.client.patch(Services, namespace, name, { status }, { subresource: 'status' });
    }
    if (written) this.inFlight.set(key, passed);
    // Warnings about annotations are reported once per change of them, not on every pass.
    const warnings = writes.events.filter((e) => e.reason === 'DeprecatedAnnotation' || e.reason === 'AnnotationIgnored');
    const signature = warnings.map((e) => e.message).join('\n');
    const others = writes.events.filter((e) => !warnings.includes(e));
    if (signature !== (this.lastWarnings.get(key) ?? '')) {
      for (const e of warnings) this.events.event(svc as KubeObject, e.type, e.reason, e.message);
      if (signature) this.lastWarnings.set(key, signature);
      else this.lastWarnings.delete(key);
    }
    for (const e of others) this.events.event(svc as KubeObject, e.type, e.reason, e.message);

    if (outcome.kind === 'assigned') this.servicePools.set(key, outcome.pool);
    else this.servicePools.delete(key);
    if (outcome.kind === 'failed') this.deps.log.warn('allocation failed', { service: key, reason: outcome.message });
    else if (outcome.kind === 'assigned' && (outcome.changed || writes.status)) this.deps.log.info('addresses assigned', { service: key, pool: outcome.pool, addresses: outcome.addresses });
    if (writes.status || writes.annotations) this.schedulePoolStatus();
  }

  private context(svc: ServiceState): ReconcileContext {
    const namespace = svc.metadata?.namespace || 'default';
    return {
      namespaceLabels: this.namespaceInformer.cache.get(namespace)?.metadata?.labels,
      classNodeCount: (className) => this.classNodeCount(className),
    };
  }

  private classNodeCount(className: string): number | undefined {
    const cls = this.state.configuration?.classes.find((c) => c.name === className);
    if (!cls) return undefined;
    let count = 0;
    for (const node of this.nodes.cache.values()) if (matchesLabelSelector({ matchLabels: cls.nodeSelector }, node.metadata?.labels)) count++;
    return count;
  }

  // --- pool status and metrics ---------------------------------------------------------------------

  private schedulePoolStatus(): void {
    if (this.poolStatusTimer || !this.leading) return;
    this.poolStatusTimer = setTimeout(() => {
      this.poolStatusTimer = undefined;
      void this.writePoolStatus().catch((error: unknown) => this.deps.log.warn('pool status write failed', { error: errorText(error) }));
    }, 500);
  }

  /** Metrics, and each IPAddressPool's status: assigned and available per family. */
  private async writePoolStatus(): Promise<void> {
    const stats = this.state.statistics();
    const perPool = new Map<string, number>();
    for (const pool of this.servicePools.values()) perPool.set(pool, (perPool.get(pool) ?? 0) + 1);
    this.deps.allocatorMetrics.update(stats, perPool);
    const config = this.state.configuration;
    if (!config) return;
    for (const pool of config.pools) {
      if (pool.className !== undefined || !pool.source.namespace) continue;
      const object = this.configInformers.flatMap((i) => [...i.cache.values()]).find(
        (o) => o.kind === 'IPAddressPool' && o.metadata?.name === pool.source.name && o.metadata?.namespace === pool.source.namespace,
      ) as (KubeObject & { status?: Partial<IPAddressPoolStatus> }) | undefined;
      if (!object) continue;
      const status = poolStatus(stats, pool.name);
      const current = object.status ?? {};
      if (
        current.assignedIPv4 === status.assignedIPv4 &&
        current.assignedIPv6 === status.assignedIPv6 &&
        current.availableIPv4 === status.availableIPv4 &&
        current.availableIPv6 === status.availableIPv6
      ) {
        continue;
      }
      await this.deps.client.patch(IPAddressPools, pool.source.namespace, pool.source.name, { status }, { subresource: 'status' });
    }
  }
}

/** IPAddressPool status counts; availability beyond 2^53-1 (an IPv6 /64) is reported as that. */
export function poolStatus(stats: readonly PoolStatistics[], pool: string): IPAddressPoolStatus {
  const of = (family: 'IPv4' | 'IPv6'): PoolStatistics | undefined => stats.find((s) => s.pool === pool && s.family === family);
  const cap = (n: bigint): number => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n));
  return {
    assignedIPv4: of('IPv4')?.inUse ?? 0,
    assignedIPv6: of('IPv6')?.inUse ?? 0,
    availableIPv4: cap(of('IPv4')?.free ?? 0n),
    availableIPv6: cap(of('IPv6')?.free ?? 0n),
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
