// What the end-to-end tests share: kube-sim with the chart's CRDs (and frr-k8s's BGPSessionState),
// the controller's binary as a child process, and lbctl's binary run as a user runs it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type KubeSim } from '@lb/kube-sim';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const lbctlBin = join(import.meta.dirname, '..', 'bin', 'lbctl.mjs');
const controllerBin = join(repoRoot, 'apps', 'controller', 'bin', 'lb-controller.mjs');
const crdDir = join(repoRoot, 'charts', 'lb', 'crds');

/** frr-k8s's BGPSessionState, which the speaker writes per node and peer (the speaker contract). */
export const SESSION_STATE_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'bgpsessionstates.frrk8s.metallb.io' },
  spec: {
    group: 'frrk8s.metallb.io',
    scope: 'Namespaced',
    names: { kind: 'BGPSessionState', listKind: 'BGPSessionStateList', plural: 'bgpsessionstates', singular: 'bgpsessionstate' },
    versions: [
      {
        name: 'v1beta1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export class TestBed {
  private readonly children = new Set<ChildProcess>();
  private readonly sims = new Set<KubeSim>();
  private readonly dirs = new Set<string>();

  async sim(): Promise<KubeSim> {
    const sim = await start({ files: readdirSync(crdDir).map((f) => join(crdDir, f)) });
    this.sims.add(sim);
    await sim.store.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'metallb-system' } }, SESSION_STATE_CRD]);
    return sim;
  }

  /** The controller's bin against `sim`; resolves once it logs "controller started". */
  async controller(sim: KubeSim): Promise<ChildProcess> {
    if (!existsSync(join(repoRoot, 'apps', 'controller', 'dist', 'entry.js'))) throw new Error('the controller is not built: npx nx run controller:build (lbctl:test does it)');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LB_')));
    const child = spawn(process.execPath, [controllerBin, '--kubeconfig', sim.kubeconfigPath, '--metrics-host', '127.0.0.1', '--metrics-port', '0', '--webhook-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.children.add(child);
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the controller did not start within 30 s:\n${log.slice(-2000)}`)), 30_000);
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
        if (log.includes('"controller started"')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`the controller exited (${code}):\n${log.slice(-2000)}`)));
    });
    return child;
  }

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'lbctl-test-'));
    this.dirs.add(dir);
    return dir;
  }

  file(name: string, text: string): string {
    const path = join([...this.dirs][0] ?? this.tempDir(), name);
    writeFileSync(path, text);
    return path;
  }

  async cleanup(): Promise<void> {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    await Promise.all([...this.sims].map((s) => s.stop()));
    this.sims.clear();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }
}

/** Runs bin/lbctl.mjs (the built JavaScript) with `args`; never throws on a non-zero exit. */
export function lbctl(args: readonly string[], options: { input?: string; kubeconfig?: string } = {}): Promise<RunResult> {
  if (!existsSync(join(import.meta.dirname, '..', 'dist', 'bundle', 'entry.mjs'))) throw new Error('lbctl is not built: npx nx run lbctl:build (lbctl:test does it)');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...(options.kubeconfig ? { KUBECONFIG: options.kubeconfig } : {}) };
    const child = execFile(process.execPath, [lbctlBin, ...args], { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      if (code === -1) reject(error);
      else resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin?.end(options.input ?? '');
  });
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
