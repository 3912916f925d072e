// kube-sim as a real process (the CLI, from source through tsx, as the repository's tests run
// packages), for tests that kill and restart it.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from './helpers.js';

const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');

export class SimProcess {
  output = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Waits for the "kubeconfig:" line (listening, everything restored). */
  async ready(timeoutMs = 30_000): Promise<void> {
    await eventually(() => /^kubeconfig: /m.test(this.output) || this.child.exitCode !== null, `kube-sim to start (output: ${this.output})`, timeoutMs);
    if (this.child.exitCode !== null) throw new Error(`kube-sim exited ${this.child.exitCode}: ${this.output}`);
  }

  kill(signal: NodeJS.Signals): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return this.exited;
  }
}
