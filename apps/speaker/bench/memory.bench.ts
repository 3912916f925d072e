// speaker:bench, the memory part (root, network namespaces; run under `flock /tmp/lb-lab.lock`): one
// real lb-speaker (layer 2) in a lab node namespace, the only node, so it announces every address,
// against kube-sim holding MEMORY_SERVICES (default 10,000) LoadBalancer Services, each with an
// assigned address (status written here: no controller runs) and an EndpointSlice with a ready
// endpoint on the node. Two forms of the speaker, turn about in one run: `bundled`, what the image
// runs (tools/images/build/bundle.mjs, with the image's node flags and environment), and `built`, the bin on dist/
// as the lab runs it. Two situations:
//   - created: the bundled speaker runs while the Services are created (32 in flight), as a bulk
//     deploy;
//   - restarted (MEMORY_RUNS times each form, default 3): the speaker starts with them all present
//     and lists them at once, as a DaemonSet pod replaced in a large cluster.
// Each waits until the speaker announces them all ("announcements changed" total), scrapes
// /metrics once as Prometheus would (10,000 series per per-address metric), waits 10 s and records
// the speaker process's peak RSS (VmHWM) and settled RSS (VmRSS), and its layer 2 worker process's
// RSS (the pcap/fast-path child: a container's memory is both). Goal: < 150 MiB (the bundled form).
// With the 10,000 announced (the created situation, settled), ARP latency as the issue asks it: the
// client arpings three of the Services' addresses (answered by the speaker's fast path, or libpcap
// when the addon is missing) and the node's own address (answered by the kernel), alternating in
// rounds under one capture in the client namespace, so both see the same machine; times are
// request → reply on the wire. Goal: fast path median ≤ 1.5 × the kernel's. Measured twice, turn
// about: with the node's receive on the client's CPU, as the lab's veths do it (`shared-cpu`), and
// on a CPU of its own, as on a LAN (`own-cpu`, rows suffixed so); see PLACEMENTS.
// Rows replace those of the last run in bench-results/speaker.json; the other rows stay.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchResultsDir, round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { ethernetFrame } from '@lb/arp';
import { Services, type KubeObject } from '@lb/k8s-watch';
import { requireNetworkLab, startTcpdump, waitFor, type PcapRecord } from '@lb/netlab';
import { imageNodeCommand, NAMESPACE, SpeakerLab, speakerBin } from '../test/lab.js';

const SERVICES = Number(process.env['MEMORY_SERVICES'] ?? 10_000);
const RUNS = Number(process.env['MEMORY_RUNS'] ?? 3);
const LIMIT_MIB = 150;
/** 16,382 usable addresses: room for 10,000. */
const MEMORY_POOL = '10.210.0.0/18';
const SETTLE_MS = 10_000;
const IN_FLIGHT = 32;
const LATENCY_ROUNDS = Number(process.env['MEMORY_LATENCY_ROUNDS'] ?? 10);
const rows: BenchResult[] = [];
const log = (text: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = 1024;

/** VmRSS and VmHWM of a process, in MiB. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / MiB, peak: kib('VmHWM') / MiB };
}

/** The speaker's child processes (its layer 2 worker). */
function childrenOf(pid: number): number[] {
  const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return tasks.split(/\s+/).filter(Boolean).map(Number);
}

function address(i: number): string {
  const n = i + 1;
  return `10.210.${n >> 8}.${n & 255}`;
}

requireNetworkLab(['arping', 'curl', 'tcpdump', 'taskset']);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const bundleDir = mkdtempSync(join(tmpdir(), 'lb-speaker-bundle-'));
execFileSync(process.execPath, [join(repoRoot, 'tools', 'images', 'build', 'bundle.mjs'), join(import.meta.dirname, '..'), bundleDir], { stdio: ['ignore', 'ignore', 'inherit'] });
// MEMORY_BASELINE_BUNDLE: a bundle of an earlier commit (bundle.mjs's output directory), run turn
// about with today's as a third form, `baseline`, so that a change is measured before/after in one run.
const baselineBundle = process.env['MEMORY_BASELINE_BUNDLE'];
// MEMORY_BASELINE_FLAGS: the baseline form's node flags (space-separated) instead of the image's:
// with today's bundle as the baseline, a trial of other flags against the image's, side by side.
const baselineFlags = process.env['MEMORY_BASELINE_FLAGS']?.split(/\s+/).filter(Boolean);
const forms = {
  bundled: imageNodeCommand(join(bundleDir, 'lb-speaker.js')),
  built: [process.execPath, speakerBin],
  baseline: baselineBundle ? imageNodeCommand(join(baselineBundle, 'lb-speaker.js'), baselineFlags) : [],
} as const;
type Form = keyof typeof forms;
const restartForms: Form[] = baselineBundle ? ['baseline', 'built', 'bundled'] : ['built', 'bundled'];

const lab = await SpeakerLab.start({
  tag: 'mem',
  nodes: 1,
  controller: false,
  serviceRanges: [MEMORY_POOL],
  speakerCommand: forms.bundled,
  objects: [
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'memory', namespace: NAMESPACE }, spec: { addresses: [MEMORY_POOL], autoAssign: false } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'memory', namespace: NAMESPACE }, spec: { ipAddressPools: ['memory'] } },
  ],
});

