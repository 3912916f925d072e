// IPAddressPools and the pools of MetalLoadBalancerClasses: addresses parsed, checked against each
// other for overlaps (sorted sweep, O(n log n)), and put in @lb/ipam's PoolSpec shape.
import { addressBits, type IpFamily } from '@lb/ip';
import { findOverlaps, parseAddressRange, type AddressRange, type PoolSpec, type ServiceAllocationSpec } from '@lb/ipam';
import { type Labels } from '@lb/labels';
import { formatResource, type PathSegment } from '../issues.js';
import { type IPAddressPoolResource } from '../resources.js';
import { type IssueSink, type Origin } from './context.js';
import { checkSelectors } from './selectors.js';

/** A pool on its way through compile(): parsed, not yet tied to advertisements. */
export interface PoolDraft {
  readonly name: string;
  readonly origin: Origin;
  readonly labels: Labels;
  readonly spec: PoolSpec;
  /** Parsed entries in order, with the index of the entry each came from. */
  readonly entries: ReadonlyArray<{ readonly index: number; readonly range: AddressRange; readonly widestPrefix: number }>;
  readonly families: readonly IpFamily[];
  readonly className: string | undefined;
  /** Where the address list is in the resource: spec.addresses or spec.addressPool. */
  readonly addressesPath: readonly PathSegment[];
}

/** The allocator pool of a MetalLoadBalancerClass; ':' cannot occur in a resource name, so it never clashes. */
export const classPoolName = (className: string): string => `class:${className}`;

/** What a class's pool is reserved for, and what its Services hold: no other Service takes its addresses. */
export const classReservation = (className: string): string => `MetalLoadBalancerClass '${className}'`;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function draftIPAddressPool(sink: IssueSink, origin: Origin, pool: IPAddressPoolResource): PoolDraft {
  const spec = pool.spec;
  const addressesPath = ['spec', 'addresses'];
  const entries = parseEntries(sink, origin, addressesPath, spec.addresses);
  const serviceAllocation = spec.serviceAllocation && checkServiceAllocation(sink, origin, spec.serviceAllocation);
  const poolSpec: PoolSpec = {
    name: pool.metadata.name,
    addresses: spec.addresses.map((a) => a.trim()),
    autoAssign: spec.autoAssign ?? true,
    avoidBuggyIPs: spec.avoidBuggyIPs ?? false,
    ...(serviceAllocation ? { serviceAllocation } : {}),
  };
  return {
    name: pool.metadata.name,
    origin,
    labels: pool.metadata.labels ?? {},
    spec: poolSpec,
    entries,
    families: familiesOf(entries),
    className: undefined,
    addressesPath,
  };
}

export function draftClassPool(sink: IssueSink, origin: Origin, className: string, addresses: readonly string[]): PoolDraft {
  const addressesPath = ['spec', 'addressPool'];
  const entries = parseEntries(sink, origin, addressesPath, addresses);
  const name = classPoolName(className);
  return {
    name,
    origin,
    labels: {},
    // Only Services of the class draw from it (they ask for it by name), never automatic allocation.
    spec: { name, addresses: addresses.map((a) => a.trim()), autoAssign: false, avoidBuggyIPs: false, reservedFor: classReservation(className) },
    entries,
    families: familiesOf(entries),
    className,
    addressesPath,
  };
}

function parseEntries(sink: IssueSink, origin: Origin, path: readonly PathSegment[], addresses: readonly string[]): PoolDraft['entries'] {
  if (addresses.length === 0) sink.error(origin, path, 'no addresses: list at least one CIDR, range or address');
  const entries: Array<PoolDraft['entries'][number]> = [];
  addresses.forEach((entry, index) => {
    const parsed = parseAddressRange(entry);
    if (parsed.ok) entries.push({ index, range: parsed.value, widestPrefix: widestPrefixLength(parsed.value) });
    else sink.error(origin, [...path, index], parsed.error.message);
  });
  return entries;
}

function familiesOf(entries: PoolDraft['entries']): IpFamily[] {
  const families = new Set(entries.map((e) => e.range.family));
  return (['IPv4', 'IPv6'] as const).filter((f) => families.has(f));
}

