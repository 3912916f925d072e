// lbctl as a user runs it (the built bin, a new process each time, process start included):
//  - `lbctl validate` of 10,000 IPAddressPools + 10,000 L2Advertisements in one file (goal < 1.5 s);
//  - `lbctl explain service` and `lbctl status` against kube-sim holding 10,000 LoadBalancer
//    Services with addresses (goal < 2 s each);
// side by side, turn about, with a bare `node -e ''` start and `lbctl --help` (what any run costs),
// reported as ratios. BENCH_QUICK=1 shrinks it for a smoke run.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round, spreadRows, summarize, writeResults, type BenchResult } from '@lb/bench-kit';
import { type KubeSim } from '@lb/kube-sim';
import { TestBed, lbctlBin } from '../test/harness.js';

const quick = process.env['BENCH_QUICK'] === '1';
const OBJECTS = quick ? 1_000 : 10_000;
const SERVICES = quick ? 1_000 : 10_000;
const RUNS = quick ? 3 : 7;
const NS = 'metallb-system';

/** Runs a process to its end (asynchronously: kube-sim answers from this very process). */
function timeRun(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...args], { env, maxBuffer: 256 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`${args.join(' ')} failed: ${error.message}\n${stderr}`));
      else resolve(performance.now() - started);
    });
  });
}

/** 10,000 /28 pools in 10.0.0.0/8 (no two overlap) and an L2Advertisement naming each. */
function bigConfig(count: number): string {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const base = i * 16;
    const address = `10.${(base >> 16) & 255}.${(base >> 8) & 255}.${base & 255}/28`;
    docs.push(`apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: pool-${i}\n  namespace: ${NS}\nspec:\n  addresses:\n  - ${address}\n`);
    docs.push(`apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata:\n  name: adv-${i}\n  namespace: ${NS}\nspec:\n  ipAddressPools:\n  - pool-${i}\n`);
  }
  return docs.join('---\n');
}

async function bigCluster(bed: TestBed): Promise<KubeSim> {
  const sim = await bed.sim();
  await sim.store.apply([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench', namespace: NS }, spec: { addresses: ['10.0.0.0/17'] } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'bench', namespace: NS } },
    ...[0, 1, 2].map((i) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}` } })),
  ]);
  // Services with the addresses the controller would have given them, written straight into the store.
  for (let i = 0; i < SERVICES; i++) {
    const created = await sim.store.create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `s-${i}`, namespace: 'bench', annotations: { 'metallb.io/ip-allocated-from-pool': 'bench' } },
      spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    });
    await sim.store.updateStatus({ ...created, status: { loadBalancer: { ingress: [{ ip: `10.0.${i >> 8}.${i & 255}` }] } } });
  }
  return sim;
}

async function main(): Promise<void> {
  const bed = new TestBed();
  const rows: BenchResult[] = [];
  try {
    const dir = bed.tempDir();
    const configFile = join(dir, 'big.yaml');
    writeFileSync(configFile, bigConfig(OBJECTS));
    const sim = await bigCluster(bed);
    const env = { ...process.env, KUBECONFIG: sim.kubeconfigPath };
    // Warm the file cache once.
    await timeRun([lbctlBin, 'validate', '-f', configFile]);

    const samples = { node: [] as number[], help: [] as number[], validate: [] as number[], explain: [] as number[], status: [] as number[] };
    for (let run = 0; run < RUNS; run++) {
      samples.node.push(await timeRun(['-e', '']));
      samples.help.push(await timeRun([lbctlBin, '--help']));
      samples.validate.push(await timeRun([lbctlBin, 'validate', '-f', configFile]));
      samples.explain.push(await timeRun([lbctlBin, 'explain', 'service', `bench/s-${SERVICES >> 1}`], env));
      samples.status.push(await timeRun([lbctlBin, 'status'], env));
    }
    const s = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v.map((ms) => ms / 1000))])) as Record<keyof typeof samples, ReturnType<typeof summarize>>;
    rows.push(...spreadRows(`validate ${OBJECTS} pools + ${OBJECTS} L2Advertisements, end to end`, s.validate, 's', 1.5));
    rows.push(...spreadRows(`explain service, ${SERVICES} Services in the cluster, end to end`, s.explain, 's', 2));
    rows.push(...spreadRows(`status, ${SERVICES} Services in the cluster, end to end`, s.status, 's', 2));
    rows.push(...spreadRows('node -e "" (process start alone)', s.node, 's', null));
    rows.push(...spreadRows('lbctl --help (process start and module loading)', s.help, 's', null));
    rows.push({ name: 'validate / lbctl --help (median ratio)', value: round(s.validate.median / s.help.median), unit: 'x', limit: null });
    rows.push({ name: 'explain / lbctl --help (median ratio)', value: round(s.explain.median / s.help.median), unit: 'x', limit: null });
    rows.push({ name: 'status / lbctl --help (median ratio)', value: round(s.status.median / s.help.median), unit: 'x', limit: null });
    writeResults(quick ? 'lbctl-quick' : 'lbctl', rows);
  } finally {
    await bed.cleanup();
  }
}

await main();