interface Sample {
  readonly peak: number;
  /** The peak once every address is announced, before /metrics is scraped. */
  readonly peakBeforeScrape: number;
  readonly settled: number;
  readonly worker: number;
  readonly announcedMs: number;
  readonly scrapeMs: number;
}

/**
 * Waits for every Service to be announced (in the speaker's log after offset `from`: the lab appends
 * each start's output to one file), scrapes once, settles, measures.
 */
async function measure(from: number, started: number): Promise<Sample> {
  const proc = lab.speakers[0];
  if (!proc) throw new Error('no speaker running');
  await waitFor(
    `the speaker to announce ${SERVICES} Services`,
    () => {
      const last = proc
        .output()
        .slice(from)
        .split('\n')
        .findLast((line) => line.includes('"msg":"announcements changed"'));
      return Number(/"total":(\d+)/.exec(last ?? '')?.[1] ?? 0) === SERVICES;
    },
    { timeoutMs: 600_000, intervalMs: 1000, abortIf: () => (proc.child.exitCode !== null ? `the speaker exited:\n${proc.output().slice(-3000)}` : undefined) },
  );
  const announcedMs = Date.now() - started;
  const beforeScrape = memoryOf(proc.child.pid as number);
  // One scrape, with Prometheus's longest usual timeout: 10,000 series of each per-address metric.
  const scrapeStarted = Date.now();
  // (Counted in the namespace: the text is megabytes.)
  const counted = lab.cluster.exec(0, 'sh', ['-c', "curl -sS -m 60 http://127.0.0.1:7472/metrics | grep -c '^metallb_speaker_announced{'"]);
  const scrapeMs = Date.now() - scrapeStarted;
  const series = Number(counted.trim());
  if (series !== SERVICES) throw new Error(`metallb_speaker_announced has ${series} series, not ${SERVICES}`);
  await sleep(SETTLE_MS);
  const pid = proc.child.pid as number;
  const own = memoryOf(pid);
  const worker = childrenOf(pid).reduce((sum, child) => sum + memoryOf(child).rss, 0);
  return { peak: own.peak, peakBeforeScrape: beforeScrape.peak, settled: own.rss, worker, announcedMs, scrapeMs };
}

/** Request → first reply after it, in µs, for each of `ips`, from ARP frames captured at the asker. */
function replyTimes(records: readonly PcapRecord[], ips: readonly string[]): { times: Map<string, number[]>; requests: Map<string, number> } {
  const times = new Map(ips.map((ip) => [ip, [] as number[]]));
  const requests = new Map(ips.map((ip) => [ip, 0]));
  const asked = new Map<string, bigint>();
  for (const record of records) {
    const decoded = ethernetFrame.decode(record.frame);
    if (!decoded.ok || decoded.value.kind !== 'arp') continue;
    const { arp } = decoded.value;
    if (arp.op === 1 && times.has(arp.tpa)) {
      asked.set(arp.tpa, record.timeNs);
      requests.set(arp.tpa, (requests.get(arp.tpa) ?? 0) + 1);
    }
    const since = arp.op === 2 ? asked.get(arp.spa) : undefined;
    if (since === undefined) continue;
    times.get(arp.spa)?.push(Number(record.timeNs - since) / 1000);
    asked.delete(arp.spa);
  }
  return { times, requests };
}

