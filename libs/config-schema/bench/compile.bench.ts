// compile() at scale: 10,000 pools, 10,000 advertisements and 1,000 peers (goal: under 1 s), and the
// address overlap check at 1,000 and 10,000 pools, beside a pairwise check (what MetalLB does) on
// the same ranges, so that the growth of each shows. Writes bench-results/config-schema.json.
import { findOverlaps, parseAddressRange, type AddressRange, type OwnedRange } from '@lb/ipam';
import { round, sampleMs, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { stringify } from 'yaml';
import { compile, formatIssue } from '../src/index.js';

const NS = 'metallb-system';
const quick = process.argv.includes('--quick');
const runs = quick ? 3 : 7;

/** Pool i holds the /28 starting at 10.0.0.0 + 16 i: no two pools overlap. */
function poolAddress(i: number): string {
  const base = (10 << 24) + i * 16;
  return `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/28`;
}

function configuration(pools: number, advertisements: number, peers: number): unknown[] {
  const objects: unknown[] = [];
  for (let i = 0; i < pools; i++) {
    objects.push({
      apiVersion: 'metallb.io/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: `pool-${i}`, namespace: NS, labels: { pool: `p${i}`, tier: i % 2 ? 'gold' : 'silver' } },
      spec: { addresses: [poolAddress(i)], ...(i % 10 === 0 ? { serviceAllocation: { priority: i % 7, namespaces: [`ns-${i}`] } } : {}) },
    });
  }
  // Half L2 by pool name, half BGP by pool label, each with a localPref and communities.
  for (let i = 0; i < advertisements; i++) {
    const target = i % pools;
    if (i % 2 === 0) {
      objects.push({ apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: `l2-${i}`, namespace: NS }, spec: { ipAddressPools: [`pool-${target}`], interfaces: ['eth0'] } });
    } else {
      objects.push({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: { name: `bgp-${i}`, namespace: NS },
        spec: {
          ipAddressPoolSelectors: [{ matchLabels: { pool: `p${target}` } }],
          localPref: 100,
          communities: ['65000:100', 'large:65000:1:2'],
          peers: [`peer-${i % peers}`],
          nodeSelectors: [{ matchLabels: { rack: `r${i % 20}` } }],
        },
      });
    }
  }
  for (let i = 0; i < peers; i++) {
    objects.push({
      apiVersion: 'metallb.io/v1beta2',
      kind: 'BGPPeer',
      metadata: { name: `peer-${i}`, namespace: NS },
      spec: { myASN: 64512, peerASN: 64513 + (i % 100), peerAddress: `172.16.${i >> 8}.${i & 255}`, holdTime: '90s', nodeSelectors: [{ matchLabels: { rack: `r${i % 20}` } }] },
    });
  }
  return objects;
}

function ranges(count: number): OwnedRange<number>[] {
  return Array.from({ length: count }, (_, i) => {
    const parsed = parseAddressRange(poolAddress(i));
    if (!parsed.ok) throw new Error(parsed.error.message);
    return { range: parsed.value, owner: i };
  });
}

/** The pairwise check MetalLB makes: every range against every range before it. */
function pairwiseOverlaps(owned: readonly OwnedRange<number>[]): number {
  let found = 0;
  const overlaps = (a: AddressRange, b: AddressRange) => a.family === b.family && a.first <= b.last && b.first <= a.last;
  for (let j = 1; j < owned.length; j++) {
    for (let i = 0; i < j; i++) if (overlaps((owned[i] as OwnedRange<number>).range, (owned[j] as OwnedRange<number>).range)) found++;
  }
  return found;
}

