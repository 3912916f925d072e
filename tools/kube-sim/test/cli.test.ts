// `npx kube-sim` from the repository root: starts, loads manifests, serves kubectl, stops on SIGTERM;
// bad arguments and bad manifests end it with a message naming what was wrong.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventually, kubectls, requireKubectl, runKubectl, tempDir, workspaceRoot } from './helpers.js';
import { type KubeSim } from '../src/index.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function runCli(args: string[]): { output: () => string; exited: Promise<number | null>; kill: (signal: NodeJS.Signals) => void } {
  // Its own process group, so a signal reaches npx and the kube-sim process it started alike.
  const child = spawn('npx', ['--no-install', 'kube-sim', ...args], { cwd: workspaceRoot, env: { ...process.env, FORCE_COLOR: '0' }, detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const kill = (signal: NodeJS.Signals): void => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, signal);
  };
  return { output: () => out, exited, kill };
}

const closedPorts = new Set<number>();
function probe(port: number): void {
  const s = createConnection({ port, host: '127.0.0.1' });
  s.on('connect', () => s.destroy());
  s.on('error', () => closedPorts.add(port));
}

describe('kube-sim CLI', () => {
  it('starts with a kubeconfig and manifests, serves kubectl, and stops on SIGTERM', async () => {
    const k = kubectls[1]!;
    requireKubectl(k);
    const dir = tempDir('kube-sim-cli-');
    const manifest = join(dir, 'seed.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: loaded}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello, namespace: loaded}\ndata: {a: b}\n');
    const port = await freePort();
    const kubeconfig = join(dir, 'kubeconfig');
    const cli = runCli(['--port', String(port), '--kubeconfig', kubeconfig, manifest]);
    try {
      await eventually(() => cli.output().includes('kubeconfig:'), `the start banner (got: ${cli.output()})`, 20_000);
      expect(cli.output()).toContain(`kube-sim listening on https://127.0.0.1:${port}\nkubeconfig: ${kubeconfig}\n`);
      const r = await runKubectl(k, { kubeconfigPath: kubeconfig } as KubeSim, ['get', 'configmap', 'hello', '-n', 'loaded', '-o', 'jsonpath={.data.a}']);
      expect(r).toMatchObject({ code: 0, stdout: 'b' });
    } finally {
      cli.kill('SIGTERM');
    }
    await cli.exited;
    // Stopped: the port refuses connections again.
    await eventually(() => closedPorts.has(port), 'the port to close', 5000, () => probe(port));
  });

  it.each([
    [['--port', 'abc'], 2, 'kube-sim: --port must be 0-65535, got "abc"'],
    [['--bogus'], 2, "kube-sim: Unknown option '--bogus'"],
    [['--port', '0', '/nonexistent/file.yaml'], 1, '/nonexistent/file.yaml'],
  ] as Array<[string[], number, string]>)('refuses %j', async (args, code, message) => {
    const cli = runCli(args);
    expect(await cli.exited).toBe(code);
    expect(cli.output()).toContain(message);
  });

  it('names the file and document of a bad manifest', async () => {
    const dir = tempDir('kube-sim-cli-');
    const manifest = join(dir, 'bad.yaml');
    writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\nkind: ConfigMap\n---\napiVersion: v1\nkind: Nope\nmetadata: {name: x}\n');
    const cli = runCli(['--port', '0', manifest]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain(`${manifest}: document 2: apiVersion and kind are required`);
  });
});