/**
 * Where the node's receive runs while the client asks:
 * - `shared-cpu`, the lab as it is: a veth delivers the request on the sender's CPU, inside the
 *   client's own send call. The kernel answers right there, before the call returns, while the fast
 *   path's reader must first take that CPU from the client. No LAN has this: there the request
 *   arrives at the node's NIC and is handled on one of the node's own CPUs.
 * - `own-cpu`, that LAN: receive packet steering on the node's interface hands every frame it gets
 *   to the last CPU, and the client's arping runs pinned to the first, so the node's kernel and its
 *   reader both work on a CPU the client is not using.
 */
const PLACEMENTS = ['shared-cpu', 'own-cpu'] as const;
type Placement = (typeof PLACEMENTS)[number];
const cpus = availableParallelism();
const placements: readonly Placement[] = cpus >= 2 ? PLACEMENTS : ['shared-cpu'];
if (cpus < 2) log(`one CPU: the own-cpu ARP latency (the node's receive on a CPU of its own) cannot be measured here`);

/** The rps_cpus mask selecting CPU `cpu` alone: hex, a comma between each 32 bits, as sysfs writes it. */
function cpuMask(cpu: number): string {
  const hex = (1n << BigInt(cpu)).toString(16).padStart(8 * (Math.floor(cpu / 32) + 1), '0');
  return hex.match(/.{8}/g)!.join(',');
}

function place(placement: Placement): void {
  const node = lab.cluster.node(0);
  const mask = placement === 'own-cpu' ? cpuMask(cpus - 1) : '0';
  lab.cluster.lab.ns(node.ns, 'sh', ['-c', `echo ${mask} > /sys/class/net/${node.lanInterface}/queues/rx-0/rps_cpus`]);
}

interface Latency {
  readonly ours: number[];
  readonly kernel: number[];
  readonly unanswered: number;
}

/**
 * ARP latency at the client: the speaker's addresses against the node's own (the kernel's),
 * alternating, in every placement, in rounds under one capture. Each request is counted in the
 * placement whose window (wall clock, as the capture's timestamps) holds it.
 */
async function arpLatency(): Promise<Record<Placement, Latency>> {
  const ours = [address(0), address(Math.floor(SERVICES / 2)), address(SERVICES - 1)];
  const kernel = lab.cluster.node(0).lan.ipv4;
  const { clientNs, clientInterface } = lab.cluster;
  const windows: Array<{ placement: Placement; from: bigint; to: bigint }> = [];
  const capture = await startTcpdump(lab.cluster.lab, clientNs, clientInterface, 'arp');
  const requestsEach = 50;
  try {
    for (let round = 0; round < LATENCY_ROUNDS; round++) {
      for (const placement of placements) {
        place(placement);
        const pin = placement === 'own-cpu' ? ['taskset', '-c', '0'] : [];
        const from = BigInt(Date.now()) * 1_000_000n;
        for (const ip of [...ours, kernel]) {
          const [cmd = 'arping', ...args] = [...pin, 'arping', '-I', clientInterface, '-c', String(requestsEach), '-W', '0.01', '-w', '10', ip];
          lab.cluster.lab.tryNs(clientNs, cmd, args, { timeoutMs: 20_000 });
        }
        windows.push({ placement, from, to: BigInt(Date.now() + 1) * 1_000_000n });
      }
    }
  } finally {
    place('shared-cpu');
  }
  const records = await capture.stop();
  const result = {} as Record<Placement, Latency>;
  for (const placement of placements) {
    const inWindows = records.filter((r) => windows.some((w) => w.placement === placement && r.timeNs >= w.from && r.timeNs <= w.to));
    const { times, requests } = replyTimes(inWindows, [...ours, kernel]);
    const oursTimes = ours.flatMap((ip) => times.get(ip) ?? []);
    const unanswered = ours.reduce((sum, ip) => sum + (requests.get(ip) ?? 0), 0) - oursTimes.length;
    result[placement] = { ours: oursTimes, kernel: times.get(kernel) ?? [], unanswered };
  }
  return result;
}

