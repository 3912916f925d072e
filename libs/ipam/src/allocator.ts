import { formatAddress, parseAddress, type IpAddress, type IpFamily } from './address.js';
import { allocationError, refused, type AllocationError } from './errors.js';
import {
  comparePoolsForAutoAssign,
  definePools,
  poolRefusal,
  type PoolDefinition,
  type PoolSpec,
  type PoolsError,
} from './pool.js';
import { RangeState, type Offset } from './range-state.js';
import { normalizeRequest, type AllocationRequest, type NormalizedRequest, type SharingTerms } from './request.js';

/** The addresses a service holds, from one pool. */
export interface Allocation {
  readonly service: string;
  readonly pool: string;
  /** Primary family first, then the other; canonical text. */
  readonly addresses: readonly string[];
}

/** What `allocate` and `assign` hand out. */
export interface Allocated extends Allocation {
  /** False when the service already held exactly these addresses. */
  readonly changed: boolean;
  /** Addresses asked for (count × families) but not available; 0 when fully served. */
  readonly missing: number;
}

export type AllocationResult = { readonly ok: true; readonly value: Allocated } | { readonly ok: false; readonly error: AllocationError };

export interface ReleasedAssignment extends Allocation {
  readonly reason: string;
}

/** What `setPools` changed. */
export interface PoolsApplied {
  /** Assignments freed because their addresses left every pool, or became avoided. */
  readonly released: readonly ReleasedAssignment[];
  /** Services whose addresses now belong to a differently named pool (a rename). */
  readonly moved: ReadonlyArray<{ readonly from: string; readonly to: string; readonly services: readonly string[] }>;
}

export type SetPoolsResult = { readonly ok: true; readonly value: PoolsApplied } | { readonly ok: false; readonly error: PoolsError };

/** Usage of one pool for one family. Totals are exact bigints, even for an IPv6 /64. */
export interface PoolStatistics {
  readonly pool: string;
  readonly family: IpFamily;
  readonly total: bigint;
  readonly inUse: number;
  readonly free: bigint;
}

interface PoolState {
  readonly definition: PoolDefinition;
  readonly ranges: readonly Range[];
}

type Range = RangeState<Holding, PoolState>;

interface Slot {
  range: Range;
  offset: Offset;
}

/** What one service holds. The first address is stored inline: most services hold one. */
class Assignment {
  constructor(
    readonly service: string,
    public range: Range,
    public offset: Offset,
    public extra: Slot[] | undefined,
    public terms: SharingTerms | undefined,
    public reservation: string | undefined,
  ) {}

  get pool(): PoolState {
    return this.range.owner;
  }

  slots(): Slot[] {
    const first = { range: this.range, offset: this.offset };
    return this.extra ? [first, ...this.extra] : [first];
  }

  retarget(from: Range, fromOffset: Offset, to: Range, toOffset: Offset): void {
    if (this.range === from && this.offset === fromOffset) {
      this.range = to;
      this.offset = toOffset;
      return;
    }
    const slot = this.extra?.find((s) => s.range === from && s.offset === fromOffset);
    if (slot) {
      slot.range = to;
      slot.offset = toOffset;
    }
  }
}

/** An address held by several services that share it. */
class SharedAddress {
  constructor(readonly members: Assignment[]) {}
}

type Holding = Assignment | SharedAddress;

const holdersOf = (holding: Holding | undefined): readonly Assignment[] =>
  holding === undefined ? [] : holding instanceof SharedAddress ? holding.members : [holding];

const compareBigint = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Hands out addresses from pools to services with MetalLB's rules (see README.md): requested
 * addresses, then a requested pool, then pools by priority; sharing by key; dual-stack from one
 * pool. Pure: no I/O, no clock, no randomness; nothing throws for bad input.
 */
