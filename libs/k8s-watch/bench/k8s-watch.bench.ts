// Informer benchmark against kube-sim running in a child process (bench/sim-driver.ts):
//  - initial sync of 10,000 and 100,000 Services: time, and heap per cached object, side by side
//    with two baselines in the same run: the parsed list pages alone (the floor for any cache that
//    keeps objects as JSON) and @kubernetes/client-node's own informer;
//  - then 2,000 updates per second for 30 s: event lag from the write in the server to the
//    handler call here (p50/p99/max), and whether every update arrived.
// BENCH_QUICK=1 shrinks everything for a smoke run.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, makeInformer, type V1Service } from '@kubernetes/client-node';
import { round, settledHeapBytes, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { connect, httpListWatcher, Informer, type KubeClient, type Service, Services } from '../src/index.js';

const quick = process.env['BENCH_QUICK'] === '1';
const BIG = quick ? 10_000 : 100_000;
const SMALL = quick ? 2_000 : 10_000;
const RATE = 2_000;
const SECONDS = quick ? 5 : 30;
const RUNS_BIG = quick ? 1 : 3;
const RUNS_SMALL = quick ? 2 : 5;

const wallNow = (): number => performance.timeOrigin + performance.now();

class Driver {
  private waiting: ((msg: Record<string, unknown>) => void) | undefined;
  private constructor(private readonly child: ChildProcess) {
    child.on('message', (msg) => {
      const w = this.waiting;
      this.waiting = undefined;
      w?.(msg as Record<string, unknown>);
    });
  }

  static async start(): Promise<{ driver: Driver; kubeconfig: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', join(import.meta.dirname, 'sim-driver.ts')], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      cwd: join(import.meta.dirname, '..'),
    });
    const driver = new Driver(child);
    const ready = await driver.next();
    return { driver, kubeconfig: String(ready['kubeconfig']) };
  }

  private next(): Promise<Record<string, unknown>> {
    return new Promise((resolve) => (this.waiting = resolve));
  }

  ask(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    const reply = this.next();
    this.child.send(msg);
    return reply;
  }
}

/**
 * Heap in use once the previous measurement's objects are gone: closed sockets let go of their
 * request's closures only on a later turn of the event loop, so wait a little before collecting.
 */
async function quietHeap(): Promise<number> {
  await new Promise((r) => setTimeout(r, 100));
  return settledHeapBytes();
}

async function oursSync(client: KubeClient, expected: number): Promise<{ ms: number; heapPerObject: number }> {
  const before = await quietHeap();
  const started = performance.now();
  const informer = new Informer<Service>(httpListWatcher(client, Services, { namespace: 'bench' }));
  informer.start();
  await informer.synced;
  const ms = performance.now() - started;
  if (informer.cache.size !== expected) throw new Error(`ours: ${informer.cache.size} objects, expected ${expected}`);
  const heapPerObject = (settledHeapBytes() - before) / expected;
  await informer.stop();
  return { ms, heapPerObject };
}

async function rawPagesSync(client: KubeClient, expected: number): Promise<{ ms: number; heapPerObject: number }> {
  const before = await quietHeap();
  const started = performance.now();
  const items: Service[] = [];
  let cont: string | undefined;
  do {
    const page = await client.list(Services, { namespace: 'bench', limit: 500, ...(cont ? { continue: cont } : {}) });
    for (const item of page.items) items.push(item);
    cont = page.metadata.continue;
  } while (cont);
  const ms = performance.now() - started;
  if (items.length !== expected) throw new Error(`raw: ${items.length} objects, expected ${expected}`);
  const heapPerObject = (settledHeapBytes() - before) / expected;
  items.length = 0;
  return { ms, heapPerObject };
}

async function clientNodeSync(kubeconfig: string, expected: number): Promise<{ ms: number; heapPerObject: number }> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const api = kc.makeApiClient(CoreV1Api);
  const before = await quietHeap();
  const started = performance.now();
  const informer = makeInformer<V1Service>(kc, '/api/v1/namespaces/bench/services', () => api.listNamespacedService({ namespace: 'bench' }));
  informer.on('error', () => {});
  await informer.start();
  const ms = performance.now() - started;
  const count = informer.list().length;
  if (count !== expected) throw new Error(`client-node: ${count} objects, expected ${expected}`);
  const heapPerObject = (settledHeapBytes() - before) / expected;
  await informer.stop();
  return { ms, heapPerObject };
}

