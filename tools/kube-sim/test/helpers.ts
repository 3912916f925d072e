// Shared by the integration tests: the two real kubectl binaries and a runner that points one at a
// kube-sim through its kubeconfig, with a private discovery cache so runs never see each other's.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type KubeSim, start } from '../src/index.js';

export const workspaceRoot = join(import.meta.dirname, '..', '..', '..');

const tempDirs: string[] = [];

/** A temporary directory removed after the test file (tests leave nothing behind in /tmp). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface Kubectl {
  readonly name: string;
  readonly path: string;
}

/** The machine's kubectl and the 1.35 one tools/scripts/fetch-k8s-binaries.mjs puts in .bin/. */
export const kubectls: readonly Kubectl[] = [
  { name: 'kubectl 1.32 (/usr/bin)', path: '/usr/bin/kubectl' },
  { name: 'kubectl 1.35 (.bin)', path: join(workspaceRoot, '.bin', 'kubectl') },
];

/** Fails loudly (never skips) when a kubectl the tests need is missing. */
export function requireKubectl(k: Kubectl): void {
  if (!existsSync(k.path)) {
    throw new Error(`${k.name} not found at ${k.path}: run \`node tools/scripts/fetch-k8s-binaries.mjs\` (or \`npm test\`, which bootstraps it)`);
  }
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runKubectl(k: Kubectl, sim: KubeSim, args: readonly string[], input?: string, timeoutMs = 15_000): Promise<RunResult> {
  const cacheDir = cacheDirs.get(sim) ?? tempDir('kube-sim-kubectl-cache-');
  cacheDirs.set(sim, cacheDir);
  return new Promise((resolve) => {
    const child = execFile(
      k.path,
      [`--kubeconfig=${sim.kubeconfigPath}`, `--cache-dir=${cacheDir}`, ...args],
      { timeout: timeoutMs, env: { ...process.env, HOME: cacheDir, KUBECONFIG: sim.kubeconfigPath } },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

const cacheDirs = new WeakMap<KubeSim, string>();

/** Waits until `check` returns true, polling; throws with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000, poke?: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    poke?.();
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * A kube-sim for one describe block and a kubectl runner bound to it: started in beforeAll (after
 * checking the binary exists), stopped in afterAll.
 */
export function simWithKubectl(k: Kubectl): { sim: () => KubeSim; kubectl: (args: string[], input?: string) => Promise<RunResult> } {
  let sim: KubeSim | undefined;
  beforeAll(async () => {
    requireKubectl(k);
    sim = await start();
  });
  afterAll(async () => {
    await sim?.stop();
  });
  const current = (): KubeSim => {
    if (!sim) throw new Error('kube-sim is not running');
    return sim;
  };
  return { sim: current, kubectl: (args, input) => runKubectl(k, current(), args, input) };
}
