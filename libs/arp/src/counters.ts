import { type DropReason } from './drop-reasons.js';

/** The per-address figures MetalLB exports as metallb_layer2_{requests_received,responses_sent,gratuitous_sent}{ip}. */
export interface IpCounters {
  requestsReceived: number;
  responsesSent: number;
  gratuitousSent: number;
}

export interface CountersSnapshot {
  /** Frames not answered, by reason, over all interfaces. */
  readonly drops: Partial<Record<DropReason, number>>;
  readonly dropsByInterface: Record<string, Partial<Record<DropReason, number>>>;
  /** Keyed by canonical IP text; entries stay after a withdrawal, as Prometheus counters do. */
  readonly ips: Record<string, IpCounters>;
}

/**
 * Counters a speaker turns into metrics. Plain numbers, so this library needs no metrics client:
 * read `snapshot()` at scrape time, or `ip(addr)` for one label set.
 */
export class Layer2Counters {
  private readonly drops = new Map<DropReason, number>();
  private readonly dropsByInterface = new Map<string, Map<DropReason, number>>();
  private readonly perIp = new Map<string, IpCounters>();
  /** What was added since the last `takeChanges()`: only the addresses that moved, not all of them. */
  private changedDrops = new Map<string, Map<DropReason, number>>();
  private changedIps = new Map<string, IpCounters>();

  recordDrop(reason: DropReason, iface: string): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    let byReason = this.dropsByInterface.get(iface);
    if (!byReason) {
      byReason = new Map();
      this.dropsByInterface.set(iface, byReason);
    }
    byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
    let changed = this.changedDrops.get(iface);
    if (!changed) {
      changed = new Map();
      this.changedDrops.set(iface, changed);
    }
    changed.set(reason, (changed.get(reason) ?? 0) + 1);
  }

  recordRequest(ip: string): void {
    this.ip(ip).requestsReceived += 1;
    this.changed(ip).requestsReceived += 1;
  }

  /** Called by whoever put the frame on the wire, once it is there. */
  recordSent(sent: { readonly ip: string; readonly purpose: 'response' | 'gratuitous' }): void {
    const field = sent.purpose === 'response' ? 'responsesSent' : 'gratuitousSent';
    this.ip(sent.ip)[field] += 1;
    this.changed(sent.ip)[field] += 1;
  }

  /** Requests answered and replies sent elsewhere (the native ARP fast path), added in one go. */
  recordAnswered(ip: string, requests: number, responses: number): void {
    const total = this.ip(ip);
    const changed = this.changed(ip);
    total.requestsReceived += requests;
    total.responsesSent += responses;
    changed.requestsReceived += requests;
    changed.responsesSent += responses;
  }

  /** Live counters for one address (created at zero). */
  ip(ip: string): IpCounters {
    let counters = this.perIp.get(ip);
    if (!counters) {
      counters = { requestsReceived: 0, responsesSent: 0, gratuitousSent: 0 };
      this.perIp.set(ip, counters);
    }
    return counters;
  }

  /**
   * What was counted since the last call (or since construction), in the snapshot's form: addresses
   * and interfaces with nothing new are left out. For a process that ships its counters elsewhere
   * (the layer 2 worker): with 10,000 addresses, a report carries the few that moved.
   */
  takeChanges(): CountersSnapshot {
    const dropsByInterface: Record<string, Partial<Record<DropReason, number>>> = {};
    const drops: Partial<Record<DropReason, number>> = {};
    for (const [iface, byReason] of this.changedDrops) {
      dropsByInterface[iface] = Object.fromEntries(byReason);
      for (const [reason, count] of byReason) drops[reason] = (drops[reason] ?? 0) + count;
    }
    const ips = Object.fromEntries(this.changedIps);
    this.changedDrops = new Map();
    this.changedIps = new Map();
    return { drops, dropsByInterface, ips };
  }

  private changed(ip: string): IpCounters {
    let counters = this.changedIps.get(ip);
    if (!counters) {
      counters = { requestsReceived: 0, responsesSent: 0, gratuitousSent: 0 };
      this.changedIps.set(ip, counters);
    }
    return counters;
  }

  dropCount(reason: DropReason, iface?: string): number {
    if (iface === undefined) return this.drops.get(reason) ?? 0;
    return this.dropsByInterface.get(iface)?.get(reason) ?? 0;
  }

  snapshot(): CountersSnapshot {
    const dropsByInterface: Record<string, Partial<Record<DropReason, number>>> = {};
    for (const [iface, byReason] of this.dropsByInterface) dropsByInterface[iface] = Object.fromEntries(byReason);
    const ips: Record<string, IpCounters> = {};
    for (const [ip, counters] of this.perIp) ips[ip] = { ...counters };
    return { drops: Object.fromEntries(this.drops), dropsByInterface, ips };
  }
}
