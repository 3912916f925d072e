// The controller as a process against kube-sim (in this process; the Services are created straight
// into its store). The process is the bin a user runs, the built JavaScript (`nx run
// controller:bench` builds it and the libraries first):
//  - 10,000 LoadBalancer Services created: time from the first create until every one has an
//    address (goal < 15 s), and the controller's peak RSS (VmHWM, goal < 300 MiB), next to the time
//    kube-sim alone takes to store them;
//  - restart with those 10,000 assigned: time from spawning the new process until /readyz is 200
//    and every Service still has its address (goal < 10 s), and how many addresses changed (0),
//    side by side with a start against an empty cluster (what any start costs: Node, loading the modules, the
//    informers' first lists) as a ratio;
//  - 1,000 Services waiting on a full pool of 1,000 addresses, then its 1,000 holders deleted at
//    once: time from the first delete until every waiting Service has an address (goal < 2 s), side
//    by side, turn about, with 1,000 Services created into 1,000 free addresses (what serving 1,000
//    costs anyway) as a ratio.
// BENCH_QUICK=1 shrinks it for a smoke run.
import { round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { type KubeSim } from '@lb/kube-sim';
import {
  addresses,
  applyPool,
  changedEntries,
  type ControllerProcess,
  ensureNamespace,
  loadBalancerService,
  sleep,
  snapshot,
  TestBed,
  unassigned,
  waitFor,
} from '../test/harness.js';

const quick = process.env['BENCH_QUICK'] === '1';
const SERVICES = quick ? 2_000 : 10_000;
const ALLOCATION_RUNS = quick ? 1 : 3;
const RESTART_RUNS = quick ? 2 : 5;
const EMPTY_RUNS = quick ? 2 : 5;
const WAITING = 1_000;
const WAITING_RUNS = quick ? 2 : 5;
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

async function allocationRun(bed: TestBed): Promise<{ run: AllocationRun; sim: KubeSim; controller: ControllerProcess }> {
  const sim = await clusterWithPool(bed);
  const controller = await bed.controller(sim);
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
  const controller = await bed.controller(sim, { waitStarted: false });
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
  const controller = await bed.controller(sim, { waitStarted: false });
  await controller.started();
  await controller.ready();
  const ms = performance.now() - started;
  await controller.stop('SIGTERM');
  await sim.stop();
  return ms;
}

const WAIT_NAMESPACE = 'waiting';
const WAIT_POOL = 'full';

/**
 * Resolves when every Service named has an address. Reading 1,000 Services from kube-sim every
 * poll would slow kube-sim (it runs in this process): follow the controller's log ("addresses
 * assigned", logged just before the write) and read the store once that has named them all.
 */
async function served(sim: KubeSim, controller: ControllerProcess, names: readonly string[], timeoutMs: number): Promise<void> {
  const left = new Set(names.map((name) => `${WAIT_NAMESPACE}/${name}`));
  let seen = 0;
  await waitFor(
    () => {
      for (; seen < controller.logs.length; seen++) {
        const line = controller.logs[seen];
        if (line?.msg === 'addresses assigned') left.delete(String(line['service']));
      }
      return left.size === 0;
    },
    timeoutMs,
    `${names.length} Services to be served`,
    () => `${left.size} left`,
  );
  await waitFor(() => names.every((name) => addresses(sim, WAIT_NAMESPACE, name).length > 0), timeoutMs, `${names.length} Services to show their address`);
}

const names = (prefix: string): string[] => Array.from({ length: WAITING }, (_, i) => `${prefix}-${i}`);

async function createAll(sim: KubeSim, batch: readonly string[]): Promise<void> {
  for (const name of batch) await sim.store.create(loadBalancerService(WAIT_NAMESPACE, name, { annotations: { 'metallb.io/address-pool': WAIT_POOL } }));
}

async function deleteAll(sim: KubeSim, batch: readonly string[]): Promise<void> {
  for (const name of batch) await sim.store.delete('services', name, WAIT_NAMESPACE);
}

/**
 * Turn about: 1,000 Services refused by the full pool, then its 1,000 holders deleted at once
 * (time until the refused ones are served); then those deleted, and 1,000 new ones created into
 * the empty pool (time until served). Each batch holds the pool for the next turn.
 */
async function waitingRuns(bed: TestBed): Promise<{ freed: number[]; created: number[]; peakRss: number }> {
  const sim = await bed.sim();
  // Exactly 1,000 addresses.
  await applyPool(sim, WAIT_POOL, ['10.100.0.0-10.100.3.231']);
  await ensureNamespace(sim, WAIT_NAMESPACE);
  const controller = await bed.controller(sim);
  await controller.ready();
  let holders = names('h0');
  await createAll(sim, holders);
  await served(sim, controller, holders, 60_000);
  const freed: number[] = [];
  const created: number[] = [];
  for (let run = 1; run <= WAITING_RUNS; run++) {
    const waiters = names(`w${run}`);
    await createAll(sim, waiters);
    // Every one of them refused (logged once each) before the holders go.
    const refused = (): number => controller.logs.filter((l) => l.msg === 'allocation failed' && String(l['service']).startsWith(`${WAIT_NAMESPACE}/w${run}-`)).length;
    await waitFor(() => refused() === WAITING, 60_000, `${WAITING} refusals`, () => `${refused()} refused`);
    await sleep(500);
    if (waiters.some((name) => addresses(sim, WAIT_NAMESPACE, name).length > 0)) throw new Error('a waiting Service got an address from a full pool');
    let started = performance.now();
    await deleteAll(sim, holders);
    await served(sim, controller, waiters, 60_000);
    freed.push(performance.now() - started);

    await deleteAll(sim, waiters);
    await waitFor(() => (sim.store.get('ipaddresspools.metallb.io', WAIT_POOL, 'metallb-system')?.['status'] as { assignedIPv4?: number } | undefined)?.assignedIPv4 === 0, 30_000, 'the pool to be empty');
    holders = names(`c${run}`);
    started = performance.now();
    await createAll(sim, holders);
    await served(sim, controller, holders, 60_000);
    created.push(performance.now() - started);
    console.log(`waiting run ${run}: ${WAITING} waiting served ${round(seconds(freed.at(-1) ?? 0))} s after the first delete; ${WAITING} created served after ${round(seconds(created.at(-1) ?? 0))} s`);
  }
  const peakRss = controller.peakRssBytes();
  await controller.stop('SIGTERM');
  await sim.stop();
  return { freed, created, peakRss };
}

async function main(): Promise<void> {
  const bed = new TestBed();
  try {
    const allocations: AllocationRun[] = [];
    let last: { sim: KubeSim; controller: ControllerProcess } | undefined;
    for (let i = 0; i < ALLOCATION_RUNS; i++) {
      if (last) {
        await last.controller.stop('SIGTERM');
        await last.sim.stop();
      }
      const { run, sim, controller } = await allocationRun(bed);
      allocations.push(run);
      last = { sim, controller };
      console.log(`allocation ${i + 1}: ${SERVICES} created in ${round(seconds(run.createMs))} s, all assigned after ${round(seconds(run.totalMs))} s, peak RSS ${round(run.peakRss / MiB)} MiB`);
    }
    if (!last) throw new Error('no allocation run');

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

    const waiting = await waitingRuns(bed);

    const restartReady = summarize(restarts.map((r) => seconds(r.readyMs)));
    const emptyReady = summarize(empty.map(seconds));
    const freedServed = summarize(waiting.freed.map(seconds));
    const createdServed = summarize(waiting.created.map(seconds));
    const rows: BenchResult[] = [
      ...spreadRows(`${SERVICES} Services created: first create until all have an address`, summarize(allocations.map((r) => seconds(r.totalMs))), 's', 15),
      ...spreadRows(`${SERVICES} Services created: creating them in kube-sim alone`, summarize(allocations.map((r) => seconds(r.createMs))), 's', null),
      ...spreadRows(`${SERVICES} Services created: controller peak RSS`, summarize(allocations.map((r) => r.peakRss / MiB)), 'MiB', 300),
      ...spreadRows(`restart with ${SERVICES} assigned: spawn until ready with every address`, restartReady, 's', 10),
      { name: `restart with ${SERVICES} assigned: addresses changed (all runs)`, value: restarts.reduce((sum, r) => sum + r.changed, 0), unit: 'addresses', limit: 0 },
      ...spreadRows(`restart with ${SERVICES} assigned: controller peak RSS`, summarize(restarts.map((r) => r.peakRss / MiB)), 'MiB', 300),
      ...spreadRows('start against an empty cluster: spawn until ready', emptyReady, 's', null),
      { name: `restart with ${SERVICES} assigned / empty start (median ratio)`, value: round(restartReady.median / emptyReady.median), unit: 'x', limit: null },
      ...spreadRows(`${WAITING} Services waiting on a full pool, ${WAITING} addresses freed at once: first delete until all are served`, freedServed, 's', 2),
      ...spreadRows(`${WAITING} Services created with ${WAITING} addresses free: first create until all are served`, createdServed, 's', null),
      { name: `${WAITING} waiting Services served after a release / ${WAITING} new Services served (median ratio)`, value: round(freedServed.median / createdServed.median), unit: 'x', limit: null },
      { name: `${WAITING} waiting Services runs: controller peak RSS`, value: round(waiting.peakRss / MiB), unit: 'MiB', limit: 300 },
    ];
    writeResults('controller', rows);
  } finally {
    await bed.cleanup();
  }
}

await main();
