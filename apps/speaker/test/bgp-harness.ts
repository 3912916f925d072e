// Runs test/bgp-driver.ts in lab nodes and talks to it: shared by the FRR test and the benchmark.
import { join } from 'node:path';
import { type ClusterLab, type SpawnedProcess, waitFor } from '@lb/netlab';
import { type BgpSessionStatus } from '../src/bgp/bgp-mode.js';
import { type EndpointSliceResource, type NodeResource, type ServiceResource } from '../src/election/resources.js';

export interface DriverStatus {
  readonly sessions: BgpSessionStatus[];
  readonly metrics: string;
  readonly rssBytes: number;
}

export interface ApiObjects {
  readonly services: readonly ServiceResource[];
  readonly endpointSlices: readonly EndpointSliceResource[];
  readonly nodes: readonly NodeResource[];
  readonly secrets?: readonly unknown[];
}

const driverPath = join(import.meta.dirname, 'bgp-driver.ts');

export class Driver {
  private constructor(
    readonly node: string,
    readonly process: SpawnedProcess,
  ) {}

  static async start(c: ClusterLab, node: number, env: Record<string, string> = {}): Promise<Driver> {
    const n = c.node(node);
    const process = c.startInNode(node, `bgp-driver-${Date.now()}`, 'node', ['--import', 'tsx', '--conditions=development', driverPath], { stdin: 'pipe', env: { ...env, NODE_NAME: n.name } });
    process.child.stdout?.setEncoding('utf8');
    const driver = new Driver(n.name, process);
    await waitFor(`the BGP driver in ${n.name}`, () => process.output().includes('READY'), { timeoutMs: 30_000, intervalMs: 100 });
    return driver;
  }

  send(command: unknown): void {
    this.process.child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  update(yaml: string, objects: ApiObjects): void {
    this.send({ cmd: 'update', yaml, ...objects });
  }

  async status(): Promise<DriverStatus> {
    const before = this.count('STATUS ');
    this.send({ cmd: 'status' });
    await waitFor(`status from ${this.node}`, () => this.count('STATUS ') > before, { timeoutMs: 10_000, intervalMs: 20 });
    const lines = this.process.output().split('\n').filter((l) => l.startsWith('STATUS '));
    return JSON.parse((lines.at(-1) as string).slice('STATUS '.length)) as DriverStatus;
  }

  async stop(drainSeconds = 0, mode: 'withdraw' | 'graceful-shutdown' | 'restart' = 'withdraw'): Promise<void> {
    this.send({ cmd: 'stop', drainSeconds, mode });
    await waitFor(`${this.node} stopped`, () => this.process.child.exitCode !== null, { timeoutMs: 10_000 + drainSeconds * 1000, intervalMs: 50 });
  }

  private count(marker: string): number {
    return this.process.output().split('\n').filter((l) => l.startsWith(marker)).length;
  }
}