export class Allocator {
  private pools = new Map<string, PoolState>();
  private autoOrder: PoolState[] = [];
  private sortedRanges: Record<IpFamily, Range[]> = { IPv4: [], IPv6: [] };
  private readonly byService = new Map<string, Assignment>();
  private readonly bySharingKey = new Map<string, Set<Assignment>>();
  private readonly multiAddress = new Set<Assignment>();

  /**
   * Replaces the pools. Every assignment whose addresses are still in one pool is kept (following
   * a renamed pool); the others are released and reported. Invalid pools change nothing and
   * return every problem at once.
   */
  setPools(specs: readonly PoolSpec[]): SetPoolsResult {
    const defined = definePools(specs);
    if (!defined.ok) return defined;

    const rangeKey = (family: IpFamily, first: bigint, last: bigint): string => `${family}|${first}|${last}`;
    const unadopted = new Map<string, Range>();
    const previousPool = new Map<Range, string>();
    for (const pool of this.pools.values()) {
      for (const range of pool.ranges) {
        unadopted.set(rangeKey(range.family, range.first, range.last), range);
        previousPool.set(range, pool.definition.name);
      }
    }

    const toRelease = new Map<Assignment, string>();
    const moves = new Map<string, Set<string>>();
    const noteMove = (assignment: Assignment, from: string, to: string): void => {
      if (from === to) return;
      const key = `${from}\u0000${to}`;
      let services = moves.get(key);
      if (!services) moves.set(key, (services = new Set()));
      services.add(assignment.service);
    };

    const pools = new Map<string, PoolState>();
    for (const definition of defined.value) {
      const ranges: Range[] = [];
      const pool: PoolState = { definition, ranges };
      definition.ranges.forEach((spec, index) => {
        const key = rangeKey(spec.family, spec.first, spec.last);
        const old = unadopted.get(key);
        if (!old) {
          ranges.push(new RangeState<Holding, PoolState>(spec, definition.avoidBuggyIPs, pool, index));
          return;
        }
        // The same range survives: keep its state (and every holder) without touching them.
        unadopted.delete(key);
        old.owner = pool;
        old.index = index;
        for (const offset of old.setAvoidBuggy(definition.avoidBuggyIPs)) {
          for (const holder of holdersOf(old.holdingAt(offset))) {
            toRelease.set(holder, nowAvoided(formatAddress(old.family, old.addressAt(offset)), definition.name));
          }
        }
        const from = previousPool.get(old) as string;
        if (from !== definition.name) {
          for (const [, holding] of old.held()) for (const holder of holdersOf(holding)) noteMove(holder, from, definition.name);
        }
        ranges.push(old);
      });
      pools.set(definition.name, pool);
    }

    this.pools = pools;
    this.rebuildIndexes();

    // Ranges that were removed or restated: move each held address to whichever new range now
    // contains it, or release its holders.
    for (const orphan of unadopted.values()) {
      const from = previousPool.get(orphan) as string;
      let target: Range | undefined;
      for (const [offset, holding] of orphan.held()) {
        const value = orphan.addressAt(offset);
        if (!target || !target.contains(value)) target = this.rangeContaining(orphan.family, value);
        const newOffset = target?.offsetOf(value);
        if (!target || newOffset === undefined || target.isAvoided(newOffset)) {
          const why = target
            ? nowAvoided(formatAddress(orphan.family, value), target.owner.definition.name)
            : `${formatAddress(orphan.family, value)} is no longer in any pool`;
          for (const holder of holdersOf(holding)) toRelease.set(holder, why);
          continue;
        }
        target.hold(newOffset, holding);
        for (const holder of holdersOf(holding)) {
          holder.retarget(orphan, offset, target, newOffset);
          noteMove(holder, from, target.owner.definition.name);
        }
      }
    }

    // A pool reserved for someone takes back what others hold (only reserved pools are walked).
    for (const pool of this.pools.values()) {
      const reservedFor = pool.definition.reservedFor;
      if (reservedFor === undefined) continue;
      for (const range of pool.ranges) {
        for (const [offset, holding] of range.held()) {
          for (const holder of holdersOf(holding)) {
            if (holder.reservation === reservedFor || toRelease.has(holder)) continue;
            toRelease.set(holder, `${formatAddress(range.family, range.addressAt(offset))} now belongs to ${reservedFor}`);
          }
        }
      }
    }

    // An assignment's addresses must all come from one pool (dual-stack, several addresses).
    for (const assignment of this.multiAddress) {
      const pools = new Set(assignment.slots().map((slot) => slot.range.owner));
      if (pools.size > 1 && !toRelease.has(assignment)) {
        toRelease.set(assignment, `its addresses are now in different pools`);
      }
    }

    const released: ReleasedAssignment[] = [];
    for (const [assignment, reason] of toRelease) {
      const view = this.view(assignment);
      this.detachAll(assignment);
      this.unregister(assignment);
      released.push({ ...view, reason });
    }
    const releasedServices = new Set(released.map((r) => r.service));
    const moved = [...moves].map(([key, services]) => {
      const [from = '', to = ''] = key.split('\u0000');
      return { from, to, services: [...services].filter((s) => !releasedServices.has(s)) };
    });
    return { ok: true, value: { released, moved: moved.filter((m) => m.services.length > 0) } };
  }

