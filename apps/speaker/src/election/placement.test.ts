import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { names } from '../../test/fixtures.js';
import { assignOwners, placeHomes, type Ball, type Liveness } from './placement.js';

const everyone = (nodes: readonly string[]): Liveness => ({ alive: new Set(nodes), eligible: new Set(nodes), known: new Set(nodes) });
const candidates = (nodes: readonly string[]) => nodes.map((node) => ({ node, preference: 0 }));

/** `count` consecutive IPv4 addresses from 10.(pool).0.1, as a pool hands them out. */
function serviceBalls(count: number, nodes: readonly string[], pool = 0): Ball[] {
  return Array.from({ length: count }, (_, i) => {
    const v = pool * 65536 + i + 1;
    const ip = `10.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`;
    return { key: ip, group: `default/svc-${pool}-${i}`, candidates: candidates(nodes) };
  });
}

function loads(owners: ReadonlyMap<string, string>, nodes: readonly string[]): number[] {
  const count = new Map(nodes.map((n) => [n, 0]));
  for (const node of owners.values()) count.set(node, (count.get(node) ?? 0) + 1);
  return nodes.map((n) => count.get(n) ?? 0);
}

const ratio = (values: readonly number[]) => Math.max(...values) / Math.min(...values);

describe('spread of 1,000 Services on 10 nodes', () => {
  const nodes = names('worker', 10);

  it('max/min ≤ 1.5 for every one of 100 pools (bounded loads), where plain rendezvous hashing fails some', () => {
    const bounded: number[] = [];
    const rendezvous: number[] = [];
    for (let pool = 0; pool < 100; pool++) {
      const balls = serviceBalls(1000, nodes, pool);
      bounded.push(ratio(loads(placeHomes(balls, new Set(nodes)), nodes)));
      rendezvous.push(ratio(loads(placeHomes(balls, new Set(nodes), Number.POSITIVE_INFINITY), nodes)));
    }
    expect(Math.max(...bounded)).toBeLessThanOrEqual(1.5);
    expect(rendezvous.filter((r) => r > 1.5).length).toBeGreaterThan(0);
  });

  it('a failed node’s Services spread over all survivors', () => {
    const balls = serviceBalls(1000, nodes);
    const homes = placeHomes(balls, new Set(nodes));
    const survivors = nodes.slice(1);
    const after = assignOwners(balls, homes, { ...everyone(nodes), alive: new Set(survivors), eligible: new Set(survivors) });
    const moved = survivors.map((n) => [...after].filter(([key, owner]) => owner === n && homes.get(key) === nodes[0]).length);
    expect(Math.min(...moved)).toBeGreaterThan(0);
    expect(ratio(loads(after, survivors))).toBeLessThanOrEqual(1.6);
  });
});

