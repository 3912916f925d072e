// "At most once per period, per member": for state transfers asked and served, and for telling a
// member it was declared dead. Keeps a member that misbehaves (or a burst of triggers) cheap.

export class Cooldowns {
  private readonly last = new Map<string, number>();

  constructor(private readonly periodMs: number) {}

  /** True, and remembered, when `key` was not allowed within the period before `now`. */
  allow(key: string, now: number): boolean {
    const previous = this.last.get(key);
    if (previous !== undefined && now < previous + this.periodMs) return false;
    this.last.set(key, now);
    return true;
  }

  forget(key: string): void {
    this.last.delete(key);
  }
}
