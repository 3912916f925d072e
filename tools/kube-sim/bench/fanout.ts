// 500 watchers of a namespace holding one 3 MB ConfigMap (issue 14): kube-sim's resident memory
// while it serves them, how long until all 500 have the initial ADDED, how long until all 500 have
// a MODIFIED of the 3 MB object once they are connected, and how long a plain GET waits meanwhile.
// kube-sim runs as its own process (HTTPS, as kubectl and client-node use it); the watchers are
// this process, which also decrypts the 3 GB they receive, so on a 2-core machine the latencies
// include the clients' share.
import { Agent as HttpAgent } from 'node:http';
import { Agent } from 'node:https';
import { BenchSim, type Endpoint, requestFor, send } from './process.js';

export const WATCHERS = Number(process.env['KUBE_SIM_BENCH_WATCHERS'] ?? 500);
const OBJECT_BYTES = 3_000_000;

export interface FanoutRound {
  readonly idleRssBytes: number;
  readonly peakRssBytes: number;
  /** From opening the first watch until all of them have the complete initial ADDED. */
  readonly initialAllMs: number;
  /** From sending the update until all watchers have the complete MODIFIED. */
  readonly modifiedAllMs: number;
  /** From sending the update until all watchers have received its first bytes. */
  readonly modifiedFirstBytesAllMs: number;
  /** A GET of the namespace list issued while the MODIFIED fans out. */
  readonly getDuringFanoutMs: number;
  /** CPU time kube-sim spent on the MODIFIED fan-out (encryption included). */
  readonly serverCpuMs: number;
  /** CPU time this process (the 500 clients) spent meanwhile. */
  readonly clientCpuMs: number;
}

interface Watch {
  /** Resolves at the end of the n-th event line. */
  lineAt(n: number): Promise<number>;
  /** Resolves at the first bytes received after line n ended (the start of the next event). */
  bytesAfter(n: number): Promise<number>;
  close(): void;
}

function watch(e: Endpoint, agent: Agent, path: string): Watch {
  let lines = 0;
  const waiters = new Map<number, (t: number) => void>();
  const firstBytes = new Map<number, number>();
  const byteWaiters = new Map<number, (t: number) => void>();
  const req = requestFor(e.url)(`${e.url}${path}`, { agent, ca: e.ca, headers: { authorization: `Bearer ${e.token}` } }, (res) => {
    res.on('data', (d: Buffer) => {
      const now = performance.now();
      const lastNewline = d.lastIndexOf(10);
      // Bytes of the event after line `lines` arrived (this chunk does not just end that line).
      if (lastNewline !== d.length - 1 || d.indexOf(10) < 0) {
        const after = lastNewline >= 0 ? lines + (d.toString('latin1').split('\n').length - 1) : lines;
        if (!firstBytes.has(after)) {
          firstBytes.set(after, now);
          byteWaiters.get(after)?.(now);
        }
      }
      for (let i = d.indexOf(10); i >= 0; i = d.indexOf(10, i + 1)) {
        lines++;
        waiters.get(lines)?.(performance.now());
      }
    });
  });
  req.on('error', () => undefined);
  req.end();
  return {
    lineAt: (n) => (lines >= n ? Promise.resolve(performance.now()) : new Promise((resolve) => waiters.set(n, resolve))),
    bytesAfter: (n) => (firstBytes.has(n) ? Promise.resolve(firstBytes.get(n) as number) : new Promise((resolve) => byteWaiters.set(n, resolve))),
    close: () => req.destroy(),
  };
}

export async function fanoutRound(https = true): Promise<FanoutRound> {
  const sim = new BenchSim(https ? [] : ['--http']);
  await sim.ready();
  const e = sim.endpoint;
  const agent = https ? new Agent({ keepAlive: false, maxSockets: Infinity }) : (new HttpAgent({ keepAlive: false, maxSockets: Infinity }) as unknown as Agent);
  try {
    await send(e, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fan' } }));
    const created = await send(e, 'POST', '/api/v1/namespaces/fan/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { payload: 'a'.repeat(OBJECT_BYTES) } }));
    if (created.status !== 201) throw new Error(`create: ${created.status} ${created.body.slice(0, 200)}`);
    const idleRssBytes = sim.memory().rss;

    const t0 = performance.now();
    const watches = Array.from({ length: WATCHERS }, () => watch(e, agent, '/api/v1/namespaces/fan/configmaps?watch=1'));
    const initialAllMs = Math.max(...(await Promise.all(watches.map((w) => w.lineAt(1))))) - t0;

    const t1 = performance.now();
    const cpu0 = sim.cpuMs();
    const own0 = process.cpuUsage();
    const updated = await send(e, 'PUT', '/api/v1/namespaces/fan/configmaps/big', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { payload: 'b'.repeat(OBJECT_BYTES) } }));
    if (updated.status !== 200) throw new Error(`update: ${updated.status} ${updated.body.slice(0, 200)}`);
    const g0 = performance.now();
    const get = send(e, 'GET', '/api/v1/namespaces').then(() => performance.now() - g0);
    const firstBytes = Promise.all(watches.map((w) => w.bytesAfter(1)));
    const modifiedAllMs = Math.max(...(await Promise.all(watches.map((w) => w.lineAt(2))))) - t1;
    const modifiedFirstBytesAllMs = Math.max(...(await firstBytes)) - t1;
    const serverCpuMs = sim.cpuMs() - cpu0;
    const own = process.cpuUsage(own0);
    const clientCpuMs = (own.user + own.system) / 1000;
    const getDuringFanoutMs = await get;
    const peakRssBytes = sim.memory().peak;
    for (const w of watches) w.close();
    return { idleRssBytes, peakRssBytes, initialAllMs, modifiedAllMs, modifiedFirstBytesAllMs, getDuringFanoutMs, serverCpuMs, clientCpuMs };
  } finally {
    agent.destroy();
    await sim.stop();
  }
}
