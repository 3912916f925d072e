// A cluster of membership cores on a virtual clock and a simulated network. Each core runs exactly
// as a speaker would run it (handle() at its deadlines and on every datagram); members can be
// killed, frozen (SIGSTOP: nothing runs, datagrams queue; on SIGCONT the late timer fires first,
// then the queue is read, as in Node's event loop), restarted and cut off.
import { performance } from 'node:perf_hooks';
import { Membership } from '../membership/membership.js';
import { type Timing } from '../membership/timing.js';
import { type MembershipChange, type MembershipInput } from '../membership/types.js';
import { seededRandom, type Random } from '../random.js';
import { TimedQueue } from '../timed-queue.js';
import { LAN, SimulatedNetwork, type NetworkOptions } from './network.js';

export interface TrafficStats {
  sent: number;
  sentBytes: number;
  received: number;
  receivedBytes: number;
}

export interface ObservedChange {
  readonly at: number;
  readonly node: string;
  readonly change: MembershipChange;
}

export interface ClusterOptions {
  readonly size: number;
  readonly seed: number;
  readonly network?: NetworkOptions;
  readonly timing?: Partial<Timing>;
  /** Each member's wall clock is off by up to this much (ms), either way. */
  readonly clockSkewMs?: number;
  /** Members start at random moments within this window (ms), so they do not beat in step. */
  readonly startSpreadMs?: number;
}

type NodeState = 'running' | 'paused' | 'dead';

interface SimNode {
  readonly name: string;
  membership: Membership;
  state: NodeState;
  readonly skew: number;
  token: number;
  scheduledAt: number | undefined;
  /** Ticks handled at the current time in a row: a core that keeps asking for `now` is spinning. */
  ticksAtSameTime: number;
  lastTickAt: number;
  pending: Array<{ from: string; bytes: Uint8Array }>;
  stats: TrafficStats;
}

type SimEvent =
  | { readonly kind: 'tick'; readonly node: string; readonly token: number }
  | { readonly kind: 'deliver'; readonly node: string; readonly from: string; readonly bytes: Uint8Array }
  | { readonly kind: 'resume'; readonly node: string }
  | { readonly kind: 'start'; readonly node: string };

const KEY = new TextEncoder().encode('simulated cluster key');
const WALL_START = 1_767_225_600_000;

export class SimulatedCluster {
  now = 0;
  readonly network: SimulatedNetwork;
  /** Real milliseconds spent inside Membership.handle, and how many calls. */
  handleMs = 0;
  handleCalls = 0;
  private readonly random: Random;
  private readonly queue = new TimedQueue<SimEvent>();
  private readonly nodes = new Map<string, SimNode>();
  private readonly listeners: Array<(change: ObservedChange) => void> = [];
  private readonly taps: Array<(from: string, to: string, bytes: Uint8Array) => void> = [];
  private readonly memberList: Array<{ name: string; address: string }>;

  constructor(private readonly options: ClusterOptions) {
    this.random = seededRandom(options.seed);
    this.network = new SimulatedNetwork(options.network ?? LAN, seededRandom(options.seed ^ 0x5bd1e995));
    const width = String(options.size - 1).length;
    const names = Array.from({ length: options.size }, (_, i) => `node-${String(i).padStart(width, '0')}`);
    this.memberList = names.map((name) => ({ name, address: name }));
    const skew = options.clockSkewMs ?? 50;
    const spread = options.startSpreadMs ?? 100;
    for (const name of names) {
      const node: SimNode = {
        name,
        membership: this.newMembership(name, 0, 0),
        state: 'dead',
        skew: (this.random() * 2 - 1) * skew,
        token: 0,
        scheduledAt: undefined,
        ticksAtSameTime: 0,
        lastTickAt: -1,
        pending: [],
        stats: emptyStats(),
      };
      this.nodes.set(name, node);
      this.queue.push(this.random() * spread, { kind: 'start', node: name });
    }
  }

  names(): string[] {
    return [...this.nodes.keys()];
  }

  onChange(listener: (change: ObservedChange) => void): void {
    this.listeners.push(listener);
  }

  /** Sees every datagram sent (before the network decides its fate). */
  tap(listener: (from: string, to: string, bytes: Uint8Array) => void): void {
    this.taps.push(listener);
  }

  /** Delivers bytes to `to` as if sent from address `from` (a forger, a replayer), after `delayMs`. */
  inject(to: string, from: string, bytes: Uint8Array, delayMs = 0): void {
    this.queue.push(this.now + delayMs, { kind: 'deliver', node: to, from, bytes });
  }

  membership(name: string): Membership {
    return this.node(name).membership;
  }

  state(name: string): NodeState {
    return this.node(name).state;
  }

  stats(name: string): TrafficStats {
    return this.node(name).stats;
  }

