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
// request → reply on the wire. Goal: fast path median ≤ 1.5 × the kernel's.
// Rows replace those of the last run in bench-results/speaker.json; the other rows stay.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

requireNetworkLab(['arping', 'curl', 'tcpdump']);
const repoRoot = join(import.meta.dirname, '..', '..', '..');
const bundleDir = mkdtempSync(join(tmpdir(), 'lb-speaker-bundle-'));
execFileSync(process.execPath, [join(repoRoot, 'tools', 'images', 'build', 'bundle.mjs'), join(import.meta.dirname, '..'), bundleDir], { stdio: ['ignore', 'ignore', 'inherit'] });
// MEMORY_BASELINE_BUNDLE: a bundle of an earlier commit (bundle.mjs's output directory), run turn
// about with today's as a third form, `baseline`, so that a change is measured before/after in one run.
const baselineBundle = process.env['MEMORY_BASELINE_BUNDLE'];
const forms = {
  bundled: imageNodeCommand(join(bundleDir, 'lb-speaker.js')),
  built: [process.execPath, speakerBin],
  baseline: baselineBundle ? imageNodeCommand(join(baselineBundle, 'lb-speaker.js')) : [],
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
  return { peak: own.peak, settled: own.rss, worker, announcedMs, scrapeMs };
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

/** ARP latency at the client: the speaker's addresses against the node's own (the kernel's), alternating. */
async function arpLatency(): Promise<{ ours: number[]; kernel: number[]; unanswered: number }> {
  const ours = [address(0), address(Math.floor(SERVICES / 2)), address(SERVICES - 1)];
  const kernel = lab.cluster.node(0).lan.ipv4;
  const { clientNs, clientInterface } = lab.cluster;
  const capture = await startTcpdump(lab.cluster.lab, clientNs, clientInterface, 'arp');
  const requestsEach = 50;
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const ip of [...ours, kernel]) lab.cluster.lab.tryNs(clientNs, 'arping', ['-I', clientInterface, '-c', String(requestsEach), '-W', '0.01', '-w', '10', ip], { timeoutMs: 20_000 });
  }
  const { times, requests } = replyTimes(await capture.stop(), [...ours, kernel]);
  const oursTimes = ours.flatMap((ip) => times.get(ip) ?? []);
  const unanswered = ours.reduce((sum, ip) => sum + (requests.get(ip) ?? 0), 0) - oursTimes.length;
  return { ours: oursTimes, kernel: times.get(kernel) ?? [], unanswered };
}

const describe = (s: Sample) =>
  `all announced after ${s.announcedMs} ms, /metrics in ${s.scrapeMs} ms; speaker peak ${round(s.peak)} MiB, settled ${round(s.settled)} MiB; layer 2 worker ${round(s.worker)} MiB`;

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
  if (latency.ours.length === 0 || latency.kernel.length === 0) throw new Error(`no ARP replies captured (ours ${latency.ours.length}, kernel ${latency.kernel.length})`);
  const oursSummary = summarize(latency.ours);
  const kernelSummary = summarize(latency.kernel);
  log(`ARP at ${SERVICES} announced: ours ${round(oursSummary.median)} µs, kernel ${round(kernelSummary.median)} µs (medians; ${latency.ours.length} and ${latency.kernel.length} replies, ${latency.unanswered} unanswered)`);
  rows.push(...spreadRows(`memory-${SERVICES}-services-arp-reply-latency-speaker`, oursSummary, 'µs', null));
  rows.push(...spreadRows(`memory-${SERVICES}-services-arp-reply-latency-kernel`, kernelSummary, 'µs', null));
  rows.push({ name: `memory-${SERVICES}-services-arp-reply-latency-speaker-over-kernel`, value: round(oursSummary.median / kernelSummary.median), unit: 'x', limit: 1.5 });
  rows.push({ name: `memory-${SERVICES}-services-arp-requests-unanswered-speaker`, value: latency.unanswered, unit: 'requests', limit: 0 });

  const restarts: Record<Form, Sample[]> = { bundled: [], built: [], baseline: [] };
  const latencyRatios: Record<Form, number[]> = { bundled: [], built: [], baseline: [] };
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
        const l = await arpLatency();
        if (l.ours.length > 0 && l.kernel.length > 0) latencyRatios[form].push(summarize(l.ours).median / summarize(l.kernel).median);
        log(`  ARP (${form}): ours/kernel ${round(latencyRatios[form].at(-1) ?? NaN)} (${l.unanswered} unanswered)`);
      }
    }
  }
  for (const form of restartForms) {
    const samples = restarts[form];
    const limit = form === 'bundled' ? LIMIT_MIB : null;
    rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-speaker-peak-rss`, summarize(samples.map((x) => x.peak)), 'MiB', limit));
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
    for (const form of ['baseline', 'bundled'] as const) rows.push(...spreadRows(`memory-${SERVICES}-services-restarted-${form}-arp-latency-over-kernel`, summarize(latencyRatios[form]), 'x', form === 'bundled' ? 1.5 : null));
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
