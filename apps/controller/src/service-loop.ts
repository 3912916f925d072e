// The service loop, sans I/O: one Service (or its absence) and its context in; the writes it needs,
// the Events to record and the other Services to look at again out. It owns the allocator and the
// last valid configuration; informers, the work queue, the API writes and the clock stay outside
// (controller.ts and services.ts), as a BGP Session stays apart from the sockets of its peer.
import { isDeepStrictEqual } from 'node:util';
import {
  serviceAllocationRequest,
  serviceKey,
  type ClassLookup,
  type CompiledConfig,
  type ServiceRequest,
  type ServiceRequestError,
} from '@lb/config-schema';
import { Allocator, type AllocationRequest, type PoolStatistics, type ReleasedAssignment } from '@lb/ipam';
import { matchesLabelSelector, type Labels } from '@lb/labels';
import { type ServiceOutcome, type ServiceState } from './service-outcome.js';
import { serviceWrites, type ServiceEvent, type ServiceWrites } from './service-status.js';

/** What the loop needs to know of a Service's surroundings. */
export interface ServiceContext {
  /** Labels of the Service's namespace (pools restricted by namespaceSelectors). */
  readonly namespaceLabels: Labels | undefined;
  /** Labels of every node: a MetalLoadBalancerClass announces each address from its own matching node. */
  readonly nodes: Iterable<Labels | undefined>;
}

/** What to do after one pass over one Service. */
export interface ServiceStep {
  readonly key: string;
  readonly outcome: ServiceOutcome;
  /** The Service's new status; undefined when it is already right. */
  readonly status: ServiceWrites['status'];
  /** Annotation changes (null removes); undefined when none. */
  readonly annotations: ServiceWrites['annotations'];
  readonly events: readonly ServiceEvent[];
  /**
   * Services waiting for an address that this step may have made room for (it freed an address,
   * or a holder changed its request): look at them again.
   */
  readonly requeue: readonly string[];
  /** Addresses this step gave back. */
  readonly freed: readonly string[];
}

export interface ServiceLoopOptions {
  /** MetalLB's --lb-class: the Service loadBalancerClass this controller answers to. */
  readonly loadBalancerClass?: string;
}

/** What the loop remembers of a Service between passes. */
interface Memory {
  /** The request it last made: a holder that changes it may make room for others. */
  request?: Request;
  /** The annotation warnings last reported, so that each change is reported once. */
  warnings?: string;
  /** The refusal last reported, so that a Service waiting for addresses gets one Event per reason. */
  failure?: string;
}

/**
 * The controller's service path as a pure state machine. `setConfig` takes each valid
 * configuration, `restore` re-takes what Services already show (before anything new is handed
 * out, so nothing moves across a restart), and `handle` decides one Service. Addresses live only
 * in the Services' status; this state is rebuilt from it by every new leader.
 */
export class ServiceLoop {
  private readonly allocator = new Allocator();
  private config: CompiledConfig | undefined;
  private lookup: ClassLookup = { classPools: new Map() };
  private readonly memory = new Map<string, Memory>();
  /** Refused or short of addresses: another Service freeing some should bring them back. */
  private readonly waitingKeys = new Set<string>();
  /** Waiting Services already handed out for another look and not handled since: no need to again. */
  private readonly requeued = new Set<string>();

  constructor(private readonly options: ServiceLoopOptions = {}) {}

  /** True once a valid configuration has been applied. */
  get configured(): boolean {
    return this.config !== undefined;
  }

  get configuration(): CompiledConfig | undefined {
    return this.config;
  }

  /**
   * Applies a new valid configuration. Returns the assignments it released and the Services whose
   * pool was renamed; every Service needs another look afterwards (new pools, other rules).
   */
  setConfig(config: CompiledConfig): { released: readonly ReleasedAssignment[]; moved: readonly string[] } {
    const result = this.allocator.setPools(config.poolSpecs);
    if (!result.ok) {
      // compile() already validated the pools with the same rules, so this means a bug: keep the
      // previous configuration rather than run on a half-applied one.
      throw new Error(`compiled configuration refused by the allocator: ${result.error.issues.map((e) => e.message).join('; ')}`);
    }
    this.config = config;
    this.lookup = {
      classPools: new Map(config.classes.map((c) => [c.name, c.pool])),
      ...(config.defaultClass !== undefined ? { defaultClass: config.defaultClass } : {}),
    };
    return { released: result.value.released, moved: result.value.moved.flatMap((m) => m.services) };
  }