  /**
   * Gives the service its addresses, or keeps those it holds when they still satisfy the request
   * (topping up a missing PreferDualStack family or address count from the same pool). When they
   * no longer do (other requested IP, other pool, incompatible sharing), they are released and a
   * new allocation is made.
   */
  allocate(request: AllocationRequest): AllocationResult {
    const normalized = normalizeRequest(request);
    if (!normalized.ok) return refused('InvalidRequest', normalized.error);
    const req = normalized.value;
    const existing = this.byService.get(req.service);
    let before: string[] = [];
    if (existing) {
      before = this.view(existing).addresses as string[];
      const kept = this.keep(existing, req);
      if (kept) return kept;
      this.detachAll(existing);
      this.unregister(existing);
    }
    const result =
      req.requestedIPs.length > 0
        ? this.claim(req, req.requestedIPs, true)
        : req.requestedPool !== undefined
          ? this.allocateFromRequestedPool(req, req.requestedPool)
          : this.allocateAutomatically(req);
    if (result.ok && before.length > 0 && sameAddresses(before, result.value.addresses)) return { ok: true, value: { ...result.value, changed: false } };
    return result;
  }

  /**
   * Restores addresses a service already holds (from its status, after a restart). Checks that
   * they are in one pool, fit the request and can be shared as requested, but not the pool's
   * service selectors: an address once given is kept while it stays in a pool, as MetalLB keeps
   * it across selector and priority changes. Restore every existing holder before allocating
   * anything new, so that no address moves.
   */
  assign(request: AllocationRequest, addresses: readonly string[]): AllocationResult {
    const normalized = normalizeRequest(request);
    if (!normalized.ok) return refused('InvalidRequest', normalized.error);
    const req = normalized.value;
    const ips: IpAddress[] = [];
    for (const text of addresses) {
      const ip = parseAddress(text.trim());
      if (!ip) return refused('InvalidRequest', `'${text}' is not an IP address`);
      ips.push(ip);
    }
    if (ips.length === 0) return refused('InvalidRequest', 'no addresses to assign');
    if (req.requestedIPs.length > 0 && !sameAddresses(ips.map(ipText), req.requestedIPs.map(ipText))) {
      return refused('InvalidRequest', `${req.service} asks for ${req.requestedIPs.map(ipText).join(', ')} but holds ${ips.map(ipText).join(', ')}`);
    }
    const existing = this.byService.get(req.service);
    if (existing) {
      if (sameAddresses(this.view(existing).addresses, ips.map(ipText))) {
        const kept = this.keep(existing, req);
        if (kept) return kept;
      }
      this.detachAll(existing);
      this.unregister(existing);
    }
    return this.claim(req, ips, false);
  }