async function main(): Promise<void> {
  const rows: BenchResult[] = [];

  const full = configuration(10_000, 10_000, 1_000);
  const check = compile(full);
  if (!check.ok) throw new Error(`the benchmark configuration does not compile:\n${check.error.issues.slice(0, 5).map(formatIssue).join('\n')}`);
  const compileFull = summarize(await sampleMs(() => compile(full), runs));
  rows.push(...spreadRows('compile 10k pools + 10k advertisements + 1k peers (objects)', compileFull, 'ms', 1000));

  const yaml = full.map((o) => `---\n${stringify(o)}`).join('');
  const compileYaml = summarize(await sampleMs(() => compile(yaml), quick ? 1 : 3));
  rows.push(...spreadRows('compile 10k pools + 10k advertisements + 1k peers (YAML text)', compileYaml, 'ms', 1000));
  // One bad address in the last pool: now a message needs its line, so the reader that keeps
  // positions runs too (see src/yaml.ts). This is the cost of the careful reader alone.
  const lastPool = yaml.lastIndexOf(poolAddress(9_999));
  const yamlWithError = `${yaml.slice(0, lastPool)}10.0.0.300/28${yaml.slice(lastPool + poolAddress(9_999).length)}`;
  const failed = compile(yamlWithError);
  if (failed.ok || failed.error.issues[0]?.source === undefined) throw new Error('the broken YAML was accepted or its error has no position');
  const compileYamlWithError = summarize(await sampleMs(() => compile(yamlWithError), quick ? 1 : 3));
  rows.push(...spreadRows('compile the same YAML text with one bad address (positions read too)', compileYamlWithError, 'ms', null));
  rows.push({ name: 'YAML text compile, with a position to report / clean (median ratio)', value: round(compileYamlWithError.median / compileYaml.median), unit: 'x', limit: null });

  // Pools alone, so that the per-pool cost and its growth show without advertisements.
  const pools1k = configuration(1_000, 0, 0);
  const pools10k = configuration(10_000, 0, 0);
  const compile1k = summarize(await sampleMs(() => compile(pools1k), runs));
  const compile10k = summarize(await sampleMs(() => compile(pools10k), runs));
  rows.push(...spreadRows('compile 1k pools', compile1k, 'ms', null));
  rows.push(...spreadRows('compile 10k pools', compile10k, 'ms', null));
  rows.push({ name: 'compile pools growth 1k -> 10k (median ratio)', value: round(compile10k.median / compile1k.median), unit: 'x', limit: null });

  // The overlap check itself: sorted sweep (ours) beside pairwise (MetalLB's), same ranges.
  const owned1k = ranges(1_000);
  const owned10k = ranges(10_000);
  const sweep1k = summarize(await sampleMs(() => findOverlaps(owned1k), runs * 3));
  const sweep10k = summarize(await sampleMs(() => findOverlaps(owned10k), runs * 3));
  const pairwise1k = summarize(await sampleMs(() => pairwiseOverlaps(owned1k), runs));
  const pairwise10k = summarize(await sampleMs(() => pairwiseOverlaps(owned10k), quick ? 1 : 3));
  rows.push(...spreadRows('overlap check, sorted sweep, 1k pools', sweep1k, 'ms', null));
  rows.push(...spreadRows('overlap check, sorted sweep, 10k pools', sweep10k, 'ms', null));
  rows.push(...spreadRows('overlap check, pairwise (MetalLB), 1k pools', pairwise1k, 'ms', null));
  rows.push(...spreadRows('overlap check, pairwise (MetalLB), 10k pools', pairwise10k, 'ms', null));
  // n log n grows ~13x from 1k to 10k; n^2 grows 100x.
  rows.push({ name: 'overlap sweep growth 1k -> 10k (median ratio)', value: round(sweep10k.median / sweep1k.median), unit: 'x', limit: 30 });
  rows.push({ name: 'overlap pairwise growth 1k -> 10k (median ratio)', value: round(pairwise10k.median / pairwise1k.median), unit: 'x', limit: null });
  rows.push({ name: 'overlap pairwise / sweep at 10k pools (median ratio)', value: round(pairwise10k.median / sweep10k.median), unit: 'x', limit: null });

  writeResults('config-schema', rows);
}

await main();
