import { Layer2Counters } from '../counters.js';
import { Responder, type AnnounceOptions, type Transmit } from '../responder.js';
import { openCapture, type Capture, type CaptureOptions } from './capture.js';
import { eligibility, listLinks, type Eligibility, type LinkInfo } from './discovery.js';
import { SolicitedNodeGroups } from './multicast.js';

export interface AnnouncerOptions {
  /** Interface names never used (MetalLB's exclusion pattern), e.g. /^(cali|lxc|veth)/. */
  readonly exclude?: RegExp;
  /** How often interfaces are re-read; MetalLB uses 10 s. */
  readonly scanIntervalMs?: number;
  readonly announceSchedule?: readonly number[];
  /** Problems that do not stop the announcer (an interface that would not open, a failed send). */
  readonly onError?: (message: string) => void;
  /** Where interfaces come from; tests and the worker pass their own. */
  readonly listLinks?: () => LinkInfo[];
  readonly openCapture?: (iface: string, options: CaptureOptions) => Capture;
  readonly now?: () => number;
}

export interface InterfaceStatus extends LinkInfo {
  readonly eligibility: Eligibility;
  readonly open: boolean;
  /** Solicited-node groups joined on this interface. */
  readonly groups: readonly string[];
}

interface OpenInterface {
  readonly link: LinkInfo;
  readonly capture: Capture;
  readonly groups: SolicitedNodeGroups;
}

/**
 * The responder wired to libpcap in this process: it discovers interfaces, opens a capture on
 * each eligible one, answers captured requests, sends the announcement schedule and keeps the
 * solicited-node groups joined. See `openCapture` on why it belongs in a process of its own.
 */
export class PcapAnnouncer {
  readonly counters: Layer2Counters;
  readonly sendErrors = new Map<string, number>();
  private readonly responder: Responder;
  private readonly open = new Map<string, OpenInterface>();
  private readonly onError: (message: string) => void;
  private readonly now: () => number;
  private scanTimer: NodeJS.Timeout | undefined;
  private scheduleTimer: NodeJS.Timeout | undefined;
  private lastLinks: LinkInfo[] = [];
  private closed = false;

  constructor(private readonly options: AnnouncerOptions = {}) {
    this.counters = new Layer2Counters();
    this.responder = new Responder({ counters: this.counters, ...(options.announceSchedule ? { announceSchedule: options.announceSchedule } : {}) });
    this.onError = options.onError ?? ((message) => console.error(`@lb/arp: ${message}`));
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
  }

  /** Scans interfaces now and then every `scanIntervalMs`. */
  start(): this {
    this.scan();
    this.scanTimer = setInterval(() => this.scan(), this.options.scanIntervalMs ?? 10_000);
    this.scanTimer.unref();
    return this;
  }

  announce(ip: string, options: AnnounceOptions = {}): void {
    this.sendAll(this.responder.announce(ip, options, this.now()));
    this.afterChange();
  }

  withdraw(ip: string): void {
    this.responder.withdraw(ip);
    this.afterChange();
  }

  announced(): string[] {
    return this.responder.announced();
  }

  /** Re-reads interfaces: opens captures on new eligible ones, closes them on ones gone or changed. */
  scan(): void {
    if (this.closed) return;
    let links: LinkInfo[];
    try {
      links = (this.options.listLinks ?? listLinks)();
    } catch (error) {
      this.onError(`listing interfaces: ${(error as Error).message}`);
      return;
    }
    this.lastLinks = links;
    const seen = new Set<string>();
    for (const link of links) {
      const usable = eligibility(link, this.options.exclude);
      if (!usable.arp && !usable.ndp) continue;
      seen.add(link.name);
      const current = this.open.get(link.name);
      if (current && current.link.mac === link.mac && current.link.index === link.index && sameUse(current.link, link, this.options.exclude)) continue;
      if (current) this.closeInterface(link.name);
      this.openInterface(link, usable);
    }
    for (const name of [...this.open.keys()]) if (!seen.has(name)) this.closeInterface(name);
    this.afterChange();
  }

  interfaces(): InterfaceStatus[] {
    return this.lastLinks.map((link) => ({
      ...link,
      eligibility: eligibility(link, this.options.exclude),
      open: this.open.has(link.name),
      groups: this.open.get(link.name)?.groups.groups() ?? [],
    }));
  }

  close(): void {
    this.closed = true;
    clearInterval(this.scanTimer);
    clearTimeout(this.scheduleTimer);
    for (const name of [...this.open.keys()]) this.closeInterface(name);
  }

  private openInterface(link: LinkInfo, usable: Eligibility): void {
    const name = link.name;
    let capture: Capture;
    try {
      capture = (this.options.openCapture ?? openCapture)(name, { onFrame: (buffer, length) => this.onFrame(name, buffer, length) });
    } catch (error) {
      this.onError(`opening ${name}: ${(error as Error).message} (retried at the next scan)`);
      return;
    }
    const groups = new SolicitedNodeGroups(name, this.onError);
    this.open.set(name, { link, capture, groups });
    const config = { name, mac: link.mac, arp: usable.arp, ndp: usable.ndp };
    this.sendAll(this.responder.setInterface(config, this.now()));
  }

  private closeInterface(name: string): void {
    const current = this.open.get(name);
    if (!current) return;
    this.open.delete(name);
    this.responder.removeInterface(name);
    current.groups.close();
    try {
      current.capture.close();
    } catch (error) {
      this.onError(`closing ${name}: ${(error as Error).message}`);
    }
  }

  /** Hot path. Never throws: an exception here would surface in cap's native callback. */
  private onFrame(name: string, buffer: Buffer, length: number): void {
    try {
      const outcome = this.responder.handleFrame(name, buffer, 0, length);
      if (outcome.kind === 'reply') this.send(outcome.transmit);
    } catch (error) {
      this.onError(`handling a frame on ${name}: ${(error as Error).message}`);
    }
  }

  private send(transmit: Transmit): void {
    const target = this.open.get(transmit.interface);
    if (!target) return;
    try {
      target.capture.send(transmit.frame);
      this.counters.recordSent(transmit);
    } catch (error) {
      this.sendErrors.set(transmit.interface, (this.sendErrors.get(transmit.interface) ?? 0) + 1);
      this.onError(`sending on ${transmit.interface}: ${(error as Error).message}`);
    }
  }

  private sendAll(transmits: readonly Transmit[]): void {
    for (const t of transmits) this.send(t);
  }

  /** Re-arms the schedule timer and brings multicast memberships in line with what is announced. */
  private afterChange(): void {
    if (this.closed) return;
    clearTimeout(this.scheduleTimer);
    const due = this.responder.nextTimeout();
    if (due !== undefined) {
      this.scheduleTimer = setTimeout(() => {
        this.sendAll(this.responder.poll(this.now()));
        this.afterChange();
      }, Math.max(0, due - this.now()));
    }
    for (const [name, current] of this.open) {
      const v6 = this.responder.announcedOn(name).filter((ip) => ip.includes(':'));
      current.groups.reconcile(v6).catch((error: unknown) => this.onError(`multicast on ${name}: ${(error as Error).message}`));
    }
  }
}

function sameUse(a: LinkInfo, b: LinkInfo, exclude: RegExp | undefined): boolean {
  const x = eligibility(a, exclude);
  const y = eligibility(b, exclude);
  return x.arp === y.arp && x.ndp === y.ndp && a.linkLocal === b.linkLocal;
}
