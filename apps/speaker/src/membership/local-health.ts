// Lifeguard's local health awareness: a member whose own timers run late, or who had to refute its
// own death, is likely the slow one; it stretches its suspicion timeouts instead of accusing others.
import { type Timing } from './timing.js';

export class LocalHealth {
  private score = 0;
  private changedAt = 0;

  constructor(private readonly timing: Timing) {}

  /** Something showed this member to be slow (a stall, a refutation). */
  worsen(now: number): void {
    this.score = Math.min(this.timing.healthMaxScore, this.score + 1);
    this.changedAt = now;
  }

  /** Forgives one point per recovery period without trouble. */
  recover(now: number): void {
    // Compared as a sum, as nextRecovery() computes it: a difference can round below the period.
    while (this.score > 0 && now >= this.changedAt + this.timing.healthRecoveryMs) {
      this.score -= 1;
      this.changedAt += this.timing.healthRecoveryMs;
    }
  }

  /** When the next point is forgiven, if any is held. */
  nextRecovery(): number | undefined {
    return this.score > 0 ? this.changedAt + this.timing.healthRecoveryMs : undefined;
  }

  /** Multiplier on suspicion and probe timeouts. */
  get factor(): number {
    return 1 + this.score / this.timing.healthScale;
  }

  get value(): number {
    return this.score;
  }
}
