// Replay protection for authenticated datagrams. Each sender numbers its datagrams within an epoch
// (its start time); a receiver accepts each (epoch, sequence) once, inside a sliding window of the
// last 64 sequences, and only when the sender's timestamp is within `maxSkewMs` of its own wall
// clock. The time window is what protects a receiver that restarted and so forgot every sequence
// it had seen: a capture older than the window is refused whatever its sequence. Clocks must
// therefore agree within maxSkewMs (NTP does far better), and a restarted sender's clock must not
// have gone back past its previous start, or its new epoch would look older than the one
// receivers remember.

export type ReplayVerdict =
  | 'fresh'
  /** This (epoch, sequence) was seen, or is older than the window. */
  | 'replayed'
  /** From an epoch before the one the sender is known to run: an old capture, or a clock gone back. */
  | 'old-epoch'
  /** The sender's timestamp is further from our wall clock than the skew allowed. */
  | 'stale-timestamp';

/** Sequences accepted out of order behind the highest one seen. */
export const REPLAY_WINDOW = 64;

interface SenderWindow {
  epoch: number;
  highest: number;
  /** Bit i of (high:low) set: sequence highest - i was seen. Two words, since JS bit operations are 32-bit. */
  low: number;
  high: number;
}

export class ReplayGuard {
  private readonly senders = new Map<string, SenderWindow>();

  constructor(private readonly maxSkewMs: number) {}

  /** Judges a datagram and, when fresh, remembers it. */
  check(sender: string, epoch: number, sequence: number, timestamp: number, wallNow: number): ReplayVerdict {
    if (Math.abs(wallNow - timestamp) > this.maxSkewMs) return 'stale-timestamp';
    const state = this.senders.get(sender);
    if (state && epoch < state.epoch) return 'old-epoch';
    if (!state || epoch > state.epoch) {
      this.senders.set(sender, { epoch, highest: sequence, low: 1, high: 0 });
      return 'fresh';
    }
    if (sequence > state.highest) {
      shift(state, sequence - state.highest);
      state.highest = sequence;
      state.low |= 1;
      return 'fresh';
    }
    const behind = state.highest - sequence;
    if (behind >= REPLAY_WINDOW) return 'replayed';
    const bit = behind < 32 ? 1 << behind : 1 << (behind - 32);
    const word = behind < 32 ? state.low : state.high;
    if ((word & bit) !== 0) return 'replayed';
    if (behind < 32) state.low |= bit;
    else state.high |= bit;
    return 'fresh';
  }

  forget(sender: string): void {
    this.senders.delete(sender);
  }
}

function shift(state: SenderWindow, by: number): void {
  if (by >= 64) {
    state.low = 0;
    state.high = 0;
  } else if (by >= 32) {
    state.high = by === 32 ? state.low : state.low << (by - 32);
    state.low = 0;
  } else {
    state.high = (state.high << by) | (state.low >>> (32 - by));
    state.low = state.low << by;
  }
}