  resetStats(): void {
    for (const node of this.nodes.values()) node.stats = emptyStats();
    this.handleMs = 0;
    this.handleCalls = 0;
  }

  runUntil(time: number): void {
    for (;;) {
      const next = this.queue.peekTime();
      if (next === undefined || next > time) break;
      const item = this.queue.pop() as { at: number; event: SimEvent };
      this.now = item.at;
      this.dispatch(item.event);
    }
    this.now = time;
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms);
  }

  /** The process dies: nothing runs, nothing is received. */
  kill(name: string): void {
    const node = this.node(name);
    node.state = 'dead';
    node.pending = [];
  }

  /** SIGSTOP now, SIGCONT after `ms`. */
  pause(name: string, ms: number): void {
    const node = this.node(name);
    if (node.state !== 'running') return;
    node.state = 'paused';
    this.queue.push(this.now + ms, { kind: 'resume', node: name });
  }

  /** A new process (new epoch) on a killed member. */
  restart(name: string): void {
    const node = this.node(name);
    node.membership = this.newMembership(name, this.now, node.skew);
    node.state = 'running';
    node.pending = [];
    node.scheduledAt = undefined;
    this.step(node, { kind: 'tick' });
  }

  /** Graceful shutdown: the member says it leaves, then stops. */
  leave(name: string): void {
    const node = this.node(name);
    this.step(node, { kind: 'leave' });
    node.state = 'dead';
  }

  private node(name: string): SimNode {
    const node = this.nodes.get(name);
    if (!node) throw new RangeError(`no simulated member '${name}'`);
    return node;
  }

  private newMembership(name: string, mono: number, skew: number): Membership {
    return new Membership(
      { name, keys: [KEY], members: this.memberList, random: seededRandom(Math.floor(this.random() * 2 ** 32)), ...(this.options.timing ? { timing: this.options.timing } : {}) },
      { mono, wall: WALL_START + mono + skew },
    );
  }

  private dispatch(event: SimEvent): void {
    const node = this.node(event.node);
    switch (event.kind) {
      case 'start':
        node.membership = this.newMembership(node.name, this.now, node.skew);
        node.state = 'running';
        this.step(node, { kind: 'tick' });
        return;
      case 'tick':
        if (node.state !== 'running' || event.token !== node.token) return;
        node.scheduledAt = undefined;
        node.ticksAtSameTime = node.lastTickAt === this.now ? node.ticksAtSameTime + 1 : 0;
        node.lastTickAt = this.now;
        if (node.ticksAtSameTime > 100) throw new Error(`${node.name} keeps asking for a tick at ${this.now}: nextDeadline() does not move past a deadline it has handled`);
        this.step(node, { kind: 'tick' });
        return;
      case 'deliver':
        if (node.state === 'dead') return;
        if (node.state === 'paused') {
          node.pending.push({ from: event.from, bytes: event.bytes });
          return;
        }
        this.receive(node, event.from, event.bytes);
        return;
      case 'resume': {
        if (node.state !== 'paused') return;
        node.state = 'running';
        node.scheduledAt = undefined;
        this.step(node, { kind: 'tick' });
        const queued = node.pending;
        node.pending = [];
        for (const datagram of queued) if (node.state === 'running') this.receive(node, datagram.from, datagram.bytes);
        return;
      }
    }
  }

  private receive(node: SimNode, from: string, bytes: Uint8Array): void {
    node.stats.received += 1;
    node.stats.receivedBytes += bytes.length;
    this.step(node, { kind: 'datagram', from, bytes });
  }

  private step(node: SimNode, input: MembershipInput): void {
    const started = performance.now();
    const output = node.membership.handle({ mono: this.now, wall: WALL_START + this.now + node.skew }, input);
    this.handleMs += performance.now() - started;
    this.handleCalls += 1;
    for (const datagram of output.send) {
      node.stats.sent += 1;
      node.stats.sentBytes += datagram.bytes.length;
      for (const tap of this.taps) tap(node.name, datagram.to, datagram.bytes);
      const delay = this.network.fate(node.name, datagram.to);
      if (delay !== undefined) this.queue.push(this.now + delay, { kind: 'deliver', node: datagram.to, from: node.name, bytes: datagram.bytes });
    }
    for (const change of output.changes) for (const listener of this.listeners) listener({ at: this.now, node: node.name, change });
    this.schedule(node);
  }

  private schedule(node: SimNode): void {
    if (node.state !== 'running') return;
    const deadline = node.membership.nextDeadline();
    if (!Number.isFinite(deadline)) return;
    const at = Math.max(deadline, this.now);
    if (node.scheduledAt === at) return;
    node.token += 1;
    node.scheduledAt = at;
    this.queue.push(at, { kind: 'tick', node: node.name, token: node.token });
  }
}

function emptyStats(): TrafficStats {
  return { sent: 0, sentBytes: 0, received: 0, receivedBytes: 0 };
}
