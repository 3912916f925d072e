// Benchmarks of @lb/arp (bench-results/arp.json). Needs root: the latency and load parts run the
// responders in a network namespace against arping, timed from a tcpdump capture on the asking side:
// the native fast path (the default), the libpcap path in Node, the kernel answering for its own
// address and a bare cap echo, side by side.
// ARP_BENCH_SECONDS shortens the load runs while developing (default 10, what the issue asks);
// ARP_BENCH_LATENCY_RUNS sets how many latency runs (default 3), each reported on its own;
// ARP_BENCH_ABLATION=1 adds fast paths with one reader and/or normal priority to the latency runs.
// Last, the fast path and the kernel are measured again with no other listener on the interface.
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Lab, arping, waitFor, requireNetworkLab, startTcpdump, type PcapRecord, type SpawnedProcess } from '@lb/netlab';
import { opsPerSecond, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { ARP_REQUEST, Responder, ethernetFrame, type Frame } from '../src/index.js';
import { Agent } from '../test/support/agent-client.js';
import type { AgentLayer2Options } from '../test/support/agent.js';

const rows: BenchResult[] = [];

function codecBenchmarks(): void {
  const arpRequest = ethernetFrame.encode({
    kind: 'arp',
    eth: { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:0b' },
    arp: { op: ARP_REQUEST, sha: '02:00:00:00:00:0b', spa: '10.0.0.2', tha: '00:00:00:00:00:00', tpa: '10.0.0.100' },
  });
  const solicitation = ethernetFrame.encode({
    kind: 'ndp',
    eth: { dst: '33:33:ff:00:01:00', src: '02:00:00:00:00:0b' },
    ipv6: { src: 'fd00::2', dst: 'ff02::1:ff00:100' },
    ndp: { type: 'solicitation', target: 'fd00::100', options: [{ kind: 'source-link-layer', mac: '02:00:00:00:00:0b' }] },
  });
  let sink = 0;
  const decodeArp = summarize(opsPerSecond(() => (sink += (ethernetFrame.decode(arpRequest) as { value: { kind: string } }).value.kind.length), 200_000, 2000));
  const decodeNs = summarize(opsPerSecond(() => (sink += (ethernetFrame.decode(solicitation) as { value: { kind: string } }).value.kind.length), 100_000, 2000));
  const responder = new Responder();
  responder.setInterface({ name: 'eth0', mac: '02:00:00:00:00:0a' }, 0);
  responder.announce('10.0.0.100', {}, 0);
  responder.announce('fd00::100', {}, 0);
  const answerArp = summarize(opsPerSecond(() => (sink += responder.handleFrame('eth0', arpRequest).kind.length), 50_000, 1500));
  const answerNs = summarize(opsPerSecond(() => (sink += responder.handleFrame('eth0', solicitation).kind.length), 50_000, 1500));
  if (sink === 0) throw new Error('unreachable');
  // The goal is >= 2,000,000 frames/s; as a cost per frame that is <= 500 ns.
  rows.push(...spreadRows('codec: ARP request frames decoded per second', decodeArp, 'frames/s', null));
  rows.push(...spreadRows('codec: ARP request decode time', { ...decodeArp, min: 1e9 / decodeArp.max, median: 1e9 / decodeArp.median, max: 1e9 / decodeArp.min }, 'ns/frame', 500));
  rows.push(...spreadRows('codec: neighbor solicitation frames decoded per second', decodeNs, 'frames/s', null));
  rows.push(...spreadRows('codec: neighbor solicitation decode time', { ...decodeNs, min: 1e9 / decodeNs.max, median: 1e9 / decodeNs.median, max: 1e9 / decodeNs.min }, 'ns/frame', 500));
  rows.push(...spreadRows('responder: ARP requests answered per second (decode + decide + encode)', answerArp, 'frames/s', null));
  rows.push(...spreadRows('responder: solicitations answered per second (decode + decide + encode)', answerNs, 'frames/s', null));
}

interface Topology {
  lab: Lab;
  a: string;
  b: string;
  macB: string;
  /** One layer 2 worker per way of answering, all in namespace A on the same interface. */
  agents: Partial<Record<ResponderKind, Agent>>;
  echo: SpawnedProcess;
}

/** The responders measured side by side, each answering for its own address in namespace A. */
type ResponderKind = 'fastPath' | 'libpcap' | 'oneReader' | 'oneRealtimeReader' | 'perCpuNormalPriority';

const KERNELS = '10.62.0.1';
const FLOOR = '10.62.0.101';
const ALL_RESPONDERS: ReadonlyArray<{ kind: ResponderKind; ip: string; label: string; options: AgentLayer2Options; ablation?: true }> = [
  { kind: 'fastPath', ip: '10.62.0.100', label: 'ours, native fast path (the default)', options: {} },
  { kind: 'libpcap', ip: '10.62.0.103', label: 'ours, libpcap path in Node (fast path off)', options: { arpFastPath: false } },
  // What the fast path's design choices are worth. Off by default: every extra listener wakes
  // for every request and slows everyone, the kernel included.
  { kind: 'oneReader', ip: '10.62.0.102', label: 'fast path, one reader, normal priority', options: { arpFastPath: { perCpu: false, realtimePriority: 0 } }, ablation: true },
  { kind: 'oneRealtimeReader', ip: '10.62.0.104', label: 'fast path, one reader, realtime', options: { arpFastPath: { perCpu: false } }, ablation: true },
  { kind: 'perCpuNormalPriority', ip: '10.62.0.105', label: 'fast path, per-CPU readers, normal priority', options: { arpFastPath: { realtimePriority: 0 } }, ablation: true },
];
const RESPONDERS = ALL_RESPONDERS.filter((r) => !r.ablation || process.env['ARP_BENCH_ABLATION'] === '1');
const OURS = RESPONDERS[0]!.ip;
const LIBPCAP = RESPONDERS[1]!.ip;
const here = dirname(fileURLToPath(import.meta.url));
const tsxLoader = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

async function topology(): Promise<Topology> {
  requireNetworkLab(['arping', 'tcpdump']);
  const lab = new Lab('arpb');
  const a = lab.namespace('a');
  const b = lab.namespace('b');
  lab.veth(a, b, { a: 'ea', b: 'eb' });
  lab.address(a, 'ea', `${KERNELS}/24`);
  lab.address(b, 'eb', '10.62.0.2/24');
  const agents: Partial<Record<ResponderKind, Agent>> = {};
  for (const r of RESPONDERS) {
    const agent = await Agent.start(lab, a);
    agents[r.kind] = agent;
    await agent.startLayer2(r.options);
    await agent.request('announce', { ip: r.ip });
  }
  const fastPath = (await agents.fastPath!.status()).interfaces.find((i) => i.name === 'ea');
  if (fastPath?.arpPath !== 'fast-path') throw new Error(`the fast path did not open on ea: ${JSON.stringify(fastPath)}`);
  const echo = lab.spawn(a, process.execPath, ['--import', tsxLoader, '--conditions=development', join(here, 'cap-echo.ts'), 'ea', FLOOR]);
  await waitFor('cap-echo to start', () => echo.output().includes('ready'), { timeoutMs: 20_000 });
  // Let the announcement schedules finish so they do not overlap the measurements.
  await new Promise((r) => setTimeout(r, 5000));
  return { lab, a, b, macB: lab.mac(b, 'eb'), agents, echo };
}

function decodeAll(records: readonly PcapRecord[]): Array<{ timeNs: bigint; frame: Frame }> {
  const out: Array<{ timeNs: bigint; frame: Frame }> = [];
  for (const r of records) {
    const decoded = ethernetFrame.decode(r.frame);
    if (decoded.ok) out.push({ timeNs: r.timeNs, frame: decoded.value });
  }
  return out;
}

interface Samples {
  latencies: number[];
  requests: number;
  replies: number;
}

/** Request-to-reply times (µs) for `ip`, pairing each request from B with the first reply after it. */
function replyLatencies(frames: ReadonlyArray<{ timeNs: bigint; frame: Frame }>, ip: string, macB: string): Samples {
  const latencies: number[] = [];
  let requests = 0;
  let replies = 0;
  let open: bigint | undefined;
  for (const { timeNs, frame } of frames) {
    if (frame.kind !== 'arp') continue;
    if (frame.arp.op === 1 && frame.arp.tpa === ip && frame.eth.src === macB) {
      requests += 1;
      open = timeNs;
    } else if (frame.arp.op === 2 && frame.arp.spa === ip && frame.eth.dst === macB) {
      replies += 1;
      if (open === undefined) continue;
      latencies.push(Number(timeNs - open) / 1000);
      open = undefined;
    }
  }
  return { latencies, requests, replies };
}

const ratio = (x: number, y: number): number => Math.round((x / y) * 100) / 100;

/** One latency run: 10 rounds of 50 requests per address, alternating, under one capture. */
async function measure(t: Topology, ips: readonly string[]): Promise<Map<string, Samples>> {
  const capture = await startTcpdump(t.lab, t.b, 'eb', 'arp');
  for (let round = 0; round < 10; round++) {
    for (const ip of ips) arping(t.lab, t.b, 'eb', ip, { count: 50, gapSeconds: 0.01, deadlineSeconds: 10 });
  }
  const frames = decodeAll(await capture.stop());
  return new Map(ips.map((ip) => [ip, replyLatencies(frames, ip, t.macB)]));
}

/**
 * Latency runs: each alternates the targets in rounds so that all see the same machine conditions.
 * Each run is reported on its own (machines here are shared) and all samples together.
 */
async function latencyBenchmark(t: Topology): Promise<void> {
  const runs = Number(process.env['ARP_BENCH_LATENCY_RUNS'] ?? 3);
  const targets = [...RESPONDERS.map((r) => ({ ip: r.ip, label: r.label })), { ip: KERNELS, label: 'kernel (same topology, same run)' }, { ip: FLOOR, label: 'bare cap echo in Node (floor for a libpcap responder)' }];
  const all = new Map<string, Samples>(targets.map((x) => [x.ip, { latencies: [], requests: 0, replies: 0 }]));
  for (let run = 1; run <= runs; run++) {
    const load = loadavg()[0] ?? 0;
    const measured = await measure(
      t,
      targets.map((x) => x.ip),
    );
    const medians = new Map<string, number>();
    for (const { ip } of targets) {
      const one = measured.get(ip)!;
      const into = all.get(ip)!;
      into.latencies.push(...one.latencies);
      into.requests += one.requests;
      into.replies += one.replies;
      medians.set(ip, summarize(one.latencies).median);
    }
    const kernel = medians.get(KERNELS)!;
    const line = targets.map(({ ip, label }) => `${label.split(' (')[0]} ${medians.get(ip)!.toFixed(1)} µs`).join(', ');
    console.log(`latency run ${run}/${runs} (load average ${load.toFixed(2)}): ${line}`);
    rows.push({ name: `ARP latency run ${run}: load average (1 min) when it started`, value: Math.round(load * 100) / 100, unit: 'load', limit: null });
    rows.push({ name: `ARP latency run ${run}: median ratio ours (fast path)/kernel`, value: ratio(medians.get(OURS)!, kernel), unit: 'ratio', limit: null });
    rows.push({ name: `ARP latency run ${run}: median ratio ours (libpcap path)/kernel`, value: ratio(medians.get(LIBPCAP)!, kernel), unit: 'ratio', limit: null });
    rows.push({ name: `ARP latency run ${run}: median, ours (fast path)`, value: Math.round(medians.get(OURS)! * 10) / 10, unit: 'µs', limit: null });
    rows.push({ name: `ARP latency run ${run}: median, kernel`, value: Math.round(kernel * 10) / 10, unit: 'µs', limit: null });
  }
  const summaries = new Map(targets.map(({ ip }) => [ip, summarize(all.get(ip)!.latencies)]));
  for (const { ip, label } of targets) rows.push(...spreadRows(`ARP reply latency, ${label}, all runs`, summaries.get(ip)!, 'µs', null));
  for (const { ip, label } of targets) rows.push({ name: `ARP reply latency p90, ${label.split(' (')[0]}`, value: Math.round(summaries.get(ip)!.p90 * 10) / 10, unit: 'µs', limit: null });
  const median = (ip: string): number => summaries.get(ip)!.median;
  rows.push({ name: 'ARP reply latency ratio ours (libpcap path)/kernel (medians)', value: ratio(median(LIBPCAP), median(KERNELS)), unit: 'ratio', limit: null });
  for (const r of RESPONDERS.filter((x) => x.ablation)) {
    rows.push({ name: `ARP reply latency ratio ${r.label}/kernel (medians)`, value: ratio(median(r.ip), median(KERNELS)), unit: 'ratio', limit: null });
  }
  rows.push({ name: 'ARP reply latency ratio bare cap echo/kernel (medians)', value: ratio(median(FLOOR), median(KERNELS)), unit: 'ratio', limit: null });
  rows.push({ name: 'ARP reply latency ratio ours (libpcap path)/bare cap echo (medians)', value: ratio(median(LIBPCAP), median(FLOOR)), unit: 'ratio', limit: null });
  rows.push({ name: 'ARP reply latency ratio ours (fast path)/kernel (medians)', value: ratio(median(OURS), median(KERNELS)), unit: 'ratio', limit: 1.5 });
  for (const r of RESPONDERS) {
    const counts = all.get(r.ip)!;
    rows.push({ name: `ARP latency runs: requests unanswered, ${r.label}`, value: counts.requests - counts.latencies.length, unit: 'requests', limit: r.kind === 'fastPath' ? 0 : null });
    rows.push({ name: `ARP latency runs: duplicate replies, ${r.label}`, value: Math.max(0, counts.replies - counts.latencies.length), unit: 'replies', limit: 0 });
  }
  const kernel = all.get(KERNELS)!;
  rows.push({ name: 'ARP latency runs: requests unanswered, kernel', value: kernel.requests - kernel.latencies.length, unit: 'requests', limit: null });
}

/**
 * The fast path and the kernel with no other listener on the interface (the libpcap worker and
 * the cap echo stopped): every listener the kernel wakes for a request delays its own answer too,
 * so this is where the kernel is fastest and the ratio hardest.
 */
async function aloneBenchmark(t: Topology): Promise<void> {
  for (const r of RESPONDERS.filter((x) => x.kind !== 'fastPath')) {
    await t.agents[r.kind]?.stop();
    delete t.agents[r.kind];
  }
  await t.echo.stop();
  const runs = Number(process.env['ARP_BENCH_LATENCY_RUNS'] ?? 3);
  const all = { ours: [] as number[], kernel: [] as number[] };
  for (let run = 1; run <= runs; run++) {
    const load = loadavg()[0] ?? 0;
    const measured = await measure(t, [OURS, KERNELS]);
    const ours = measured.get(OURS)!.latencies;
    const kernel = measured.get(KERNELS)!.latencies;
    all.ours.push(...ours);
    all.kernel.push(...kernel);
    const o = summarize(ours).median;
    const k = summarize(kernel).median;
    console.log(`alone run ${run}/${runs} (load average ${load.toFixed(2)}): fast path ${o.toFixed(1)} µs, kernel ${k.toFixed(1)} µs`);
    rows.push({ name: `ARP latency alone, run ${run}: load average (1 min) when it started`, value: Math.round(load * 100) / 100, unit: 'load', limit: null });
    rows.push({ name: `ARP latency alone, run ${run}: median ratio ours (fast path)/kernel`, value: ratio(o, k), unit: 'ratio', limit: null });
  }
  const o = summarize(all.ours);
  const k = summarize(all.kernel);
  rows.push(...spreadRows('ARP reply latency alone (no other listener), ours, native fast path', o, 'µs', null));
  rows.push(...spreadRows('ARP reply latency alone (no other listener), kernel', k, 'µs', null));
  rows.push({ name: 'ARP reply latency alone (no other listener) ratio ours (fast path)/kernel (medians)', value: ratio(o.median, k.median), unit: 'ratio', limit: null });
}

async function loadBenchmark(t: Topology, kind: ResponderKind): Promise<void> {
  const { ip, label } = RESPONDERS.find((r) => r.kind === kind)!;
  const seconds = Number(process.env['ARP_BENCH_SECONDS'] ?? 10);
  const agent = t.agents[kind]!;
  const before = await agent.status();
  const capture = await startTcpdump(t.lab, t.b, 'eb', 'arp');
  // arping 2.23 spends ~100 µs per request besides its -W gap: two senders at -W 0.25 ms make ~5,000/s.
  const senders = [0, 1].map(() => t.lab.spawn(t.b, 'arping', ['-q', '-I', 'eb', '-W', '0.00025', '-w', String(seconds), '-c', String(seconds * 5000), ip]));
  await Promise.all(senders.map((s) => new Promise((resolve) => (s.child.exitCode !== null ? resolve(null) : s.child.once('exit', resolve)))));
  await new Promise((r) => setTimeout(r, 300));
  const frames = decodeAll(await capture.stop());
  const requests = frames.filter((f) => f.frame.kind === 'arp' && f.frame.arp.op === 1 && f.frame.arp.tpa === ip && f.frame.eth.src === t.macB);
  const replies = frames.filter((f) => f.frame.kind === 'arp' && f.frame.arp.op === 2 && f.frame.arp.spa === ip && f.frame.eth.dst === t.macB);
  const first = requests[0]?.timeNs ?? 0n;
  const last = requests[requests.length - 1]?.timeNs ?? 0n;
  const rate = requests.length / Math.max(1e-9, Number(last - first) / 1e9);
  const status = await agent.status();
  const sendErrors = (s: typeof status): number => Object.values(s.sendErrors).reduce((x, y) => x + y, 0);
  const counted = (status.counters.ips[ip]?.responsesSent ?? 0) - (before.counters.ips[ip]?.responsesSent ?? 0);
  const goal = kind === 'fastPath' ? 0 : null;
  rows.push({ name: `load, ${label}: ARP requests sent by arping in ${seconds} s`, value: requests.length, unit: 'requests', limit: null });
  rows.push({ name: `load, ${label}: request rate achieved`, value: Math.round(rate), unit: 'requests/s', limit: null });
  rows.push({ name: `load, ${label}: requests unanswered`, value: Math.max(0, requests.length - replies.length), unit: 'requests', limit: goal });
  rows.push({ name: `load, ${label}: replies counted minus replies on the wire`, value: counted - replies.length, unit: 'replies', limit: goal });
  rows.push({ name: `load, ${label}: send errors`, value: sendErrors(status) - sendErrors(before), unit: 'errors', limit: goal });
}

async function main(): Promise<void> {
  codecBenchmarks();
  const t = await topology();
  try {
    await latencyBenchmark(t);
    await loadBenchmark(t, 'fastPath');
    await loadBenchmark(t, 'libpcap');
    await aloneBenchmark(t);
  } finally {
    await Promise.all(Object.values(t.agents).map((agent) => agent?.stop()));
    await t.lab.cleanup();
  }
  writeResults('arp', rows);
}

await main();
