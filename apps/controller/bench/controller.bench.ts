// The controller as a process against kube-sim (in this process; the Services are created straight
// into its store). The process runs what ships, the built JavaScript (`nx run controller:bench`
// builds it and the libraries first):
//  - 10,000 LoadBalancer Services created: time from the first create until every one has an
//    address (goal < 15 s), and the controller's peak RSS (VmHWM, goal < 300 MiB), side by side
//    with the same run of the TypeScript sources through tsx (how the tests and `npm start` run it:
//    the compiler and the untranspiled modules cost memory of their own);
//  - restart with those 10,000 assigned: time from spawning the new process until /readyz is 200
//    and every Service still has its address (goal < 10 s), and how many addresses changed (0),
//    side by side with a start against an empty cluster (what any start costs: Node, loading the modules, the
//    informers' first lists) as a ratio.
// BENCH_QUICK=1 shrinks it for a smoke run.
import { round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { type KubeSim } from '@lb/kube-sim';
import { applyPool, changedEntries, type ControllerProcess, ensureNamespace, loadBalancerService, snapshot, TestBed, unassigned, waitFor } from '../test/harness.js';

const quick = process.env['BENCH_QUICK'] === '1';
const SERVICES = quick ? 2_000 : 10_000;
const ALLOCATION_RUNS = quick ? 1 : 3;
const SOURCE_ALLOCATION_RUNS = quick ? 1 : 3;
const RESTART_RUNS = quick ? 2 : 5;
const EMPTY_RUNS = quick ? 2 : 5;
const NAMESPACE = 'bench';
const MiB = 1024 * 1024;

const seconds = (ms: number): number => ms / 1000;

async function clusterWithPool(bed: TestBed): Promise<KubeSim> {
  const sim = await bed.sim();
  // 32,768 addresses: room for every Service without the allocator hunting for the last free ones.
  await applyPool(sim, 'bench', ['10.0.0.0/17']);
  await ensureNamespace(sim, NAMESPACE);
  return sim;
}

/**
 * Waits until every Service has an address. Reading the pool's status is cheap, so poll that
 * until the allocator counts them all, then check the Services themselves.
 */
async function allAssigned(sim: KubeSim, timeoutMs: number): Promise<void> {
  await waitFor(
    () => (sim.store.get('ipaddresspools.metallb.io', 'bench', 'metallb-system')?.['status'] as { assignedIPv4?: number } | undefined)?.assignedIPv4 === SERVICES,
    timeoutMs,
    'the pool status to count every Service',
  );
  await waitFor(() => unassigned(sim, NAMESPACE).length === 0, timeoutMs, 'every Service to have an address', () => `${unassigned(sim, NAMESPACE).length} left`);
}

interface AllocationRun {
  readonly totalMs: number;
  readonly createMs: number;
  readonly peakRss: number;
}

async function allocationRun(bed: TestBed, built: boolean): Promise<{ run: AllocationRun; sim: KubeSim; controller: ControllerProcess }> {
  const sim = await clusterWithPool(bed);
  const controller = await bed.controller(sim, { built });
  await controller.ready();
  const started = performance.now();
  for (let i = 0; i < SERVICES; i++) await sim.store.create(loadBalancerService(NAMESPACE, `svc-${i}`));
  const createMs = performance.now() - started;
  await allAssigned(sim, 120_000);
  const totalMs = performance.now() - started;
  return { run: { totalMs, createMs, peakRss: controller.peakRssBytes() }, sim, controller };
}

interface RestartRun {
  readonly readyMs: number;
  readonly changed: number;
  readonly peakRss: number;
}

async function restartRun(bed: TestBed, sim: KubeSim, previous: ControllerProcess, before: ReadonlyMap<string, string>): Promise<{ run: RestartRun; controller: ControllerProcess }> {
  const exit = await previous.stop('SIGTERM');
  if (exit.code !== 0) throw new Error(`the controller exited ${JSON.stringify(exit)} on SIGTERM\n${previous.tail()}`);
  const started = performance.now();
  const controller = await bed.controller(sim, { waitStarted: false, built: true });
  await controller.started();
  await controller.ready(60_000);
  if (unassigned(sim, NAMESPACE).length > 0) await allAssigned(sim, 60_000);
  const readyMs = performance.now() - started;
  // Give any write the new leader might make (it should make none) time to land before comparing.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const changed = changedEntries(before, snapshot(sim)).length;
  return { run: { readyMs, changed, peakRss: controller.peakRssBytes() }, controller };
}

async function emptyStartMs(bed: TestBed): Promise<number> {
  const sim = await clusterWithPool(bed);
  const started = performance.now();
  const controller = await bed.controller(sim, { waitStarted: false, built: true });
  await controller.started();
  await controller.ready();
  const ms = performance.now() - started;
  await controller.stop('SIGTERM');
  await sim.stop();
  return ms;
}

async function main(): Promise<void> {
  const bed = new TestBed();
  try {
    // Built and source runs take turns, so that a noisy spell on the machine hits both alike; the
    // last run is a built one, and its cluster (every Service assigned) is the one restarted.
    const allocations: AllocationRun[] = [];
    const sourceAllocations: AllocationRun[] = [];
    const order: Array<'built' | 'source'> = [];
    for (let i = 0; i < Math.max(ALLOCATION_RUNS, SOURCE_ALLOCATION_RUNS); i++) {
      if (i < SOURCE_ALLOCATION_RUNS) order.push('source');
      if (i < ALLOCATION_RUNS) order.push('built');
    }
    let last: { sim: KubeSim; controller: ControllerProcess } | undefined;
    for (const [i, kind] of order.entries()) {
      if (last) {
        await last.controller.stop('SIGTERM');
        await last.sim.stop();
      }
      const { run, sim, controller } = await allocationRun(bed, kind === 'built');
      (kind === 'built' ? allocations : sourceAllocations).push(run);
      last = { sim, controller };
      console.log(`allocation ${i + 1} (${kind}): ${SERVICES} created in ${round(seconds(run.createMs))} s, all assigned after ${round(seconds(run.totalMs))} s, peak RSS ${round(run.peakRss / MiB)} MiB`);
    }
    if (!last || order.at(-1) !== 'built') throw new Error('the last allocation run must be a built one');

    const before = snapshot(last.sim);
    if (before.size !== SERVICES) throw new Error(`expected ${SERVICES} assigned Services, have ${before.size}`);
    const restarts: RestartRun[] = [];
    let current = last.controller;
    for (let i = 0; i < RESTART_RUNS; i++) {
      const { run, controller } = await restartRun(bed, last.sim, current, before);
      current = controller;
      restarts.push(run);
      console.log(`restart ${i + 1}: ready after ${round(seconds(run.readyMs))} s, ${run.changed} addresses changed, peak RSS ${round(run.peakRss / MiB)} MiB`);
    }
    await current.stop('SIGTERM');
    await last.sim.stop();

    const empty: number[] = [];
    for (let i = 0; i < EMPTY_RUNS; i++) empty.push(await emptyStartMs(bed));
    console.log(`start against an empty cluster: ${empty.map((ms) => round(seconds(ms))).join(', ')} s`);

    const restartReady = summarize(restarts.map((r) => seconds(r.readyMs)));
    const emptyReady = summarize(empty.map(seconds));
    const rows: BenchResult[] = [
      ...spreadRows(`${SERVICES} Services created: first create until all have an address`, summarize(allocations.map((r) => seconds(r.totalMs))), 's', 15),
      ...spreadRows(`${SERVICES} Services created: creating them in kube-sim alone`, summarize(allocations.map((r) => seconds(r.createMs))), 's', null),
      ...spreadRows(`${SERVICES} Services created: controller peak RSS`, summarize(allocations.map((r) => r.peakRss / MiB)), 'MiB', 300),
      ...spreadRows(`${SERVICES} Services created, sources through tsx: first create until all have an address`, summarize(sourceAllocations.map((r) => seconds(r.totalMs))), 's', null),
      ...spreadRows(`${SERVICES} Services created, sources through tsx: controller peak RSS`, summarize(sourceAllocations.map((r) => r.peakRss / MiB)), 'MiB', null),
      {
        name: `${SERVICES} Services created: peak RSS, sources through tsx / built (median ratio)`,
        value: round(summarize(sourceAllocations.map((r) => r.peakRss)).median / summarize(allocations.map((r) => r.peakRss)).median),
        unit: 'x',
        limit: null,
      },
      ...spreadRows(`restart with ${SERVICES} assigned: spawn until ready with every address`, restartReady, 's', 10),
      { name: `restart with ${SERVICES} assigned: addresses changed (all runs)`, value: restarts.reduce((sum, r) => sum + r.changed, 0), unit: 'addresses', limit: 0 },
      ...spreadRows(`restart with ${SERVICES} assigned: controller peak RSS`, summarize(restarts.map((r) => r.peakRss / MiB)), 'MiB', 300),
      ...spreadRows('start against an empty cluster: spawn until ready', emptyReady, 's', null),
      { name: `restart with ${SERVICES} assigned / empty start (median ratio)`, value: round(restartReady.median / emptyReady.median), unit: 'x', limit: null },
    ];
    writeResults('controller', rows);
  } finally {
    await bed.cleanup();
  }
}

await main();