  /** Frees what the service holds; returns it, or undefined when it held nothing. */
  release(service: string): Allocation | undefined {
    const assignment = this.byService.get(service);
    if (!assignment) return undefined;
    const view = this.view(assignment);
    this.detachAll(assignment);
    this.unregister(assignment);
    return view;
  }

  /** What the service holds, if anything. */
  get(service: string): Allocation | undefined {
    const assignment = this.byService.get(service);
    return assignment && this.view(assignment);
  }

  /** Services holding an address (several when shared). */
  holdersOf(address: string): string[] {
    const ip = parseAddress(address);
    const range = ip && this.rangeContaining(ip.family, ip.value);
    if (!ip || !range) return [];
    return holdersOf(range.holdingAt(range.offsetOf(ip.value))).map((a) => a.service);
  }

  /** The pool an address belongs to (avoided .0/.255 addresses belong to none), if any. */
  poolOf(address: string): string | undefined {
    const ip = parseAddress(address);
    const range = ip && this.rangeContaining(ip.family, ip.value);
    if (!ip || !range || range.isAvoided(range.offsetOf(ip.value))) return undefined;
    return range.owner.definition.name;
  }

  get size(): number {
    return this.byService.size;
  }

  /** How many services hold addresses of each pool (pools nobody uses are absent). */
  servicesPerPool(): Map<string, number> {
    const out = new Map<string, number>();
    for (const assignment of this.byService.values()) {
      const pool = assignment.pool.definition.name;
      out.set(pool, (out.get(pool) ?? 0) + 1);
    }
    return out;
  }

  poolNames(): string[] {
    return [...this.pools.keys()].sort();
  }

  /** Per pool and family: total, in use and free, exact (IPv6 totals are bigints). */
  statistics(): PoolStatistics[] {
    const out: PoolStatistics[] = [];
    for (const name of this.poolNames()) {
      const pool = this.pools.get(name) as PoolState;
      for (const family of ['IPv4', 'IPv6'] as const) {
        let total = 0n;
        let inUse = 0;
        for (const range of pool.ranges) {
          if (range.family !== family) continue;
          total += range.capacity;
          inUse += range.inUse;
        }
        out.push({ pool: name, family, total, inUse, free: total - BigInt(inUse) });
      }
    }
    return out;
  }

  // --- allocation paths ------------------------------------------------------------------------

  /** Takes specific addresses: the service's requested IPs, or (restoring) those it holds. */
  private claim(req: NormalizedRequest, ips: readonly IpAddress[], checkPoolAllowed: boolean): AllocationResult {
    const slots: Slot[] = [];
    let pool: PoolState | undefined;
    for (const ip of ips) {
      const text = ipText(ip);
      const range = this.rangeContaining(ip.family, ip.value);
      if (!range) return refused('AddressNotInAnyPool', `${text} is not in any pool`);
      const offset = range.offsetOf(ip.value);
      const owner = range.owner.definition.name;
      if (range.isAvoided(offset)) {
        return refused('AddressAvoided', `${text} ends in .0 or .255, which pool '${owner}' avoids (avoidBuggyIPs)`);
      }
      if (pool && pool !== range.owner) {
        return refused('AddressesInDifferentPools', `${ipText(ips[0] as IpAddress)} is in pool '${pool.definition.name}' but ${text} is in pool '${owner}'`);
      }
      pool = range.owner;
      const reserved = reservationProblem(range.owner.definition, req, text);
      if (reserved) return { ok: false, error: reserved };
      if (req.requestedPool !== undefined && req.requestedPool !== owner) {
        return refused('AddressNotInRequestedPool', `${text} is in pool '${owner}' but the service asked for pool '${req.requestedPool}'`);
      }
      if (!req.families.includes(ip.family)) {
        return refused('InvalidRequest', `${text} is ${ip.family} but the service uses ${req.families.join(' and ')}`);
      }
      const problem = this.sharingProblem({ range, offset }, req, text);
      if (problem) return { ok: false, error: problem };
      slots.push({ range, offset });
    }
    const owner = pool as PoolState;
    if (checkPoolAllowed) {
      const refusal = poolRefusal(owner.definition, req.namespace, req.namespaceLabels, req.serviceLabels);
      if (refusal) return refused('PoolNotAllowed', refusal);
    }
    const [first, ...rest] = slots as [Slot, ...Slot[]];
    const assignment = new Assignment(req.service, first.range, first.offset, rest.length > 0 ? rest : undefined, req.terms, req.reservation);
    for (const slot of slots) this.attach(assignment, slot);
    this.register(assignment);
    return this.success(assignment, req, true);
  }

