// Benchmarks for @lb/bgp-wire (issue 4). Run: npx nx run bgp-wire:bench
// 1. Codec: encode/decode rates of a typical one-prefix UPDATE and of a full 4 KiB UPDATE.
// 2. 100,000 IPv4 /32 + 100,000 IPv6 /128 announced to gobgpd (one IPv4 and one IPv6 session),
//    ours and BIRD 2 side by side in the same run, alternating rounds: time from session start
//    until gobgpd holds everything, wire time (first UPDATE to End-of-RIB) from a capture on the
//    router's side, and the number of UPDATEs each sender needed.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { opsPerSecond, round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { Lab, requireNetworkLab, startBird, startGobgpd, startTcpdump, waitFor, waitForNeighbor, type BgpDaemon } from '@lb/netlab';
import { type UpdateMessage, decode, encode, encodingLength } from '../src/index.js';
import { SpeakerProcess } from '../test/helpers/speaker.js';
import { generatedPrefixes } from '../test/helpers/routes.js';
import { type FlowSummary, summarizeBgpCapture } from './capture.js';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const COUNT = Number(process.env['BENCH_ROUTES'] ?? 100_000);
const rows: BenchResult[] = [];

// --- 1. codec ------------------------------------------------------------------------------
{
  const typical: UpdateMessage = {
    type: 'update',
    withdrawn: [],
    attributes: [
      { type: 'origin', origin: 'igp' },
      { type: 'as-path', segments: [{ type: 'sequence', asns: [64512] }] },
      { type: 'next-hop', nextHop: '192.0.2.1' },
      { type: 'communities', communities: [(65000 << 16) >>> 0, 0xffffff01] },
      { type: 'large-communities', communities: [{ globalAdmin: 65000, localData1: 1, localData2: 2 }] },
    ],
    nlri: [{ prefix: '198.51.100.7/32' }],
  };
  const prefixes = generatedPrefixes('ipv4-unicast', 1000);
  const nlri: { prefix: string }[] = [];
  const full: UpdateMessage = { ...typical, nlri };
  for (const prefix of prefixes) {
    nlri.push({ prefix });
    if (encodingLength(full) > 4096) {
      nlri.pop();
      break;
    }
  }
  const fullBytes = encode(full);
  const typicalBytes = encode(typical);
  const buffer = new Uint8Array(4096);
  const cases: [string, UpdateMessage, Uint8Array, number][] = [
    ['one-prefix UPDATE', typical, typicalBytes, 20_000],
    [`full UPDATE (${fullBytes.length} bytes, ${nlri.length} IPv4 /32)`, full, fullBytes, 200],
  ];
  for (const [name, message, bytes, batch] of cases) {
    const enc = summarize(opsPerSecond(() => encode(message, buffer, 0), batch, 1000));
    const dec = summarize(opsPerSecond(() => decode(bytes, 0, bytes.length), batch, 1000));
    rows.push(...spreadRows(`encode ${name}`, enc, 'msg/s', null), ...spreadRows(`decode ${name}`, dec, 'msg/s', null));
    if (bytes.length > 1000) {
      rows.push({ name: `decode ${name} (median)`.replace('(median)', 'prefixes (median)'), value: round((dec.median * nlri.length) / 1e6), unit: 'M prefixes/s', limit: null });
    }
  }
}

// BENCH_PARTS=codec stops here (no lab): to compare two checkouts' codecs side by side.
if (process.env['BENCH_PARTS'] === 'codec') {
  writeResults('bgp-wire', rows);
  process.exit(0);
}

// --- 2. 100k + 100k to gobgpd, ours vs BIRD ---------------------------------------------------
requireNetworkLab(['gobgpd', 'gobgp', 'bird', 'birdc', 'tcpdump']);
const lab = new Lab('bgpb');
const SPEAKER_AS = 64512;
const ROUTER_AS = 64513;
const BIRD_AS = 64514;
const rtr = lab.namespace('rtr');
const spk = lab.namespace('spk');
const brd = lab.namespace('bird');
const toSpk = lab.veth(spk, rtr, { a: 'eth0', b: 'tospk' });
const toBird = lab.veth(brd, rtr, { a: 'eth0', b: 'tobird' });
const addr = {
  spk: { v4: '10.80.0.1', v6: 'fd80::1' },
  rtrSpk: { v4: '10.80.0.2', v6: 'fd80::2' },
  bird: { v4: '10.81.0.1', v6: 'fd81::1' },
  rtrBird: { v4: '10.81.0.2', v6: 'fd81::2' },
};
lab.address(spk, toSpk.a, `${addr.spk.v4}/24`);
lab.address(spk, toSpk.a, `${addr.spk.v6}/64`);
lab.address(rtr, toSpk.b, `${addr.rtrSpk.v4}/24`);
lab.address(rtr, toSpk.b, `${addr.rtrSpk.v6}/64`);
lab.address(brd, toBird.a, `${addr.bird.v4}/24`);
lab.address(brd, toBird.a, `${addr.bird.v6}/64`);
lab.address(rtr, toBird.b, `${addr.rtrBird.v4}/24`);
lab.address(rtr, toBird.b, `${addr.rtrBird.v6}/64`);

