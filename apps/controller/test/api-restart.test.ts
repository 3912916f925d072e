// An API server restart: kube-sim stops serving (its listener and every connection closed) and
// serves again on the same port with the same store and CA, its watch history forgotten as a new
// API server's watch cache would have it (resuming watches get 410 Gone and list again). While it
// is down the cluster changes: the holder of the pool's last address is deleted and a Service is
// created. The controller reconnects and converges: the Service that was waiting gets the freed
// address, the new one is served, nothing else moves. ~20 s.
import { afterAll, describe, expect, it } from 'vitest';
import { addresses, applyPool, changedEntries, ensureNamespace, loadBalancerService, snapshot, TestBed, waitForAddresses, waitForEvent } from './harness.js';

const NAMESPACE = 'restart';
const DOWN_MS = 3000;

describe('an API server restart', () => {
  const bed = new TestBed();
  afterAll(() => bed.cleanup());

  it('is followed by reconnecting and converging on what changed while it was down', { timeout: 120_000 }, async () => {
    const sim = await bed.sim();
    await applyPool(sim, 'small', ['10.80.0.0/31']);
    await applyPool(sim, 'spare', ['10.81.0.0/28']);
    await ensureNamespace(sim, NAMESPACE);
    const pinned = { annotations: { 'metallb.io/address-pool': 'small' } };
    const controller = await bed.controller(sim);
    await controller.ready();
    await sim.store.create(loadBalancerService(NAMESPACE, 'holder', pinned));
    await sim.store.create(loadBalancerService(NAMESPACE, 'keeper', pinned));
    await waitForAddresses(sim, NAMESPACE, 'holder');
    await waitForAddresses(sim, NAMESPACE, 'keeper');
    await sim.store.create(loadBalancerService(NAMESPACE, 'waiter', pinned));
    await waitForEvent(sim, 'Service', NAMESPACE, 'waiter', 'AllocationFailed');
    const freed = addresses(sim, NAMESPACE, 'holder');
    const keeper = snapshot(sim);
    keeper.delete(`${NAMESPACE}/holder`);
    keeper.delete(`${NAMESPACE}/waiter`);

    // The restart: the store outlives it, the watch history does not.
    sim.faults.compactHistory();
    const restarted = sim.faults.outage(DOWN_MS);
    await sim.store.delete('services', 'holder', NAMESPACE);
    await sim.store.create(loadBalancerService(NAMESPACE, 'while-down'));
    await restarted;
    const back = performance.now();

    expect(await waitForAddresses(sim, NAMESPACE, 'waiter', 1, 60_000)).toEqual(freed);
    const [created] = await waitForAddresses(sim, NAMESPACE, 'while-down', 1, 60_000);
    expect(created).toMatch(/^10\.81\.0\./);
    console.log(`API restart: converged ${Math.round(performance.now() - back)} ms after the API server was back`);
    await sim.store.create(loadBalancerService(NAMESPACE, 'after'));
    await waitForAddresses(sim, NAMESPACE, 'after', 1, 10_000);
    expect(changedEntries(keeper, snapshot(sim))).toEqual([]);
    expect(controller.running).toBe(true);
    expect((await controller.get('/readyz')).status).toBe(200);
    expect(controller.strayLines).toEqual([]);
  });
});
