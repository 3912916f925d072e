import { type Lab, type SpawnedProcess } from '@lb/netlab';
import { type BfdEvent, type ManagerCounters, type Result, type SessionInfo } from '@lb/bfd';
import { type BfdManagerOptions, type BfdSessionOptions, type BfdStatus } from '@lb/bfd/node';
import { type Command, type Message } from '../fixtures/bfd-process.js';

const fixture = new URL('../fixtures/bfd-process.ts', import.meta.url).pathname;

export interface Received {
  readonly name: string;
  readonly event: BfdEvent & { readonly message?: string; readonly silence?: number };
  /** Wall-clock milliseconds when the process emitted it. */
  readonly at: number;
}

type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Our BfdManager running in its own process inside a namespace, driven over IPC. */
export class OurBfd {
  readonly events: Received[] = [];
  private nextId = 1;
  private readonly replies = new Map<number, (value: unknown) => void>();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly process: SpawnedProcess) {
    process.child.on('message', (message: Message) => {
      if (message.type === 'event') this.events.push({ name: message.name, event: message.event as Received['event'], at: message.at });
      else this.replies.get(message.id)?.(message.value);
      for (const wake of this.waiters) wake();
    });
  }

  /** In namespace `ns` (null: this one); `forward`: the event names to send over IPC (all by default). */
  static start(lab: Lab, ns: string | null, options: BfdManagerOptions & { forward?: string[] } = {}): OurBfd {
    const child = lab.spawn(ns, process.execPath, ['--import', 'tsx', '--conditions=development', fixture, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    return new OurBfd(child);
  }

  request(command: WithoutId<Command>, timeoutMs = 15_000): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply to ${command.cmd} within ${timeoutMs} ms; output:\n${this.process.output()}`)), timeoutMs);
      this.replies.set(id, (value) => {
        clearTimeout(timer);
        this.replies.delete(id);
        resolve(value);
      });
      this.process.child.send({ ...command, id });
    });
  }

  async add(options: BfdSessionOptions): Promise<string> {
    const result = (await this.request({ cmd: 'add', options }, 30_000)) as Result<string, string[]>;
    if (!result.ok) throw new Error(`add failed: ${result.error.join('; ')}`);
    return result.value;
  }

  async sessions(): Promise<SessionInfo[]> {
    return (await this.request({ cmd: 'sessions' })) as SessionInfo[];
  }

  async session(key: string): Promise<SessionInfo> {
    const found = (await this.sessions()).find((s) => s.session === key);
    if (!found) throw new Error(`no session ${key}`);
    return found;
  }

  async counters(): Promise<ManagerCounters & { sendErrors: Record<string, number> }> {
    return (await this.request({ cmd: 'counters' })) as ManagerCounters & { sendErrors: Record<string, number> };
  }

  async status(): Promise<BfdStatus> {
    return (await this.request({ cmd: 'status' })) as BfdStatus;
  }

  /** The first event at or after `since` (wall clock) that matches, waiting up to `timeoutMs`. */
  waitForEvent(what: string, match: (r: Received) => boolean, { since = 0, timeoutMs = 15_000 } = {}): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.events.find((r) => r.at >= since && match(r));
        if (!found) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; events: ${JSON.stringify(this.events.slice(-8).map((e) => [e.name, (e.event as { session?: string }).session, e.at]))}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (): void => void check();
      this.waiters.add(waiter);
      check();
    });
  }

  waitFor(name: 'up' | 'down' | 'removed', session: string, options: { since?: number; timeoutMs?: number } = {}): Promise<Received> {
    return this.waitForEvent(`${name} of ${session}`, (r) => r.name === name && r.event.session === session, options);
  }

  eventsOf(name: string, session: string, since = 0): Received[] {
    return this.events.filter((r) => r.name === name && r.event.session === session && r.at >= since);
  }

  async stop(): Promise<void> {
    if (this.process.child.exitCode === null && this.process.child.signalCode === null) {
      await this.request({ cmd: 'close' }, 5000).catch(() => undefined);
    }
    await this.process.stop();
  }
}