/** The row name's suffix for a placement: none for the lab as it is (the rows kept their names). */
const suffix = (placement: Placement) => (placement === 'shared-cpu' ? '' : `-${placement}`);

const describe = (s: Sample) =>
  `all announced after ${s.announcedMs} ms, /metrics in ${s.scrapeMs} ms; speaker peak ${round(s.peakBeforeScrape)} MiB before the scrape, ${round(s.peak)} MiB after, settled ${round(s.settled)} MiB; layer 2 worker ${round(s.worker)} MiB`;

try {
  // Created while the (bundled) speaker runs.
  const speaker = lab.speakers[0];
  if (!speaker) throw new Error('no speaker started');
  const createStarted = Date.now();
  for (let i = 0; i < SERVICES; i += IN_FLIGHT) {
    await Promise.all(
      Array.from({ length: Math.min(IN_FLIGHT, SERVICES - i) }, async (_, k) => {
        const name = `mem-${i + k}`;
        await lab.createService(name, { annotations: { 'metallb.universe.tf/address-pool': 'memory' } });
        const svc = (await lab.client.get(Services, 'default', name)) as KubeObject;
        await lab.client.update(Services, { ...svc, status: { loadBalancer: { ingress: [{ ip: address(i + k) }] } } } as KubeObject, { subresource: 'status' });
      }),
    );
  }
  log(`${SERVICES} Services, EndpointSlices and statuses written in ${Date.now() - createStarted} ms`);
  const created = await measure(0, createStarted);
  log(`created (bundled): ${describe(created)}`);
  rows.push({ name: `memory-${SERVICES}-services-created-bundled-speaker-peak-rss`, value: round(created.peak), unit: 'MiB', limit: LIMIT_MIB });
  rows.push({ name: `memory-${SERVICES}-services-created-bundled-speaker-settled-rss`, value: round(created.settled), unit: 'MiB', limit: LIMIT_MIB });

  const latency = await arpLatency();
  for (const placement of placements) {
    const l = latency[placement];
    if (l.ours.length === 0 || l.kernel.length === 0) throw new Error(`no ARP replies captured (${placement}: ours ${l.ours.length}, kernel ${l.kernel.length})`);
    const oursSummary = summarize(l.ours);
    const kernelSummary = summarize(l.kernel);
    const name = `memory-${SERVICES}-services-arp-reply-latency`;
    log(`ARP at ${SERVICES} announced, ${placement}: ours ${round(oursSummary.median)} µs, kernel ${round(kernelSummary.median)} µs (medians; ${l.ours.length} and ${l.kernel.length} replies, ${l.unanswered} unanswered)`);
    rows.push(...spreadRows(`${name}-speaker${suffix(placement)}`, oursSummary, 'µs', null));
    rows.push(...spreadRows(`${name}-kernel${suffix(placement)}`, kernelSummary, 'µs', null));
    rows.push({ name: `${name}-speaker-minus-kernel${suffix(placement)}`, value: round(oursSummary.median - kernelSummary.median), unit: 'µs', limit: null });
    rows.push({ name: `${name}-speaker-over-kernel${suffix(placement)}`, value: round(oursSummary.median / kernelSummary.median), unit: 'x', limit: 1.5 });
    rows.push({ name: `memory-${SERVICES}-services-arp-requests-unanswered-speaker${suffix(placement)}`, value: l.unanswered, unit: 'requests', limit: 0 });
  }

  const restarts: Record<Form, Sample[]> = { bundled: [], built: [], baseline: [] };
  const latencyRatios: Record<Placement, Record<Form, number[]>> = { 'shared-cpu': { bundled: [], built: [], baseline: [] }, 'own-cpu': { bundled: [], built: [], baseline: [] } };
  for (let run = 0; run < RUNS; run++) {
    for (const form of restartForms) {
      await lab.signalSpeaker(0, 'SIGTERM');
      lab.speakerCommand = forms[form];
      const restarted = Date.now();
      const from = lab.speakers[0]?.output().length ?? 0;
      await lab.startSpeaker(0);
      const sample = await measure(from, restarted);
      restarts[form].push(sample);
      log(`restart ${run + 1}/${RUNS} (${form}): ${describe(sample)}`);
      if (baselineBundle && form !== 'built') {
        // Before/after: the fast path's latency over the kernel's with each form's worker.
        const measured = await arpLatency();
        for (const placement of placements) {
          const l = measured[placement];
          if (l.ours.length > 0 && l.kernel.length > 0) latencyRatios[placement][form].push(summarize(l.ours).median / summarize(l.kernel).median);
          log(`  ARP (${form}, ${placement}): ours/kernel ${round(latencyRatios[placement][form].at(-1) ?? NaN)} (${l.unanswered} unanswered)`);
        }
      }
    }
  }
  for (const form of restartForms) {
    const samples = restarts[form];
    const limit = form === 'bundled' ? LIMIT_MIB : null;
    rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-speaker-peak-rss`, summarize(samples.map((x) => x.peak)), 'MiB', limit));
    rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-speaker-peak-rss-before-scrape`, summarize(samples.map((x) => x.peakBeforeScrape)), 'MiB', null));
    rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-speaker-settled-rss`, summarize(samples.map((x) => x.settled)), 'MiB', limit));
    rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-to-all-announced`, summarize(samples.map((x) => x.announcedMs)), 'ms', null));
    rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-metrics-scrape`, summarize(samples.map((x) => x.scrapeMs)), 'ms', null));
  }
  const median = (form: Form, pick: (x: Sample) => number) => summarize(restarts[form].map(pick)).median;
  rows.push({ name: `memory-${SERVICES}-services-bundled-over-built-peak-rss`, value: round(median('bundled', (x) => x.peak) / median('built', (x) => x.peak)), unit: 'x', limit: null });
  rows.push(...spreadRows(`memory-${SERVICES}-services-layer2-worker-rss`, summarize([created, ...restarts.bundled, ...restarts.built].map((x) => x.worker)), 'MiB', null));
  for (const form of restartForms) rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-layer2-worker-rss`, summarize(restarts[form].map((x) => x.worker)), 'MiB', null));
  if (baselineBundle) {
    // Today's bundle over the baseline's, medians of the restarts: < 1 is smaller.
    const ratio = (pick: (x: Sample) => number) => round(median('bundled', pick) / median('baseline', pick));
    rows.push({ name: `memory-${SERVICES}-services-bundled-over-baseline-speaker-settled-rss`, value: ratio((x) => x.settled), unit: 'x', limit: null });
    rows.push({ name: `memory-${SERVICES}-services-bundled-over-baseline-speaker-peak-rss`, value: ratio((x) => x.peak), unit: 'x', limit: null });
    rows.push({ name: `memory-${SERVICES}-services-bundled-over-baseline-worker-rss`, value: ratio((x) => x.worker), unit: 'x', limit: null });
    rows.push({ name: `memory-${SERVICES}-services-bundled-over-baseline-speaker-plus-worker-rss`, value: ratio((x) => x.settled + x.worker), unit: 'x', limit: null });
    for (const placement of placements) {
      for (const form of ['baseline', 'bundled'] as const) {
        rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-arp-latency-over-kernel${suffix(placement)}`, summarize(latencyRatios[placement][form]), 'x', form === 'bundled' ? 1.5 : null));
      }
    }
  }
} finally {
  await lab.cleanup();
  rmSync(bundleDir, { recursive: true, force: true });
}

// Keep the rows of the other parts of speaker:bench; replace those measured now.
const file = join(benchResultsDir(), 'speaker.json');
let kept: BenchResult[] = [];
const fresh = new Set(rows.map((r) => r.name));
try {
  kept = (JSON.parse(readFileSync(file, 'utf8')) as BenchResult[]).filter((r) => !fresh.has(r.name));
} catch {
  // first run
}
writeResults('speaker', [...kept, ...rows]);
