// What the end-to-end tests share: kube-sim with the CRDs installed, the controller binary as a
// child process (the bin a user runs: built JavaScript, which `controller:test` builds first),
// kubectl, and reading Services, Events and pools back from kube-sim's store.
// A TestBed owns everything a test file starts and removes it all in cleanup(), failed test or not.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start, type KubeSim, type Obj } from '@lb/kube-sim';
import { webhookConfiguration } from '../src/index.js';

export const repoRoot = join(import.meta.dirname, '..', '..', '..');
export const examples = join(repoRoot, 'examples');
export const seeds = join(examples, 'seeds');
const crdDir = join(repoRoot, 'charts', 'lb', 'crds');
export const bin = join(import.meta.dirname, '..', 'bin', 'lb-controller.mjs');
const builtEntry = join(import.meta.dirname, '..', 'dist', 'entry.js');
const kubectlBinary = join(repoRoot, '.bin', 'kubectl');

export const CONFIG_NAMESPACE = 'metallb-system';
export const WEBHOOK_CONFIGURATION = 'metallb-webhook-configuration';

export interface LogLine {
  readonly level: string;
  readonly time: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One lb-controller process: its JSON log lines, its ports, and how it ended. */
export class ControllerProcess {
  readonly logs: LogLine[] = [];
  /** stdout lines that are not JSON log records (there should be none). */
  readonly strayLines: string[] = [];
  stderr = '';
  exit: Exit | undefined;
  readonly exited: Promise<Exit>;
  private metricsPortValue = 0;
  private webhookPortValue = 0;
  private partial = '';

  constructor(private readonly child: ChildProcess) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.takeStdout(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get metricsPort(): number {
    return this.metricsPortValue;
  }

  get webhookPort(): number {
    return this.webhookPortValue;
  }

  /** Resolves with the first log line matching, or fails naming what was awaited and the tail of the log. */
  async waitForLog(match: (line: LogLine) => boolean, timeoutMs: number, what: string): Promise<LogLine> {
    let found: LogLine | undefined;
    await waitFor(() => (found = this.logs.find(match)) !== undefined || !this.running, timeoutMs, `${what} in the controller's log`, () => this.tail());
    if (!found) throw new Error(`the controller exited (${JSON.stringify(this.exit)}) before logging ${what}\n${this.tail()}`);
    return found;
  }

  /** Waits for the "controller started" line, which carries the ports it listens on. */
  async started(timeoutMs = 30_000): Promise<void> {
    const line = await this.waitForLog((l) => l.msg === 'controller started', timeoutMs, '"controller started"');
    this.metricsPortValue = Number(line['metricsPort']);
    this.webhookPortValue = Number(line['webhookPort']);
  }

  async get(path: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`http://127.0.0.1:${this.metricsPort}${path}`, { signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.text() };
  }

  /** Polls /readyz until it answers 200. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await waitFor(async () => (await this.get('/readyz').catch(() => ({ status: 0 }))).status === 200, timeoutMs, '/readyz to answer 200', () => this.tail());
  }

  /** Peak resident set size in bytes (VmHWM), while the process runs. */
  peakRssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)?.[1];
    if (kb === undefined) throw new Error(`no VmHWM in /proc/${this.pid}/status`);
    return Number(kb) * 1024;
  }

  /** Sends `signal` and waits for the exit; SIGKILL follows if SIGTERM is not enough within `graceMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<Exit> {
    if (!this.running) return this.exit as Exit;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  tail(lines = 15): string {
    const out = this.logs.slice(-lines).map((l) => JSON.stringify(l));
    return `--- last log lines of pid ${this.pid} ---\n${out.join('\n')}${this.stderr ? `\n--- stderr ---\n${this.stderr.slice(-2000)}` : ''}`;
  }

  private takeStdout(chunk: string): void {
    const text = this.partial + chunk;
    const lines = text.split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line) continue;
      try {
        const parsed = JSON.parse(line) as LogLine;
        if (typeof parsed === 'object' && parsed !== null && typeof parsed.msg === 'string') this.logs.push(parsed);
        else this.strayLines.push(line);
      } catch {
        this.strayLines.push(line);
      }
    }
  }
}

export interface SimOptions {
  /** Install the chart's CRDs (default true). */
  readonly crds?: boolean;
}