describe('failure moves only the failed node’s addresses', () => {
  const scenario = fc.record({
    nodeCount: fc.integer({ min: 2, max: 12 }),
    services: fc.array(fc.record({ addresses: fc.integer({ min: 1, max: 4 }), spread: fc.boolean(), candidateMask: fc.integer({ min: 1, max: 4095 }) }), { minLength: 1, maxLength: 60 }),
    down: fc.array(fc.nat(), { maxLength: 4 }),
    failing: fc.nat(),
  });

  interface Scenario {
    readonly nodeCount: number;
    readonly services: ReadonlyArray<{ readonly addresses: number; readonly spread: boolean; readonly candidateMask: number }>;
  }

  function build(s: Scenario) {
    const nodes = names('n', s.nodeCount);
    const balls: Ball[] = [];
    s.services.forEach((svc, i) => {
      const allowed = nodes.filter((_, j) => (svc.candidateMask >> j) & 1);
      const cands = candidates(allowed.length > 0 ? allowed : nodes);
      const keys = Array.from({ length: svc.addresses }, (_, a) => `10.1.${i}.${a + 1}`);
      if (svc.spread) for (const key of keys) balls.push({ key, group: `svc-${i}`, candidates: cands });
      else balls.push({ key: keys[0] as string, group: `svc-${i}`, candidates: cands });
    });
    return { nodes, balls };
  }

  it('from full health: every address off the failed node stays where it was (spread Services included)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { nodes, balls } = build(s);
        const homes = placeHomes(balls, new Set(nodes));
        const before = assignOwners(balls, homes, everyone(nodes));
        const failed = nodes[s.failing % nodes.length] as string;
        const survivors = nodes.filter((n) => n !== failed);
        const after = assignOwners(balls, homes, { alive: new Set(survivors), eligible: new Set(survivors), known: new Set(nodes) });
        for (const [key, owner] of before) {
          if (owner !== failed) expect(after.get(key)).toBe(owner);
          else expect(after.get(key)).not.toBe(failed);
        }
        // And all of them come home when it is back.
        expect(assignOwners(balls, homes, everyone(nodes))).toEqual(before);
      }),
      { numRuns: 300 },
    );
  });

  it('with other nodes already down: a Service on one node moves only if its node failed', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { nodes, balls } = build(s);
        const single = balls.filter((b) => balls.filter((o) => o.group === b.group).length === 1);
        const homes = placeHomes(balls, new Set(nodes));
        const down = new Set(s.down.map((d) => nodes[d % nodes.length] as string));
        const up = nodes.filter((n) => !down.has(n));
        const before = assignOwners(balls, homes, { alive: new Set(up), eligible: new Set(up), known: new Set(nodes) });
        const failed = up[s.failing % Math.max(1, up.length)];
        if (failed === undefined) return;
        const survivors = up.filter((n) => n !== failed);
        const after = assignOwners(balls, homes, { alive: new Set(survivors), eligible: new Set(survivors), known: new Set(nodes) });
        for (const ball of single) {
          const owner = before.get(ball.key);
          if (owner !== undefined && owner !== failed) expect(after.get(ball.key)).toBe(owner);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('spread Services (MetalLoadBalancerClass)', () => {
  const cases: Array<{ name: string; nodes: number; addresses: number; perNode: number[] }> = [
    { name: '3 addresses, 5 candidates: 3 nodes', nodes: 5, addresses: 3, perNode: [0, 0, 1, 1, 1] },
    { name: '3 addresses, 3 candidates: one each', nodes: 3, addresses: 3, perNode: [1, 1, 1] },
    { name: '3 addresses, 2 candidates: 2 and 1', nodes: 2, addresses: 3, perNode: [1, 2] },
    { name: '5 addresses, 2 candidates: 3 and 2', nodes: 2, addresses: 5, perNode: [2, 3] },
    { name: '4 addresses, 1 candidate: all on it', nodes: 1, addresses: 4, perNode: [4] },
  ];
  it.each(cases)('$name', ({ nodes: count, addresses, perNode }) => {
    const nodes = names('n', count);
    const balls: Ball[] = Array.from({ length: addresses }, (_, i) => ({ key: `192.168.2.${100 + i}`, group: 'shop/web', candidates: candidates(nodes) }));
    const owners = assignOwners(balls, placeHomes(balls, new Set(nodes)), everyone(nodes));
    expect(loads(owners, nodes).sort()).toEqual(perNode);
  });

  it('when one of 3 nodes fails, its address goes to a node holding none of the Service’s, if any', () => {
    const nodes = names('n', 4);
    const balls: Ball[] = Array.from({ length: 3 }, (_, i) => ({ key: `192.168.2.${100 + i}`, group: 'shop/web', candidates: candidates(nodes) }));
    const homes = placeHomes(balls, new Set(nodes));
    const before = assignOwners(balls, homes, everyone(nodes));
    const failed = before.get('192.168.2.100') as string;
    const survivors = nodes.filter((n) => n !== failed);
    const after = assignOwners(balls, homes, { ...everyone(nodes), alive: new Set(survivors), eligible: new Set(survivors) });
    expect(new Set(after.values()).size).toBe(3);
  });
});

describe('liveness tiers', () => {
  const nodes = ['a', 'b', 'c'];
  const ball: Ball = { key: '10.0.0.1', group: 'default/web', candidates: candidates(nodes) };
  const homes = placeHomes([ball], new Set(nodes));
  const home = homes.get('10.0.0.1') as string;
  const others = nodes.filter((n) => n !== home);

  const cases: Array<{ name: string; liveness: Liveness; owner: (o: string | undefined) => boolean }> = [
    { name: 'home eligible: home', liveness: everyone(nodes), owner: (o) => o === home },
    { name: 'home held down: another eligible node', liveness: { alive: new Set(nodes), eligible: new Set(others), known: new Set(nodes) }, owner: (o) => o !== undefined && o !== home },
    { name: 'everyone held down: a held-down node rather than none', liveness: { alive: new Set(nodes), eligible: new Set(), known: new Set(nodes) }, owner: (o) => o !== undefined },
    { name: 'nobody alive: no owner', liveness: { alive: new Set(), eligible: new Set(), known: new Set(nodes) }, owner: (o) => o === undefined },
  ];
  it.each(cases)('$name', ({ liveness, owner }) => {
    expect(owner(assignOwners([ball], homes, liveness).get('10.0.0.1'))).toBe(true);
  });

  it('a higher preference tier wins while one of its nodes is eligible', () => {
    const preferred: Ball = { key: '10.0.0.9', group: 'default/p', candidates: [{ node: 'a', preference: 0 }, { node: 'b', preference: 50 }, { node: 'c', preference: 0 }] };
    const h = placeHomes([preferred], new Set(nodes));
    expect(h.get('10.0.0.9')).toBe('b');
    expect(assignOwners([preferred], h, everyone(nodes)).get('10.0.0.9')).toBe('b');
    expect(assignOwners([preferred], h, { ...everyone(nodes), eligible: new Set(['a', 'c']) }).get('10.0.0.9')).toMatch(/^[ac]$/);
  });

  it('homes go only to nodes that run a speaker', () => {
    expect(placeHomes([ball], new Set(['c'])).get('10.0.0.1')).toBe('c');
    expect(placeHomes([ball], new Set()).size).toBe(0);
  });
});
