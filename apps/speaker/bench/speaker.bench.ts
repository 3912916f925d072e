// speaker:bench: the membership simulation at 10, 100 and 1,000 members (virtual clock, simulated
// LAN; traffic, detection, death bursts, false positives, CPU per event), compared with all-to-all
// heartbeats at the same interval; and the election's spread (bounded loads against plain
// rendezvous hashing, side by side), its churn and its cost. Writes bench-results/speaker.json.
//   SPEAKER_BENCH_SIZES=10,100 npx nx run speaker:bench   (default 10,100,1000)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchResultsDir, round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { L2Election } from '../src/election/elect.js';
import { placeHomes, type Ball } from '../src/election/placement.js';
import { type ElectionInputs } from '../src/election/plan.js';
import { falsePositivesUnderLoss, falsePositivesUnderStalls, killTrials, measureTraffic, stallTolerance, startCluster } from '../src/simulation/experiments.js';
import { config, names, node, service, slice, view } from '../test/fixtures.js';

const sizes = (process.env['SPEAKER_BENCH_SIZES'] ?? '10,100,1000').split(',').map(Number);
const rows: BenchResult[] = [];
const log = (text: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
const single = (name: string, value: number, unit: string, limit: number | null) => rows.push({ name, value: round(value), unit, limit });

for (const size of sizes) {
  const started = performance.now();
  const cluster = startCluster({ size, seed: size });
  log(`${size} members settled (${((performance.now() - started) / 1000).toFixed(1)} s real)`);
  // Cold start: every member starting within 100 ms, until all are joined and past their hold-down.
  const startup = cluster.names().map((n) => cluster.stats(n));
  single(`membership-${size}-cold-start-6s-busiest-sent`, Math.max(...startup.map((s) => s.sent)), 'packets', null);
  single(`membership-${size}-cold-start-6s-busiest-received`, Math.max(...startup.map((s) => s.received)), 'packets', null);
  const traffic = measureTraffic(cluster, 10_000);
  const cpu = (cluster.handleMs * 1000) / cluster.handleCalls;
  rows.push(...spreadRows(`membership-${size}-sent-packets-per-s`, summarize(traffic.sentPackets), 'packets/s', 50));
  rows.push(...spreadRows(`membership-${size}-received-packets-per-s`, summarize(traffic.receivedPackets), 'packets/s', 50));
  rows.push(...spreadRows(`membership-${size}-sent-bytes-per-s`, summarize(traffic.sentBytes), 'bytes/s', null));
  rows.push(...spreadRows(`membership-${size}-received-bytes-per-s`, summarize(traffic.receivedBytes), 'bytes/s', null));
  single(`membership-${size}-core-cpu-per-event`, cpu, 'µs', null);
  log(`${size}: traffic measured`);

  const trials = 10;
  const detection = killTrials(cluster, trials, size + 1);
  rows.push(...spreadRows(`membership-${size}-detection-first-declared`, summarize(detection.firstDeclared), 'ms', 300));
  rows.push(...spreadRows(`membership-${size}-detection-all-know`, summarize(detection.allKnow), 'ms', 400));
  rows.push(...spreadRows(`membership-${size}-death-second-busiest-sent`, summarize(detection.burstSent), 'packets', 50));
  rows.push(...spreadRows(`membership-${size}-death-second-busiest-received`, summarize(detection.burstReceived), 'packets', 50));
  single(`membership-${size}-detection-false-positives`, detection.falsePositives, 'deaths', 0);
  rows.push(...spreadRows(`membership-${size}-restart-second-joiner-sent`, summarize(detection.restartJoinerSent), 'packets', null));
  rows.push(...spreadRows(`membership-${size}-restart-second-busiest-other-sent`, summarize(detection.restartBusiestOtherSent), 'packets', 50));
  rows.push(...spreadRows(`membership-${size}-restart-second-busiest-received`, summarize(detection.restartBusiestReceived), 'packets', 50));
  log(`${size}: ${trials} kills measured`);

  const lossMs = size >= 1000 ? 20_000 : 60_000;
  single(`membership-${size}-false-positives-5pct-loss-${lossMs / 1000}s`, falsePositivesUnderLoss(cluster, 0.05, lossMs), 'deaths', 0);
  const stalls = falsePositivesUnderStalls(cluster, 150, 1_000, lossMs, size + 2);
  single(`membership-${size}-false-positives-stalls-to-150ms-${lossMs / 1000}s`, stalls.falsePositives, 'deaths', 0);
  single(`membership-${size}-stalls-injected`, stalls.stalls, 'stalls', null);
  log(`${size}: false positives measured (${((performance.now() - started) / 1000).toFixed(1)} s real in all)`);
}

// Side by side: all-to-all heartbeats at the same interval (every member monitors every other).
for (const size of sizes.filter((s) => s <= 100)) {
  const allToAll = measureTraffic(startCluster({ size, seed: size, timing: { monitors: size - 1 } }), 5_000);
  const ring = measureTraffic(startCluster({ size, seed: size }), 5_000);
  const a = summarize(allToAll.sentPackets).median;
  single(`membership-${size}-all-to-all-sent-packets-per-s`, a, 'packets/s', null);
  single(`membership-${size}-ring-over-all-to-all-packets`, summarize(ring.sentPackets).median / a, 'ratio', null);
}
single('membership-stall-tolerated-10-members', stallTolerance({ size: 10, seed: 99 }, [100, 150, 200, 220, 240, 260, 280, 300, 400]), 'ms', null);
log('membership done');

// Election spread: 1,000 Services (consecutive addresses of a pool) on 10 nodes, 100 pools.
const tenNodes = names('worker', 10);
const spreadOf = (loadFactor: number) => {
  const ratios: number[] = [];
  for (let pool = 0; pool < 100; pool++) {
    const balls: Ball[] = Array.from({ length: 1000 }, (_, i) => {
      const v = pool * 65536 + i + 1;
      return { key: `10.${(v >> 16) & 255}.${(v >> 8) & 255}.${v & 255}`, group: `s${i}`, candidates: tenNodes.map((n) => ({ node: n, preference: 0 })) };
    });
    const load = new Map<string, number>();
    for (const n of placeHomes(balls, new Set(tenNodes), loadFactor).values()) load.set(n, (load.get(n) ?? 0) + 1);
    const values = tenNodes.map((n) => load.get(n) ?? 0);
    ratios.push(Math.max(...values) / Math.min(...values));
  }
  return summarize(ratios);
};
const bounded = spreadOf(1.03);
const rendezvous = spreadOf(Number.POSITIVE_INFINITY);
rows.push(...spreadRows('election-spread-max-over-min-bounded-1000-services-10-nodes', bounded, 'ratio', 1.5));
rows.push(...spreadRows('election-spread-max-over-min-rendezvous-1000-services-10-nodes', rendezvous, 'ratio', null));
single('election-spread-bounded-over-rendezvous-worst', bounded.max / rendezvous.max, 'ratio', null);

// Churn: Services displaced by adding one (200 adds in a row), and by a node joining.
{
  const keys = Array.from({ length: 1200 }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}`);
  const ballsOf = (n: number, nodes: readonly string[]): Ball[] => keys.slice(0, n).map((k) => ({ key: k, group: k, candidates: nodes.map((node) => ({ node, preference: 0 })) }));
  const moves: number[] = [];
  let previous = placeHomes(ballsOf(1000, tenNodes), new Set(tenNodes));
  for (let n = 1001; n <= 1200; n++) {
    const next = placeHomes(ballsOf(n, tenNodes), new Set(tenNodes));
    moves.push(keys.slice(0, n - 1).filter((k) => previous.get(k) !== next.get(k)).length);
    previous = next;
  }
  rows.push(...spreadRows('election-others-moved-per-service-added', summarize(moves), 'services', null));
  const eleven = [...tenNodes, 'worker-new'];
  const before = placeHomes(ballsOf(1000, tenNodes), new Set(tenNodes));
  const after = placeHomes(ballsOf(1000, eleven), new Set(eleven));
  single('election-moved-when-an-11th-node-joins', keys.slice(0, 1000).filter((k) => before.get(k) !== after.get(k)).length, 'services', null);
  single('election-moved-when-an-11th-node-joins-ideal', 1000 / 11, 'services', null);
}

// Cost: 10,000 Services on 100 nodes; a full decision (API change) and a membership change alone.
{
  const cfg = config(`
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: big, namespace: metallb-system }
spec: { addresses: [10.100.0.0/16] }
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: { name: big, namespace: metallb-system }
`);
  const hundred = names('node', 100);
  const inputs: ElectionInputs = {
    config: cfg,
    nodes: hundred.map((n) => node(n)),
    services: Array.from({ length: 10_000 }, (_, i) => service(`s${i}`, { ips: [`10.100.${i >> 8}.${i & 255}`] })),
    endpointSlices: Array.from({ length: 10_000 }, (_, i) => slice(`s${i}`, [hundred[i % 100] as string])),
  };
  const full: number[] = [];
  const membershipOnly: number[] = [];
  const election = new L2Election('node-0');
  for (let run = 0; run < 10; run++) {
    // New Service objects each run (verdicts are remembered per object): every Service changed.
    const changed = { ...inputs, services: inputs.services.map((s) => structuredClone(s)) };
    let t = performance.now();
    election.setInputs(changed);
    election.decide(view('node-0', hundred));
    full.push(performance.now() - t);
    t = performance.now();
    election.decide(view('node-0', hundred.filter((_, i) => i !== run + 1), { known: hundred }));
    membershipOnly.push(performance.now() - t);
  }
  rows.push(...spreadRows('election-decide-10000-services-100-nodes-api-change', summarize(full), 'ms', null));
  rows.push(...spreadRows('election-decide-10000-services-100-nodes-membership-change', summarize(membershipOnly), 'ms', null));
}

// bench/bgp.bench.ts, lab.bench.ts and memory.bench.ts write the bgp-*, lab-* and memory-* rows of
// the same file: keep them.
const resultsFile = join(benchResultsDir(), 'speaker.json');
const otherRows = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResult[]).filter((r) => /^(bgp|lab|memory)-/.test(r.name)) : [];
writeResults('speaker', [...rows, ...otherRows]);
