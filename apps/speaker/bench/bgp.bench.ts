// speaker:bench, BGP part (root; run under `flock /tmp/lb-bench.lock flock /tmp/lb-lab.lock`): the
// real desiredBgp() + BgpMode in a node namespace (test/bgp-driver.ts) against FRR (zebra, bgpd)
// in a router namespace. Rows `bgp-*` are merged into bench-results/speaker.json; the other rows
// of the file are kept.
//   - bgp-route-latency: a Service added to the desired state → its route in the router's
//     kernel table (seen by `ip monitor route`), and removed → the route gone; BGP_BENCH_TRIALS (20).
//   - bgp-bfd-node-failure: BFD 3 × 100 ms; a node frozen (SIGSTOP of its namespace) → the router's
//     kernel route no longer through it (polled every ~10 ms); BGP_BENCH_BFD_TRIALS (10).
//   - bgp-10000-services-announce: 10,000 Services in one update → FRR's RIB holds all 10,000
//     from the node; withdrawn between rounds; BGP_BENCH_ROUNDS (3). The driver's RSS at 10,000.
// Then end to end with real processes (test/bgp-lab.ts: kube-sim, the controller, three lb-speaker
// processes run with the images' node flags, FRR with zebra ECMP, a client behind the router
// sending a request every 10 ms):
//   - bgp-rolling-kill9-* / bgp-rolling-sigterm-*: every speaker killed (or SIGTERMed: withdraw,
//     --drain-seconds 2, exit) and started again in turn, graceful restart on; failed requests
//     summed over BGP_BENCH_ROLLING_ROUNDS (2) rounds.
//   - bgp-bfd-node-failure-client-gap: BFD 3 × 100 ms, a node frozen; from the freeze to the start
//     of the last request that failed; BGP_BENCH_BFD_TRIALS (10).
//   - bgp-holdtime-3s-node-failure-client-gap: the same without BFD, hold time 3 s;
//     BGP_BENCH_HOLD_TRIALS (5); also minus the hold time.
//   - bgp-10000-services-e2e: BGP_BENCH_SERVICES (10,000) Services created through the API (32 at a
//     time, each with an EndpointSlice) with 2 BGPPeers per node (the router's IPv4 and IPv6
//     addresses, both families): from the last create's answer to FRR holding every one on all 6
//     sessions, and each process's CPU over it; the speakers' RSS then (and their peak). Repeated
//     BGP_BENCH_BULK_RUNS (3) times, the previous run's Services deleted (and withdrawn) first. Then, the Services in place, the three
//     speakers are stopped (SIGTERM: withdraw) and started again in each form, BGP_BENCH_RSS_RUNS (2)
//     times, turn about: `built` (the bin on dist/, no node flags, as above), `built-image-flags`
//     (the same with the image's node flags, tools/images/build/node-flags.json), `bundled` (the
//     image's bundle, flags and environment, as memory.bench.ts runs it) and, with BGP_BENCH_BASELINE_BUNDLE (a
//     bundle.mjs output directory of an earlier commit), `baseline`: each form's RSS once FRR holds
//     every prefix again on all 6 sessions and 10 s have passed (rows bgp-10000-services-2-peers-restarted-*).
// BGP_BENCH_ONLY=driver|e2e|bulk runs one part (its rows replace those of the file, the rest stay);
// bulk is the 10,000 Services of the end-to-end part alone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type StreamRecord } from '@lb/netlab';
import { join } from 'node:path';
import { benchResultsDir, round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { ClusterLab, requireNetworkLab, waitFor } from '@lb/netlab';
import { Driver, type ApiObjects } from '../test/bgp-harness.js';
import { node, service, slice } from '../test/fixtures.js';
import { assignedCount, BgpLab, createBulkServices, deleteBulkServices, DRAIN_SECONDS } from '../test/bgp-lab.js';
import { imageNodeCommand, imageNodeFlags, speakerBin } from '../test/lab.js';

const trials = Number(process.env['BGP_BENCH_TRIALS'] ?? 20);
const bfdTrials = Number(process.env['BGP_BENCH_BFD_TRIALS'] ?? 10);
const rounds = Number(process.env['BGP_BENCH_ROUNDS'] ?? 3);
const rollingRounds = Number(process.env['BGP_BENCH_ROLLING_ROUNDS'] ?? 2);
const holdTrials = Number(process.env['BGP_BENCH_HOLD_TRIALS'] ?? 5);
const bulkServices = Number(process.env['BGP_BENCH_SERVICES'] ?? 10_000);
const bulkRuns = Number(process.env['BGP_BENCH_BULK_RUNS'] ?? 3);
if (!Number.isInteger(bulkRuns) || bulkRuns < 1) throw new Error(`BGP_BENCH_BULK_RUNS must be a whole number of runs, 1 or more; got ${JSON.stringify(process.env['BGP_BENCH_BULK_RUNS'])}`);
const only = process.env['BGP_BENCH_ONLY'];
const log = (text: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);

const CONFIG = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: bench, namespace: metallb-system }
spec: { addresses: [10.100.0.0/16] }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64512, peerASN: 64512, peerAddress: 172.30.0.3 }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: all, namespace: metallb-system }
`;
const NODES = [node('lb-node-1'), node('lb-node-2')];
const BFD_CONFIG = CONFIG.replace('peerAddress: 172.30.0.3 }', 'peerAddress: 172.30.0.3, bfdProfile: fast, connectTime: 1s }') + `---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: fast, namespace: metallb-system }
spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 }
`;
const addressOf = (i: number): string => `10.100.${i >> 8}.${i & 255}`;
function objects(count: number, offset = 0): ApiObjects {
  const services = [];
  const endpointSlices = [];
  for (let i = offset; i < offset + count; i++) {
    services.push(service(`svc-${i}`, { ips: [addressOf(i)] }));
    endpointSlices.push(slice(`svc-${i}`, ['lb-node-1']));
  }
  return { services, endpointSlices, nodes: NODES };
}

requireNetworkLab(['zebra', 'bgpd', 'vtysh']);
const rows: BenchResult[] = [];
if (only !== 'e2e' && only !== 'bulk') await driverBench();
if (only !== 'driver') await endToEnd();

async function driverBench(): Promise<void> {
  const c = await ClusterLab.start({ tag: 'sbg', nodes: 2, kubeSim: false, router: { bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 } } });
  try {
    const driver = await Driver.start(c, 0);
    const router = c.router;
    if (!router || !c.routerNs) throw new Error('the lab has no router');
    const monitor = c.lab.spawn(c.routerNs, 'ip', ['-4', 'monitor', 'route']);
    const seen = (): string => monitor.output();
    driver.update(CONFIG, objects(1));
    await waitFor('the session', () => router.acceptedCount('172.30.0.11', 'ipv4-unicast') === 1, { timeoutMs: 30_000, intervalMs: 200 });

    // Latency of one change, both ways.
    const added: number[] = [];
    const removed: number[] = [];
    for (let t = 0; t < trials; t++) {
      const i = 1000 + t;
      // `10.100.3.232 nhid 18 via 172.30.0.11 ...` (FRR installs through nexthop groups).
      const prefix = `\n${addressOf(i)} `;
      const before = seen().length;
      let start = performance.now();
      driver.update(CONFIG, { ...objects(1), services: [...objects(1).services, service(`svc-${i}`, { ips: [addressOf(i)] })], endpointSlices: [...objects(1).endpointSlices, slice(`svc-${i}`, ['lb-node-1'])] });
      await waitFor(`route ${addressOf(i)}`, () => `\n${seen().slice(before)}`.includes(prefix), { timeoutMs: 10_000, intervalMs: 1 });
      added.push(performance.now() - start);
      const beforeDelete = seen().length;
      start = performance.now();
      driver.update(CONFIG, objects(1));
      await waitFor(`route ${addressOf(i)} gone`, () => `\n${seen().slice(beforeDelete)}`.includes(`\nDeleted ${addressOf(i)} `), { timeoutMs: 10_000, intervalMs: 1 });
      removed.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`route latency: added median ${summarize(added).median.toFixed(1)} ms, removed ${summarize(removed).median.toFixed(1)} ms`);
    rows.push(...spreadRows('bgp-route-latency-add-to-router-kernel', summarize(added), 'ms', 1000));
    rows.push(...spreadRows('bgp-route-latency-remove-from-router-kernel', summarize(removed), 'ms', 1000));
    await monitor.stop();

    // 10,000 Services at once.
    const idleRss = (await driver.status()).rssBytes;
    const big = objects(10_000);
    const announce: number[] = [];
    const withdraw: number[] = [];
    let rss = 0;
    let compute = 0;
    for (let r = 0; r < rounds; r++) {
      let start = performance.now();
      driver.update(CONFIG, big);
      await waitFor('10,000 routes at FRR', () => router.acceptedCount('172.30.0.11', 'ipv4-unicast') === 10_000, { timeoutMs: 120_000, intervalMs: 50 });
      announce.push(performance.now() - start);
      const status = await driver.status();
      rss = Math.max(rss, status.rssBytes);
      const updated = driver.process.output().split('\n').filter((l) => l.startsWith('UPDATED ')).at(-1);
      compute = Math.max(compute, Number(updated?.split(' ')[1] ?? 0));
      start = performance.now();
      driver.update(CONFIG, objects(0));
      await waitFor('routes withdrawn at FRR', () => router.acceptedCount('172.30.0.11', 'ipv4-unicast') === 0, { timeoutMs: 120_000, intervalMs: 50 });
      withdraw.push(performance.now() - start);
      log(`round ${r + 1}: announce ${announce.at(-1)?.toFixed(0)} ms, withdraw ${withdraw.at(-1)?.toFixed(0)} ms`);
    }
    rows.push(...spreadRows('bgp-10000-services-announce-to-frr-rib', summarize(announce), 'ms', 5000));
    rows.push(...spreadRows('bgp-10000-services-withdraw-from-frr-rib', summarize(withdraw), 'ms', 5000));
    rows.push({ name: 'bgp-10000-services-update-compute (max)', value: round(compute), unit: 'ms', limit: null });
    rows.push({ name: 'bgp-10000-services-1-peer-rss', value: round(rss / 2 ** 20), unit: 'MiB', limit: 150 });
    // The driver runs TypeScript through tsx and parses the 10,000 objects from one JSON line: its RSS
    // with one Service shows how much of the above is not the speaker's.
    rows.push({ name: 'bgp-driver-1-service-rss', value: round(idleRss / 2 ** 20), unit: 'MiB', limit: null });

    // BFD: node 2 frozen, the router stops routing through it.
    driver.update(BFD_CONFIG, objects(1));
    const second = await Driver.start(c, 1);
    second.update(BFD_CONFIG, { ...objects(1), endpointSlices: [slice('svc-0', ['lb-node-1', 'lb-node-2'])] });
    const hops = (): string[] => router.kernelNextHops(`${addressOf(0)}/32`);
    const bfd: number[] = [];
    for (let t = 0; t < bfdTrials; t++) {
      await waitFor('ECMP over both nodes', () => hops().length === 2, { timeoutMs: 60_000, intervalMs: 100 });
      // BGP comes back before BFD does (its handshake runs at the 1 s slow-start rate): until the
      // router's BFD session is up again, only the hold timer would notice a failure.
      await waitFor('BFD up at the router', () => router.bfdPeers().some((p) => p.peer === '172.30.0.12' && p.status === 'up'), { timeoutMs: 30_000, intervalMs: 200 });
      await new Promise((r) => setTimeout(r, 500));
      const frozenAt = performance.now();
      c.freeze(1);
      try {
        await waitFor('node 2 out of the route', () => !hops().includes('172.30.0.12'), { timeoutMs: 10_000, intervalMs: 1 });
        bfd.push(performance.now() - frozenAt);
      } finally {
        c.thaw(1);
      }
      log(`BFD trial ${t + 1}: ${bfd.at(-1)?.toFixed(0)} ms`);
    }
    rows.push(...spreadRows('bgp-bfd-3x100ms-node-failure-router-withdraw', summarize(bfd), 'ms', 500));
    await second.stop();
    await driver.stop();
  } finally {
    await c.cleanup();
  }
}

async function endToEnd(): Promise<void> {
  // The speakers (and the controller) as the images run them: node with node-flags.json.
  const flags = imageNodeFlags();
  // On their command lines: Node refuses V8 flags such as --heap-growing-percent in NODE_OPTIONS.
  for (const variable of ['SPEAKER_LAB_SPEAKER_NODE_ARGS', 'SPEAKER_LAB_CONTROLLER_NODE_ARGS']) process.env[variable] = [...flags, process.env[variable] ?? ''].join(' ').trim();
  // BFD from the first session on (FRR's bfdd does not take up BFD for a dynamic neighbour whose
  // session was reset to add a profile, as the demo found).
  const lab = await BgpLab.start({ peer: { bfd: true } });
  try {
    const ip = await lab.service('web');
    log(`end to end: lab up, ${ip}`);

    for (const how of only === 'bulk' ? [] : (['kill9', 'sigterm'] as const)) {
      let failed = 0;
      let sent = 0;
      let gap = 0;
      const failures: StreamRecord[] = [];
      for (let r = 0; r < rollingRounds; r++) {
        const result = await lab.rollingRestart(ip, how);
        failed += result.summary.failed;
        sent += result.summary.sent;
        gap = Math.max(gap, result.summary.maxGapMs);
        failures.push(...result.failures);
        log(`rolling ${how} round ${r + 1}: ${result.summary.sent} requests, ${result.summary.failed} failed (${result.failures.map((f) => f.error).join(', ')}), longest gap ${result.summary.maxGapMs} ms`);
      }
      rows.push({ name: `bgp-rolling-${how}-failed-requests`, value: failed, unit: 'requests', limit: 0 });
      rows.push({ name: `bgp-rolling-${how}-requests`, value: sent, unit: 'requests', limit: null });
      rows.push({ name: `bgp-rolling-${how}-longest-gap-between-answers`, value: round(gap), unit: 'ms', limit: null });
    }

    if (only !== 'bulk') await failures(lab, ip);
    await bulk(lab);
  } finally {
    await lab.cleanup();
  }
}

async function failures(lab: BgpLab, ip: string): Promise<void> {
    const bfdGaps: number[] = [];
    const bfdRouter: number[] = [];
    for (let t = 0; t < bfdTrials; t++) {
      const r = await lab.freezeNode(ip, { bfd: true, timeoutMs: 10_000 });
      bfdGaps.push(r.gapMs);
      bfdRouter.push(r.routerMs);
      log(`BFD freeze ${t + 1} (${r.victim}): client gap ${r.gapMs} ms, router ${r.routerMs} ms, ${r.failed} failed of ${r.sent}`);
    }
    rows.push(...spreadRows('bgp-bfd-3x100ms-node-failure-client-gap', summarize(bfdGaps), 'ms', 500));
    rows.push({ name: 'bgp-bfd-3x100ms-node-failure-client-gap (max) vs 1 s', value: round(Math.max(...bfdGaps)), unit: 'ms', limit: 1000 });
    rows.push(...spreadRows('bgp-bfd-3x100ms-node-failure-router-kernel', summarize(bfdRouter), 'ms', 500));

    const hold = 3000;
    await lab.configure({ bfd: false, holdTime: '3s' });
    const holdGaps: number[] = [];
    for (let t = 0; t < holdTrials; t++) {
      const r = await lab.freezeNode(ip, { bfd: false, timeoutMs: 20_000 });
      holdGaps.push(r.gapMs);
      log(`hold-time freeze ${t + 1} (${r.victim}): client gap ${r.gapMs} ms, router ${r.routerMs} ms, ${r.failed} failed of ${r.sent}`);
    }
    rows.push(...spreadRows('bgp-holdtime-3s-node-failure-client-gap', summarize(holdGaps), 'ms', null));
    // The hold timer runs from the last KEEPALIVE (sent every second), so the gap is hold − (0..1 s) + detection.
    rows.push(...spreadRows('bgp-holdtime-3s-node-failure-client-gap-minus-hold', summarize(holdGaps.map((g) => g - hold)), 'ms', 100));

}

async function bulk(lab: BgpLab): Promise<void> {
    await lab.configure({ secondPeer: true });
    const sessions = [...lab.nodeAddresses, ...lab.speakers.cluster.nodes.map((n) => n.lan.ipv6)];
    const counts = (): number[] => sessions.map((a) => lab.router.acceptedCount(a, 'ipv4-unicast'));
    await waitFor('6 sessions with the web Service', () => counts().every((n) => n === 1), { timeoutMs: 60_000, intervalMs: 500 });
    const summary = summaryCounts(lab, sessions);
    if (!summary.every((n) => n === 1)) throw new Error(`show bgp summary disagrees with the neighbours (${summary.join(', ')} prefixes from ${sessions.join(', ')})`);
    const vm = (i: number, field: 'VmRSS' | 'VmHWM'): number => {
      const speaker = lab.speakers.speakers[i];
      if (!speaker || speaker.child.exitCode !== null || speaker.child.signalCode !== null) {
        throw new Error(`speaker ${i} is not running (exit ${speaker?.child.exitCode}, signal ${speaker?.child.signalCode}):\n${speaker?.output().slice(-3000)}`);
      }
      const status = readFileSync(`/proc/${speaker.child.pid}/status`, 'utf8');
      return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
    };
    const idle = [0, 1, 2].map((i) => vm(i, 'VmRSS'));
    // Where the CPU goes while 10,000 Services go through (the machine has 2 cores for all of them).
    const cpuParts = {
      'kube-sim': () => cpuSeconds(lab.speakers.cluster.kubeSim?.process.child.pid),
      controller: () => cpuSeconds(lab.speakers.controller?.child.pid),
      speakers: () => [0, 1, 2].reduce((sum, i) => sum + cpuSeconds(lab.speakers.speakers[i]?.child.pid), 0),
      'frr (bgpd, zebra)': () => cpuSeconds(lab.router.process.child.pid) + cpuSeconds(lab.router.zebra.child.pid),
      'bench (creating)': () => (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    };
    const ribTimes: number[] = [];
    const assignedTimes: number[] = [];
    const createTimes: number[] = [];
    const cpuSpent: Record<string, number[]> = {};
    const rss: number[] = [];
    const peak: number[] = [];
    for (let run = 0; run < bulkRuns; run++) {
      // Each run starts from the lab with the web Service only: the last run's bulk removed.
      if (run > 0) await removeBulkServices(lab, bulkServices, () => summaryCounts(lab, sessions));
      const cpuBefore = Object.fromEntries(Object.entries(cpuParts).map(([k, f]) => [k, f()]));
      const started = performance.now();
      await createBulkServices(lab, bulkServices);
      const lastCreate = performance.now();
      log(`run ${run + 1}/${bulkRuns}: ${bulkServices} Services and EndpointSlices created in ${((lastCreate - started) / 1000).toFixed(1)} s`);
      // Polled every 200 ms with one `show bgp summary` for all 6 sessions (the per-neighbour form
      // would be 6 vtysh runs per poll); the Services are listed (10,000 objects: work for the API
      // server) at most once a second, until all are assigned.
      let assignedMs = 0;
      let listedAt = 0;
      await waitFor(`FRR to hold ${bulkServices} prefixes on every session`, async () => {
        if (!assignedMs && performance.now() - listedAt >= 1000) {
          listedAt = performance.now();
          if ((await assignedCount(lab)) === bulkServices) assignedMs = performance.now() - lastCreate;
        }
        return summaryCounts(lab, sessions).every((n) => n === bulkServices + 1);
      }, { timeoutMs: 900_000, intervalMs: 200 });
      const ribMs = performance.now() - lastCreate;
      const cpu = Object.entries(cpuParts).map(([name, f]) => ({ name, seconds: f() - (cpuBefore[name] ?? 0) }));
      log(`run ${run + 1}/${bulkRuns}: CPU from the first create to FRR holding all: ${cpu.map((c) => `${c.name} ${c.seconds.toFixed(1)} s (${((1000 * c.seconds) / bulkServices).toFixed(2)} ms per Service)`).join(', ')}; wall ${((performance.now() - started) / 1000).toFixed(1)} s`);
      for (const c of cpu) (cpuSpent[c.name] ??= []).push(c.seconds);
      const runRss = [0, 1, 2].map((i) => vm(i, 'VmRSS'));
      const runPeak = [0, 1, 2].map((i) => vm(i, 'VmHWM'));
      rss.push(...runRss);
      peak.push(...runPeak);
      log(`run ${run + 1}/${bulkRuns}: all assigned ${assignedMs.toFixed(0)} ms, in FRR's RIB on 6 sessions ${ribMs.toFixed(0)} ms after the last create; RSS ${runRss.map((r) => r.toFixed(0)).join('/')} MiB (idle ${idle.map((r) => r.toFixed(0)).join('/')}, peak ${runPeak.map((r) => r.toFixed(0)).join('/')})`);
      ribTimes.push(ribMs);
      assignedTimes.push(assignedMs);
      createTimes.push(lastCreate - started);
    }
    rows.push(...spreadRows('bgp-10000-services-e2e-last-create-to-frr-rib-all-paths', summarize(ribTimes), 'ms', 5000));
    rows.push(...spreadRows('bgp-10000-services-e2e-last-create-to-all-assigned', summarize(assignedTimes), 'ms', null));
    rows.push(...spreadRows('bgp-10000-services-e2e-create-duration', summarize(createTimes), 'ms', null));
    for (const [name, seconds] of Object.entries(cpuSpent)) rows.push(...spreadRows(`bgp-10000-services-e2e-cpu-${name.split(' ')[0]}`, summarize(seconds), 's', null));
    rows.push({ name: 'bgp-10000-services-2-peers-speaker-rss (max of 3)', value: round(Math.max(...rss)), unit: 'MiB', limit: 150 });
    rows.push({ name: 'bgp-10000-services-2-peers-speaker-peak-rss (max of 3)', value: round(Math.max(...peak)), unit: 'MiB', limit: null });
    rows.push({ name: 'bgp-speaker-idle-rss (max of 3)', value: round(Math.max(...idle)), unit: 'MiB', limit: null });
    await restartedForms(lab, counts, vm);
}