  private allocateFromRequestedPool(req: NormalizedRequest, name: string): AllocationResult {
    const pool = this.pools.get(name);
    if (!pool) return refused('UnknownPool', `pool '${name}' does not exist`);
    const reserved = reservationProblem(pool.definition, req, `pool '${name}'`);
    if (reserved) return { ok: false, error: reserved };
    const refusal = poolRefusal(pool.definition, req.namespace, req.namespaceLabels, req.serviceLabels);
    if (refusal) return refused('PoolNotAllowed', refusal);
    const result = this.allocateInPool(pool, req, req.families);
    if (result) return result;
    const empty = req.families.filter((family) => !this.candidateIn(pool, family, req, undefined));
    const families = (req.requiredFamilies.length > 0 ? req.requiredFamilies.filter((f) => empty.includes(f)) : empty).join(' or ');
    return refused('PoolExhausted', `pool '${name}' has no free ${families || req.families.join('/')} address`);
  }

  /**
   * MetalLB's choice: the first pool (in priority order) that has every wanted family; for
   * PreferDualStack, failing that, the first with the primary family, then the first with the
   * secondary.
   */
  private allocateAutomatically(req: NormalizedRequest): AllocationResult {
    const eligible = this.autoOrder.filter(
      (pool) =>
        reservationProblem(pool.definition, req, '') === undefined &&
        poolRefusal(pool.definition, req.namespace, req.namespaceLabels, req.serviceLabels) === undefined,
    );
    const fallback: Array<PoolState | undefined> = req.families.map(() => undefined);
    for (const pool of eligible) {
      const available = req.families.map((family) => this.candidateIn(pool, family, req, undefined) !== undefined);
      if (available.every(Boolean)) {
        const result = this.allocateInPool(pool, req, req.families);
        if (result) return result;
      }
      if (req.policy === 'PreferDualStack') {
        available.forEach((has, i) => {
          if (has && fallback[i] === undefined) fallback[i] = pool;
        });
      }
    }
    for (const [i, pool] of fallback.entries()) {
      const family = req.families[i] as IpFamily;
      const result = pool && this.allocateInPool(pool, req, [family]);
      if (result) return result;
    }
    if (eligible.length === 0) {
      return refused('NoAddressAvailable', `no pool with autoAssign serves ${req.service}`);
    }
    const wanted = req.policy === 'RequireDualStack' ? 'IPv4 and IPv6 addresses' : `${req.families.join(' or ')} address`;
    return refused('NoAddressAvailable', `no pool that serves ${req.service} has a free ${wanted} (tried ${eligible.map((p) => `'${p.definition.name}'`).join(', ')})`);
  }

  /** Takes up to `count` addresses of each family from one pool; undefined if a needed family has none. */
  private allocateInPool(pool: PoolState, req: NormalizedRequest, families: readonly IpFamily[]): AllocationResult | undefined {
    let assignment: Assignment | undefined;
    const got = new Map<IpFamily, number>();
    for (const family of families) {
      for (let i = 0; i < req.count; i++) {
        const slot = this.candidateIn(pool, family, req, assignment);
        if (!slot) break;
        if (!assignment) {
          assignment = new Assignment(req.service, slot.range, slot.offset, undefined, req.terms, req.reservation);
        } else {
          (assignment.extra ??= []).push(slot);
        }
        this.attach(assignment, slot);
        got.set(family, (got.get(family) ?? 0) + 1);
      }
    }
    const satisfied = req.requiredFamilies.every((family) => (got.get(family) ?? 0) > 0) && assignment !== undefined;
    if (!satisfied) {
      if (assignment) this.detachAll(assignment);
      return undefined;
    }
    const done = assignment as Assignment;
    this.register(done);
    return this.success(done, req, true);
  }