/**
 * The shortest prefix among the CIDR blocks that exactly cover a range (a /24 for 10.0.0.0/24, a
 * /25 for 10.0.0.0-10.0.0.200): the shortest aggregation length the range can be announced with
 * without announcing addresses outside it.
 */
export function widestPrefixLength(range: AddressRange): number {
  const bits = addressBits(range.family);
  let widest: number = bits;
  let start = range.first;
  while (start <= range.last) {
    let size = 0;
    // Grow the block while start stays aligned to it and it stays inside the range.
    while (size < bits && (start & ((1n << BigInt(size + 1)) - 1n)) === 0n && start + (1n << BigInt(size + 1)) - 1n <= range.last) size++;
    widest = Math.min(widest, bits - size);
    start += 1n << BigInt(size);
  }
  return widest;
}

type ServiceAllocationInput = NonNullable<IPAddressPoolResource['spec']['serviceAllocation']>;

function checkServiceAllocation(sink: IssueSink, origin: Origin, allocation: ServiceAllocationInput): ServiceAllocationSpec {
  const at = ['spec', 'serviceAllocation'];
  if (allocation.priority !== undefined && allocation.priority < 0) {
    sink.error(origin, [...at, 'priority'], `priority must be 0 or more (lower is tried first), got ${allocation.priority}`);
  }
  const seen = new Set<string>();
  (allocation.namespaces ?? []).forEach((namespace, i) => {
    if (seen.has(namespace)) sink.error(origin, [...at, 'namespaces', i], `namespace '${namespace}' is listed twice`);
    else if (namespace.length > 63 || !DNS_LABEL.test(namespace)) sink.error(origin, [...at, 'namespaces', i], `'${namespace}' is not a namespace name`);
    seen.add(namespace);
  });
  const namespaceSelectors = checkSelectors(sink, origin, [...at, 'namespaceSelectors'], allocation.namespaceSelectors);
  const serviceSelectors = checkSelectors(sink, origin, [...at, 'serviceSelectors'], allocation.serviceSelectors);
  return {
    ...(allocation.priority !== undefined ? { priority: allocation.priority } : {}),
    ...(allocation.namespaces ? { namespaces: allocation.namespaces } : {}),
    ...(allocation.namespaceSelectors ? { namespaceSelectors } : {}),
    ...(allocation.serviceSelectors ? { serviceSelectors } : {}),
  };
}

/** Duplicate pool names and overlapping addresses, within and across pools (classes included). */
export function checkPoolsTogether(sink: IssueSink, drafts: readonly PoolDraft[]): void {
  const byName = new Map<string, PoolDraft>();
  for (const draft of drafts) {
    const first = byName.get(draft.name);
    if (first) {
      sink.error(draft.origin, ['metadata', 'name'], `pool name '${draft.name}' is already used by ${formatResource(first.origin.ref)}; pool names must be unique across namespaces`);
    } else byName.set(draft.name, draft);
  }
  // The error goes to whichever pool comes later in the input: the newer one when the input is in
  // creation order (as the controller gives it), so an invalid new pool is reported, not the valid
  // one it collides with.
  const order = new Map(drafts.map((draft, i) => [draft, i]));
  const owned = drafts.flatMap((draft) => draft.entries.map((entry) => ({ range: entry.range, owner: { draft, index: entry.index } })));
  for (const overlap of findOverlaps(owned)) {
    const position = (o: typeof overlap.a): [number, number] => [order.get(o.owner.draft) ?? 0, o.owner.index];
    const [[da, ia], [db, ib]] = [position(overlap.a), position(overlap.b)];
    const [earlier, later] = da < db || (da === db && ia <= ib) ? [overlap.a, overlap.b] : [overlap.b, overlap.a];
    const where = earlier.owner.draft === later.owner.draft ? `entry [${earlier.owner.index}] of the same pool` : formatResource(earlier.owner.draft.origin.ref);
    sink.error(later.owner.draft.origin, [...later.owner.draft.addressesPath, later.owner.index], `${later.range.text} overlaps ${earlier.range.text} of ${where}`);
  }
}
