// kube-sim itself restarting under a running controller: kube-sim runs as a real process with a
// --data-dir, is killed with SIGKILL and started again on the same port with the same directory
// (same objects, resourceVersions, CA and token). The controller keeps running, reconnects,
// changes no address, and serves a Service created after the restart.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { type KubeSim } from '@lb/kube-sim';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_NAMESPACE, freePort, repoRoot, sleep, TestBed, waitFor } from './harness.js';

const NAMESPACE = 'sim-restart';
const SERVICES = 100;
const kubeSimCli = join(repoRoot, 'tools', 'kube-sim', 'src', 'cli.ts');
const crds = readdirSync(join(repoRoot, 'charts', 'lb', 'crds')).map((f) => join(repoRoot, 'charts', 'lb', 'crds', f));

/** kube-sim as its own process, from source as the repository's tests run every package. */
class KubeSimProcess {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(port: number, dataDir: string) {
    this.child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', kubeSimCli, '--port', String(port), '--data-dir', dataDir, ...crds], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  async ready(): Promise<void> {
    await waitFor(() => /^kubeconfig: /m.test(this.output) || this.child.exitCode !== null, 30_000, 'kube-sim to listen', () => this.output);
    if (this.child.exitCode !== null) throw new Error(`kube-sim exited ${this.child.exitCode}:\n${this.output}`);
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}

/** A client of the API server a kubeconfig names (its URL, CA and token): JSON in, JSON out. */
function apiClient(kubeconfigPath: string): (method: string, path: string, body?: object) => Promise<unknown> {
  const text = readFileSync(kubeconfigPath, 'utf8');
  const server = /server: (\S+)/.exec(text)?.[1] ?? '';
  const token = /token: (\S+)/.exec(text)?.[1] ?? '';
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(text)?.[1] ?? '', 'base64').toString();
  return (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = request(`${server}${path}`, { method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve(JSON.parse(data)) : reject(new Error(`${method} ${path}: ${res.statusCode}: ${data}`))));
      });
      req.on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
}

interface ServiceObject {
  metadata?: { name?: string; annotations?: Record<string, string> };
  status?: { loadBalancer?: { ingress?: unknown[] } };
}

/** Every LoadBalancer Service's addresses and pool annotation, by name. */
async function addresses(api: ReturnType<typeof apiClient>): Promise<Map<string, string>> {
  const list = (await api('GET', `/api/v1/namespaces/${NAMESPACE}/services`)) as { items: ServiceObject[] };
  return new Map(
    list.items.map((s) => [
      s.metadata?.name ?? '',
      JSON.stringify({ ingress: s.status?.loadBalancer?.ingress ?? [], pool: s.metadata?.annotations?.['metallb.io/ip-allocated-from-pool'] ?? null }),
    ]),
  );
}

const assigned = (entry: string | undefined): boolean => entry !== undefined && (JSON.parse(entry) as { ingress: unknown[] }).ingress.length > 0;

describe('kube-sim killed and restarted under a running controller', () => {
  const bed = new TestBed();
  const sims: KubeSimProcess[] = [];
  afterAll(async () => {
    for (const s of sims) await s.kill('SIGKILL');
    await bed.cleanup();
  });

  it('the controller reconnects and converges with 0 addresses moved', { timeout: 180_000 }, async () => {
    const dataDir = join(bed.tempDir(), 'kube-sim');
    const port = await freePort();
    const first = new KubeSimProcess(port, dataDir);
    sims.push(first);
    await first.ready();
    const kubeconfigPath = join(dataDir, 'kubeconfig');
    const api = apiClient(kubeconfigPath);
    const service = (name: string): object => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } });

    for (const name of [CONFIG_NAMESPACE, NAMESPACE]) await api('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await api('POST', `/apis/metallb.io/v1beta1/namespaces/${CONFIG_NAMESPACE}/ipaddresspools`, { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'restart' }, spec: { addresses: ['10.50.0.0/24'] } });
    for (let i = 0; i < SERVICES; i++) await api('POST', `/api/v1/namespaces/${NAMESPACE}/services`, service(`svc-${i}`));

    const controller = await bed.controller({ kubeconfigPath } as KubeSim);
    await waitFor(async () => [...(await addresses(api)).values()].every(assigned), 60_000, 'every Service to have an address', () => controller.tail());
    await sleep(1000);
    const before = await addresses(api);
    expect(before.size).toBe(SERVICES);

    // The API server dies without a word and comes back on the same port with the same data.
    expect(await first.kill('SIGKILL')).toBe(null);
    await sleep(2000);
    const second = new KubeSimProcess(port, dataDir);
    sims.push(second);
    await second.ready();
    expect(second.output).toMatch(/\(\d+ objects restored\)/);

    // Served after the restart: only a controller that reconnected assigns it.
    await api('POST', `/api/v1/namespaces/${NAMESPACE}/services`, service('after-restart'));
    await waitFor(async () => assigned((await addresses(api)).get('after-restart')), 60_000, 'the Service created after the restart to get an address', () => controller.tail());
    await sleep(2000);

    const after = await addresses(api);
    const moved = [...before].filter(([name, entry]) => after.get(name) !== entry).map(([name, entry]) => `${name}: ${entry} -> ${after.get(name) ?? 'gone'}`);
    expect(moved).toEqual([]);
    expect(controller.running).toBe(true);
    expect(controller.strayLines).toEqual([]);
    await second.kill('SIGTERM');
  });
});