  /**
   * Re-takes the addresses a Service's status shows. Returns false when they cannot be kept (the
   * Service will be handled normally and may get other addresses).
   */
  restore(service: ServiceState, context: ServiceContext): boolean {
    const addresses = (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
    if (addresses.length === 0 || !this.config) return false;
    const route = this.route(service, context);
    if (!route.ok) return false;
    const restored = this.allocator.assign(route.value.request, addresses).ok;
    if (restored) this.remember(serviceKey(service)).request = requestOf(route);
    return restored;
  }

  /**
   * One pass over the Service stored under `key` (undefined: it was deleted). `now` stamps
   * conditions that change.
   */
  handle(key: string, service: ServiceState | undefined, context: ServiceContext, now: string): ServiceStep {
    this.requeued.delete(key);
    const before = this.held(key);
    if (!service) {
      this.allocator.release(key);
      this.memory.delete(key);
      this.waitingKeys.delete(key);
      return this.step(key, { kind: 'deleted' }, undefined, before, false);
    }
    const memory = this.remember(key);
    if (!this.config) return this.step(key, { kind: 'waiting', reason: 'no valid configuration yet' }, undefined, before, false);

    const route = this.route(service, context);
    let outcome: ServiceOutcome;
    let short = false;
    let requestChanged = false;
    if (!isOurs(route)) {
      this.allocator.release(key);
      outcome = { kind: 'not-ours', reason: route.error.message, clear: service.spec?.type !== 'LoadBalancer' };
      requestChanged = memory.request !== undefined;
      delete memory.request;
    } else {
      const request = requestOf(route);
      // Only a holder's change can make room; comparing a newcomer's request would be wasted.
      requestChanged = before.length > 0 && (memory.request === undefined || !isDeepStrictEqual(request, memory.request));
      memory.request = request;
      ({ outcome, short } = this.allocate(key, route));
    }
    if ((outcome.kind === 'failed' && route.ok) || short) this.waitingKeys.add(key);
    else this.waitingKeys.delete(key);
    const writes = serviceWrites(service, outcome, now);
    return this.step(key, outcome, writes, before, requestChanged);
  }

  /** Services refused or short of addresses, waiting for room. */
  waiting(): string[] {
    return [...this.waitingKeys];
  }

  /** Addresses a Service holds right now. */
  held(key: string): readonly string[] {
    return this.allocator.get(key)?.addresses ?? [];
  }

  statistics(): PoolStatistics[] {
    return this.allocator.statistics();
  }

  /** How many Services hold addresses of each pool (MetalLB's services_allocated_total). */
  servicesPerPool(): Map<string, number> {
    return this.allocator.servicesPerPool();
  }

  private allocate(key: string, route: OursRoute): { outcome: ServiceOutcome; short: boolean } {
    if (!route.ok) {
      // An annotation or field is wrong: the message lists every error.
      this.allocator.release(key);
      const { message, className, issues } = route.error;
      return { outcome: { kind: 'failed', message, wanted: 1, className, issues }, short: false };
    }
    const { request, className, issues } = route.value;
    // For a class Service, `asked` is the address count before capping it to the class's nodes, so
    // that the condition reads "2 of 3 public IPs were assigned" when only two nodes can announce.
    const wanted = wantedCount({ ...request, count: route.asked });
    const result = this.allocator.allocate(request);
    if (!result.ok) {
      const { message, kind, holders } = result.error;
      // A class's pool is reserved for its Services: say how to become one.
      const hint = kind === 'PoolReserved' && className === undefined ? '; set spec.loadBalancerClass to use it' : '';
      return {
        outcome: { kind: 'failed', message: `${message}${hint}`, wanted, className, issues, ...(holders ? { holders } : {}) },
        short: false,
      };
    }
    const { pool, addresses, changed, missing } = result.value;
    return { outcome: { kind: 'assigned', pool, addresses, changed, wanted, className, issues }, short: missing > 0 };
  }

  /** Turns an outcome into the step: Events reported once per change, and whom to look at again. */
  private step(key: string, outcome: ServiceOutcome, writes: ServiceWrites | undefined, before: readonly string[], requestChanged: boolean): ServiceStep {
    // What the Service holds now follows from the outcome: the assigned addresses, or nothing
    // (every other outcome that reaches the allocator releases), or, still without a
    // configuration, what it held.
    let freed: readonly string[] = [];
    if (before.length > 0 && outcome.kind !== 'waiting') {
      const after = new Set(outcome.kind === 'assigned' ? outcome.addresses : []);
      freed = outcome.kind === 'assigned' && !outcome.changed ? [] : before.filter((address) => !after.has(address));
    }
    // Addresses freed, or a holder asking differently (another sharing key, other ports), may
    // let a waiting Service in; nothing else can.
    const mayMakeRoom = freed.length > 0 || (before.length > 0 && requestChanged);
    const requeue: string[] = [];
    if (mayMakeRoom) {
      for (const other of this.waitingKeys) {
        if (other === key || this.requeued.has(other)) continue;
        this.requeued.add(other);
        requeue.push(other);
      }
    }
    const events = writes ? this.newsworthy(key, writes.events) : [];
    return { key, outcome, status: writes?.status, annotations: writes?.annotations, events, requeue, freed };
  }

  /**
   * Warnings about annotations and refusals are reported once per change of them, not on every
   * pass (a Service waiting for an address passes often); everything else always.
   */
  private newsworthy(key: string, events: readonly ServiceEvent[]): ServiceEvent[] {
    const memory = this.remember(key);
    const warnings = events.filter((e) => e.reason === 'DeprecatedAnnotation' || e.reason === 'AnnotationIgnored');
    const failures = events.filter((e) => e.reason === 'AllocationFailed');
    const out = events.filter((e) => !warnings.includes(e) && !failures.includes(e));
    const warningText = warnings.map((e) => e.message).join('\n');
    if (warningText !== (memory.warnings ?? '')) out.unshift(...warnings);
    memory.warnings = warningText;
    const failureText = failures.map((e) => e.message).join('\n');
    if (failureText !== '' && failureText !== memory.failure) out.push(...failures);
    memory.failure = failureText;
    return out;
  }

  private remember(key: string): Memory {
    let memory = this.memory.get(key);
    if (!memory) this.memory.set(key, (memory = {}));
    return memory;
  }

  private route(service: ServiceState, context: ServiceContext): Route {
    const route = serviceAllocationRequest(service, this.lookup, {
      ...(context.namespaceLabels ? { namespaceLabels: context.namespaceLabels } : {}),
      ...(this.options.loadBalancerClass !== undefined ? { loadBalancerClass: this.options.loadBalancerClass } : {}),
    });
    if (!route.ok) return route;
    const { request, className } = route.value;
    const asked = request.count ?? 1;
    if (className === undefined) return { ...route, asked };
    // Each address of a class Service is announced from its own node: no more addresses than nodes.
    const nodes = this.classNodeCount(className, context.nodes);
    if (nodes === undefined || nodes <= 0 || nodes >= asked) return { ...route, asked };
    return { ok: true, value: { ...route.value, request: { ...request, count: nodes } }, asked };
  }

  private classNodeCount(className: string, nodes: Iterable<Labels | undefined>): number | undefined {
    const cls = this.config?.classes.find((c) => c.name === className);
    if (!cls) return undefined;
    let count = 0;
    for (const labels of nodes) if (matchesLabelSelector({ matchLabels: cls.nodeSelector }, labels)) count++;
    return count;
  }
}

/** A Service's request; `asked` is the address count it asked for, before capping to the class's nodes. */
type Route = { readonly ok: true; readonly value: ServiceRequest; readonly asked: number } | { readonly ok: false; readonly error: ServiceRequestError };
/** A Service of ours: a request, or the annotations and fields at fault. */
type OursRoute = Extract<Route, { readonly ok: true }> | { readonly ok: false; readonly error: Extract<ServiceRequestError, { readonly kind: 'invalid-service' }> };

const isOurs = (route: Route): route is OursRoute => route.ok || route.error.kind !== 'not-ours';

interface Request {
  readonly request: AllocationRequest | null;
  readonly className: string | null;
}

function requestOf(route: OursRoute): Request {
  if (!route.ok) return { request: null, className: route.error.className ?? null };
  return { request: route.value.request, className: route.value.className ?? null };
}

function wantedCount(request: AllocationRequest): number {
  if (request.requestedIPs && request.requestedIPs.length > 0) return request.requestedIPs.length;
  const families = request.ipFamilyPolicy === 'RequireDualStack' || request.ipFamilyPolicy === 'PreferDualStack' ? Math.max(1, request.ipFamilies?.length ?? 2) : 1;
  return (request.count ?? 1) * families;
}
