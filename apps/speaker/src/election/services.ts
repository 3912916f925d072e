// Whether a Service is ours to announce in layer 2, with which addresses, from which pool and under
// which announcements; or why not, in MetalLB's words where it has them.
import { serviceAllocationRequest, serviceKey, type ClassLookup, type CompiledConfig, type CompiledPool, type L2Announcement } from '@lb/config-schema';
import { bytesToBigInt, canonicalIp, parseIp, type IpFamily } from '@lb/ip';
import { matchesAnySelector } from '@lb/labels';
import { type ServiceResource } from './resources.js';

export type NotAnnouncedReason =
  /** Not type LoadBalancer. */
  | 'notLoadBalancer'
  /** Its loadBalancerClass belongs to another load balancer (or --lb-class says so). */
  | 'otherClass'
  /** The controller gave it no address yet. */
  | 'noIPAllocated'
  | 'invalidIP'
  /** Its addresses are in no pool (of its class, for a class's Service). */
  | 'ipNotAllowed'
  /** No L2Advertisement covers the pool (or none selects this Service). */
  | 'noL2Advertisement'
  /** MetalLB refuses allow-shared-ip together with serviceSelectors on the L2Advertisements. */
  | 'sharedIPWithServiceSelector'
  | 'noReadyEndpoints'
  /** No node may announce it (selectors, taints, exclusions, no local endpoint, no speaker). */
  | 'noAvailableNodes';

export interface ServiceTarget {
  readonly key: string;
  /** Canonical addresses, in the order of status.loadBalancer.ingress. */
  readonly addresses: readonly string[];
  readonly pool: CompiledPool;
  /** The pool's announcements that select this Service (non-empty). */
  readonly announcements: readonly L2Announcement[];
  /** Each address on its own node (MetalLoadBalancerClass), rather than all on one. */
  readonly spread: boolean;
  readonly local: boolean;
}

export type ServiceVerdict = { readonly ok: true; readonly target: ServiceTarget } | { readonly ok: false; readonly key: string; readonly addresses: readonly string[]; readonly reason: NotAnnouncedReason };

export interface ServiceOptions {
  /** MetalLB's --lb-class. */
  readonly lbClass?: string;
}

const SHARED_IP_ANNOTATIONS = ['metallb.io/allow-shared-ip', 'metallb.universe.tf/allow-shared-ip'];

const lookups = new WeakMap<CompiledConfig, ClassLookup>();

/** The configuration's classes; one object per configuration, so that verdicts can be remembered per lookup. */
export function classLookup(config: CompiledConfig): ClassLookup {
  let lookup = lookups.get(config);
  if (!lookup) {
    lookup = {
      classPools: new Map(config.classes.map((c) => [c.name, c.pool])),
      ...(config.defaultClass !== undefined ? { defaultClass: config.defaultClass } : {}),
    };
    lookups.set(config, lookup);
  }
  return lookup;
}

/**
 * A verdict remembered for one Service object under one configuration. Informers replace an object
 * when it changes, so an object seen again with the same configuration has the same verdict: a
 * burst of a thousand Service events then parses each Service's annotations once, not once per
 * decision.
 */
interface Remembered<V> {
  readonly config: CompiledConfig;
  readonly classes: ClassLookup;
  readonly lbClass: string | undefined;
  readonly verdict: V;
}

function remembered<V>(memo: WeakMap<ServiceResource, Remembered<V>>, service: ServiceResource, config: CompiledConfig, classes: ClassLookup, options: ServiceOptions, compute: () => V): V {
  const hit = memo.get(service);
  if (hit && hit.config === config && hit.classes === classes && hit.lbClass === options.lbClass) return hit.verdict;
  const verdict = compute();
  memo.set(service, { config, classes, lbClass: options.lbClass, verdict });
  return verdict;
}

const poolVerdicts = new WeakMap<ServiceResource, Remembered<PoolVerdict>>();
const l2Verdicts = new WeakMap<ServiceResource, Remembered<ServiceVerdict>>();

interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

function ipAddress(text: string): IpAddress | undefined {
  const bytes = parseIp(text);
  return bytes && { family: bytes.length === 4 ? 'IPv4' : 'IPv6', value: bytesToBigInt(bytes) };
}

