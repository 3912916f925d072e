import { describe, expect, it } from 'vitest';
import { planChange } from './plan.js';
import { renderPlan } from './render-plan.js';
import * as f from '../test/fixtures.js';

const base = [f.node('node-a', { zone: 'a' }), f.node('node-b', { zone: 'b' }), f.namespace('a')];

describe('planChange', () => {
  // Pool of 8 addresses, five Services hold .1-.5 (in key order a/s1..a/s5), a/s6 waits.
  const live = [
    f.pool('main', ['10.0.0.0/29']),
    f.l2('l2', { ipAddressPools: ['main'] }),
    ...[1, 2, 3, 4, 5].map((i) => f.service(`a/s${i}`, { ips: [`10.0.0.${i}`], pool: 'main' })),
    f.l2Status('node-b', 'a/s1'),
  ];

  it('lists exactly the Services that lose their addresses when a pool shrinks', () => {
    const plan = planChange(f.snapshot(...base, ...live), [f.pool('main', ['10.0.0.1-10.0.0.2'])]);
    expect(plan.errors).toEqual([]);
    expect(plan.lose.map((c) => c.service)).toEqual(['a/s3', 'a/s4', 'a/s5']);
    expect(plan.lose[0]?.reason).toMatch(/NoAddressAvailable|PoolExhausted/);
    expect(plan.change).toEqual([]);
    expect(plan.unchanged).toBe(2);
    expect(renderPlan(plan)).toMatchSnapshot();
  });

  it('moves a Service inside the pool when its address leaves but another is free', () => {
    const plan = planChange(f.snapshot(...base, ...live), [f.pool('main', ['10.0.0.0-10.0.0.4', '10.0.0.6'])]);
    expect(plan.lose).toEqual([]);
    expect(plan.change.map((c) => [c.service, c.before, c.after])).toEqual([['a/s5', ['10.0.0.5'], ['10.0.0.0']]]);
  });

  it('lists Services that would get an address', () => {
    const plan = planChange(f.snapshot(...base, f.pool('main', ['10.0.0.1/32']), f.service('a/held', { ips: ['10.0.0.1'], pool: 'main' }), f.service('a/waits')), [f.pool('main', ['10.0.0.1-10.0.0.2'])]);
    expect(plan.gain.map((c) => [c.service, c.after, c.poolAfter])).toEqual([['a/waits', ['10.0.0.2'], 'main']]);
    expect(plan.lose).toEqual([]);
  });

  it('reports a renamed pool that keeps the addresses', () => {
    const plan = planChange(f.snapshot(...base, ...live), [f.pool('renamed', ['10.0.0.0/29'])], { prune: true });
    expect(plan.lose).toEqual([]);
    expect(plan.repool.map((c) => c.service)).toEqual(['a/s1', 'a/s2', 'a/s3', 'a/s4', 'a/s5']);
  });

  it('reports announcements that would move off a node', () => {
    const plan = planChange(f.snapshot(...base, ...live), [f.l2('l2', { ipAddressPools: ['main'], nodeSelectors: [{ matchLabels: { zone: 'a' } }] })]);
    const s1 = plan.moves.find((m) => m.service === 'a/s1');
    expect(s1).toEqual({ service: 'a/s1', protocol: 'layer2', nodesBefore: ['node-a', 'node-b'], nodesAfter: ['node-a'], announcersLost: ['node-b'] });
    expect(plan.moves).toHaveLength(5);
  });

  it('refuses an invalid configuration, naming every error', () => {
    const plan = planChange(f.snapshot(...base, ...live), [f.pool('main', ['10.0.0.9-10.0.0.1']), f.pool('other', ['10.0.1.9-10.0.1.1'])]);
    expect(plan.errors.length).toBeGreaterThanOrEqual(2);
    expect(renderPlan(plan)).toMatch(/invalid; the webhook would refuse it/);
  });

  it('says when nothing changes', () => {
    const plan = planChange(f.snapshot(...base, ...live), [f.pool('main', ['10.0.0.0/29'])]);
    expect(renderPlan(plan)).toBe('No Service would change (5 unchanged).\n');
  });
});
