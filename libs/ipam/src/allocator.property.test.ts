import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAddressRange, isBuggyIp, type IpFamily } from './address.js';
import { Allocator } from './allocator.js';
import { type PoolSpec } from './pool.js';
import { ScanAllocator, ipv4Text } from '../test/scan-allocator.js';

const SERVICES = Array.from({ length: 12 }, (_, i) => `ns/s${i}`);
const KEYS = [undefined, 'k1', 'k2'] as const;
const PORTS = [80, 443, 53] as const;

const poolSpec = fc.record({
  name: fc.constantFrom('a', 'b', 'c'),
  v4: fc.subarray(['10.0.0.0/29', '10.0.0.250-10.0.1.3', '10.0.2.0/30'], { minLength: 1 }),
  v6: fc.subarray(['fd00::/126', 'fd01::1-fd01::3'], { minLength: 0 }),
  avoidBuggyIPs: fc.boolean(),
  autoAssign: fc.boolean(),
});

/** Pools whose address lists never overlap: each address entry goes to at most one pool. */
const poolSet = fc.array(poolSpec, { minLength: 1, maxLength: 3 }).map((specs) => {
  const used = new Set<string>();
  const names = new Set<string>();
  const pools: PoolSpec[] = [];
  for (const spec of specs) {
    if (names.has(spec.name)) continue;
    const addresses = [...spec.v4, ...spec.v6].filter((a) => !used.has(a));
    if (addresses.length === 0) continue;
    addresses.forEach((a) => used.add(a));
    names.add(spec.name);
    pools.push({ name: spec.name, addresses, avoidBuggyIPs: spec.avoidBuggyIPs, autoAssign: spec.autoAssign });
  }
  return pools;
});

const operation = fc.oneof(
  { weight: 5, arbitrary: fc.record({
    kind: fc.constant('allocate' as const),
    service: fc.constantFrom(...SERVICES),
    sharingKey: fc.constantFrom(...KEYS),
    ports: fc.subarray([...PORTS]),
    backendKey: fc.constantFrom('', 'app=x'),
    policy: fc.constantFrom('SingleStack', 'PreferDualStack', 'RequireDualStack') as fc.Arbitrary<'SingleStack' | 'PreferDualStack' | 'RequireDualStack'>,
    primary: fc.constantFrom('IPv4', 'IPv6') as fc.Arbitrary<IpFamily>,
    pool: fc.constantFrom(undefined, undefined, undefined, 'a', 'b'),
    count: fc.constantFrom(1, 1, 2),
  }) },
  { weight: 2, arbitrary: fc.record({
    kind: fc.constant('request' as const),
    service: fc.constantFrom(...SERVICES),
    address: fc.constantFrom('10.0.0.1', '10.0.0.0', '10.0.1.0', '10.0.2.3', 'fd00::2', 'fd01::1'),
    sharingKey: fc.constantFrom(...KEYS),
    ports: fc.subarray([...PORTS]),
  }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), service: fc.constantFrom(...SERVICES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('setPools' as const), pools: poolSet }) },
);

/** Checks every invariant against the allocator's public view, by brute force. */
function checkInvariants(allocator: Allocator, pools: readonly PoolSpec[], terms: Map<string, { key?: string; ports: number[]; backend: string }>) {
  const holders = new Map<string, string[]>();
  const usedPerPool = new Map<string, Set<string>>();
  for (const service of SERVICES) {
    const held = allocator.get(service);
    if (!held) continue;
    const pool = pools.find((p) => p.name === held.pool);
    expect(pool, `${service} holds from unknown pool ${held.pool}`).toBeDefined();
    for (const address of held.addresses) {
      // Every held address is inside its pool and not avoided.
      const inside = pool?.addresses.some((entry) => {
        const r = parseAddressRange(entry);
        const ip = parseAddressRange(address);
        return r.ok && ip.ok && r.value.family === ip.value.family && ip.value.first >= r.value.first && ip.value.first <= r.value.last;
      });
      expect(inside, `${service} holds ${address} outside pool ${held.pool}`).toBe(true);
      const ip = parseAddressRange(address);
      if (ip.ok && pool?.avoidBuggyIPs) expect(isBuggyIp(ip.value.family, ip.value.first)).toBe(false);
      holders.set(address, [...(holders.get(address) ?? []), service]);
      const family = address.includes(':') ? 'IPv6' : 'IPv4';
      const key = `${held.pool}|${family}`;
      if (!usedPerPool.has(key)) usedPerPool.set(key, new Set());
      usedPerPool.get(key)?.add(address);
    }
  }
  // No address is held twice unless sharing allows it.
  for (const [address, services] of holders) {
    if (services.length < 2) continue;
    const all = services.map((s) => terms.get(s));
    for (const t of all) expect(t?.key, `${address} shared by ${services.join(',')} without a key`).toBeTruthy();
    expect(new Set(all.map((t) => t?.key)).size, `${address} shared under different keys`).toBe(1);
    expect(new Set(all.map((t) => t?.backend)).size, `${address} shared with different backends`).toBe(1);
    const ports = all.flatMap((t) => t?.ports ?? []);
    expect(new Set(ports).size, `${address} shared with a common port`).toBe(ports.length);
  }
  // Statistics equal a brute-force count.
  for (const stat of allocator.statistics()) {
    const pool = pools.find((p) => p.name === stat.pool);
    let total = 0n;
    for (const entry of pool?.addresses ?? []) {
      const r = parseAddressRange(entry);
      if (!r.ok || r.value.family !== stat.family) continue;
      for (let v = r.value.first; v <= r.value.last; v++) if (!(pool?.avoidBuggyIPs && isBuggyIp(r.value.family, v))) total++;
    }
    expect(stat.total, `total of ${stat.pool}/${stat.family}`).toBe(total);
    expect(stat.inUse, `in use of ${stat.pool}/${stat.family}`).toBe(usedPerPool.get(`${stat.pool}|${stat.family}`)?.size ?? 0);
    expect(stat.free).toBe(stat.total - BigInt(stat.inUse));
  }
}