function contains(pool: CompiledPool, ip: IpAddress): boolean {
  return pool.ranges.some((r) => r.family === ip.family && r.first <= ip.value && ip.value <= r.last);
}

/** A Service of ours with its addresses in a pool: what both modes start from. */
export interface PooledService {
  readonly key: string;
  /** Canonical addresses, in the order of status.loadBalancer.ingress. */
  readonly addresses: readonly string[];
  readonly pool: CompiledPool;
  readonly local: boolean;
}

export type PoolVerdict = { readonly ok: true; readonly service: PooledService } | { readonly ok: false; readonly key: string; readonly addresses: readonly string[]; readonly reason: NotAnnouncedReason };

/** Whether a Service is ours (type, class, --lb-class) and which pool holds its addresses, as the controller decided. */
export function servicePool(service: ServiceResource, config: CompiledConfig, classes: ClassLookup, options: ServiceOptions = {}): PoolVerdict {
  return remembered(poolVerdicts, service, config, classes, options, () => computePool(service, config, classes, options));
}

function computePool(service: ServiceResource, config: CompiledConfig, classes: ClassLookup, options: ServiceOptions): PoolVerdict {
  const key = serviceKey(service);
  const ingress = (service.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => ip !== undefined && ip !== '');
  const addresses = ingress.map((ip) => canonicalIp(ip) ?? ip);
  const refuse = (reason: NotAnnouncedReason): PoolVerdict => ({ ok: false, key, addresses, reason });
  if (service.spec?.type !== 'LoadBalancer') return refuse('notLoadBalancer');
  const routing = serviceAllocationRequest(service, classes, options.lbClass !== undefined ? { loadBalancerClass: options.lbClass } : {});
  // A Service of ours with a wrong annotation still has its class; its addresses decide the rest.
  let className: string | undefined;
  if (routing.ok) className = routing.value.className;
  else if (routing.error.kind === 'invalid-service') className = routing.error.className;
  else return refuse('otherClass');
  if (addresses.length === 0) return refuse('noIPAllocated');
  const parsed = ingress.map(ipAddress);
  if (parsed.some((ip) => ip === undefined)) return refuse('invalidIP');
  const ips = parsed as IpAddress[];
  const pool =
    className !== undefined
      ? config.pools.find((p) => p.className === className && ips.every((ip) => contains(p, ip)))
      : config.pools.find((p) => p.className === undefined && ips.every((ip) => contains(p, ip)));
  if (!pool) return refuse('ipNotAllowed');
  return { ok: true, service: { key, addresses, pool, local: service.spec.externalTrafficPolicy === 'Local' } };
}

/** MetalLB refuses allow-shared-ip on a Service that advertisements select by serviceSelectors. */
export function sharesIP(service: ServiceResource): boolean {
  const annotations = service.metadata?.annotations ?? {};
  return SHARED_IP_ANNOTATIONS.some((a) => Object.hasOwn(annotations, a));
}

export function serviceVerdict(service: ServiceResource, config: CompiledConfig, classes: ClassLookup, options: ServiceOptions = {}): ServiceVerdict {
  return remembered(l2Verdicts, service, config, classes, options, () => computeVerdict(service, config, classes, options));
}

function computeVerdict(service: ServiceResource, config: CompiledConfig, classes: ClassLookup, options: ServiceOptions): ServiceVerdict {
  const pooled = servicePool(service, config, classes, options);
  if (!pooled.ok) return pooled;
  const { key, addresses, pool, local } = pooled.service;
  const refuse = (reason: NotAnnouncedReason): ServiceVerdict => ({ ok: false, key, addresses, reason });
  const labels = service.metadata?.labels ?? {};
  const selected = pool.l2.filter((a) => a.serviceSelectors.length === 0 || matchesAnySelector(a.serviceSelectors, labels));
  // All of them (the usual case): the pool's own list, not a copy per Service (10,000 small arrays).
  const announcements = selected.length === pool.l2.length ? pool.l2 : selected;
  if (announcements.length === 0) return refuse('noL2Advertisement');
  if (sharesIP(service) && announcements.some((a) => a.serviceSelectors.length > 0)) return refuse('sharedIPWithServiceSelector');
  return {
    ok: true,
    target: { key, addresses, pool, announcements, spread: announcements.some((a) => a.spreadAcrossNodes), local },
  };
}
