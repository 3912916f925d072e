// A 60-second API outage (listener closed, every connection cut, connections refused), with the
// store changing meanwhile. With the default backoff (800 ms doubling to 30 s) the informer must
// reconnect within one backoff cap of the server's return and then match a fresh list.
import { describe, expect, it } from 'vitest';
import { Informer, httpListWatcher, Services, type Service } from '../src/index.js';
import { churn, createServices, expectConverged, harness, prng, recorder, waitFor } from './helpers.js';

describe('informer across a 60 s outage', () => {
  it('converges to the server state after the server comes back', { timeout: 150_000 }, async () => {
    const h = await harness();
    try {
      await createServices(h.sim, 500);
      const rec = recorder();
      const informer = new Informer<Service>(httpListWatcher(h.client, Services), { observer: rec.observer });
      let deletes = 0;
      informer.addHandlers({ onDelete: () => deletes++ });
      informer.start();
      await informer.synced;
      await waitFor(() => h.sim.watchCount > 0, 5000, 'the watch');
      const outage = h.sim.faults.outage(60_000);
      const random = prng(60);
      let changes = { created: 0, updated: 0, deleted: 0 };
      // Changes spread over the outage, as a live cluster would make them.
      for (let i = 0; i < 10; i++) {
        const c = await churn(h.sim, 30, random);
        changes = { created: changes.created + c.created, updated: changes.updated + c.updated, deleted: changes.deleted + c.deleted };
        await new Promise((r) => setTimeout(r, 5000));
      }
      await outage;
      const back = performance.now();
      const compared = await expectConverged(informer, h.client, Services, 45_000);
      const recoveryMs = performance.now() - back;
      console.log(`outage: ${rec.get('error')} failed attempts, recovered ${Math.round(recoveryMs)} ms after the server returned, ${compared} objects compared, ${JSON.stringify(changes)}`);
      expect(rec.get('error')).toBeGreaterThan(3);
      expect(deletes).toBe(changes.deleted);
      // Reconnection waits at most one backoff cap (30 s) plus the comparison's own polling.
      expect(recoveryMs).toBeLessThan(32_000);
      await informer.stop();
    } finally {
      await h.close();
    }
  });
});
