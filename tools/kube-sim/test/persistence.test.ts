// --data-dir with a real kube-sim process: killed with SIGKILL in the middle of 1,000 writes, then
// started again on the same directory and port, it has every write it acknowledged (with its
// resourceVersion), the same CA and token (the old kubeconfig works, kubectl and client-node
// alike), resourceVersions that go on rising, and watches that resume from where they were.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type KubeSim } from '../src/index.js';
import { kubectls, requireKubectl, runKubectl, tempDir } from './helpers.js';
import { SimProcess } from './process.js';

const WRITES = 1000;
const KILL_AFTER = 400 + Math.floor(Math.random() * 300);

interface Client {
  readonly url: string;
  readonly token: string;
  readonly ca: string;
}

function clientFrom(kubeconfig: string): Client {
  const text = readFileSync(kubeconfig, 'utf8');
  const server = /server: (\S+)/.exec(text)?.[1] ?? '';
  const token = /token: (\S+)/.exec(text)?.[1] ?? '';
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(text)?.[1] ?? '', 'base64').toString();
  return { url: server, token, ca };
}

function post(c: Client, agent: Agent, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${c.url}${path}`, { method: 'POST', agent, ca: c.ca, headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('kube-sim --data-dir across kill -9', () => {
  const processes: SimProcess[] = [];
  afterAll(async () => {
    for (const p of processes) await p.kill('SIGKILL');
  });

  it(`keeps every acknowledged write of ${WRITES} when killed after ~${KILL_AFTER}`, { timeout: 120_000 }, async () => {
    const k = kubectls[1]!;
    requireKubectl(k);
    const dir = tempDir('kube-sim-data-');
    const dataDir = join(dir, 'data');
    const first = new SimProcess(['--port', '0', '--data-dir', dataDir]);
    processes.push(first);
    await first.ready();
    const kubeconfig = join(dataDir, 'kubeconfig');
    const port = Number(/listening on https:\/\/127\.0\.0\.1:(\d+)/.exec(first.output)?.[1]);
    const client = clientFrom(kubeconfig);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });

    // Eight writers; the process is killed from inside the stream of acknowledgements.
    const acknowledged = new Map<string, string>();
    let next = 0;
    let killed = false;
    const writer = async (): Promise<void> => {
      while (next < WRITES && !killed) {
        const name = `cm-${next++}`;
        const r = await post(client, agent, '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } })).catch(() => undefined);
        if (r?.status === 201) {
          acknowledged.set(name, (JSON.parse(r.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
          if (acknowledged.size === KILL_AFTER && !killed) {
            killed = true;
            process.kill(first.pid, 'SIGKILL');
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    agent.destroy();
    expect(await first.exited).toBe(null);
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER);

    // Same directory, same port: the kubeconfig written by the first process still works.
    const second = new SimProcess(['--port', String(port), '--data-dir', dataDir]);
    processes.push(second);
    await second.ready();
    expect(second.output).toMatch(/data directory: .*\((\d+) objects restored\)/);
    const sim = { kubeconfigPath: kubeconfig } as KubeSim;
    const listed = await runKubectl(k, sim, ['get', 'configmaps', '-n', 'default', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.metadata.resourceVersion}{"\\n"}{end}']);
    expect(listed.stderr).toBe('');
    const stored = new Map(listed.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
    const lost = [...acknowledged].filter(([name, rv]) => stored.get(name) !== rv);
    expect(lost).toEqual([]);

    // The rest of the 1,000, through client-node with the old kubeconfig: resourceVersions go on rising.
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const highest = Math.max(...[...stored.values()].map(Number));
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(highest);
    for (let i = acknowledged.size; i < WRITES; i++) {
      const name = `after-${i}`;
      const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name } } });
      expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(highest);
    }

    // A watch resuming from the list's resourceVersion is served (no 410) and sees what came after.
    const watched = await runKubectl(k, sim, ['get', '--raw', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.metadata?.resourceVersion}&timeoutSeconds=1`]);
    expect(watched.stdout).not.toContain('"ERROR"');
    expect(watched.stdout.split('\n').filter(Boolean).length).toBe(WRITES - acknowledged.size);

    // A clean stop and start keeps everything too.
    expect(await second.kill('SIGTERM')).toBe(0);
    const third = new SimProcess(['--port', String(port), '--data-dir', dataDir]);
    processes.push(third);
    await third.ready();
    const count = await runKubectl(k, sim, ['get', 'configmaps', '-n', 'default', '-o', 'name']);
    expect(count.stdout.trim().split('\n').length).toBe(stored.size + WRITES - acknowledged.size);
    await third.kill('SIGTERM');
  });

  it('refuses a data directory another running kube-sim holds', { timeout: 60_000 }, async () => {
    const dataDir = join(tempDir('kube-sim-data-'), 'data');
    const holder = new SimProcess(['--port', '0', '--data-dir', dataDir]);
    processes.push(holder);
    await holder.ready();
    const intruder = new SimProcess(['--port', '0', '--data-dir', dataDir]);
    processes.push(intruder);
    expect(await intruder.exited).toBe(1);
    expect(intruder.output).toContain(`data directory ${dataDir} is in use by kube-sim process ${holder.pid}`);
    await holder.kill('SIGTERM');
  });
});
