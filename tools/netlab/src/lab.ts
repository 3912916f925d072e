import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ExecResult {
  readonly stdout: string;
  readonly stderr: string;
}

export interface SpawnedProcess {
  readonly child: ChildProcess;
  readonly output: () => string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  readonly stop: (graceMs?: number) => Promise<void>;
}

let labCounter = 0;

/**
 * A set of network namespaces, links and processes created by one test, all removed by
 * `cleanup()`. Names carry a per-lab prefix so parallel tests never touch each other's objects,
 * and only objects this lab created are ever removed.
 */
export class Lab {
  readonly prefix: string;
  readonly workDir: string;
  private readonly namespaces: string[] = [];
  private readonly processes: SpawnedProcess[] = [];
  private linkCounter = 0;

  constructor(tag = 'lab') {
    labCounter += 1;
    this.prefix = `${tag.slice(0, 4)}${process.pid % 100000}x${labCounter}`;
    this.workDir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
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
   * A veth pair between two namespaces, both ends up. Interface names are kept under the
   * kernel's 15-character limit; pass explicit names when a test needs stable ones.
   */
  veth(nsA: string, nsB: string, names: { a?: string; b?: string } = {}): { a: string; b: string } {
    this.linkCounter += 1;
    const a = names.a ?? `va${this.linkCounter}`;
    const b = names.b ?? `vb${this.linkCounter}`;
    const tmpA = `${this.prefix.slice(0, 8)}a${this.linkCounter}`.slice(0, 15);
    const tmpB = `${this.prefix.slice(0, 8)}b${this.linkCounter}`.slice(0, 15);
    run('ip', ['link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB]);
    run('ip', ['link', 'set', tmpA, 'netns', nsA, 'name', a]);
    run('ip', ['link', 'set', tmpB, 'netns', nsB, 'name', b]);
    this.ns(nsA, 'ip', ['link', 'set', a, 'up']);
    this.ns(nsB, 'ip', ['link', 'set', b, 'up']);
    return { a, b };
  }

  /** A Linux bridge inside `ns`, with `ports` (interfaces already in `ns`) enslaved to it. */
  bridge(ns: string, name: string, ports: readonly string[]): string {
    this.ns(ns, 'ip', ['link', 'add', name, 'type', 'bridge']);
    for (const port of ports) this.ns(ns, 'ip', ['link', 'set', port, 'master', name]);
    this.ns(ns, 'ip', ['link', 'set', name, 'up']);
    return name;
  }

  /** Adds an address (`10.0.0.1/24`, `fd00::1/64`); IPv6 addresses skip DAD so they work at once. */
  address(ns: string, iface: string, cidr: string): void {
    const extra = cidr.includes(':') ? ['nodad'] : [];
    this.ns(ns, 'ip', ['addr', 'add', cidr, 'dev', iface, ...extra]);
  }

  /** MAC address of an interface. */
  mac(ns: string, iface: string): string {
    const out = this.ns(ns, 'ip', ['-j', 'link', 'show', 'dev', iface]).stdout;
    const parsed = JSON.parse(out) as Array<{ address: string }>;
    const mac = parsed[0]?.address;
    if (!mac) throw new Error(`no MAC for ${iface} in ${ns}`);
    return mac;
  }

  /** Runs a command inside a namespace and returns its output; throws with stderr on failure. */
  ns(ns: string, cmd: string, args: readonly string[], options: { timeoutMs?: number } = {}): ExecResult {
    return run('ip', ['netns', 'exec', ns, cmd, ...args], options.timeoutMs);
  }

  /** Like `ns`, but returns failures instead of throwing (for commands expected to fail). */
  tryNs(ns: string, cmd: string, args: readonly string[], options: { timeoutMs?: number } = {}): ExecResult & { ok: boolean } {
    try {
      return { ...this.ns(ns, cmd, args, options), ok: true };
    } catch (error) {
      const e = error as { stdout?: Buffer | string; stderr?: Buffer | string };
      return { stdout: String(e.stdout ?? ''), stderr: String(e.stderr ?? ''), ok: false };
    }
  }

  /** Starts a long-running process inside a namespace (or on the host when `ns` is null). */
  spawn(ns: string | null, cmd: string, args: readonly string[], options: SpawnOptions = {}): SpawnedProcess {
    const argv = ns === null ? [cmd, ...args] : ['ip', 'netns', 'exec', ns, cmd, ...args];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.length > 1_000_000) output = output.slice(-500_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    const stop = async (graceMs = 3000): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    };
    const spawned: SpawnedProcess = { child, output: () => output, stop };
    this.processes.push(spawned);
    return spawned;
  }

  /** Stops every process this lab started, then deletes its namespaces and work directory. */
  async cleanup(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    for (const ns of this.namespaces.reverse()) {
      killRemaining(ns);
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    this.namespaces.length = 0;
    rmSync(this.workDir, { recursive: true, force: true });
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

function run(cmd: string, args: readonly string[], timeoutMs = 30_000): ExecResult {
  try {
    const stdout = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    return { stdout, stderr: '' };
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    const wrapped = new Error(`${cmd} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`) as Error & ExecResult;
    Object.assign(wrapped, { stdout: e.stdout ?? '', stderr: e.stderr ?? '' });
    throw wrapped;
  }
}
