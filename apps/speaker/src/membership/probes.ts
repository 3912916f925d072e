// Book-keeping of probes: the ones this member runs against suspects, and the pings it sends on
// others' behalf as a helper. Decisions stay in the membership; this only keeps and times them.

export interface Probe {
  readonly id: number;
  readonly target: string;
  /** The suspect's epoch and incarnation when the probe started: a later belief voids the probe. */
  readonly epoch: number;
  readonly incarnation: number;
  retryAt: number;
  deadline: number;
  retried: boolean;
  /** Helpers asked, and how many answered "no contact". */
  readonly helpers: number;
  noContact: number;
}

/** A ping sent on another member's behalf. */
export interface HelperPing {
  readonly requester: string;
  readonly requesterProbe: number;
  readonly target: string;
  deadline: number;
}

export class ProbeBook {
  private readonly probes = new Map<number, Probe>();
  private readonly byTarget = new Map<string, Probe>();
  private readonly helping = new Map<number, HelperPing>();
  private nextId = 1;

  /** Ids are shared by probes and helper pings, so that an ack finds which one it answers. */
  takeId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return id;
  }

  add(probe: Probe): void {
    this.probes.set(probe.id, probe);
    this.byTarget.set(probe.target, probe);
  }

  of(target: string): Probe | undefined {
    return this.byTarget.get(target);
  }

  get(id: number): Probe | undefined {
    return this.probes.get(id);
  }

  cancel(target: string): boolean {
    const probe = this.byTarget.get(target);
    if (!probe) return false;
    this.probes.delete(probe.id);
    this.byTarget.delete(target);
    return true;
  }

  running(): Probe[] {
    return this.probes.size === 0 ? [] : [...this.probes.values()];
  }

  help(id: number, ping: HelperPing): void {
    this.helping.set(id, ping);
  }

  /** The helper ping an ack with this id answers, removed. */
  takeHelp(id: number, from: string): HelperPing | undefined {
    const ping = this.helping.get(id);
    if (!ping || ping.target !== from) return undefined;
    this.helping.delete(id);
    return ping;
  }

  /** Helper pings past their deadline, removed. */
  expiredHelp(now: number): HelperPing[] {
    if (this.helping.size === 0) return [];
    const out: HelperPing[] = [];
    for (const [id, ping] of this.helping) {
      if (now < ping.deadline) continue;
      this.helping.delete(id);
      out.push(ping);
    }
    return out;
  }

  /** The earliest retry, conclusion or helper deadline. */
  nextDeadline(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const probe of this.probes.values()) next = Math.min(next, probe.retried ? probe.deadline : probe.retryAt);
    for (const ping of this.helping.values()) next = Math.min(next, ping.deadline);
    return next;
  }

  /** This process stalled: answers may be queued unread, so every deadline moves on by the stall. */
  shift(late: number): void {
    for (const probe of this.probes.values()) {
      probe.deadline += late;
      probe.retryAt += late;
    }
    for (const ping of this.helping.values()) ping.deadline += late;
  }
}
