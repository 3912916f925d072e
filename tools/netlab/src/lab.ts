import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnedProcess {
  readonly child: ChildProcess;
  /** What it printed so far (stdout and stderr); read from `logFile` when it has one. */
  readonly output: () => string;
  /** Where its output goes when it was started with one. */
  readonly logFile?: string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  readonly stop: (graceMs?: number) => Promise<void>;
}

export interface LabSpawnOptions extends SpawnOptions {
  /** Append stdout and stderr to this file (kept for reading after a failure) instead of memory. */
  readonly logFile?: string;
  /** 'pipe' to write to its stdin (`child.stdin`); default 'ignore'. */
  readonly stdin?: 'pipe' | 'ignore';
}

let labCounter = 0;
const liveLabs = new Set<Lab>();
let exitHookInstalled = false;

/**
 * A set of network namespaces, links and processes created by one test, all removed by
 * `cleanup()`. Names carry a per-lab prefix so parallel tests never touch each other's objects,
 * and only objects this lab created are ever removed.
 */
export class Lab {
  readonly prefix: string;
  readonly workDir: string;
  private readonly namespaces: string[] = [];
  /** Interfaces this lab left in the root namespace (one end of a veth), deleted by cleanup. */
  private readonly rootLinks: string[] = [];
  private readonly processes: SpawnedProcess[] = [];
  /** Processes started in the root namespace (no namespace to find them by), for the registry. */
  private readonly hostProcesses: Array<{ pid: number; start: string }> = [];
  private linkCounter = 0;

  constructor(tag = 'lab') {
    labCounter += 1;
    this.prefix = `${tag.slice(0, 4)}${process.pid % 100000}x${labCounter}`;
    this.workDir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
    sweepStaleLabs();
    liveLabs.add(this);
    this.writeRecord();
    if (liveLabs.size === 1 && !exitHookInstalled) {
      exitHookInstalled = true;
      // A test runner that exits without running afterAll (a hook timeout) still leaves nothing.
      process.once('exit', () => {
        for (const lab of liveLabs) lab.cleanupNow();
      });
    }
  }

  /** Creates a namespace with loopback up; returns its full name. */
  namespace(name: string): string {
    const full = `${this.prefix}-${name}`;
    run('ip', ['netns', 'add', full]);
    this.namespaces.push(full);
    this.ns(full, 'ip', ['link', 'set', 'lo', 'up']);
    return full;
  }

  /**
   * Several namespaces in one `ip` process, for building large topologies quickly. Unlike
   * `namespace`, their loopback stays down: bring it up with the namespace's own `ipBatch`
   * (`['link', 'set', 'lo', 'up']`).
   */
  addNamespaces(names: readonly string[]): string[] {
    const full = names.map((name) => `${this.prefix}-${name}`);
    // Registered first: a batch that fails midway leaves nothing cleanup does not know about.
    this.namespaces.push(...full);
    this.ipBatch(null, full.map((ns) => ['netns', 'add', ns]));
    return full;
  }

  /**
   * Several veth pairs in one `ip` process (`nsA` null: that end stays in the root namespace),
   * all ends down: bring them up with each namespace's `ipBatch`.
   */
  addVeths(links: ReadonlyArray<{ readonly nsA: string | null; readonly a: string; readonly nsB: string; readonly b: string }>): void {
    for (const l of links) if (l.nsA === null) this.rootLinks.push(l.a);
    if (links.some((l) => l.nsA === null)) this.writeRecord();
    this.ipBatch(
      null,
      links.map((l) => ['link', 'add', 'name', l.a, ...(l.nsA === null ? [] : ['netns', l.nsA]), 'type', 'veth', 'peer', 'name', l.b, 'netns', l.nsB]),
    );
  }

  /**
   * A veth pair between two namespaces (`nsA` null: the root namespace), both ends up unless
   * `up: false` (to bring them up in a batch). Interface names are kept under the kernel's
   * 15-character limit; pass explicit names when a test needs stable ones.
   */
  veth(nsA: string | null, nsB: string, names: { a?: string; b?: string } = {}, options: { up?: boolean } = {}): { a: string; b: string } {
    this.linkCounter += 1;
    // An end left in the root namespace gets a name unique to this lab (other labs' links live there too).
    const a = names.a ?? (nsA === null ? `${this.prefix.slice(0, 8)}a${this.linkCounter}`.slice(0, 15) : `va${this.linkCounter}`);
    const b = names.b ?? `vb${this.linkCounter}`;
    // Each end is created in its namespace directly, so its name only has to be free there.
    run('ip', ['link', 'add', 'name', a, ...(nsA === null ? [] : ['netns', nsA]), 'type', 'veth', 'peer', 'name', b, 'netns', nsB]);
    if (nsA === null) {
      this.rootLinks.push(a);
      this.writeRecord();
    }
    if (options.up !== false) {
      this.ns(nsA, 'ip', ['link', 'set', a, 'up']);
      this.ns(nsB, 'ip', ['link', 'set', b, 'up']);
    }
    return { a, b };
  }

