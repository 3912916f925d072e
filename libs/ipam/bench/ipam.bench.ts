// Benchmarks for @lb/ipam (issue targets in the limits). Run: npx nx run ipam:bench
// Each figure is measured several times in this one run; the goal applies to the median, and the
// baseline runs side by side so that the ratio, not the absolute time, carries over between machines.
import { performance } from 'node:perf_hooks';
import { round, settledHeapBytes, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { Allocator, type PoolSpec } from '../src/index.js';
import { ScanAllocator } from '../test/scan-allocator.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const rows: BenchResult[] = [];

function must<T extends { ok: boolean }>(result: T, what: string): T {
  if (!result.ok) throw new Error(`${what} failed: ${JSON.stringify(result)}`);
  return result;
}

// 1. Fill an IPv4 /16 with 65,536 single-address services, ours vs MetalLB's scan.
{
  const SIZE = 65_536;
  const keys = Array.from({ length: SIZE }, (_, i) => `bench/svc-${i}`);
  const fill = (): number => {
    const allocator = new Allocator();
    must(allocator.setPools([{ name: 'p', addresses: ['10.0.0.0/16'] }]), 'setPools');
    const start = performance.now();
    for (const service of keys) {
      const result = allocator.allocate({ service });
      if (!result.ok) throw new Error(`fill stopped at ${service}: ${result.error.message}`);
    }
    const elapsed = performance.now() - start;
    if (allocator.allocate({ service: 'bench/one-too-many' }).ok) throw new Error('pool should be full');
    return elapsed;
  };
  fill(); // warm-up
  const ours = summarize(Array.from({ length: RUNS }, () => fill() / 1000));

  const scan = new ScanAllocator([{ name: 'p', avoidBuggyIPs: false, ranges: [[0x0a000000, 0x0a00ffff]] }]);
  const start = performance.now();
  for (const service of keys) if (scan.allocate(service) === undefined) throw new Error('baseline ran out early');
  const baselineMs = performance.now() - start;
  rows.push({ name: 'fill IPv4 /16, baseline scan-from-start (MetalLB algorithm)', value: round(baselineMs / 1000), unit: 's', limit: null });
  rows.push(...spreadRows('fill IPv4 /16 with 65,536 services', ours, 's', 0.5));
  rows.push({ name: 'fill IPv4 /16 speed-up, baseline / ours (median)', value: round(baselineMs / 1000 / ours.median), unit: 'x', limit: null });
}

// 2. A million allocations from an IPv6 /64, the next allocation's latency, heap per address.
{
  const COUNT = 1_000_000;
  const PROBES = 20_000;
  const fillTimes: number[] = [];
  const heapPerAddress: number[] = [];
  const nextLatencies: number[] = [];
  // One run per call, so that its allocator is garbage once the call returns and the next run's
  // heap baseline does not include it.
  const run = (): void => {
    const heapBefore = settledHeapBytes();
    const allocator = new Allocator();
    must(allocator.setPools([{ name: 'v6', addresses: ['2001:db8::/64'] }]), 'setPools');
    const start = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const result = allocator.allocate({ service: `bench/svc-${i}`, ipFamilies: ['IPv6'] });
      if (!result.ok) throw new Error(result.error.message);
    }
    fillTimes.push(performance.now() - start);
    heapPerAddress.push((settledHeapBytes() - heapBefore) / COUNT);
    // One more allocation with a million held, measured one by one; each probe is released
    // again so that every probe sees exactly a million held addresses.
    for (let i = 0; i < PROBES; i++) {
      const service = `probe/p-${i}`;
      const t0 = performance.now();
      const result = allocator.allocate({ service, ipFamilies: ['IPv6'] });
      const t1 = performance.now();
      if (!result.ok) throw new Error(result.error.message);
      nextLatencies.push((t1 - t0) * 1000);
      allocator.release(service);
    }
    if (allocator.size !== COUNT) throw new Error(`expected ${COUNT} held, found ${allocator.size}`);
  };
  for (let i = 0; i < Math.max(1, Math.min(RUNS, 3)); i++) run();
  const fill = summarize(fillTimes.map((ms) => ms / 1000));
  rows.push(...spreadRows('1,000,000 allocations from an IPv6 /64', fill, 's', 5));
  const latency = summarize(nextLatencies);
  rows.push({ name: 'next allocation with 1,000,000 held (p99)', value: round(latency.p99), unit: 'µs', limit: 20 });
  rows.push({ name: 'next allocation with 1,000,000 held (median)', value: round(latency.median), unit: 'µs', limit: null });
  rows.push({ name: 'next allocation with 1,000,000 held (max)', value: round(latency.max), unit: 'µs', limit: null });
  rows.push(...spreadRows('heap per held address (1,000,000 held)', summarize(heapPerAddress), 'bytes', 150));
}

