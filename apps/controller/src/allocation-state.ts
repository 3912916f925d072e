import {
  classPoolName,
  serviceAllocationRequest,
  type AnnotationIssue,
  type ClassLookup,
  type CompiledConfig,
  type ServiceObject,
} from '@lb/config-schema';
import { Allocator, type AllocationRequest, type PoolStatistics, type ReleasedAssignment } from '@lb/ipam';
import { type Labels } from '@lb/labels';

/** A Service as the controller reads it: what config-schema needs, plus the status it holds. */
export interface ServiceState extends ServiceObject {
  readonly status?: {
    readonly loadBalancer?: { readonly ingress?: ReadonlyArray<{ readonly ip?: string; readonly hostname?: string }> };
    readonly conditions?: readonly unknown[];
  };
}

/** What the controller should make of one Service. */
export type ServiceOutcome =
  | {
      readonly kind: 'not-ours';
      readonly reason: string;
      /** True when the Service is no LoadBalancer any more: addresses we gave it must be cleared. */
      readonly clear: boolean;
    }
  | {
      readonly kind: 'assigned';
      readonly pool: string;
      readonly addresses: readonly string[];
      /** False when the Service already held exactly these addresses. */
      readonly changed: boolean;
      /** Addresses the Service should have (count × families); more than `addresses` when short. */
      readonly wanted: number;
      readonly className: string | undefined;
      readonly issues: readonly AnnotationIssue[];
    }
  | {
      readonly kind: 'failed';
      readonly message: string;
      readonly wanted: number;
      readonly className: string | undefined;
      readonly issues: readonly AnnotationIssue[];
    }
  | { readonly kind: 'waiting'; readonly reason: string };

export interface ReconcileContext {
  readonly namespaceLabels: Labels | undefined;
  /** How many nodes a MetalLoadBalancerClass may announce from (its nodeSelector's matches). */
  readonly classNodeCount: (className: string) => number | undefined;
}

export interface StateOptions {
  /** MetalLB's --lb-class: the Service loadBalancerClass this controller answers to. */
  readonly loadBalancerClass?: string;
}

/**
 * The controller's allocation state: the last valid configuration and the allocator. Pure: the
 * Kubernetes side (informers, status writes, events) lives around it. Addresses are kept only in
 * the Services' status; `restore` rebuilds this state from it after a restart.
 */
export class AllocationState {
  private readonly allocator = new Allocator();
  private config: CompiledConfig | undefined;
  private lookup: ClassLookup = { classPools: new Map() };
  private readonly classPools = new Set<string>();

  constructor(private readonly options: StateOptions = {}) {}

  /** True once a valid configuration has been applied. */
  get configured(): boolean {
    return this.config !== undefined;
  }

  get configuration(): CompiledConfig | undefined {
    return this.config;
  }

  /**
   * Applies a new valid configuration. Returns the assignments it released and the services whose
   * pool was renamed: both need their Service written again.
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
    this.classPools.clear();
    for (const c of config.classes) this.classPools.add(c.pool);
    return { released: result.value.released, moved: result.value.moved.flatMap((m) => m.services) };
  }

  /**
   * Re-takes the addresses a Service's status shows, before anything new is allocated, so that no
   * address moves across a restart. Returns false when they cannot be kept (the Service will be
   * reconciled normally and may get other addresses).
   */
  restore(service: ServiceState, context: ReconcileContext): boolean {
    const addresses = (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
    if (addresses.length === 0) return false;
    const route = this.route(service, context);
    if (!route.handled || !route.request) return false;
    return this.allocator.assign(route.request, addresses).ok;
  }

  /** Decides the Service's addresses, allocating or keeping them. */
  reconcile(service: ServiceState, context: ReconcileContext): ServiceOutcome {
    const key = serviceKey(service);
    if (!this.config) return { kind: 'waiting', reason: 'no valid configuration yet' };
    const route = this.route(service, context);
    if (!route.handled) {
      this.allocator.release(key);
      return { kind: 'not-ours', reason: route.reason, clear: service.spec?.type !== 'LoadBalancer' };
    }
    const { request, className, issues, asked } = route;
    // For a class Service, `asked` is the address count before capping it to the class's nodes, so
    // that the condition reads "2 of 3 public IPs were assigned" when only two nodes can announce.
    const wanted = request ? wantedCount({ ...request, count: asked }) : 1;
    if (!request) {
      this.allocator.release(key);
      const errors = issues.filter((i) => i.severity === 'error').map((i) => `${i.annotation}: ${i.message}`);
      return { kind: 'failed', message: errors.join('; '), wanted, className, issues };
    }
    const allocated = this.allocator.allocate(request);
    if (!allocated.ok) return { kind: 'failed', message: allocated.error.message, wanted, className, issues };
    const result = allocated.value;
    if (className === undefined && this.classPools.has(result.pool)) {
      // A plain Service may not take a class's address by asking for it: the class owns its pool.
      this.allocator.release(key);
      const owner = this.config.classes.find((c) => c.pool === result.pool)?.name ?? result.pool;
      return {
        kind: 'failed',
        message: `${result.addresses.join(', ')} belongs to MetalLoadBalancerClass '${owner}'; set spec.loadBalancerClass to use it`,
        wanted,
        className,
        issues,
      };
    }
    return { kind: 'assigned', pool: result.pool, addresses: result.addresses, changed: result.changed, wanted, className, issues };
  }

  /** Frees what a deleted Service held. */
  forget(key: string): void {
    this.allocator.release(key);
  }

  /** Addresses a Service holds right now (as the allocator sees them). */
  held(key: string): readonly string[] {
    return this.allocator.get(key)?.addresses ?? [];
  }

  statistics(): PoolStatistics[] {
    return this.allocator.statistics();
  }

  /** The allocator's name for a class's pool. */
  static classPool(className: string): string {
    return classPoolName(className);
  }

  private route(service: ServiceState, context: ReconcileContext): Route {
    const route = serviceAllocationRequest(service, this.lookup, {
      ...(context.namespaceLabels ? { namespaceLabels: context.namespaceLabels } : {}),
      ...(this.options.loadBalancerClass !== undefined ? { loadBalancerClass: this.options.loadBalancerClass } : {}),
    });
    if (!route.handled) return route;
    const asked = route.request?.count ?? 1;
    if (!route.request || route.className === undefined) return { ...route, asked };
    // Each address of a class Service is announced from its own node: no more addresses than nodes.
    const nodes = context.classNodeCount(route.className);
    if (nodes === undefined || nodes <= 0 || nodes >= asked) return { ...route, asked };
    return { ...route, asked, request: { ...route.request, count: nodes } };
  }
}

type Route =
  | Extract<ReturnType<typeof serviceAllocationRequest>, { handled: false }>
  | (Extract<ReturnType<typeof serviceAllocationRequest>, { handled: true }> & { readonly asked: number });

export function serviceKey(service: ServiceObject): string {
  return `${service.metadata?.namespace || 'default'}/${service.metadata?.name ?? ''}`;
}

function wantedCount(request: AllocationRequest): number {
  if (request.requestedIPs && request.requestedIPs.length > 0) return request.requestedIPs.length;
  const families = request.ipFamilyPolicy === 'RequireDualStack' || request.ipFamilyPolicy === 'PreferDualStack' ? Math.max(1, request.ipFamilies?.length ?? 2) : 1;
  return (request.count ?? 1) * families;
}