/** Deletes the bulk Services and their EndpointSlices; resolves once FRR holds only the web Service again. */
async function removeBulkServices(lab: BgpLab, count: number, counts: () => number[]): Promise<void> {
  const started = performance.now();
  await deleteBulkServices(lab, count);
  await waitFor('FRR to hold only the web Service again', () => counts().every((n) => n === 1), { timeoutMs: 300_000, intervalMs: 500 });
  log(`${count} Services deleted and withdrawn in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Prefixes FRR accepted in IPv4 unicast from each address, from one `show bgp summary json`. */
function summaryCounts(lab: BgpLab, addresses: readonly string[]): number[] {
  const summary = JSON.parse(lab.router.control(['show', 'bgp', 'summary', 'json']) || '{}') as { ipv4Unicast?: { peers?: Record<string, { pfxRcd?: number }> } };
  const peers = summary.ipv4Unicast?.peers ?? {};
  return addresses.map((a) => peers[a]?.pfxRcd ?? 0);
}

/** The speakers restarted in each form with the bulk Services in place: RSS per form (see the header). */
async function restartedForms(lab: BgpLab, counts: () => number[], vm: (i: number, field: 'VmRSS' | 'VmHWM') => number): Promise<void> {
  const runs = Number(process.env['BGP_BENCH_RSS_RUNS'] ?? 2);
  if (runs <= 0) return;
  const repoRoot = join(import.meta.dirname, '..', '..', '..');
  const bundleDir = mkdtempSync(join(tmpdir(), 'lb-speaker-bundle-'));
  try {
    execFileSync(process.execPath, [join(repoRoot, 'tools', 'images', 'build', 'bundle.mjs'), join(import.meta.dirname, '..'), bundleDir], { stdio: ['ignore', 'ignore', 'inherit'] });
    const flags = imageNodeFlags();
    const baseline = process.env['BGP_BENCH_BASELINE_BUNDLE'];
    const forms: Record<string, readonly string[]> = {
      ...(baseline ? { baseline: imageNodeCommand(join(baseline, 'lb-speaker.js')) } : {}),
      built: [process.execPath, speakerBin],
      'built-image-flags': [process.execPath, ...flags, speakerBin],
      bundled: imageNodeCommand(join(bundleDir, 'lb-speaker.js')),
    };
    const original = lab.speakers.speakerCommand;
    const settled: Record<string, number[]> = {};
    const peaks: Record<string, number[]> = {};
    for (let run = 0; run < runs; run++) {
      for (const [form, command] of Object.entries(forms)) {
        await Promise.all([0, 1, 2].map((i) => lab.speakers.signalSpeaker(i, 'SIGTERM')));
        await waitFor('every prefix withdrawn', () => counts().every((n) => n < bulkServices), { timeoutMs: 120_000, intervalMs: 500 });
        lab.speakers.speakerCommand = command;
        const started = performance.now();
        await Promise.all([0, 1, 2].map((i) => lab.speakers.startSpeaker(i, ['--drain-seconds', String(DRAIN_SECONDS)])));
        await waitFor(`FRR to hold ${bulkServices} prefixes again (${form})`, () => counts().every((n) => n === bulkServices + 1), { timeoutMs: 600_000, intervalMs: 500 });
        const announcedMs = performance.now() - started;
        await new Promise((resolve) => setTimeout(resolve, 10_000));
        const rss = [0, 1, 2].map((i) => vm(i, 'VmRSS'));
        const peak = [0, 1, 2].map((i) => vm(i, 'VmHWM'));
        (settled[form] ??= []).push(...rss);
        (peaks[form] ??= []).push(...peak);
        log(`restart ${run + 1}/${runs} (${form}): all prefixes on 6 sessions after ${announcedMs.toFixed(0)} ms; RSS ${rss.map((r) => r.toFixed(0)).join('/')} MiB, peak ${peak.map((r) => r.toFixed(0)).join('/')}`);
      }
    }
    lab.speakers.speakerCommand = original;
    for (const form of Object.keys(forms)) {
      const limit = form === 'bundled' || form === 'built-image-flags' ? 150 : null;
      rows.push(...spreadRows(`bgp-10000-services-2-peers-restarted-${form}-speaker-rss`, summarize(settled[form] ?? []), 'MiB', limit));
      rows.push(...spreadRows(`bgp-10000-services-2-peers-restarted-${form}-speaker-peak-rss`, summarize(peaks[form] ?? []), 'MiB', null));
    }
    if (baseline) {
      const median = (form: string) => summarize(settled[form] ?? []).median;
      rows.push({ name: 'bgp-10000-services-2-peers-restarted-bundled-over-baseline-rss', value: round(median('bundled') / median('baseline')), unit: 'x', limit: null });
    }
  } finally {
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

/** User + system CPU seconds a process has used so far (0 once it is gone). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm) ": state is field 3, utime 14, stime 15 (clock ticks, 100 per second here).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

// Keep every other row of the file (the membership and election rows of speaker.bench.ts, and with
// BGP_BENCH_ONLY the bgp-* rows of the part not run).
const file = join(benchResultsDir(), 'speaker.json');
const produced = new Set(rows.map((r) => r.name));
let others: BenchResult[] = [];
try {
  others = (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]).filter((r) => !produced.has(r.name) && (only !== undefined || !r.name.startsWith('bgp-')));
} catch {
  // no file yet
}
writeResults('speaker', [...others, ...rows]);
