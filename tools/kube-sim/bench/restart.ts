// Restart time with --data-dir holding 100,000 objects (issue 14, goal < 3 s): in-process, from
// start() to listening with everything restored (the journal replayed, Services' cluster IPs and
// node ports reserved again), and as a process, from spawn to its "kubeconfig:" line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../src/index.js';
import { BenchSim } from './process.js';

export const STORED = Number(process.env['KUBE_SIM_BENCH_STORED'] ?? 100_000);

export interface RestartResult {
  readonly inProcessMs: number[];
  readonly processMs: number[];
  /** Journal records replayed at each restart (no snapshot had been taken). */
  readonly journalRecords: number;
}

export async function restartRounds(rounds: number): Promise<RestartResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-sim-bench-data-'));
  try {
    const first = await start({ https: false, dataDir: dir });
    // Services, so that a restart also re-reserves their cluster IPs and node ports.
    for (let i = 0; i < STORED; i++) {
      await first.store.create({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${i}`, namespace: 'default', labels: { app: `app-${i % 50}` } },
        spec: { type: 'LoadBalancer', selector: { app: `app-${i % 50}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      });
    }
    await first.stop();
    const inProcessMs: number[] = [];
    const processMs: number[] = [];
    let journalRecords = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const sim = await start({ https: false, dataDir: dir });
      inProcessMs.push(performance.now() - t0);
      if (sim.store.count('services') !== STORED) throw new Error(`restored ${sim.store.count('services')} of ${STORED} services`);
      journalRecords = sim.dataDir?.restored.journalRecords ?? 0;
      await sim.stop();
      const p0 = performance.now();
      const child = new BenchSim(['--http', '--data-dir', dir]);
      await child.ready();
      processMs.push(performance.now() - p0);
      if (!new RegExp(`\\(${STORED + 4} objects restored\\)`).test(child.text)) throw new Error(`the process restored something else: ${child.text}`);
      await child.stop();
    }
    return { inProcessMs, processMs, journalRecords };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
