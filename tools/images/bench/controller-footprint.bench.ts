// The bundled controller (what the image runs: build/bundle.mjs's single file) against today's
// built code (bin/lb-controller.mjs importing dist/ and node_modules), turn about in one run, both
// as processes on this machine's node (the image carries the same node build) against kube-sim in
// this process:
//  - start to ready: spawn until /readyz answers 200, on a cluster holding one pool;
//  - RSS once ready (idle) and peak RSS (VmHWM) after 10,000 LoadBalancer Services got their
//    addresses (goal for the bundle: < 150 MiB), with the time that took.
// The bundled variant runs with the node flags the images' entrypoint passes (IMAGE_NODE_FLAGS) and
// the images' environment (IMAGE_NODE_ENV).
// BENCH_QUICK=1: 2,000 Services, 2 runs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { start, type KubeSim } from '@lb/kube-sim';
import { freePort } from '../test/ports.js';

const quick = process.env['BENCH_QUICK'] === '1';
const SERVICES = quick ? 2_000 : 10_000;
const RUNS = quick ? 2 : 3;
const NS = 'metallb-system';
const MiB = 1024 * 1024;
const root = join(import.meta.dirname, '..', '..', '..');
/** The images' entrypoint flags (build/node-flags.json). */
const IMAGE_NODE_FLAGS = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'build', 'node-flags.json'), 'utf8')) as string[];
/** The images' environment (build/node-env.json), given to the bundled variant with its flags. */
const IMAGE_NODE_ENV = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'build', 'node-env.json'), 'utf8')) as Record<string, string>;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));


async function waitFor(what: string, timeoutMs: number, condition: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`${field}:\\s*(\\d+)`).exec(status)?.[1]) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

interface Run {
  readonly readyMs: number;
  readonly idleRss: number;
  readonly allocationMs: number;
  readonly peakRss: number;
}

async function once(script: string, nodeFlags: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  const crds = join(root, 'charts', 'lb', 'crds');
  const sim: KubeSim = await start({ files: readdirSync(crds).map((f) => join(crds, f)) });
  let child: ChildProcess | undefined;
  try {
    await sim.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } } as never);
    await sim.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } } as never);
    await sim.store.create({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench', namespace: NS }, spec: { addresses: ['10.0.0.0/17'] } } as never);
    const port = await freePort();
    const started = performance.now();
    child = spawn(process.execPath, [...nodeFlags, script, `--kubeconfig=${sim.kubeconfigPath}`, `--namespace=${NS}`, '--metrics-host=127.0.0.1', `--metrics-port=${port}`, '--webhook-port=0', '--log-level=warn'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...env } });
    await waitFor('/readyz', 30_000, async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true);
    const readyMs = performance.now() - started;
    await sleep(500);
    const idleRss = memory(child.pid as number).rss;
    const allocationStarted = performance.now();
    for (let i = 0; i < SERVICES; i++) {
      await sim.store.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'bench' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } as never);
    }
    await waitFor('every Service assigned', 180_000, () => (sim.store.get('ipaddresspools.metallb.io', 'bench', NS)?.['status'] as { assignedIPv4?: number } | undefined)?.assignedIPv4 === SERVICES);
    const allocationMs = performance.now() - allocationStarted;
    return { readyMs, idleRss, allocationMs, peakRss: memory(child.pid as number).peak };
  } finally {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await sim.stop();
  }
}

async function main(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'chr-bundle-'));
  try {
    execFileSync(process.execPath, [join(import.meta.dirname, '..', 'build', 'bundle.mjs'), join(root, 'apps', 'controller'), out], { stdio: ['ignore', 'ignore', 'inherit'] });
    const variants = { built: join(root, 'apps', 'controller', 'bin', 'lb-controller.mjs'), bundled: join(out, 'lb-controller.js') };
    const runs: Record<keyof typeof variants, Run[]> = { built: [], bundled: [] };
    for (let i = 0; i < RUNS; i++) {
      for (const name of ['built', 'bundled'] as const) {
        const run = name === 'bundled' ? await once(variants[name], IMAGE_NODE_FLAGS, IMAGE_NODE_ENV) : await once(variants[name], []);
        runs[name].push(run);
        console.log(`${name} run ${i + 1}: ready ${round(run.readyMs)} ms, idle RSS ${round(run.idleRss / MiB)} MiB, ${SERVICES} Services in ${round(run.allocationMs / 1000)} s, peak RSS ${round(run.peakRss / MiB)} MiB`);
      }
    }
    const rows: BenchResult[] = [];
    for (const name of ['bundled', 'built'] as const) {
      const r = runs[name];
      rows.push(...spreadRows(`controller ${name}: start to ready`, summarize(r.map((x) => x.readyMs)), 'ms', null));
      rows.push(...spreadRows(`controller ${name}: RSS once ready`, summarize(r.map((x) => x.idleRss / MiB)), 'MiB', null));
      rows.push(...spreadRows(`controller ${name}: ${SERVICES} Services assigned`, summarize(r.map((x) => x.allocationMs / 1000)), 's', null));
      rows.push(...spreadRows(`controller ${name}: peak RSS with ${SERVICES} Services`, summarize(r.map((x) => x.peakRss / MiB)), 'MiB', name === 'bundled' && !quick ? 150 : null));
    }
    const median = (name: 'built' | 'bundled', pick: (r: Run) => number): number => summarize(runs[name].map(pick)).median;
    rows.push({ name: 'bundled / built: start to ready (median ratio)', value: round(median('bundled', (r) => r.readyMs) / median('built', (r) => r.readyMs)), unit: 'x', limit: null });
    rows.push({ name: 'bundled / built: RSS once ready (median ratio)', value: round(median('bundled', (r) => r.idleRss) / median('built', (r) => r.idleRss)), unit: 'x', limit: null });
    rows.push({ name: 'bundled / built: peak RSS (median ratio)', value: round(median('bundled', (r) => r.peakRss) / median('built', (r) => r.peakRss)), unit: 'x', limit: null });
    writeResults('images', rows);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

await main();
