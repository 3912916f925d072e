import { labelSelectorProblems, matchesAnySelector, selectorKey, type LabelSelector, type Labels } from '@lb/labels';
import { parseAddressRange, type AddressRange, type IpFamily } from './address.js';
import { findOverlaps } from './overlap.js';

/** Which services a pool serves, and before which other pools (MetalLB's `serviceAllocation`). */
export interface ServiceAllocationSpec {
  /** Lower numbers are tried first; unset (or 0, as MetalLB reads it) comes after every number. */
  readonly priority?: number;
  readonly namespaces?: readonly string[];
  readonly namespaceSelectors?: readonly LabelSelector[];
  readonly serviceSelectors?: readonly LabelSelector[];
}

/** A pool as the operator declares it (an IPAddressPool's spec, plus its name). */
export interface PoolSpec {
  readonly name: string;
  /** CIDRs, `first-last` ranges or single addresses, IPv4 and IPv6 mixed. */
  readonly addresses: readonly string[];
  readonly autoAssign?: boolean;
  readonly avoidBuggyIPs?: boolean;
  readonly serviceAllocation?: ServiceAllocationSpec;
  /**
   * Whom the pool is reserved for (a MetalLoadBalancerClass, say, written so a person can read it:
   * "MetalLoadBalancerClass 'edge'"). Only requests whose `reservation` is the same take its
   * addresses; every other request is refused up front with `PoolReserved`.
   */
  readonly reservedFor?: string;
}

/** A problem with one pool, naming the field. */
export interface PoolIssue {
  readonly pool: string;
  /** JSON path within the pool spec, e.g. `addresses[1]`. */
  readonly path: string;
  readonly message: string;
}

/** The validated `serviceAllocation` of a pool: which services it serves, and its priority. */
export interface PoolServicePolicy {
  readonly priority: number | undefined;
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelectors: readonly LabelSelector[];
  readonly serviceSelectors: readonly LabelSelector[];
}

/** A validated pool: parsed ranges in declaration order (the order addresses are handed out). */
export interface PoolDefinition {
  readonly name: string;
  readonly ranges: readonly AddressRange[];
  readonly autoAssign: boolean;
  readonly avoidBuggyIPs: boolean;
  readonly servicePolicy: PoolServicePolicy | undefined;
  readonly reservedFor: string | undefined;
}

/** Pools refused, with every problem found (`issues`), each naming its pool and field. */
export interface PoolsError {
  readonly kind: 'InvalidPools';
  /** All issues, one per line. */
  readonly message: string;
  readonly issues: readonly PoolIssue[];
}

export type DefinePoolsResult = { readonly ok: true; readonly value: PoolDefinition[] } | { readonly ok: false; readonly error: PoolsError };

export function poolsError(issues: readonly PoolIssue[]): PoolsError {
  return { kind: 'InvalidPools', message: issues.map((i) => `pool ${i.pool}: ${i.path}: ${i.message}`).join('\n'), issues };
}

/** Validates every pool at once; returns all problems, or the definitions when there are none. */
export function definePools(specs: readonly PoolSpec[]): DefinePoolsResult {
  const errors: PoolIssue[] = [];
  const pools: PoolDefinition[] = [];
  const seen = new Set<string>();
  specs.forEach((spec, index) => {
    const name = typeof spec.name === 'string' ? spec.name : '';
    const label = name || `#${index}`;
    if (name === '') errors.push({ pool: label, path: 'name', message: 'pool name is empty' });
    else if (seen.has(name)) errors.push({ pool: name, path: 'name', message: `duplicate pool name '${name}'` });
    seen.add(name);
    const definition = definePool(spec, label, errors);
    if (definition) pools.push(definition);
  });
  const owned = pools.flatMap((pool) => pool.ranges.map((range) => ({ range, owner: pool.name })));
  for (const { a, b } of findOverlaps(owned)) {
    const other = a.owner === b.owner ? 'in the same pool' : `of pool '${a.owner}'`;
    errors.push({ pool: b.owner, path: 'addresses', message: `${b.range.text} overlaps ${a.range.text} ${other}` });
  }
  return errors.length > 0 ? { ok: false, error: poolsError(errors) } : { ok: true, value: pools };
}

