// kube-sim as its own process for benchmarks that measure its memory: the CLI from source (tsx),
// its URL, token and CA read from the kubeconfig it writes, and its resident set from /proc.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type Agent } from 'node:https';
import { join } from 'node:path';

const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');

export interface Endpoint {
  readonly url: string;
  readonly token: string;
  readonly ca: string;
}

export class BenchSim {
  private output = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<void>;
  endpoint: Endpoint = { url: '', token: '', ca: '' };

  constructor(args: readonly string[]) {
    this.child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', cli, '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', () => resolve()));
  }

  /** Resolves when it listens; `startedAt` is when the process was spawned (performance.now()). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!/^kubeconfig: (.+)$/m.test(this.output)) {
      if (this.child.exitCode !== null || performance.now() > deadline) throw new Error(`kube-sim did not start: ${this.output}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const kubeconfig = readFileSync((/^kubeconfig: (.+)$/m.exec(this.output) as RegExpExecArray)[1] as string, 'utf8');
    this.endpoint = {
      url: /server: (\S+)/.exec(kubeconfig)?.[1] ?? '',
      token: /token: (\S+)/.exec(kubeconfig)?.[1] ?? '',
      ca: Buffer.from(/certificate-authority-data: (\S+)/.exec(kubeconfig)?.[1] ?? '', 'base64').toString(),
    };
  }

  get text(): string {
    return this.output;
  }

  /** Resident set size now and at its peak (VmRSS, VmHWM), in bytes. */
  memory(): { rss: number; peak: number } {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  }

  /** CPU time used so far (user + system), in ms. */
  cpuMs(): number {
    const fields = readFileSync(`/proc/${this.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** node:https or node:http, whichever the URL needs (`--http` benchmarks). */
export function requestFor(url: string): typeof httpsRequest {
  return url.startsWith('https:') ? httpsRequest : (httpRequest as unknown as typeof httpsRequest);
}

export function send(e: Endpoint, method: string, path: string, body?: string, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = requestFor(e.url)(`${e.url}${path}`, { method, ca: e.ca, ...(agent ? { agent } : {}), headers: { authorization: `Bearer ${e.token}`, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