export interface ControllerOptions {
  /** Flags; --kubeconfig (kube-sim's), --metrics-host 127.0.0.1, --metrics-port 0 and --webhook-port 0 unless given here. */
  readonly args?: readonly string[];
  /** Wait for the "controller started" line (default true). */
  readonly waitStarted?: boolean;
  /** Node flags before the script (profiling: --cpu-prof, --heap-prof, ...). */
  readonly nodeArgs?: readonly string[];
}

/** Everything one test file starts: kube-sim servers, controller processes, temporary directories. */
export class TestBed {
  private readonly processes = new Set<ControllerProcess>();
  private readonly sims = new Set<KubeSim>();
  private readonly dirs = new Set<string>();

  async sim(options: SimOptions = {}): Promise<KubeSim> {
    const files = options.crds === false ? [] : readdirSync(crdDir).map((f) => join(crdDir, f));
    const sim = await start({ files });
    this.sims.add(sim);
    kubectlCaches.set(sim, this.tempDir());
    await sim.store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CONFIG_NAMESPACE } });
    return sim;
  }

  /** Runs bin/lb-controller.mjs against `sim`: the built controller and libraries, as a user runs it. */
  async controller(sim: KubeSim, options: ControllerOptions = {}): Promise<ControllerProcess> {
    // LB_* variables would be read as flags (the chart's way of setting them): keep the test's own.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LB_')));
    const args = options.args ?? [];
    const defaults = Object.entries({ '--kubeconfig': sim.kubeconfigPath, '--metrics-host': '127.0.0.1', '--metrics-port': '0', '--webhook-port': '0' })
      .filter(([flag]) => !args.includes(flag))
      .flat();
    if (!existsSync(builtEntry)) throw new Error(`${builtEntry} is missing: build first (npx nx run controller:build; controller:test does it)`);
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...defaults, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const controller = new ControllerProcess(child);
    this.processes.add(controller);
    if (options.waitStarted ?? true) await controller.started();
    return controller;
  }

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'lb-controller-test-'));
    this.dirs.add(dir);
    return dir;
  }

  /** Kills every controller still running (SIGKILL), stops every kube-sim, removes temp directories. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop('SIGKILL')));
    this.processes.clear();
    await Promise.all([...this.sims].map((s) => s.stop()));
    this.sims.clear();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, context?: () => string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context ? `\n${context()}` : ''}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Installs the validating webhook configuration pointing at `port` on loopback, without a caBundle:
 * the controller generates its certificate and injects the CA.
 */
export async function installWebhookConfiguration(sim: KubeSim, port: number): Promise<void> {
  await sim.store.apply(webhookConfiguration({ name: WEBHOOK_CONFIGURATION, url: `https://127.0.0.1:${port}` }));
}