function definePool(spec: PoolSpec, label: string, errors: PoolIssue[]): PoolDefinition | undefined {
  const before = errors.length;
  const addresses = Array.isArray(spec.addresses) ? spec.addresses : [];
  if (addresses.length === 0) errors.push({ pool: label, path: 'addresses', message: 'pool has no addresses' });
  const ranges: AddressRange[] = [];
  addresses.forEach((entry, i) => {
    const parsed = typeof entry === 'string' ? parseAddressRange(entry) : undefined;
    if (parsed?.ok) ranges.push(parsed.value);
    else errors.push({ pool: label, path: `addresses[${i}]`, message: parsed?.error.message ?? 'address entry must be a string' });
  });
  const servicePolicy = spec.serviceAllocation && defineServicePolicy(spec.serviceAllocation, label, errors);
  if (spec.reservedFor !== undefined && (typeof spec.reservedFor !== 'string' || spec.reservedFor === '')) {
    errors.push({ pool: label, path: 'reservedFor', message: 'reservedFor must be a non-empty string when set' });
  }
  if (errors.length > before) return undefined;
  return {
    name: spec.name,
    ranges,
    autoAssign: spec.autoAssign ?? true,
    avoidBuggyIPs: spec.avoidBuggyIPs ?? false,
    servicePolicy,
    reservedFor: spec.reservedFor,
  };
}

function defineServicePolicy(spec: ServiceAllocationSpec, pool: string, errors: PoolIssue[]): PoolServicePolicy {
  const at = 'serviceAllocation';
  if (spec.priority !== undefined && (!Number.isInteger(spec.priority) || spec.priority < 0)) {
    errors.push({ pool, path: `${at}.priority`, message: `priority must be a non-negative integer, got ${String(spec.priority)}` });
  }
  const namespaces = new Set<string>();
  for (const [i, ns] of (spec.namespaces ?? []).entries()) {
    if (namespaces.has(ns)) errors.push({ pool, path: `${at}.namespaces[${i}]`, message: `duplicate namespace '${ns}'` });
    namespaces.add(ns);
  }
  for (const field of ['namespaceSelectors', 'serviceSelectors'] as const) {
    const seen = new Set<string>();
    (spec[field] ?? []).forEach((selector, i) => {
      for (const problem of labelSelectorProblems(selector)) {
        errors.push({ pool, path: `${at}.${field}[${i}]${problem.path}`, message: problem.message });
      }
      const key = selectorKey(selector);
      if (seen.has(key)) errors.push({ pool, path: `${at}.${field}[${i}]`, message: `duplicate selector` });
      seen.add(key);
    });
  }
  return {
    // MetalLB treats priority 0 as "no priority".
    priority: spec.priority ? spec.priority : undefined,
    namespaces,
    namespaceSelectors: spec.namespaceSelectors ?? [],
    serviceSelectors: spec.serviceSelectors ?? [],
  };
}

/** Why a pool does not serve a service, or undefined when it does. */
export function poolRefusal(
  pool: PoolDefinition,
  namespace: string,
  namespaceLabels: Labels | undefined,
  serviceLabels: Labels | undefined,
): string | undefined {
  const allocation = pool.servicePolicy;
  if (!allocation) return undefined;
  const restrictsNamespaces = allocation.namespaces.size > 0 || allocation.namespaceSelectors.length > 0;
  if (
    restrictsNamespaces &&
    !allocation.namespaces.has(namespace) &&
    !matchesAnySelector(allocation.namespaceSelectors, namespaceLabels)
  ) {
    return `pool '${pool.name}' does not serve namespace '${namespace}' (serviceAllocation.namespaces/namespaceSelectors)`;
  }
  if (allocation.serviceSelectors.length > 0 && !matchesAnySelector(allocation.serviceSelectors, serviceLabels)) {
    return `pool '${pool.name}' serves only services matching its serviceAllocation.serviceSelectors`;
  }
  return undefined;
}

/**
 * The order automatic allocation tries pools in: pools with a serviceAllocation by priority (lower
 * first, unset last), then pools without one. MetalLB breaks ties at random; we break them by pool
 * name so that the same configuration always gives the same addresses.
 */
export function comparePoolsForAutoAssign(a: PoolDefinition, b: PoolDefinition): number {
  const rank = (p: PoolDefinition): number => (p.servicePolicy ? (p.servicePolicy.priority !== undefined ? 0 : 1) : 2);
  const byRank = rank(a) - rank(b);
  if (byRank !== 0) return byRank;
  const pa = a.servicePolicy?.priority ?? 0;
  const pb = b.servicePolicy?.priority ?? 0;
  if (pa !== pb) return pa - pb;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export function poolFamilies(pool: PoolDefinition): Set<IpFamily> {
  return new Set(pool.ranges.map((r) => r.family));
}