  /**
   * The address MetalLB's scan would stop at: in range order, the lowest address that is free or
   * held by services this one may share with. `self` excludes addresses it already holds.
   */
  private candidateIn(pool: PoolState, family: IpFamily, req: NormalizedRequest, self: Assignment | undefined): Slot | undefined {
    const sharedBest = new Map<Range, Offset>();
    if (req.terms) {
      for (const other of this.bySharingKey.get(req.terms.sharingKey) ?? []) {
        if (other.pool !== pool || other === self) continue;
        for (const slot of other.slots()) {
          if (slot.range.family !== family) continue;
          const holders = holdersOf(slot.range.holdingAt(slot.offset));
          if (self && holders.includes(self)) continue;
          if (this.sharingProblem(slot, req, '')) continue;
          const best = sharedBest.get(slot.range);
          if (best === undefined || slot.offset < best) sharedBest.set(slot.range, slot.offset);
        }
      }
    }
    for (const range of pool.ranges) {
      if (range.family !== family) continue;
      const free = range.lowestFree();
      const shared = sharedBest.get(range);
      if (free === undefined && shared === undefined) continue;
      const offset = shared === undefined || (free !== undefined && free < shared) ? (free as number) : shared;
      return { range, offset };
    }
    return undefined;
  }

  /** Keeps an existing assignment when it still satisfies the request; undefined when it does not. */
  private keep(assignment: Assignment, req: NormalizedRequest): AllocationResult | undefined {
    const pool = assignment.pool;
    const slots = assignment.slots();
    if (req.requestedIPs.length > 0) {
      const held = slots.map((s) => formatAddress(s.range.family, s.range.addressAt(s.offset)));
      if (!sameAddresses(held, req.requestedIPs.map(ipText))) return undefined;
    } else if (req.requestedPool !== undefined && req.requestedPool !== pool.definition.name) {
      return undefined;
    }
    if (slots.some((slot) => !req.families.includes(slot.range.family))) return undefined;
    if (reservationProblem(pool.definition, req, '')) return undefined;
    for (const slot of slots) if (this.sharingProblem(slot, req, '')) return undefined;

    let changed = false;
    this.setTerms(assignment, req.terms);
    assignment.reservation = req.reservation;
    if (req.requestedIPs.length === 0) {
      // Too many of a family (the count went down): give back the last ones.
      for (const family of req.families) {
        const ofFamily = assignment.slots().filter((s) => s.range.family === family);
        for (const slot of ofFamily.slice(req.count).reverse()) {
          this.detach(assignment, slot);
          this.removeSlot(assignment, slot);
          changed = true;
        }
      }
      // Too few (a PreferDualStack family became available, or the count went up): top up.
      for (const family of req.families) {
        let have = assignment.slots().filter((s) => s.range.family === family).length;
        while (have < req.count) {
          const slot = this.candidateIn(pool, family, req, assignment);
          if (!slot) break;
          (assignment.extra ??= []).push(slot);
          this.attach(assignment, slot);
          this.multiAddress.add(assignment);
          have++;
          changed = true;
        }
      }
      const heldFamilies = new Set(assignment.slots().map((s) => s.range.family));
      if (req.requiredFamilies.some((family) => !heldFamilies.has(family))) {
        return undefined;
      }
    }
    return this.success(assignment, req, changed);
  }

  // --- sharing -----------------------------------------------------------------------------------