describe('Allocator invariants (property)', () => {
  it('hold under any sequence of allocations, requests, releases and pool changes', () => {
    const seen = { allocated: 0, shared: 0, releasedByConfig: 0, refused: 0 };
    fc.assert(
      fc.property(poolSet, fc.array(operation, { minLength: 10, maxLength: 50 }), (initialPools, operations) => {
        const allocator = new Allocator();
        let pools = initialPools;
        expect(allocator.setPools(pools).ok).toBe(true);
        const terms = new Map<string, { key?: string; ports: number[]; backend: string }>();
        for (const op of operations) {
          if (op.kind === 'allocate') {
            const result = allocator.allocate({
              service: op.service,
              ...(op.sharingKey ? { sharingKey: op.sharingKey } : {}),
              ports: op.ports.map((port) => ({ protocol: 'TCP', port })),
              backendKey: op.backendKey,
              ipFamilyPolicy: op.policy,
              ipFamilies: op.policy === 'SingleStack' ? [op.primary] : [op.primary, op.primary === 'IPv4' ? 'IPv6' : 'IPv4'],
              ...(op.pool ? { requestedPool: op.pool } : {}),
              count: op.count,
            });
            if (result.ok) {
              seen.allocated++;
              terms.set(op.service, { ...(op.sharingKey ? { key: op.sharingKey } : {}), ports: [...op.ports], backend: op.backendKey });
              if (result.value.addresses.some((a) => allocator.holdersOf(a).length > 1)) seen.shared++;
            } else {
              seen.refused++;
              if (!allocator.get(op.service)) terms.delete(op.service);
            }
          } else if (op.kind === 'request') {
            const result = allocator.allocate({
              service: op.service,
              requestedIPs: [op.address],
              ...(op.sharingKey ? { sharingKey: op.sharingKey } : {}),
              ports: op.ports.map((port) => ({ protocol: 'TCP', port })),
            });
            if (result.ok) terms.set(op.service, { ...(op.sharingKey ? { key: op.sharingKey } : {}), ports: [...op.ports], backend: '' });
            else if (!allocator.get(op.service)) terms.delete(op.service);
          } else if (op.kind === 'release') {
            const released = allocator.release(op.service);
            terms.delete(op.service);
            // A released address can be allocated again when nobody else holds it.
            for (const address of released?.addresses ?? []) {
              if (allocator.holdersOf(address).length > 0) continue;
              const again = allocator.allocate({ service: 'probe/again', requestedIPs: [address], ipFamilies: [address.includes(':') ? 'IPv6' : 'IPv4'] });
              expect(again.ok, `re-allocating released ${address}: ${again.ok ? '' : again.error.message}`).toBe(true);
              allocator.release('probe/again');
            }
          } else {
            const result = allocator.setPools(op.pools);
            expect(result.ok).toBe(true);
            pools = op.pools;
            if (result.ok) {
              for (const r of result.value.released) terms.delete(r.service);
              seen.releasedByConfig += result.value.released.length;
            }
          }
          checkInvariants(allocator, pools, terms);
        }
      }),
      { numRuns: 300 },
    );
    // The generators must actually reach every path they are meant to exercise.
    expect(seen.allocated).toBeGreaterThan(100);
    expect(seen.shared).toBeGreaterThan(10);
    expect(seen.releasedByConfig).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
  });

  it('picks the same addresses as the scan-from-the-start baseline', () => {
    const specs = ['10.0.0.250-10.0.1.5', '10.0.2.0/29'];
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 19 })), { maxLength: 80 }),
        (avoid, ops) => {
          const allocator = new Allocator();
          allocator.setPools([{ name: 'p', addresses: specs, avoidBuggyIPs: avoid }]);
          const baseline = new ScanAllocator([
            {
              name: 'p',
              avoidBuggyIPs: avoid,
              ranges: specs.map((s) => {
                const r = parseAddressRange(s);
                if (!r.ok) throw new Error(r.error.message);
                return [Number(r.value.first), Number(r.value.last)] as const;
              }),
            },
          ]);
          for (const [allocate, n] of ops) {
            const service = `ns/s${n}`;
            if (allocate) {
              const ours = allocator.allocate({ service });
              const theirs = baseline.allocate(service);
              expect(ours.ok ? ours.value.addresses[0] : undefined).toBe(theirs === undefined ? undefined : ipv4Text(theirs));
            } else {
              allocator.release(service);
              baseline.release(service);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
