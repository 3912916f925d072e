import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Lab, type SpawnedProcess } from '@lb/netlab';
import { type Layer2Status } from '../../src/pcap/index.js';
// Type-only: importing agent.ts for real would start an agent in this process.
import type { AgentLayer2Options } from './agent.js';

const agentPath = join(dirname(fileURLToPath(import.meta.url)), 'agent.ts');
const tsxLoader = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'loader.mjs')).href;

/** Drives test/support/agent.ts inside a namespace. */
export class Agent {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly events: Array<{ event: string; [key: string]: unknown }> = [];

  private constructor(readonly process: SpawnedProcess) {
    let buffered = '';
    process.child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.startsWith('{')) continue;
        const message = JSON.parse(line) as { id?: number; ok?: boolean; result?: unknown; error?: string; event?: string };
        if (message.event) this.events.push(message as { event: string });
        if (message.id === undefined) continue;
        const waiter = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.ok) waiter?.resolve(message.result);
        else waiter?.reject(new Error(`agent: ${message.error}`));
      }
    });
  }

  static async start(lab: Lab, ns: string): Promise<Agent> {
    const proc = lab.spawn(ns, process.execPath, ['--import', tsxLoader, '--conditions=development', agentPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    const agent = new Agent(proc);
    const deadline = Date.now() + 20_000;
    while (!agent.events.some((e) => e.event === 'up')) {
      if (proc.child.exitCode !== null) throw new Error(`agent in ${ns} exited: ${proc.output()}`);
      if (Date.now() > deadline) throw new Error(`agent in ${ns} did not start: ${proc.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return agent;
  }

  request<T = unknown>(cmd: string, args: Record<string, unknown> = {}, timeoutMs = 20_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent ${cmd} timed out; output:\n${this.process.output()}`)), timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.process.child.stdin?.write(JSON.stringify({ id, cmd, ...args }) + '\n');
    });
  }

  startLayer2(options: AgentLayer2Options = {}): Promise<unknown> {
    return this.request('start', { options }, 30_000);
  }

  status(): Promise<Layer2Status> {
    return this.request<Layer2Status>('status');
  }

  async stop(): Promise<void> {
    await this.request('stop').catch(() => undefined);
    await this.process.stop();
  }
}