/** Resolves once every webhook of the configuration trusts a CA (the controller injected it). */
export async function webhookTrusted(sim: KubeSim, timeoutMs = 20_000): Promise<void> {
  await waitFor(() => {
    const webhooks = (sim.store.get('validatingwebhookconfigurations', WEBHOOK_CONFIGURATION)?.['webhooks'] ?? []) as Array<{ clientConfig?: { caBundle?: string } }>;
    return webhooks.length > 0 && webhooks.every((w) => !!w.clientConfig?.caBundle);
  }, timeoutMs, 'the CA in the webhook configuration');
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** kubectl's discovery and HTTP cache per kube-sim, in the TestBed's temporary directory rather than ~/.kube/cache. */
const kubectlCaches = new WeakMap<KubeSim, string>();

/** Runs the repository's kubectl against `sim`; never throws on a non-zero exit (tests assert on it). */
export function kubectl(sim: KubeSim, args: readonly string[], input?: string): Promise<KubectlResult> {
  const cache = kubectlCaches.get(sim);
  if (!cache) throw new Error('kubectl() needs a kube-sim started by TestBed.sim()');
  return new Promise((resolve, reject) => {
    const env = { ...process.env, KUBECONFIG: sim.kubeconfigPath, KUBECACHEDIR: cache };
    const child = execFile(kubectlBinary, [...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : -1) : 0;
      if (error && code === -1) reject(error);
      else resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** kubectl that must succeed. */
export async function kubectlOk(sim: KubeSim, args: readonly string[], input?: string): Promise<string> {
  const result = await kubectl(sim, args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

// --- reading what kube-sim holds -------------------------------------------------------------------

export interface ServiceObject extends Obj {
  metadata: NonNullable<Obj['metadata']>;
  spec?: { type?: string; loadBalancerClass?: string };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> }; conditions?: Array<{ type: string; status: string; reason: string; message: string }> };
}

export function service(sim: KubeSim, namespace: string, name: string): ServiceObject | undefined {
  return sim.store.get('services', name, namespace) as ServiceObject | undefined;
}

/** The addresses in a Service's status.loadBalancer.ingress; [] when it has none or does not exist. */
export function addresses(sim: KubeSim, namespace: string, name: string): string[] {
  return (service(sim, namespace, name)?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');
}

export async function waitForAddresses(sim: KubeSim, namespace: string, name: string, count = 1, timeoutMs = 15_000): Promise<string[]> {
  await waitFor(() => addresses(sim, namespace, name).length === count, timeoutMs, `${namespace}/${name} to have ${count} address(es) (has ${JSON.stringify(addresses(sim, namespace, name))})`);
  return addresses(sim, namespace, name);
}

export interface EventObject {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly involvedObject: { kind?: string; name?: string; namespace?: string };
  readonly reportingInstance?: string;
  readonly source?: { component?: string; host?: string };
}

/** Events about one object (core/v1 form). */
export function eventsFor(sim: KubeSim, kind: string, namespace: string, name: string): EventObject[] {
  return (sim.store.list('events', namespace) as unknown as EventObject[]).filter(
    (e) => e.involvedObject.kind === kind && e.involvedObject.name === name,
  );
}

export async function waitForEvent(sim: KubeSim, kind: string, namespace: string, name: string, reason: string, timeoutMs = 15_000): Promise<EventObject> {
  let found: EventObject | undefined;
  await waitFor(
    () => (found = eventsFor(sim, kind, namespace, name).find((e) => e.reason === reason)) !== undefined,
    timeoutMs,
    `a ${reason} Event about ${kind} ${namespace}/${name} (have: ${eventsFor(sim, kind, namespace, name).map((e) => e.reason).join(', ') || 'none'})`,
  );
  return found as EventObject;
}

/**
 * What the controller wrote to every LoadBalancer Service, by key: its status and the pool
 * annotation. Two snapshots are equal exactly when no address moved and nothing was rewritten.
 */
export function snapshot(sim: KubeSim): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of sim.store.list('services') as ServiceObject[]) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    out.set(key, JSON.stringify({ status: svc.status ?? {}, pool: svc.metadata.annotations?.['metallb.io/ip-allocated-from-pool'] ?? null }));
  }
  return out;
}

/** Keys whose entry differs between two snapshots (present in `before`). */
export function changedEntries(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  return [...before].filter(([key, value]) => after.get(key) !== value).map(([key, value]) => `${key}: ${value} -> ${after.get(key) ?? 'gone'}`);
}

/** LoadBalancer Services in `namespace` (all when undefined) without an address yet. */
export function unassigned(sim: KubeSim, namespace?: string): string[] {
  return (sim.store.list('services', namespace) as ServiceObject[])
    .filter((s) => s.spec?.type === 'LoadBalancer' && (s.status?.loadBalancer?.ingress?.length ?? 0) === 0)
    .map((s) => `${s.metadata.namespace}/${s.metadata.name}`);
}

/** A plain LoadBalancer Service object, for loads created straight into the store. */
export function loadBalancerService(namespace: string, name: string, extra: { annotations?: Record<string, string>; loadBalancerClass?: string } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...(extra.loadBalancerClass ? { loadBalancerClass: extra.loadBalancerClass } : {}) },
  } as Obj;
}

export async function ensureNamespace(sim: KubeSim, name: string, labels?: Record<string, string>): Promise<void> {
  if (!sim.store.get('namespaces', name)) await sim.store.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(labels ? { labels } : {}) } });
}

/** A pool in the configuration namespace, applied straight into the store. */
export async function applyPool(sim: KubeSim, name: string, addresses: readonly string[]): Promise<void> {
  await sim.store.apply({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: CONFIG_NAMESPACE }, spec: { addresses } });
}
