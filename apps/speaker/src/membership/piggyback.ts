// Updates riding on heartbeats: each new belief about a member goes out on the next few heartbeats,
// so that whoever missed the fan-out hears it from a ring neighbour within an interval or two.
import { type Update } from './messages.js';
import { updateEncodingLength } from './codec.js';

export class Piggyback {
  /** Member → heartbeats its current belief still rides on. */
  private readonly rounds = new Map<string, number>();

  constructor(private readonly roundsPerUpdate: number) {}

  get size(): number {
    return this.rounds.size;
  }

  add(member: string): void {
    this.rounds.set(member, this.roundsPerUpdate);
  }

  forget(member: string): void {
    this.rounds.delete(member);
  }

  /**
   * As many current updates as fit in `room` bytes (the belief is read now, not when it was added,
   * so a member's latest state is what rides); each use counts as one round.
   */
  take(room: number, current: (member: string) => Update | undefined): Update[] {
    const updates: Update[] = [];
    for (const [member, left] of this.rounds) {
      const update = current(member);
      if (!update) {
        this.rounds.delete(member);
        continue;
      }
      room -= updateEncodingLength(update);
      if (room < 0 || updates.length === 255) break;
      updates.push(update);
      if (left <= 1) this.rounds.delete(member);
      else this.rounds.set(member, left - 1);
    }
    return updates;
  }
}
