// Anti-entropy trigger: a monitor's heartbeats carry a digest of its live view. A difference that
// lasts (news still spreading is not one) means the views diverged: time for a state transfer.

export class DigestWatch {
  private readonly since = new Map<string, number>();

  constructor(private readonly graceMs: number) {}

  /** True when `member`'s digest has differed from ours for the grace period (and starts over). */
  differs(member: string, theirs: number, ours: number, now: number): boolean {
    if (theirs === ours) {
      this.since.delete(member);
      return false;
    }
    const since = this.since.get(member);
    if (since === undefined) {
      this.since.set(member, now);
      return false;
    }
    if (now < since + this.graceMs) return false;
    this.since.delete(member);
    return true;
  }

  /** This process stalled: the time it did not run does not count. */
  shift(late: number): void {
    for (const [member, since] of this.since) this.since.set(member, since + late);
  }

  forget(member: string): void {
    this.since.delete(member);
  }
}
