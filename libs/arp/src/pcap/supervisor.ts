import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CountersSnapshot, type IpCounters } from '../counters.js';
import { canonicalAddress } from '../ip.js';
import { checkAnnouncement, type AnnounceOptions } from '../responder.js';
import { scheduleProblems } from '../schedule.js';
import { type AnnounceResult, type InterfaceStatus } from './announcer.js';
import { type ArpFastPathOptions } from './fastpath.js';
import { packAddresses, type AnnouncementGroup, type ChangeSet, type FromWorker, type ToWorker, type WorkerReport } from './protocol.js';

/** V8 heap flags of this process that its worker runs with too (the image's --max-semi-space-size and the like). */
const HEAP_FLAG = /^--(max-semi-space-size|max-old-space-size|heap-growing-percent|optimize-for-size|single-threaded-gc)\b/;

export interface Layer2Options {
  /** Interface names never used (MetalLB's exclusion pattern). */
  readonly exclude?: RegExp;
  /** How often the worker re-reads interfaces; MetalLB uses 10 s. */
  readonly scanIntervalMs?: number;
  readonly announceSchedule?: readonly number[];
  /** How often the worker sends its counters (what a crash can lose at most). Default 1 s. */
  readonly reportIntervalMs?: number;
  /** Delay before restarting a worker that exited. Default 100 ms. */
  readonly restartDelayMs?: number;
  /**
   * ARP answered by native threads (@lb/arp-fastpath) without waking Node: the default when the
   * addon loads. `false` answers ARP through libpcap in the worker, as NDP always is.
   */
  readonly arpFastPath?: ArpFastPathOptions | false;
}

export interface Layer2Status {
  readonly counters: CountersSnapshot;
  readonly sendErrors: Record<string, number>;
  readonly interfaces: readonly InterfaceStatus[];
  /** Worker processes started after the first (interfaces going down or away abort cap). */
  readonly restarts: number;
}

/**
 * Layer 2 announcements for one node: ARP and NDP answered and announced by a libpcap worker
 * process, restarted when it dies, with the caller's announcements replayed into the new one.
 *
 * Events: `error` (message: string) for problems that do not stop it; `info` (message: string),
 * e.g. which path answers ARP, at every worker start; `restart` (exit code or signal) when a worker
 * died and another is being started.
 */
export class Layer2 extends EventEmitter<{ error: [string]; info: [string]; restart: [string]; ready: [] }> {
  /** Address → its interfaces (arrays shared between addresses with the same ones). */
  private readonly announcements = new Map<string, readonly string[]>();
  private readonly interfaceLists = new Map<string, readonly string[]>();
  /**
   * Changes not yet sent (null: withdraw), sent as one message at the end of the caller's turn, or
   * before any other message: a burst of 10,000 announcements is one message, not 10,000.
   */
  private pending = new Map<string, readonly string[] | null>();
  private flushQueued = false;
  /** Every report of every worker added up (reports carry what was counted since the previous one). */
  private readonly totals = new Layer2Counts();
  private child: ChildProcess | undefined;
  private restarts = 0;
  private closed = false;
  private nextId = 1;
  private readonly waiting = new Map<number, (status: Extract<FromWorker, { type: 'status' }>) => void>();

  constructor(private readonly options: Layer2Options = {}) {
    super();
    const problems = options.announceSchedule ? scheduleProblems(options.announceSchedule) : [];
    if (problems.length > 0) throw new RangeError(`invalid layer 2 options:\n  - ${problems.join('\n  - ')}`);
  }