const gobgp: BgpDaemon = startGobgpd(lab, rtr, {
  asn: ROUTER_AS,
  routerId: addr.rtrSpk.v4,
  neighbors: [
    { address: addr.spk.v4, asn: SPEAKER_AS, passive: true, families: ['ipv4-unicast'] },
    { address: addr.spk.v6, asn: SPEAKER_AS, passive: true, families: ['ipv6-unicast'] },
    { address: addr.bird.v4, asn: BIRD_AS, passive: true, families: ['ipv4-unicast'] },
    { address: addr.bird.v6, asn: BIRD_AS, passive: true, families: ['ipv6-unicast'] },
  ],
});
// The CLI fails until gobgpd's API listens; waitFor retries on errors.
await waitFor('gobgpd API', () => gobgp.control(['neighbor']) !== undefined);

interface Round {
  ribSeconds: number;
  wireSeconds: number;
  /** UPDATEs gobgpd counted from each session (End-of-RIB included). */
  updates: { v4: number; v6: number };
  endOfRib: boolean;
  missingBytes: number;
  /** Packets tcpdump reported dropped by the kernel: the wire time of such a round is not trusted. */
  dropped: number;
}

function droppedPackets(output: string): number {
  return Number(/(\d+) packets? dropped by kernel/.exec(output)?.[1] ?? 0);
}

/** gobgpd's count of UPDATEs received from a neighbor (it keeps counting across sessions). */
function updatesReceived(neighbor: string): number {
  const n = JSON.parse(gobgp.control(['neighbor', neighbor, '-j'])) as { state?: { messages?: { received?: { update?: number } } } };
  return n.state?.messages?.received?.update ?? 0;
}