  /**
   * Why the service may not use the address at `slot` given who holds it, or undefined. The sole
   * holder may change its own sharing key in place.
   */
  private sharingProblem(slot: Slot, req: NormalizedRequest, text: string): AllocationError | undefined {
    const others = holdersOf(slot.range.holdingAt(slot.offset)).filter((a) => a.service !== req.service);
    if (others.length === 0) return undefined;
    const address = text || formatAddress(slot.range.family, slot.range.addressAt(slot.offset));
    const holders = others.map((a) => a.service);
    const names = namesFor(req, holders);
    const terms = req.terms;
    for (const other of others) {
      if (!other.terms) {
        return allocationError('AddressInUse', `${address} is in use by ${names}, which does not allow sharing`, holders);
      }
      if (!terms) {
        return allocationError('AddressInUse', `${address} is in use by ${names}; ${req.service} has no allow-shared-ip key to share it`, holders);
      }
      if (other.terms.sharingKey !== terms.sharingKey) {
        return allocationError(
          'SharingKeyMismatch',
          `${address} is shared under key '${other.terms.sharingKey}' by ${names}, not '${terms.sharingKey}'`,
          holders,
        );
      }
      const otherName = namesFor(req, [other.service]);
      if (other.terms.backendKey !== terms.backendKey) {
        return allocationError(
          'BackendKeyMismatch',
          `${address} is used by ${otherName} with externalTrafficPolicy Local and pod selector '${other.terms.backendKey}', which ${req.service} does not match`,
          [other.service],
        );
      }
      for (const port of terms.ports) {
        if (other.terms.ports.some((p) => p.port === port.port && p.protocol === port.protocol)) {
          return allocationError('PortInUse', `port ${port.protocol}/${port.port} is already in use on ${address} by ${otherName}`, [other.service]);
        }
      }
    }
    return undefined;
  }

  private setTerms(assignment: Assignment, terms: SharingTerms | undefined): void {
    if (assignment.terms?.sharingKey !== terms?.sharingKey) {
      this.unindexSharing(assignment);
      assignment.terms = terms;
      this.indexSharing(assignment);
    } else {
      assignment.terms = terms;
    }
  }

  // --- bookkeeping -------------------------------------------------------------------------------

  private attach(assignment: Assignment, slot: Slot): void {
    const holding = slot.range.holdingAt(slot.offset);
    if (holding === undefined) slot.range.hold(slot.offset, assignment);
    else if (holding instanceof SharedAddress) holding.members.push(assignment);
    else slot.range.replace(slot.offset, new SharedAddress([holding, assignment]));
  }

  private detach(assignment: Assignment, slot: Slot): void {
    const holding = slot.range.holdingAt(slot.offset);
    if (holding === assignment) {
      slot.range.free(slot.offset);
    } else if (holding instanceof SharedAddress) {
      const rest = holding.members.filter((m) => m !== assignment);
      if (rest.length === 1) slot.range.replace(slot.offset, rest[0] as Assignment);
      else holding.members.splice(0, holding.members.length, ...rest);
    }
  }

  private detachAll(assignment: Assignment): void {
    for (const slot of assignment.slots()) this.detach(assignment, slot);
  }

  private removeSlot(assignment: Assignment, slot: Slot): void {
    if (assignment.range === slot.range && assignment.offset === slot.offset) {
      const next = assignment.extra?.shift();
      if (next) {
        assignment.range = next.range;
        assignment.offset = next.offset;
      }
    } else {
      assignment.extra = assignment.extra?.filter((s) => !(s.range === slot.range && s.offset === slot.offset));
    }
    if (assignment.extra?.length === 0) assignment.extra = undefined;
    if (!assignment.extra) this.multiAddress.delete(assignment);
  }

  private register(assignment: Assignment): void {
    this.byService.set(assignment.service, assignment);
    this.indexSharing(assignment);
    if (assignment.extra) this.multiAddress.add(assignment);
  }

  private unregister(assignment: Assignment): void {
    if (this.byService.get(assignment.service) === assignment) this.byService.delete(assignment.service);
    this.unindexSharing(assignment);
    this.multiAddress.delete(assignment);
  }

