// A 30-second API outage (kube-sim closes its listener and every connection): the controller
// keeps running, no address changes during or after, and a Service created once the API is back
// is served. Once with a single replica, once with leader election (the Lease cannot be renewed
// during the outage, so the replica stops leading and must restore before leading again).
import { afterEach, describe, expect, it } from 'vitest';
import { applyPool, changedEntries, ensureNamespace, loadBalancerService, sleep, snapshot, TestBed, unassigned, waitFor, waitForAddresses } from './harness.js';

const NAMESPACE = 'outage';
const OUTAGE_MS = 30_000;

const variants: Array<[string, string[]]> = [
  ['a single replica', []],
  ['a replica with leader election', ['--leader-elect', '--lease-duration', '4', '--renew-deadline', '3', '--retry-period', '1']],
];

describe('a 30 s API outage', () => {
  const bed = new TestBed();
  afterEach(() => bed.cleanup());
  expect(variants.length).toBeGreaterThan(0);

  it.each(variants)('%s changes no address and serves new Services afterwards', { timeout: 180_000 }, async (_name, flags) => {
    const sim = await bed.sim();
    await applyPool(sim, 'outage', ['10.40.0.0/24', 'fd00:40::/120']);
    await ensureNamespace(sim, NAMESPACE);
    for (let i = 0; i < 200; i++) {
      const svc = loadBalancerService(NAMESPACE, `svc-${i}`) as { spec: Record<string, unknown> };
      if (i % 10 === 0) Object.assign(svc.spec, { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
      await sim.store.create(svc);
    }
    const controller = await bed.controller(sim, { args: flags });
    await waitFor(() => unassigned(sim, NAMESPACE).length === 0, 30_000, 'every Service to have an address');
    await sleep(1000);
    const before = snapshot(sim);

    const outage = sim.faults.outage(OUTAGE_MS);
    const checks: string[] = [];
    for (let t = 0; t < OUTAGE_MS - 5000; t += 5000) {
      await sleep(5000);
      const health = await controller.get('/healthz');
      checks.push(`${t + 5000} ms: running=${controller.running} healthz=${health.status} changed=${changedEntries(before, snapshot(sim)).length}`);
      expect(controller.running).toBe(true);
      expect(health.status).toBe(200);
      expect(changedEntries(before, snapshot(sim))).toEqual([]);
    }
    await outage;
    const back = performance.now();
    await sim.store.create(loadBalancerService(NAMESPACE, 'after-outage'));
    // The watch reconnects within one backoff cap (30 s) of the server's return.
    await waitForAddresses(sim, NAMESPACE, 'after-outage', 1, 60_000);
    console.log(`outage (${_name}): ${checks.join('; ')}; new Service served ${Math.round(performance.now() - back)} ms after the API returned`);
    await sleep(1000);
    expect(changedEntries(before, snapshot(sim))).toEqual([]);
    expect(controller.running).toBe(true);
    expect(controller.strayLines).toEqual([]);
    if (flags.includes('--leader-elect')) {
      // The Lease could not be renewed: leadership was lost, then taken again, restoring every Service first.
      expect(controller.logs.filter((l) => l.msg === 'stopped leading').length).toBeGreaterThanOrEqual(1);
      const terms = controller.logs.filter((l) => l.msg === 'leading');
      expect(terms.length).toBeGreaterThanOrEqual(2);
      expect(terms.at(-1)?.['restored']).toBe(before.size);
    }
  });
});