/** Polls gobgpd (sparingly: the CLI costs CPU) until both of a sender's sessions delivered everything. */
async function waitForRib(v4: string, v6: string, since: number): Promise<number> {
  for (;;) {
    const done = gobgp.acceptedCount(v4, 'ipv4-unicast') >= COUNT && gobgp.acceptedCount(v6, 'ipv6-unicast') >= COUNT;
    if (done) return (performance.now() - since) / 1000;
    if (performance.now() - since > 120_000) throw new Error('gobgpd did not receive every route within 120 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function waitForEmpty(v4: string, v6: string): Promise<void> {
  await waitFor('gobgpd to drop the routes', () => gobgp.acceptedCount(v4, 'ipv4-unicast') === 0 && gobgp.acceptedCount(v6, 'ipv6-unicast') === 0, { timeoutMs: 120_000, intervalMs: 500 });
  await waitForIdle();
}

/**
 * gobgpd refuses a neighbor for a while after resetting its session (idle hold): start a sender
 * only once gobgpd listens for it again, or its first attempts are refused and it is timed late.
 */
async function readyFor(v4: string, v6: string): Promise<void> {
  await waitForNeighbor(gobgp, v4, 'active', 60_000);
  await waitForNeighbor(gobgp, v6, 'active', 60_000);
}

/** CPU ticks gobgpd has used (`ip netns exec` execs, so the child's pid is gobgpd's). */
function gobgpTicks(): number {
  const fields = readFileSync(`/proc/${gobgp.process.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * Waits until gobgpd has finished digesting the previous sender's withdrawal (table cleanup and
 * garbage collection keep it busy for seconds after its counters reach zero); otherwise whoever
 * goes next is measured against a router that is still busy.
 */
async function waitForIdle(): Promise<void> {
  let quiet = 0;
  let last = gobgpTicks();
  for (let i = 0; i < 120 && quiet < 2; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = gobgpTicks();
    quiet = now - last <= 2 ? quiet + 1 : 0;
    last = now;
  }
}

function wire(records: Parameters<typeof summarizeBgpCapture>[0], senders: readonly string[]): Omit<Round, 'ribSeconds' | 'updates' | 'dropped'> {
  const all = summarizeBgpCapture(records);
  // A sender may have opened more than one connection (a refused first attempt): take the one that carried the table.
  const biggest = (sender: string): FlowSummary | undefined =>
    all.filter((f) => f.flow.startsWith(sender)).reduce<FlowSummary | undefined>((best, f) => (best && best.bytes >= f.bytes ? best : f), undefined);
  const v4 = biggest(senders[0] as string);
  const v6 = biggest(senders[1] as string);
  const flows = [v4, v6].filter((f): f is FlowSummary => f !== undefined);
  const first = flows.map((f) => f.firstUpdateNs).filter((x): x is bigint => x !== undefined);
  const last = flows.map((f) => f.lastNs).filter((x): x is bigint => x !== undefined);
  if (!v4 || !v6 || first.length === 0 || last.length === 0) throw new Error(`capture lacks a flow: ${JSON.stringify(all.map((f) => f.flow))}`);
  const min = first.reduce((a, b) => (a < b ? a : b));
  const max = last.reduce((a, b) => (a > b ? a : b));
  return { wireSeconds: Number(max - min) / 1e9, endOfRib: v4.endOfRib && v6.endOfRib, missingBytes: v4.missingBytes + v6.missingBytes };
}

const v6Hex = (a: string): string => {
  const groups = a.split('::');
  const head = (groups[0] ?? '').split(':').filter(Boolean);
  const tail = (groups[1] ?? '').split(':').filter(Boolean);
  return [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail].map((g) => g.padStart(4, '0')).join('');
};

async function ours(): Promise<Round> {
  const speaker = await SpeakerProcess.startMany(
    lab,
    spk,
    [
      { localAs: SPEAKER_AS, peerAs: ROUTER_AS, routerId: addr.spk.v4, peerAddress: addr.rtrSpk.v4, localAddress: addr.spk.v4, mode: 'active', families: ['ipv4-unicast'], connectRetryTime: 1 },
      { localAs: SPEAKER_AS, peerAs: ROUTER_AS, routerId: addr.spk.v4, peerAddress: addr.rtrSpk.v6, localAddress: addr.spk.v6, mode: 'active', families: ['ipv6-unicast'], connectRetryTime: 1 },
    ],
    { defer: true },
  );
  await speaker.generateRoutes(0, 'ipv4-unicast', COUNT, addr.spk.v4);
  await speaker.generateRoutes(1, 'ipv6-unicast', COUNT, addr.spk.v6);
  await readyFor(addr.spk.v4, addr.spk.v6);
  const before = { v4: updatesReceived(addr.spk.v4), v6: updatesReceived(addr.spk.v6) };
  const capture = await startTcpdump(lab, rtr, toSpk.b, 'tcp port 179');
  const start = performance.now();
  await speaker.begin();
  const ribSeconds = await waitForRib(addr.spk.v4, addr.spk.v6, start);
  // The End-of-RIB can still be in flight when gobgpd has counted the last route: let it land.
  await new Promise((r) => setTimeout(r, 1000));
  const records = await capture.stop();
  const updates = { v4: updatesReceived(addr.spk.v4) - before.v4, v6: updatesReceived(addr.spk.v6) - before.v6 };
  await speaker.stop();
  await waitForEmpty(addr.spk.v4, addr.spk.v6);
  return { ribSeconds, updates, dropped: droppedPackets(capture.process.output()), ...wire(records, [`${addr.spk.v4}:`, `${v6Hex(addr.spk.v6)}:`]) };
}

async function bird(): Promise<Round> {
  const daemon = startBird(lab, brd, {
    asn: BIRD_AS,
    routerId: addr.bird.v4,
    disabled: true,
    staticRoutes: { ipv4: generatedPrefixes('ipv4-unicast', COUNT), ipv6: generatedPrefixes('ipv6-unicast', COUNT) },
    neighbors: [
      { address: addr.rtrBird.v4, asn: ROUTER_AS, families: ['ipv4-unicast'] },
      { address: addr.rtrBird.v6, asn: ROUTER_AS, families: ['ipv6-unicast'] },
    ],
  });
  // Static routes loaded (not timed), sessions still disabled: start both and time from there.
  await waitFor('BIRD to load its static routes', () => Number(/Total: (\d+) of/.exec(daemon.control(['show', 'route', 'count']))?.[1] ?? 0) >= 2 * COUNT, {
    timeoutMs: 120_000,
    intervalMs: 500,
  }).catch((error: Error) => {
    throw new Error(`${error.message}\nBIRD output:\n${daemon.output().slice(-2000)}`);
  });
  await readyFor(addr.bird.v4, addr.bird.v6);
  const before = { v4: updatesReceived(addr.bird.v4), v6: updatesReceived(addr.bird.v6) };
  const capture = await startTcpdump(lab, rtr, toBird.b, 'tcp port 179');
  const start = performance.now();
  daemon.control(['enable', 'n0']);
  daemon.control(['enable', 'n1']);
  const ribSeconds = await waitForRib(addr.bird.v4, addr.bird.v6, start);
  // The End-of-RIB can still be in flight when gobgpd has counted the last route: let it land.
  await new Promise((r) => setTimeout(r, 1000));
  const records = await capture.stop();
  const updates = { v4: updatesReceived(addr.bird.v4) - before.v4, v6: updatesReceived(addr.bird.v6) - before.v6 };
  await daemon.stop();
  await waitForEmpty(addr.bird.v4, addr.bird.v6);
  return { ribSeconds, updates, dropped: droppedPackets(capture.process.output()), ...wire(records, [`${addr.bird.v4}:`, `${v6Hex(addr.bird.v6)}:`]) };
}

try {
  await waitForIdle();
  const results = { ours: [] as Round[], bird: [] as Round[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate who goes first, so drift on a shared machine hits both alike.
    const order = round % 2 === 0 ? (['ours', 'bird'] as const) : (['bird', 'ours'] as const);
    for (const who of order) {
      const r = who === 'ours' ? await ours() : await bird();
      results[who].push(r);
      console.log(
        `round ${round + 1} ${who}: RIB ${r.ribSeconds.toFixed(2)} s, wire ${r.wireSeconds.toFixed(3)} s, UPDATEs ${r.updates.v4}+${r.updates.v6}, EoR seen ${r.endOfRib}, capture missed ${r.missingBytes} bytes, tcpdump dropped ${r.dropped} packets`,
      );
    }
  }
  const label = `${COUNT / 1000}k IPv4 /32 + ${COUNT / 1000}k IPv6 /128 to gobgpd`;
  // A capture that lost packets (tcpdump behind on a busy machine) can miss the End-of-RIB.
  const trusted = (r: Round): boolean => r.dropped === 0 && r.missingBytes === 0 && r.endOfRib;
  for (const who of ['ours', 'bird'] as const) {
    const name = who === 'ours' ? 'bgp-wire' : 'BIRD 2';
    rows.push(...spreadRows(`${label}: ${name}, session start to gobgpd RIB complete`, summarize(results[who].map((r) => r.ribSeconds)), 's', null));
    const clean = results[who].filter(trusted);
    if (clean.length > 0) {
      rows.push(...spreadRows(`${label}: ${name}, wire time first UPDATE to End-of-RIB (${clean.length} clean captures)`, summarize(clean.map((r) => r.wireSeconds)), 's', null));
    }
    rows.push(...spreadRows(`${label}: ${name}, UPDATE messages IPv4 (End-of-RIB included, as gobgpd counts)`, summarize(results[who].map((r) => r.updates.v4)), 'messages', null));
    rows.push(...spreadRows(`${label}: ${name}, UPDATE messages IPv6 (End-of-RIB included, as gobgpd counts)`, summarize(results[who].map((r) => r.updates.v6)), 'messages', null));
  }
  const ratios = results.ours.map((r, i) => r.ribSeconds / (results.bird[i] as Round).ribSeconds);
  rows.push(...spreadRows(`${label}: RIB time ratio bgp-wire/BIRD (per round)`, summarize(ratios), 'ratio', 1.0));
  const wireRatios = results.ours.flatMap((r, i) => (trusted(r) && trusted(results.bird[i] as Round) ? [r.wireSeconds / (results.bird[i] as Round).wireSeconds] : []));
  if (wireRatios.length > 0) rows.push(...spreadRows(`${label}: wire time ratio bgp-wire/BIRD (rounds with clean captures)`, summarize(wireRatios), 'ratio', null));
  writeResults('bgp-wire', rows);
} finally {
  await gobgp.stop();
  await lab.cleanup();
}