  /** Starts the worker; resolves once it has read the interfaces and opened its captures. */
  async start(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.once('ready', resolve);
      this.spawn((error) => reject(error));
    });
    return this;
  }

  /** Starts announcing `ip` (every eligible interface, or `options.interfaces`); refuses a non-address. */
  announce(ip: string, options: AnnounceOptions = {}): AnnounceResult {
    const checked = checkAnnouncement(ip, options);
    if (!checked.ok) return checked;
    const canonical = checked.value.ip;
    const key = checked.value.interfaces.join('\n');
    let interfaces = this.interfaceLists.get(key);
    if (!interfaces) {
      interfaces = [...checked.value.interfaces];
      this.interfaceLists.set(key, interfaces);
    }
    this.announcements.set(canonical, interfaces);
    this.queue(canonical, interfaces);
    return { ok: true, value: undefined };
  }

  /** Stops announcing `ip`; anything not announced is ignored. */
  withdraw(ip: string): void {
    const address = canonicalAddress(ip);
    if (!address.ok) return;
    const canonical = address.value.ip;
    this.announcements.delete(canonical);
    this.queue(canonical, null);
  }

  announced(): string[] {
    return [...this.announcements.keys()];
  }

  /** Re-reads interfaces now instead of at the next scan. */
  rescan(): void {
    this.post({ type: 'scan' });
  }

  /** Counters summed over this and every earlier worker, and the current worker's interfaces. */
  async status(timeoutMs = 5000): Promise<Layer2Status> {
    const id = this.nextId++;
    const reply = await new Promise<Extract<FromWorker, { type: 'status' }>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`layer 2 worker did not answer a status request within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (status) => {
        clearTimeout(timer);
        resolve(status);
      });
      this.post({ type: 'status', id });
    });
    this.totals.add(reply.report);
    return { ...this.totals.snapshot(), interfaces: reply.interfaces, restarts: this.restarts };
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private spawn(onStartFailure?: (error: Error) => void): void {
    const { modulePath, execArgv } = workerCommand();
    const child = fork(modulePath, [], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.child = child;
    child.on('message', (message) => this.onMessage(message));
    child.once('error', (error) => onStartFailure?.(error));
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      if (this.closed) return;
      const why = signal ?? `exit code ${code}`;
      this.restarts += 1;
      this.emit('restart', why);
      setTimeout(() => {
        if (!this.closed) this.spawn();
      }, this.options.restartDelayMs ?? 100).unref();
    });
    const settings = {
      ...(this.options.exclude ? { exclude: { source: this.options.exclude.source, flags: this.options.exclude.flags } } : {}),
      ...(this.options.scanIntervalMs !== undefined ? { scanIntervalMs: this.options.scanIntervalMs } : {}),
      ...(this.options.announceSchedule ? { announceSchedule: this.options.announceSchedule } : {}),
      ...(this.options.arpFastPath !== undefined ? { arpFastPath: this.options.arpFastPath } : {}),
      reportIntervalMs: this.options.reportIntervalMs ?? 1000,
    };
    // The new worker starts from everything announced, so what was queued for the old one is in it.
    this.pending = new Map();
    this.post({ type: 'init', settings, changes: changeSet(this.announcements) });
  }

  private queue(ip: string, interfaces: readonly string[] | null): void {
    // An address twice in one message would lose its order (a withdraw and announce is not a no-op).
    if (this.pending.has(ip)) this.flush();
    this.pending.set(ip, interfaces);
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.pending.size === 0) return;
    const changes = changeSet(this.pending);
    this.pending = new Map();
    this.send({ type: 'changes', changes });
  }

  /** The IPC handler: a malformed message is reported, never thrown (that would end the caller's process). */
  private onMessage(received: unknown): void {
    try {
      this.dispatch(received as FromWorker);
    } catch (error) {
      if (this.listenerCount('error') > 0) this.emit('error', `a message from the worker: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private dispatch(message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        this.emit('ready');
        break;
      case 'report':
        this.totals.add(message.report);
        break;
      case 'status':
        this.waiting.get(message.id)?.(message);
        this.waiting.delete(message.id);
        break;
      case 'error':
        if (this.listenerCount('error') > 0) this.emit('error', message.message);
        break;
      case 'info':
        this.emit('info', message.message);
        break;
    }
  }

  /** Sends `message` after the changes queued before it. */
  private post(message: ToWorker): void {
    if (message.type !== 'init') this.flush();
    this.send(message);
  }

  private send(message: ToWorker): void {
    const child = this.child;
    if (!child?.connected) return; // replayed from `announcements` when the next worker starts
    child.send(message, (error) => {
      if (error && this.listenerCount('error') > 0) this.emit('error', `sending ${message.type} to the worker: ${error.message}`);
    });
  }
}

/** Starts layer 2 announcements in a supervised worker process. */
export async function startLayer2(options: Layer2Options = {}): Promise<Layer2> {
  return new Layer2(options).start();
}

/** Address → interfaces (null: withdraw) as one message: addresses packed, grouped by interfaces. */
function changeSet(changes: ReadonlyMap<string, readonly string[] | null>): ChangeSet {
  const withdraw: string[] = [];
  const groups = new Map<readonly string[], string[]>();
  for (const [ip, interfaces] of changes) {
    if (interfaces === null) {
      withdraw.push(ip);
      continue;
    }
    let group = groups.get(interfaces);
    if (!group) {
      group = [];
      groups.set(interfaces, group);
    }
    group.push(ip);
  }
  const announce: AnnouncementGroup[] = [...groups].map(([interfaces, ips]) => ({ interfaces, addresses: packAddresses(ips) }));
  return { announce, withdraw: packAddresses(withdraw) };
}

/** Reports of every worker, added up: counters never go back when a worker is replaced. */
class Layer2Counts {
  private readonly drops: Record<string, number> = {};
  private readonly dropsByInterface: Record<string, Record<string, number>> = {};
  private readonly ips = new Map<string, IpCounters>();
  private readonly sendErrors: Record<string, number> = {};

  add(report: WorkerReport): void {
    const add = (into: Record<string, number>, from: Record<string, number | undefined>): void => {
      for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + (v ?? 0);
    };
    add(this.drops, report.counters.drops);
    for (const [iface, byReason] of Object.entries(report.counters.dropsByInterface)) add((this.dropsByInterface[iface] ??= {}), byReason);
    for (const [ip, c] of Object.entries(report.counters.ips)) {
      let into = this.ips.get(ip);
      if (!into) {
        into = { requestsReceived: 0, responsesSent: 0, gratuitousSent: 0 };
        this.ips.set(ip, into);
      }
      into.requestsReceived += c.requestsReceived;
      into.responsesSent += c.responsesSent;
      into.gratuitousSent += c.gratuitousSent;
    }
    add(this.sendErrors, report.sendErrors);
  }

  snapshot(): WorkerReport {
    const dropsByInterface: Record<string, Record<string, number>> = {};
    for (const [iface, byReason] of Object.entries(this.dropsByInterface)) dropsByInterface[iface] = { ...byReason };
    const ips: Record<string, IpCounters> = {};
    for (const [ip, c] of this.ips) ips[ip] = { ...c };
    return { counters: { drops: { ...this.drops }, dropsByInterface, ips } as CountersSnapshot, sendErrors: { ...this.sendErrors } };
  }
}

/**
 * The worker module next to this one: compiled JavaScript in a package, TypeScript in the
 * workspace (run through tsx, which then must be installed).
 */
function workerCommand(): { modulePath: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const js = join(dirname(here), 'worker.js');
  const heapFlags = process.execArgv.filter((flag) => HEAP_FLAG.test(flag));
  if (here.endsWith('.js') && existsSync(js)) return { modulePath: js, execArgv: heapFlags };
  const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  return {
    modulePath: join(dirname(here), 'worker.ts'),
    execArgv: [...heapFlags, '--import', pathToFileURL(join(tsxDir, 'dist', 'loader.mjs')).href, '--conditions=development'],
  };
}