async function main(): Promise<void> {
  const { driver, kubeconfig } = await Driver.start();
  const client = await connect({ kubeconfig });
  const rows: BenchResult[] = [];
  try {
    // --- 10k: the controller's scale -------------------------------------------------------
    await driver.ask({ cmd: 'populate', count: SMALL });
    const small: number[] = [];
    const smallHeap: number[] = [];
    for (let i = 0; i < RUNS_SMALL; i++) {
      const r = await oursSync(client, SMALL);
      small.push(r.ms);
      smallHeap.push(r.heapPerObject);
    }
    rows.push(...spreadRows(`initial sync of ${SMALL} Services`, summarize(small), 'ms', null));
    rows.push({ name: `heap for ${SMALL} cached Services (median)`, value: round((summarize(smallHeap).median * SMALL) / 2 ** 20), unit: 'MiB', limit: null });

    // --- 100k: ours against the baselines, interleaved so that noise hits all alike ----------
    await driver.ask({ cmd: 'populate', count: BIG });
    const ours: { ms: number; heapPerObject: number }[] = [];
    const raw: { ms: number; heapPerObject: number }[] = [];
    const clientNode: { ms: number; heapPerObject: number }[] = [];
    for (let i = 0; i < RUNS_BIG; i++) {
      ours.push(await oursSync(client, BIG));
      raw.push(await rawPagesSync(client, BIG));
      try {
        clientNode.push(await clientNodeSync(kubeconfig, BIG));
      } catch (error) {
        console.error(`client-node informer failed: ${(error as Error).message}`);
      }
    }
    const oursMs = summarize(ours.map((r) => r.ms));
    const oursHeap = summarize(ours.map((r) => r.heapPerObject));
    const rawHeap = summarize(raw.map((r) => r.heapPerObject));
    rows.push(...spreadRows(`initial sync of ${BIG} Services`, oursMs, 'ms', null));
    rows.push(...spreadRows(`list pages only, ${BIG} Services (baseline)`, summarize(raw.map((r) => r.ms)), 'ms', null));
    rows.push(...spreadRows(`heap per cached object, ${BIG} Services`, oursHeap, 'bytes', null));
    rows.push({ name: 'heap per object vs parsed pages alone (ratio, median)', value: round(oursHeap.median / rawHeap.median), unit: 'x', limit: null });
    if (clientNode.length > 0) {
      const cnMs = summarize(clientNode.map((r) => r.ms));
      const cnHeap = summarize(clientNode.map((r) => r.heapPerObject));
      rows.push(...spreadRows(`client-node informer sync of ${BIG} Services (baseline)`, cnMs, 'ms', null));
      rows.push({ name: 'sync time, client-node informer / ours (ratio, median)', value: round(cnMs.median / oursMs.median), unit: 'x', limit: null });
      rows.push({ name: 'heap per object, client-node informer / ours (ratio, median)', value: round(cnHeap.median / oursHeap.median), unit: 'x', limit: null });
    }

    // --- 2,000 updates per second for 30 s on top of the 100k cache -------------------------
    const baseline = await quietHeap();
    const informer = new Informer<Service>(httpListWatcher(client, Services, { namespace: 'bench' }));
    const lags: number[] = [];
    informer.addHandlers({
      onUpdate: (_old, current) => {
        const sentAt = Number(current.metadata?.annotations?.['bench/sent-at']);
        if (sentAt > 0) lags.push(wallNow() - sentAt);
      },
    });
    informer.start();
    await informer.synced;
    const cpuBefore = process.cpuUsage();
    const churned = await driver.ask({ cmd: 'churn', rate: RATE, seconds: SECONDS });
    const sent = Number(churned['sent']);
    const deadline = performance.now() + 10_000;
    while (lags.length < sent && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const cpu = process.cpuUsage(cpuBefore);
    const lag = summarize(lags);
    const achievedRate = sent / (Number(churned['ms']) / 1000);
    rows.push({ name: 'updates written per second (achieved)', value: round(achievedRate), unit: '1/s', limit: null });
    rows.push({ name: 'updates delivered to handlers', value: round(lags.length / sent), unit: 'fraction', limit: null });
    rows.push({ name: 'event lag p50', value: round(lag.median), unit: 'ms', limit: null });
    rows.push({ name: 'event lag p99', value: round(lag.p99), unit: 'ms', limit: null });
    rows.push({ name: 'event lag max', value: round(lag.max), unit: 'ms', limit: null });
    rows.push({ name: 'informer CPU during updates', value: round(((cpu.user + cpu.system) / 1000 / Number(churned['ms'])) * 100), unit: '% of a core', limit: null });
    rows.push({ name: `heap per cached object after the updates, ${BIG} Services`, value: round((settledHeapBytes() - baseline) / BIG), unit: 'bytes', limit: null });
    await informer.stop();
  } finally {
    client.close();
    await driver.ask({ cmd: 'stop' });
  }
  writeResults('k8s-watch', rows);
}

await main();
