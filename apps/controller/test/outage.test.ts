// A 30-second API outage (kube-sim closes its listener and every connection): the controller
// keeps running, no address changes during or after, and a Service created once the API is back
// is served. Once with a single replica, once with leader election (the Lease cannot be renewed
// during the outage, so the replica stops leading and must restore before leading again). The
// outage is visible: a warning in the log and lb_controller_api_healthy 0 once watches have failed
// for 5 s, while /readyz stays 200 (the cache still serves; see the README); both clear afterwards.
import { afterEach, describe, expect, it } from 'vitest';
import { applyPool, changedEntries, type ControllerProcess, ensureNamespace, loadBalancerService, sleep, snapshot, TestBed, unassigned, waitFor, waitForAddresses } from './harness.js';

const NAMESPACE = 'outage';
const OUTAGE_MS = 30_000;

/** One series of the Prometheus text format, by its name and labels as written. */
async function metric(controller: ControllerProcess, series: string): Promise<number | undefined> {
  const text = (await controller.get('/metrics')).body;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

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
    expect(await metric(controller, 'lb_controller_api_healthy')).toBe(1);
    expect(await metric(controller, 'lb_controller_watch_failing_seconds')).toBe(0);

    const outage = sim.faults.outage(OUTAGE_MS);
    const checks: string[] = [];
    for (let t = 0; t < OUTAGE_MS - 5000; t += 5000) {
      await sleep(5000);
      const health = await controller.get('/healthz');
      const ready = await controller.get('/readyz');
      const healthy = await metric(controller, 'lb_controller_api_healthy');
      const failing = await metric(controller, 'lb_controller_watch_failing_seconds');
      checks.push(`${t + 5000} ms: running=${controller.running} healthz=${health.status} readyz=${ready.status} api_healthy=${healthy} failing=${failing}s changed=${changedEntries(before, snapshot(sim)).length}`);
      expect(controller.running).toBe(true);
      expect(health.status).toBe(200);
      expect(changedEntries(before, snapshot(sim))).toEqual([]);
      if (t + 5000 >= 10_000) {
        // Past the 5 s threshold (watches notice a cut connection at once, a refused one on their next try).
        expect(healthy).toBe(0);
        expect(failing).toBeGreaterThanOrEqual(5);
        expect(ready.status).toBe(200);
      }
    }
    const warning = controller.logs.find((l) => l.msg === 'Kubernetes API unreachable: watches failing, serving from the cache');
    expect(warning?.level).toBe('warn');
    expect(warning?.['resources']).toEqual(expect.arrayContaining(['services']));
    expect(String(warning?.['error'])).toMatch(/ECONNREFUSED|cut off|socket hang up|ECONNRESET/);
    await outage;
    const back = performance.now();
    await sim.store.create(loadBalancerService(NAMESPACE, 'after-outage'));
    // The watch reconnects within one backoff cap (30 s) of the server's return.
    await waitForAddresses(sim, NAMESPACE, 'after-outage', 1, 60_000);
    console.log(`outage (${_name}): ${checks.join('; ')}; new Service served ${Math.round(performance.now() - back)} ms after the API returned`);
    await sleep(1000);
    expect(changedEntries(before, snapshot(sim))).toEqual([]);
    expect(controller.running).toBe(true);
    // Each informer retries on its own backoff (capped at 30 s): healthy once the last one is back.
    await waitFor(async () => (await metric(controller, 'lb_controller_api_healthy')) === 1, 45_000, 'lb_controller_api_healthy back to 1');
    console.log(`outage (${_name}): lb_controller_api_healthy 1 again ${Math.round(performance.now() - back)} ms after the API returned`);
    expect(await metric(controller, 'lb_controller_watch_failing_seconds')).toBe(0);
    expect(controller.logs.find((l) => l.msg === 'Kubernetes API reachable again')?.['outageSeconds']).toBeGreaterThanOrEqual(25);
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
