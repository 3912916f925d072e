// The simulated LAN between speakers: what happens to one datagram. Loss and delay are drawn per
// datagram; partitions cut membership traffic between chosen members (the LAN and the API are not
// modelled: only the membership's own datagrams travel here).
import { type Random } from '../random.js';

export interface NetworkOptions {
  /** One-way delay of every datagram (ms). */
  readonly delayMs: number;
  /** Extra delay drawn uniformly from [0, jitterMs). */
  readonly jitterMs: number;
  /** Probability that a datagram is lost. */
  readonly loss: number;
}

export const LAN: NetworkOptions = { delayMs: 0.2, jitterMs: 0.3, loss: 0 };

export class SimulatedNetwork {
  private readonly cut = new Set<string>();
  private readonly isolated = new Set<string>();
  options: NetworkOptions;

  constructor(options: NetworkOptions, private readonly random: Random) {
    this.options = options;
  }

  /** Milliseconds until `to` receives a datagram from `from`, or undefined when it is lost. */
  fate(from: string, to: string): number | undefined {
    if (this.isolated.has(from) || this.isolated.has(to) || this.cut.has(pair(from, to))) return undefined;
    if (this.options.loss > 0 && this.random() < this.options.loss) return undefined;
    return this.options.delayMs + this.random() * this.options.jitterMs;
  }

  /** Drops every datagram between `a` and `b`, both ways. */
  cutBetween(a: string, b: string): void {
    this.cut.add(pair(a, b));
  }

  /** Drops every datagram to and from `member`. */
  isolate(member: string): void {
    this.isolated.add(member);
  }

  heal(): void {
    this.cut.clear();
    this.isolated.clear();
  }
}

function pair(a: string, b: string): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
