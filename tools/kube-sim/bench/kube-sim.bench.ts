// kube-sim under the load the controller benchmark puts on it: 10,000 Services created over HTTPS,
// watched by 10 concurrent watchers (initial sync from "0" and live fan-out), a full list, and the
// heap each stored object costs; then 500 watchers of a 3 MB ConfigMap (fanout.ts) and a restart
// with 100,000 stored objects (restart.ts). Each measurement is repeated on a fresh server;
// min/median/max go to bench-results/kube-sim.json. KUBE_SIM_BENCH_SECTIONS=core,fanout,restart
// picks sections (all by default).
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import { round as roundFigure, settledHeapBytes, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { type KubeSim, start } from '../src/index.js';
import { fanoutRound, WATCHERS as FANOUT_WATCHERS } from './fanout.js';
import { restartRounds, STORED } from './restart.js';

const SERVICES = Number(process.env['KUBE_SIM_BENCH_SERVICES'] ?? 10_000);
const WATCHERS = 10;
const ROUNDS = Number(process.env['KUBE_SIM_BENCH_ROUNDS'] ?? 3);
const CONCURRENCY = 16;

function service(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `svc-${i}`, namespace: 'default', labels: { app: `app-${i % 50}` } },
    spec: { type: 'LoadBalancer', selector: { app: `app-${i % 50}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
}

function post(sim: KubeSim, agent: Agent, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}${path}`, { method: 'POST', agent, ca: sim.ca, headers: { authorization: `Bearer ${sim.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function get(sim: KubeSim, agent: Agent, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${sim.url}${path}`, { agent, ca: sim.ca, headers: { authorization: `Bearer ${sim.token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () => resolve(bytes));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Creates services svc-from..svc-(to-1) with CONCURRENCY requests in flight. */
async function createServices(sim: KubeSim, agent: Agent, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    while (next < to) {
      const i = next++;
      const code = await post(sim, agent, '/api/v1/namespaces/default/services', service(i));
      if (code !== 201) throw new Error(`create svc-${i}: HTTP ${code}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

/** A watch stream counting events (newline-delimited) until `expected` have arrived. */
function watchUntil(sim: KubeSim, path: string, expected: number): { done: Promise<number>; close(): void } {
  let close = (): void => undefined;
  const done = new Promise<number>((resolve, reject) => {
    const req = request(`${sim.url}${path}`, { ca: sim.ca, headers: { authorization: `Bearer ${sim.token}` } }, (res) => {
      let count = 0;
      res.on('data', (d: Buffer) => {
        for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) count++;
        if (count >= expected) resolve(performance.now());
      });
    });
    req.on('error', (err) => (count(err) ? undefined : reject(err)));
    close = () => req.destroy();
    req.end();
  });
  return { done, close: () => close() };
}

function count(err: Error): boolean {
  return /socket hang up|aborted/.test(err.message);
}

async function round(): Promise<{ createsPerSec: number; initialEventsPerSec: number; liveEventsPerSec: number; listMs: number; startMs: number }> {
  const t0 = performance.now();
  const sim = await start({ historyWindow: 100_000 });
  const startMs = performance.now() - t0;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const c0 = performance.now();
    await createServices(sim, agent, 0, SERVICES);
    const createsPerSec = (SERVICES / (performance.now() - c0)) * 1000;

    // Initial sync: every watcher gets an ADDED per existing service.
    const w0 = performance.now();
    const initial = Array.from({ length: WATCHERS }, () => watchUntil(sim, '/api/v1/services?watch=true&resourceVersion=0', SERVICES));
    const initialEnd = Math.max(...(await Promise.all(initial.map((w) => w.done))));
    const initialEventsPerSec = ((WATCHERS * SERVICES) / (initialEnd - w0)) * 1000;
    for (const w of initial) w.close();

    // Live fan-out: watchers from "now" while another SERVICES services are written in-process, so
    // the figure is the watch path's (one serialization, ten streams), not the HTTPS create path's.
    const rv = sim.store.resourceVersion;
    const live = Array.from({ length: WATCHERS }, () => watchUntil(sim, `/api/v1/services?watch=true&resourceVersion=${rv}`, SERVICES));
    const l0 = performance.now();
    for (let i = SERVICES; i < 2 * SERVICES; i++) {
      await sim.store.create(JSON.parse(service(i)) as object);
      // Let the streams flush now and then, as interleaved client requests would.
      if (i % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    const liveEnd = Math.max(...(await Promise.all(live.map((w) => w.done))));
    const liveEventsPerSec = ((WATCHERS * SERVICES) / (liveEnd - l0)) * 1000;
    for (const w of live) w.close();

    const g0 = performance.now();
    const bytes = await get(sim, agent, '/api/v1/services');
    const listMs = performance.now() - g0;
    if (bytes < SERVICES * 100) throw new Error(`list returned only ${bytes} bytes`);
    return { createsPerSec, initialEventsPerSec, liveEventsPerSec, listMs, startMs };
  } finally {
    agent.destroy();
    await sim.stop();
  }
}

/** Heap per stored Service (in-process writes, no HTTP), and the same per byte of its JSON. */
async function memoryPerObject(): Promise<{ bytesPerObject: number; heapPerJsonByte: number; inProcessCreatesPerSec: number }> {
  const sim = await start({ https: false, historyWindow: 100_000 });
  try {
    const before = settledHeapBytes();
    const t0 = performance.now();
    for (let i = 0; i < SERVICES; i++) await sim.store.create(JSON.parse(service(i)) as object);
    const inProcessCreatesPerSec = (SERVICES / (performance.now() - t0)) * 1000;
    const after = settledHeapBytes();
    const jsonBytes = sim.store.list('services', 'default').reduce((n, s) => n + JSON.stringify(s).length, 0);
    return { bytesPerObject: (after - before) / SERVICES, heapPerJsonByte: (after - before) / jsonBytes, inProcessCreatesPerSec };
  } finally {
    await sim.stop();
  }
}

const sections = new Set((process.env['KUBE_SIM_BENCH_SECTIONS'] ?? 'core,fanout,restart').split(','));
const rows: BenchResult[] = [];

if (sections.has('core')) {
const rounds: Array<Awaited<ReturnType<typeof round>>> = [];
for (let i = 0; i < ROUNDS; i++) rounds.push(await round());
const memory: Array<Awaited<ReturnType<typeof memoryPerObject>>> = [];
for (let i = 0; i < ROUNDS; i++) memory.push(await memoryPerObject());

const n = SERVICES.toLocaleString('en-US');
rows.push(
  ...spreadRows(`create ${n} services over HTTPS, ${CONCURRENCY} in flight`, summarize(rounds.map((r) => r.createsPerSec)), 'creates/s', null),
  // The same creates without HTTP or TLS: what the API core costs; its ratio to the row above is the transport's share.
  ...spreadRows(`create ${n} services in-process (store.create, no HTTP)`, summarize(memory.map((m) => m.inProcessCreatesPerSec)), 'creates/s', null),
  ...spreadRows(`${WATCHERS} watchers from "0", initial ${n} ADDED each`, summarize(rounds.map((r) => r.initialEventsPerSec)), 'events/s', null),
  ...spreadRows(`${WATCHERS} watchers, live fan-out of ${n} in-process creates`, summarize(rounds.map((r) => r.liveEventsPerSec)), 'events/s', null),
  ...spreadRows(`list ${n} services (JSON)`, summarize(rounds.map((r) => r.listMs)), 'ms', null),
  // The first start in a process generates the CA and serving keys; later ones share them.
  { name: 'first start in a process (RSA keys, CA, certificate, listen)', value: roundFigure(rounds[0]?.startMs ?? NaN), unit: 'ms', limit: null },
  ...(rounds.length > 1 ? spreadRows('later start (shared CA)', summarize(rounds.slice(1).map((r) => r.startMs)), 'ms', null) : []),
  ...spreadRows('heap per stored service', summarize(memory.map((m) => m.bytesPerObject)), 'bytes', null),
  ...spreadRows('heap per byte of stored JSON', summarize(memory.map((m) => m.heapPerJsonByte)), 'ratio', null),
);
}

if (sections.has('fanout')) {
  const mb = (b: number): number => b / (1024 * 1024);
  for (const https of [true, false]) {
    const fan: Array<Awaited<ReturnType<typeof fanoutRound>>> = [];
    for (let i = 0; i < ROUNDS; i++) fan.push(await fanoutRound(https));
    const w = `${FANOUT_WATCHERS} watchers of a 3 MB ConfigMap (${https ? 'HTTPS' : 'plain HTTP'}, kube-sim its own process)`;
    rows.push(
      ...spreadRows(`${w}: peak RSS of kube-sim`, summarize(fan.map((f) => mb(f.peakRssBytes))), 'MiB', 300),
      ...spreadRows(`${w}: RSS before the watchers`, summarize(fan.map((f) => mb(f.idleRssBytes))), 'MiB', null),
      ...spreadRows(`${w}: whole MODIFIED of the 3 MB object at all, once connected`, summarize(fan.map((f) => f.modifiedAllMs)), 'ms', 1000),
      ...spreadRows(`${w}: first bytes of that MODIFIED at all`, summarize(fan.map((f) => f.modifiedFirstBytesAllMs)), 'ms', null),
      ...spreadRows(`${w}: kube-sim CPU for that fan-out`, summarize(fan.map((f) => f.serverCpuMs)), 'ms', null),
      ...spreadRows(`${w}: the watchers' (this process's) CPU meanwhile`, summarize(fan.map((f) => f.clientCpuMs)), 'ms', null),
      ...spreadRows(`${w}: connect and whole initial ADDED at all`, summarize(fan.map((f) => f.initialAllMs)), 'ms', null),
      ...spreadRows(`${w}: a GET meanwhile`, summarize(fan.map((f) => f.getDuringFanoutMs)), 'ms', null),
    );
  }
}

if (sections.has('restart')) {
  const r = await restartRounds(ROUNDS);
  const s = `restart with ${STORED.toLocaleString('en-US')} stored Services (--data-dir, ${r.journalRecords.toLocaleString('en-US')} journal records)`;
  rows.push(
    ...spreadRows(`${s}: start() to listening, in-process`, summarize(r.inProcessMs), 'ms', 3000),
    ...spreadRows(`${s}: process spawn to listening (node + tsx + restore)`, summarize(r.processMs), 'ms', null),
  );
}

writeResults('kube-sim', rows);
process.exit(0);
