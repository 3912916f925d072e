// Two sessions joined by an in-memory link on a virtual clock: every packet goes through the
// codec, arrives `delay` ms later, and either direction can be cut. Time moves only in `run`.
import { controlPacket, receptionProblem, type ControlPacket } from '../../src/index.js';
import { Session, type SessionAction } from '../../src/session/session.js';
import { type SessionOptions } from '../../src/session/options.js';
import { runVirtual } from './virtual-time.js';

export interface Sent {
  readonly at: number;
  readonly from: 'a' | 'b';
  readonly packet: ControlPacket;
}

export interface Logged {
  readonly at: number;
  readonly side: 'a' | 'b';
  readonly action: SessionAction;
}

/** A deterministic [0, 1) sequence, so that jitter is reproducible. */
export function seededRandom(seed = 1): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export class SessionPair {
  now = 0;
  readonly a: Session;
  readonly b: Session;
  readonly sent: Sent[] = [];
  readonly log: Logged[] = [];
  /** Cut a direction: packets sent by that side are lost. */
  readonly cut = { a: false, b: false };
  /** Echo packets come back to the side that sent them after 2 × delay unless cut. */
  readonly echoCut = { a: false, b: false };
  private queue: Array<{ at: number; to: 'a' | 'b'; bytes?: Uint8Array; echo?: boolean }> = [];

  constructor(
    a: Partial<SessionOptions>,
    b: Partial<SessionOptions>,
    readonly delay = 1,
    start: { a?: boolean; b?: boolean } = {},
  ) {
    const defaults = { desiredMinTxInterval: 100, requiredMinRxInterval: 100, detectMultiplier: 3 };
    this.a = new Session({ ...defaults, localDiscriminator: 0x0a, random: seededRandom(1), ...a });
    this.b = new Session({ ...defaults, localDiscriminator: 0x0b, random: seededRandom(2), ...b });
    if (start.a !== false) this.handle('a', this.a.start(0));
    if (start.b !== false) this.handle('b', this.b.start(0));
  }

  session(side: 'a' | 'b'): Session {
    return side === 'a' ? this.a : this.b;
  }

  /** Runs the clock to `until`, delivering packets and firing deadlines in time order. */
  run(until: number): void {
    this.now = runVirtual(this.now, until, this.queue, { a: () => this.a.deadline, b: () => this.b.deadline }, {
      deliver: (item, now) => {
        this.now = now;
        const session = this.session(item.to);
        if (item.echo) {
          this.handle(item.to, session.receiveEcho(now));
          return;
        }
        const decoded = controlPacket.decode(item.bytes as Uint8Array);
        if (!decoded.ok) throw new Error(`link carried a malformed packet: ${decoded.error.message}`);
        if (!receptionProblem(decoded.value)) this.handle(item.to, session.receive(decoded.value, now));
      },
      tick: (side, now) => {
        this.now = now;
        this.handle(side, this.session(side).tick(now));
      },
    });
  }

  /** Feeds actions returned by a direct call (adminDown, setTimers...) into the link. */
  handle(side: 'a' | 'b', actions: readonly SessionAction[]): void {
    const other = side === 'a' ? 'b' : 'a';
    for (const action of actions) {
      this.log.push({ at: this.now, side, action });
      if (action.type === 'send') {
        this.sent.push({ at: this.now, from: side, packet: action.packet });
        if (!this.cut[side]) this.queue.push({ at: this.now + this.delay, to: other, bytes: controlPacket.encode(action.packet) });
      } else if (action.type === 'send-echo' && !this.echoCut[side]) {
        this.queue.push({ at: this.now + 2 * this.delay, to: side, echo: true });
      }
    }
  }

  states(side: 'a' | 'b'): Array<{ at: number; to: string; cause: string; diagnostic: number }> {
    return this.log.flatMap((l) => (l.side === side && l.action.type === 'state' ? [{ at: l.at, to: l.action.to, cause: l.action.cause, diagnostic: l.action.diagnostic }] : []));
  }

  packetsFrom(side: 'a' | 'b', since = 0): Sent[] {
    return this.sent.filter((s) => s.from === side && s.at >= since);
  }
}
