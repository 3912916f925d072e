// The controller's allocation, replayed offline: the live configuration compiled as the controller
// compiles it, every Service's current addresses re-taken (as a new leader does), then whatever is
// left handed out in key order. `explain` asks it why one Service has no address; `plan` replays it
// under another configuration and compares.
import {
  compile,
  serviceAllocationRequest,
  type ClassLookup,
  type CompiledConfig,
  type CompileResult,
  type ServiceRequestResult,
} from '@lb/config-schema';
import { Allocator, type AllocationError } from '@lb/ipam';
import { matchesLabelSelector, type Labels } from '@lb/labels';
import type { Service } from '@lb/k8s-watch';
import { oldestFirst, serviceKeyOf, type ClusterSnapshot } from './snapshot.js';

export interface AllocationOptions {
  /** MetalLB's --lb-class, as the controller was started with. */
  readonly lbClass?: string | undefined;
}

/** Compiles configuration objects (oldest first) with the snapshot's nodes, as the controller does. */
export function compileObjects(objects: readonly unknown[], snapshot: Pick<ClusterSnapshot, 'nodes'>): CompileResult {
  const nodes = snapshot.nodes.map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
  return compile(oldestFirst(objects as Parameters<typeof oldestFirst>[0]), { nodes });
}

export function classLookupOf(config: CompiledConfig): ClassLookup {
  return {
    classPools: new Map(config.classes.map((c) => [c.name, c.pool])),
    ...(config.defaultClass !== undefined ? { defaultClass: config.defaultClass } : {}),
  };
}

export function currentAddresses(service: Service): string[] {
  const ingress: unknown = service.status?.loadBalancer?.ingress;
  if (!Array.isArray(ingress)) return [];
  return ingress.map((i: unknown) => (i && typeof i === 'object' ? (i as { ip?: unknown }).ip : undefined)).filter((ip): ip is string => typeof ip === 'string' && ip !== '');
}

/** A Service's route under a configuration: its request (class Services capped to their nodes), or why it has none. */
export function routeOf(service: Service, config: CompiledConfig, snapshot: ClusterSnapshot, options: AllocationOptions = {}): ServiceRequestResult {
  const namespaceLabels = snapshot.namespaces.find((n) => n.metadata?.name === (service.metadata?.namespace ?? 'default'))?.metadata?.labels;
  const route = serviceAllocationRequest(service as Parameters<typeof serviceAllocationRequest>[0], classLookupOf(config), {
    ...(namespaceLabels ? { namespaceLabels } : {}),
    ...(options.lbClass !== undefined ? { loadBalancerClass: options.lbClass } : {}),
  });
  if (!route.ok || route.value.className === undefined) return route;
  const cls = config.classes.find((c) => c.name === route.value.className);
  const asked = route.value.request.count ?? 1;
  if (!cls) return route;
  const nodes = snapshot.nodes.filter((n) => matchesLabelSelector({ matchLabels: cls.nodeSelector }, (n.metadata?.labels ?? {}) as Labels)).length;
  if (nodes <= 0 || nodes >= asked) return route;
  return { ok: true, value: { ...route.value, request: { ...route.value.request, count: nodes } } };
}

export type Outcome =
  | { readonly kind: 'assigned'; readonly pool: string; readonly addresses: readonly string[] }
  | { readonly kind: 'refused'; readonly error: AllocationError }
  | { readonly kind: 'invalid'; readonly message: string }
  | { readonly kind: 'not-ours'; readonly message: string };

export interface Replay {
  readonly allocator: Allocator;
  /** Every LoadBalancer Service (and every Service that holds addresses), by key, after the replay. */
  readonly outcomes: ReadonlyMap<string, Outcome>;
  /** Services that kept exactly the addresses they show. */
  readonly kept: ReadonlySet<string>;
}

/**
 * Replays the controller under `config`: re-takes every Service's addresses in key order (those it
 * cannot keep are handled next), then decides every other Service in key order. With `only`
 * ('restore'), the second step is left out: the allocator holds what the Services hold now, which
 * is what one Service is judged against (explain). `skip` leaves one Service out entirely.
 */
export function replay(config: CompiledConfig, snapshot: ClusterSnapshot, options: AllocationOptions = {}, skip?: string, only?: 'restore'): Replay {
  const allocator = new Allocator();
  const applied = allocator.setPools(config.poolSpecs);
  if (!applied.ok) throw new Error(`compiled configuration refused by the allocator: ${applied.error.message}`);
  const services = [...snapshot.services].sort((a, b) => (serviceKeyOf(a) < serviceKeyOf(b) ? -1 : serviceKeyOf(a) > serviceKeyOf(b) ? 1 : 0));
  const outcomes = new Map<string, Outcome>();
  const kept = new Set<string>();
  const routes = new Map<string, ServiceRequestResult>();
  for (const service of services) {
    const key = serviceKeyOf(service);
    if (key === skip) continue;
    const route = routeOf(service, config, snapshot, options);
    routes.set(key, route);
    const held = currentAddresses(service);
    if (!route.ok || held.length === 0) continue;
    const assigned = allocator.assign(route.value.request, held);
    if (assigned.ok) {
      kept.add(key);
      outcomes.set(key, { kind: 'assigned', pool: assigned.value.pool, addresses: assigned.value.addresses });
    }
  }
  for (const service of only === 'restore' ? [] : services) {
    const key = serviceKeyOf(service);
    if (key === skip || kept.has(key)) continue;
    const route = routes.get(key) as ServiceRequestResult;
    if (service.spec?.type !== 'LoadBalancer' && currentAddresses(service).length === 0) continue;
    outcomes.set(key, decide(allocator, route));
  }
  return { allocator, outcomes, kept };
}

export function decide(allocator: Allocator, route: ServiceRequestResult): Outcome {
  if (!route.ok) return route.error.kind === 'not-ours' ? { kind: 'not-ours', message: route.error.message } : { kind: 'invalid', message: route.error.message };
  const result = allocator.allocate(route.value.request);
  if (!result.ok) return { kind: 'refused', error: result.error };
  return { kind: 'assigned', pool: result.value.pool, addresses: result.value.addresses };
}