// 3. setPools with 10,000 pools and 1,000,000 assignments.
{
  const POOLS = 10_000;
  const PER_POOL = 100;
  const poolSpecs = (name: (i: number) => string, addresses: (i: number) => string[]): PoolSpec[] =>
    Array.from({ length: POOLS }, (_, i) => ({ name: name(i), addresses: addresses(i) }));
  // Pool i owns the /25 at 10.x.y.0 or 10.x.y.128 (10,000 of them).
  const base = (i: number): string => `10.${(i >> 1) >> 8}.${(i >> 1) & 0xff}.${(i & 1) * 128}`;
  const original = poolSpecs((i) => `pool-${i}`, (i) => [`${base(i)}/25`]);
  const scenarios: Array<{ name: string; pools: PoolSpec[]; expectReleased: number }> = [
    { name: 'unchanged', pools: original, expectReleased: 0 },
    { name: 'every pool renamed', pools: poolSpecs((i) => `renamed-${i}`, (i) => [`${base(i)}/25`]), expectReleased: 0 },
    {
      // Every range restated as two /26: no range survives as is, so all 1,000,000 holders move.
      name: 'every range restated',
      pools: poolSpecs(
        (i) => `pool-${i}`,
        (i) => {
          const [a, b, c, d] = base(i).split('.').map(Number) as [number, number, number, number];
          return [`${a}.${b}.${c}.${d}/26`, `${a}.${b}.${c}.${d + 64}/26`];
        },
      ),
      expectReleased: 0,
    },
    {
      // Every pool shrinks to its first /26: the 36 holders above .63 of each pool are released.
      name: 'every pool shrunk',
      pools: poolSpecs((i) => `pool-${i}`, (i) => [`${base(i)}/26`]),
      expectReleased: POOLS * (PER_POOL - 64),
    },
  ];
  for (const scenario of scenarios) {
    const samples: number[] = [];
    for (let run = 0; run < Math.max(1, Math.min(RUNS, 3)); run++) {
      const allocator = new Allocator();
      must(allocator.setPools(original), 'setPools');
      for (let p = 0; p < POOLS; p++) {
        for (let k = 0; k < PER_POOL; k++) {
          const result = allocator.allocate({ service: `ns-${p}/svc-${k}`, requestedPool: `pool-${p}` });
          if (!result.ok) throw new Error(result.error.message);
        }
      }
      const start = performance.now();
      const result = must(allocator.setPools(scenario.pools), scenario.name);
      samples.push(performance.now() - start);
      if (result.ok && result.value.released.length !== scenario.expectReleased) {
        throw new Error(`${scenario.name}: released ${result.value.released.length}, expected ${scenario.expectReleased}`);
      }
    }
    const s = summarize(samples.map((ms) => ms / 1000));
    rows.push(...spreadRows(`setPools 10,000 pools / 1,000,000 assignments, ${scenario.name}`, s, 's', 2));
  }
}

writeResults('ipam', rows);