  private indexSharing(assignment: Assignment): void {
    const key = assignment.terms?.sharingKey;
    if (key === undefined) return;
    let group = this.bySharingKey.get(key);
    if (!group) this.bySharingKey.set(key, (group = new Set()));
    group.add(assignment);
  }

  private unindexSharing(assignment: Assignment): void {
    const key = assignment.terms?.sharingKey;
    if (key === undefined) return;
    const group = this.bySharingKey.get(key);
    group?.delete(assignment);
    if (group?.size === 0) this.bySharingKey.delete(key);
  }

  private rebuildIndexes(): void {
    const pools = [...this.pools.values()];
    this.autoOrder = pools
      .filter((pool) => pool.definition.autoAssign)
      .sort((a, b) => comparePoolsForAutoAssign(a.definition, b.definition));
    const all = pools.flatMap((pool) => pool.ranges);
    this.sortedRanges = {
      IPv4: all.filter((r) => r.family === 'IPv4').sort((a, b) => compareBigint(a.first, b.first)),
      IPv6: all.filter((r) => r.family === 'IPv6').sort((a, b) => compareBigint(a.first, b.first)),
    };
  }

  /** Binary search over the non-overlapping ranges of a family. */
  private rangeContaining(family: IpFamily, value: bigint): Range | undefined {
    const ranges = this.sortedRanges[family];
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const range = ranges[mid] as Range;
      if (value < range.first) hi = mid - 1;
      else if (value > range.last) lo = mid + 1;
      else return range;
    }
    return undefined;
  }

  private view(assignment: Assignment): Allocation {
    return {
      service: assignment.service,
      pool: assignment.pool.definition.name,
      addresses: assignment.slots().map((s) => formatAddress(s.range.family, s.range.addressAt(s.offset))),
    };
  }

  private success(assignment: Assignment, req: NormalizedRequest, changed: boolean): AllocationResult {
    const slots = assignment.slots();
    const rank = (family: IpFamily): number => {
      const i = req.families.indexOf(family);
      return i === -1 ? req.families.length : i;
    };
    const ordered = slots
      .map((slot, position) => ({ slot, position }))
      .sort((a, b) => rank(a.slot.range.family) - rank(b.slot.range.family) || a.position - b.position);
    const wanted = req.requestedIPs.length > 0 ? req.requestedIPs.length : req.count * req.families.length;
    return {
      ok: true,
      value: {
        service: assignment.service,
        pool: assignment.pool.definition.name,
        addresses: ordered.map(({ slot }) => formatAddress(slot.range.family, slot.range.addressAt(slot.offset))),
        changed,
        missing: Math.max(0, wanted - slots.length),
      },
    };
  }
}

/** Why a reserved pool refuses the request (`what` names the address or pool asked for), or undefined. */
function reservationProblem(pool: PoolDefinition, req: NormalizedRequest, what: string): AllocationError | undefined {
  if (pool.reservedFor === undefined || pool.reservedFor === req.reservation) return undefined;
  return allocationError('PoolReserved', `${what || `pool '${pool.name}'`} belongs to ${pool.reservedFor}`);
}

/**
 * Other services as the requester may see them: by key in its own namespace; from another
 * namespace only as "another Service", which is all a tenant may learn of its neighbours.
 */
function namesFor(req: NormalizedRequest, services: readonly string[]): string {
  const prefix = `${req.namespace}/`;
  const visible = services.filter((s) => s.startsWith(prefix));
  const hidden = services.length - visible.length;
  if (hidden > 0) visible.push(hidden === 1 ? 'another Service' : `${hidden} other Services`);
  return visible.join(', ');
}

function nowAvoided(address: string, pool: string): string {
  return `${address} ends in .0 or .255, which pool '${pool}' now avoids (avoidBuggyIPs)`;
}

function ipText(ip: IpAddress): string {
  return formatAddress(ip.family, ip.value);
}

function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}
