import { type Lab, type SpawnedProcess } from '@lb/netlab';
import { type RouteFamily, type Route, type SessionStats, type SessionState } from '@lb/bgp-wire';
import { type BgpPeerEvent, type BgpPeerOptions } from '@lb/bgp-wire/node';
import { type SpeakerCommand, type SpeakerMessage } from '../fixtures/speaker-process.js';

const fixture = new URL('../fixtures/speaker-process.ts', import.meta.url).pathname;

type Distribute<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Our speaker running in its own process inside a namespace, driven over IPC. */
export class SpeakerProcess {
  /** Events of every peer in the process, in arrival order. */
  readonly events: { peer: number; event: BgpPeerEvent; at: number }[] = [];
  private nextId = 1;
  private readonly replies = new Map<number, (m: Extract<SpeakerMessage, { type: 'reply' }>) => void>();
  private readonly waiters = new Set<() => void>();

  private constructor(readonly process: SpawnedProcess) {
    process.child.on('message', (message: SpeakerMessage) => {
      if (message.type === 'event') this.events.push({ peer: message.peer, event: message.event, at: message.at });
      else this.replies.get(message.id)?.(message);
      for (const wake of this.waiters) wake();
    });
  }

  /** Starts the process in `ns` and one BgpPeer in it; resolves once the peer has started. */
  static async start(lab: Lab, ns: string, options: BgpPeerOptions, listen?: { port?: number; host?: string }): Promise<SpeakerProcess> {
    return SpeakerProcess.startMany(lab, ns, [options], { ...(listen ? { listen } : {}) });
  }

  /** Several peers in one process, as a node's speaker runs them; `defer` waits for `begin()`. */
  static async startMany(lab: Lab, ns: string, peers: readonly BgpPeerOptions[], options: { listen?: { port?: number; host?: string }; defer?: boolean } = {}): Promise<SpeakerProcess> {
    const spawned = lab.spawn(ns, process.execPath, ['--conditions=development', '--import', 'tsx', fixture], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const speaker = new SpeakerProcess(spawned);
    await speaker.call({ cmd: 'start', peers, ...options });
    return speaker;
  }

  async begin(): Promise<void> {
    await this.call({ cmd: 'begin' });
  }

  async generateRoutes(peer: number, family: RouteFamily, count: number, nextHop: string): Promise<void> {
    await this.call({ cmd: 'generate-routes', peer, family, count, nextHop }, 120_000);
  }

  async call(command: Distribute<SpeakerCommand>, timeoutMs = 20_000): Promise<unknown> {
    const id = this.nextId++;
    const reply = new Promise<Extract<SpeakerMessage, { type: 'reply' }>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`speaker did not answer ${command.cmd} in ${timeoutMs} ms; output:\n${this.process.output()}`)), timeoutMs);
      this.replies.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
    this.process.child.send({ ...command, id });
    const message = await reply;
    this.replies.delete(id);
    if (!message.ok) throw new Error(`speaker ${command.cmd} failed: ${message.error}`);
    return message.value;
  }

  async setRoutes(family: RouteFamily, routes: readonly Route[], peer = 0): Promise<void> {
    await this.call({ cmd: 'set-routes', peer, family, routes });
  }

  async stats(peer = 0): Promise<{ state: SessionState; stats: SessionStats }> {
    return (await this.call({ cmd: 'stats', peer })) as { state: SessionState; stats: SessionStats };
  }

  async stop(options: { graceful?: boolean; reason?: string } = {}): Promise<void> {
    await this.call({ cmd: 'stop', ...options });
    await this.process.stop();
  }

  /** The first event matching `predicate` (already seen or still to come). */
  async waitForEvent(what: string, predicate: (e: BgpPeerEvent) => boolean, timeoutMs = 20_000, peer?: number): Promise<{ event: BgpPeerEvent; at: number }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find((e) => (peer === undefined || e.peer === peer) && predicate(e.event));
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0 || this.process.child.exitCode !== null) {
        const seen = this.events.map((e) => JSON.stringify(e.event).slice(0, 200)).join('\n  ');
        throw new Error(`timed out waiting for ${what}; events:\n  ${seen}\noutput:\n${this.process.output()}`);
      }
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 500));
        this.waiters.add(wake);
      });
    }
  }

  /** When any peer (or peer `peer`) reached `state`. */
  async waitForState(state: SessionState, timeoutMs?: number, peer?: number): Promise<number> {
    const found = await this.waitForEvent(`state ${state}`, (e) => e.type === 'state' && e.to === state, timeoutMs, peer);
    return found.at;
  }
}
