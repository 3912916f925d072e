// Two SessionManagers ("nodes") joined by an in-memory network on a virtual clock: what one sends
// arrives at the other `delay` ms later with TTL 255 (or `ttl`), unless the link is cut.
import { SessionManager, type BfdEvent, type ManagerAction, type ManagerOptions, type ReceivedDatagram } from '../../src/index.js';
import { seededRandom } from './session-pair.js';
import { runVirtual } from './virtual-time.js';

export class ManagerPair {
  now = 0;
  readonly a: SessionManager;
  readonly b: SessionManager;
  readonly events: Array<{ at: number; node: 'a' | 'b'; event: BfdEvent }> = [];
  cut = false;
  /** What the network does to the TTL of packets from a node. */
  ttl: { a: number | undefined; b: number | undefined } = { a: 255, b: 255 };
  private queue: Array<{ at: number; to: 'a' | 'b'; datagram: ReceivedDatagram; echo: boolean }> = [];

  constructor(options: { a?: ManagerOptions; b?: ManagerOptions; delay?: number } = {}) {
    this.a = new SessionManager({ random: seededRandom(11), ...options.a });
    this.b = new SessionManager({ random: seededRandom(12), ...options.b });
    this.delay = options.delay ?? 1;
  }
  readonly delay: number;

  node(name: 'a' | 'b'): SessionManager {
    return name === 'a' ? this.a : this.b;
  }

  handle(from: 'a' | 'b', actions: readonly ManagerAction[]): void {
    const to = from === 'a' ? 'b' : 'a';
    for (const action of actions) {
      if (action.type === 'event') this.events.push({ at: this.now, node: from, event: action.event });
      else if (action.type === 'send' && !this.cut) {
        this.queue.push({
          at: this.now + this.delay,
          to,
          echo: false,
          datagram: { bytes: action.bytes, sourceAddress: action.localAddress, sourcePort: 49152, destinationAddress: action.peerAddress, multihop: action.multihop, ttl: this.ttl[from] },
        });
      } else if (action.type === 'send-echo' && !this.cut) {
        this.queue.push({
          at: this.now + 2 * this.delay,
          to: from,
          echo: true,
          datagram: { bytes: action.bytes, sourceAddress: action.localAddress, sourcePort: 3785, destinationAddress: action.localAddress, multihop: false, ttl: 254 },
        });
      }
    }
  }

  /** Injects a datagram as if it had arrived at `to` now. */
  deliver(to: 'a' | 'b', datagram: ReceivedDatagram): void {
    this.handle(to, this.node(to).receiveControl(datagram, this.now));
  }

  run(until: number): void {
    this.now = runVirtual(this.now, until, this.queue, { a: () => this.a.nextDeadline(), b: () => this.b.nextDeadline() }, {
      deliver: (item, now) => {
        this.now = now;
        const node = this.node(item.to);
        this.handle(item.to, item.echo ? node.receiveEcho(item.datagram, now) : node.receiveControl(item.datagram, now));
      },
      tick: (name, now) => {
        this.now = now;
        this.handle(name, this.node(name).tick(now));
      },
    });
  }

  eventsOf(node: 'a' | 'b', type: BfdEvent['type']): BfdEvent[] {
    return this.events.filter((e) => e.node === node && e.event.type === type).map((e) => e.event);
  }
}