  /**
   * Runs `ip` commands (each an argument list, as after `ip`) in one process inside `ns` (the root
   * namespace when null): building a topology in a few batches rather than hundreds of commands.
   * Stops at the first failing command and throws naming it.
   */
  ipBatch(ns: string | null, commands: ReadonlyArray<readonly string[]>): void {
    for (const c of commands) {
      const bad = c.find((arg) => arg === '' || /[\s"'\\#]/.test(arg));
      if (bad !== undefined) throw new Error(`ip batch argument ${JSON.stringify(bad)} would need quoting`);
    }
    if (commands.length === 0) return;
    run('ip', [...(ns === null ? [] : ['-n', ns]), '-batch', '-'], 30_000, commands.map((c) => c.join(' ')).join('\n') + '\n');
  }

  /**
   * A Linux bridge inside `ns`, with `ports` (interfaces already in `ns`) enslaved to it. Multicast
   * snooping is off: nothing on a lab LAN runs an MLD querier, and a snooping bridge that learned
   * one listener of a solicited-node group would stop flooding that group's Neighbor Solicitations
   * to a responder that answers from a raw socket without joining it.
   */
  bridge(ns: string, name: string, ports: readonly string[]): string {
    this.ns(ns, 'ip', ['link', 'add', name, 'type', 'bridge', 'mcast_snooping', '0']);
    for (const port of ports) this.ns(ns, 'ip', ['link', 'set', port, 'master', name]);
    this.ns(ns, 'ip', ['link', 'set', name, 'up']);
    return name;
  }

  /** Adds an address (`10.0.0.1/24`, `fd00::1/64`); IPv6 addresses skip DAD so they work at once. */
  address(ns: string | null, iface: string, cidr: string): void {
    const extra = cidr.includes(':') ? ['nodad'] : [];
    this.ns(ns, 'ip', ['addr', 'add', cidr, 'dev', iface, ...extra]);
  }

  /** MAC address of an interface. */
  mac(ns: string | null, iface: string): string {
    const out = this.ns(ns, 'ip', ['-j', 'link', 'show', 'dev', iface]).stdout;
    const parsed = JSON.parse(out) as Array<{ address: string }>;
    const mac = parsed[0]?.address;
    if (!mac) throw new Error(`no MAC for ${iface} in ${ns}`);
    return mac;
  }

  /**
   * Runs a command inside a namespace (in the root namespace when `ns` is null) and returns its
   * output; throws with stderr on failure. `input` is written to its stdin.
   */
  ns(ns: string | null, cmd: string, args: readonly string[], options: { timeoutMs?: number; input?: string } = {}): ExecResult {
    return ns === null ? run(cmd, args, options.timeoutMs, options.input) : run('ip', ['netns', 'exec', ns, cmd, ...args], options.timeoutMs, options.input);
  }

  /** Like `ns`, but returns failures instead of throwing (for commands expected to fail). */
  tryNs(ns: string | null, cmd: string, args: readonly string[], options: { timeoutMs?: number; input?: string } = {}): ExecResult & { ok: boolean } {
    try {
      return { ...this.ns(ns, cmd, args, options), ok: true };
    } catch (error) {
      const e = error as { stdout?: Buffer | string; stderr?: Buffer | string };
      return { stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? ''), ok: false };
    }
  }

  /** Starts a long-running process inside a namespace (or on the host when `ns` is null). */
  spawn(ns: string | null, cmd: string, args: readonly string[], options: LabSpawnOptions = {}): SpawnedProcess {
    const argv = ns === null ? [cmd, ...args] : ['ip', 'netns', 'exec', ns, cmd, ...args];
    const { logFile, stdin = 'ignore', ...spawnOptions } = options;
    const logFd = logFile === undefined ? undefined : openSync(logFile, 'a');
    const stdio: SpawnOptions['stdio'] = logFd === undefined ? [stdin, 'pipe', 'pipe'] : [stdin, logFd, logFd];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio, ...spawnOptions });
    if (logFd !== undefined) closeSync(logFd);
    if (ns === null && child.pid !== undefined) {
      this.hostProcesses.push({ pid: child.pid, start: processStart(child.pid) ?? '' });
      this.writeRecord();
    }
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.length > 1_000_000) output = output.slice(-500_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const readOutput = (): string => {
      if (logFile === undefined) return output;
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    };
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    const stop = async (graceMs = 3000): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      // A frozen (SIGSTOPped) process only acts on SIGTERM once it runs again.
      child.kill('SIGCONT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    };
    const spawned: SpawnedProcess = { child, output: readOutput, stop, ...(logFile !== undefined ? { logFile } : {}) };
    this.processes.push(spawned);
    return spawned;
  }

  /** Namespaces this lab created and has not deleted yet. */
  get namespaceNames(): readonly string[] {
    return [...this.namespaces];
  }

  /** Interfaces this lab put in the root namespace and has not deleted yet. */
  get rootLinkNames(): readonly string[] {
    return [...this.rootLinks];
  }

  /**
   * Stops every process this lab started, then deletes its namespaces, its links in the root
   * namespace and its work directory (kept with `keepWorkDir`, e.g. to read logs after a failure).
   */
  async cleanup(options: { keepWorkDir?: boolean } = {}): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    this.processes.length = 0;
    this.cleanupNow(options);
  }

  /** The synchronous part of cleanup: whatever still runs is killed outright. */
  private cleanupNow(options: { keepWorkDir?: boolean } = {}): void {
    for (const p of this.processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    this.processes.length = 0;
    for (const ns of this.namespaces.reverse()) {
      killRemaining(ns);
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    this.namespaces.length = 0;
    // Deleting a namespace deletes its veth ends and so their peers here; this catches the rest.
    for (const link of this.rootLinks.splice(0)) {
      try {
        run('ip', ['link', 'del', link]);
      } catch {
        // gone with its peer
      }
    }
    if (!options.keepWorkDir) rmSync(this.workDir, { recursive: true, force: true });
    rmSync(join(registryDir, `${this.prefix}.json`), { force: true });
    liveLabs.delete(this);
  }

  /** What a later lab needs to remove this one's objects if this process dies without cleaning up. */
  private writeRecord(): void {
    const record: LabRecord = {
      pid: process.pid,
      start: processStart(process.pid) ?? '',
      prefix: this.prefix,
      workDir: this.workDir,
      rootLinks: this.rootLinks,
      hostProcesses: this.hostProcesses,
    };
    mkdirSync(registryDir, { recursive: true });
    writeFileSync(join(registryDir, `${this.prefix}.json`), JSON.stringify(record));
  }
}


/**
 * Labs register in this directory while they exist. A test runner killed in the middle (a worker
 * timed out, Ctrl-C) leaves its namespaces, veths and processes behind; the next lab created on
 * the machine removes those of every registered lab whose process is gone.
 */
const registryDir = join(tmpdir(), 'netlab-labs');

interface LabRecord {
  readonly pid: number;
  /** The process's start time (/proc/PID/stat), so that a reused pid is not taken for the owner. */
  readonly start: string;
  readonly prefix: string;
  readonly workDir: string;
  readonly rootLinks: readonly string[];
  readonly hostProcesses: ReadonlyArray<{ readonly pid: number; readonly start: string }>;
}

function processStart(pid: number): string | undefined {
  try {
    // Field 22; the command name (field 2) may hold spaces, so count from the closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function sweepStaleLabs(): void {
  let files: string[];
  try {
    files = readdirSync(registryDir).filter((f) => f.endsWith('.json'));
  } catch {
    return;
  }
  for (const file of files) {
    let record: LabRecord;
    try {
      record = JSON.parse(readFileSync(join(registryDir, file), 'utf8')) as LabRecord;
    } catch {
      continue;
    }
    if (processStart(record.pid) === record.start) continue;
    for (const p of record.hostProcesses ?? []) {
      if (processStart(p.pid) !== p.start) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
    const names = run('ip', ['netns', 'list']).stdout.split('\n').map((l) => l.split(' ')[0] ?? '');
    for (const ns of names.filter((n) => n.startsWith(`${record.prefix}-`))) {
      killRemaining(ns);
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // gone meanwhile
      }
    }
    for (const link of record.rootLinks) {
      try {
        run('ip', ['link', 'del', link]);
      } catch {
        // gone with its peer
      }
    }
    rmSync(record.workDir, { recursive: true, force: true });
    rmSync(join(registryDir, file), { force: true });
  }
}

/** Kills processes still running inside a namespace we created (daemons that forked themselves). */
function killRemaining(ns: string): void {
  try {
    const pids = run('ip', ['netns', 'pids', ns]).stdout.split(/\s+/).filter(Boolean);
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  } catch {
    // namespace already gone
  }
}

function run(cmd: string, args: readonly string[], timeoutMs = 30_000, input?: string): ExecResult {
  try {
    const stdout = execFileSync(cmd, args, { encoding: 'utf8', stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], timeout: timeoutMs, ...(input === undefined ? {} : { input }) });
    return { stdout, stderr: '' };
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    const wrapped = new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`) as Error & ExecResult;
    Object.assign(wrapped, { stdout: e.stdout ?? '', stderr: e.stderr ?? '' });
    throw wrapped;
  }
}
