import { Layer2Counters } from '../counters.js';
import { Responder, type AnnounceOptions, type ResponderError, type Transmit } from '../responder.js';
import { ETHERTYPE_ARP, ETHERTYPE_VLAN } from '../ethernet.js';
import { NDP_ONLY_FILTER, openCapture, type Capture, type CaptureOptions } from './capture.js';
import { eligibility, listLinks, type Eligibility, type LinkInfo } from './discovery.js';
import { ArpFastPath, loadFastPathAddon, type ArpFastPathOptions, type FastPathAddon, type FastPathStatus } from './fastpath.js';
import { SolicitedNodeGroups } from './multicast.js';

export interface AnnouncerOptions {
  /** Interface names never used (MetalLB's exclusion pattern), e.g. /^(cali|lxc|veth)/. */
  readonly exclude?: RegExp;
  /** How often interfaces are re-read; MetalLB uses 10 s. */
  readonly scanIntervalMs?: number;
  readonly announceSchedule?: readonly number[];
  /**
   * The native ARP fast path (@lb/arp-fastpath): on by default when the addon loads; `false` answers
   * ARP through libpcap in Node as well.
   */
  readonly arpFastPath?: ArpFastPathOptions | false;
  /** Problems that do not stop the announcer (an interface that would not open, a failed send). */
  readonly onError?: (message: string) => void;
  /** Which path answers ARP, said once when the announcer starts. */
  readonly onInfo?: (message: string) => void;
  /** Where interfaces come from; tests and the worker pass their own. */
  readonly listLinks?: () => LinkInfo[];
  readonly openCapture?: (iface: string, options: CaptureOptions) => Capture;
  /** Where the fast path addon comes from; tests pass their own. */
  readonly loadFastPathAddon?: () => { addon: FastPathAddon } | { error: string };
  readonly now?: () => number;
}

/** Accepted (nothing to add), or why the address was refused. */
export type AnnounceResult = { readonly ok: true; readonly value: undefined } | { readonly ok: false; readonly error: ResponderError };

export interface InterfaceStatus extends LinkInfo {
  readonly eligibility: Eligibility;
  readonly open: boolean;
  /** Solicited-node groups joined on this interface. */
  readonly groups: readonly string[];
  /** Who answers ARP here: the native fast path's threads, or the responder in Node through libpcap. */
  readonly arpPath?: 'fast-path' | 'libpcap';
  readonly fastPath?: FastPathStatus;
}

interface OpenInterface {
  readonly link: LinkInfo;
  readonly capture: Capture;
  readonly groups: SolicitedNodeGroups;
  readonly arp: boolean;
  /** Reads and answers ARP here when present; the capture then sees only NDP. */
  readonly fastPath?: ArpFastPath;
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
  private readonly fastPathAddon: FastPathAddon | undefined;
  /** Announcements' first frames, sent once per turn of the event loop after the tables are in. */
  private pendingSends: Transmit[] = [];
  private flushTimer: NodeJS.Immediate | undefined;
  /** The responder's tables changed since they were last given to the fast paths. */
  private tablesDirty = true;

  constructor(private readonly options: AnnouncerOptions = {}) {
    this.counters = new Layer2Counters();
    this.responder = new Responder({ counters: this.counters, ...(options.announceSchedule ? { announceSchedule: options.announceSchedule } : {}) });
    this.onError = options.onError ?? ((message) => console.error(`@lb/arp: ${message}`));
    this.now = options.now ?? (() => performance.timeOrigin + performance.now());
    const info = options.onInfo ?? (() => undefined);
    if (options.arpFastPath === false) {
      info('ARP is answered through libpcap in Node (the native fast path is turned off)');
    } else {
      const loaded = (options.loadFastPathAddon ?? loadFastPathAddon)();
      if ('addon' in loaded) {
        this.fastPathAddon = loaded.addon;
        info('ARP is answered by the native fast path (@lb/arp-fastpath), without waking Node');
      } else {
        this.onError(`the native ARP fast path is unavailable (${loaded.error}); ARP is answered through libpcap in Node`);
      }
    }
  }

  /** Scans interfaces now and then every `scanIntervalMs`. */
  start(): this {
    this.scan();
    this.scanTimer = setInterval(() => this.scan(), this.options.scanIntervalMs ?? 10_000);
    this.scanTimer.unref();
    return this;
  }

  /**
   * Starts answering and announcing `ip`. Changes are applied once per turn of the event loop: a
   * burst of a thousand announcements installs each fast path table once, not a thousand times.
   */
  announce(ip: string, options: AnnounceOptions = {}): AnnounceResult {
    const due = this.responder.announce(ip, options, this.now());
    if (!due.ok) return due;
    this.pendingSends.push(...due.value);
    this.changed();
    return { ok: true, value: undefined };
  }

  withdraw(ip: string): void {
    this.responder.withdraw(ip);
    this.changed();
  }

  private changed(): void {
    this.tablesDirty = true;
    if (this.flushTimer || this.closed) return;
    this.flushTimer = setImmediate(() => {
      this.flushTimer = undefined;
      // Answer before announcing: a client that hears the announcement may ask at once.
      this.installTables();
      const sends = this.pendingSends;
      this.pendingSends = [];
      this.sendAll(sends);
      this.afterChange();
    });
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
    return this.lastLinks.map((link) => {
      const current = this.open.get(link.name);
      const base = { ...link, eligibility: eligibility(link, this.options.exclude), open: current !== undefined, groups: current?.groups.groups() ?? [] };
      if (!current?.arp) return base;
      return current.fastPath ? { ...base, arpPath: 'fast-path', fastPath: current.fastPath.status() } : { ...base, arpPath: 'libpcap' };
    });
  }

  /**
   * Moves what the fast path answered into `counters` (requestsReceived, responsesSent) and its
   * failed sends into `sendErrors`. Call before reading either; the worker does at every report.
   */
  collectFastPathCounts(): void {
    for (const [name, current] of this.open) {
      const errors = current.fastPath?.collect() ?? 0;
      if (errors > 0) this.sendErrors.set(name, (this.sendErrors.get(name) ?? 0) + errors);
    }
  }

  close(): void {
    this.closed = true;
    clearImmediate(this.flushTimer);
    clearInterval(this.scanTimer);
    clearTimeout(this.scheduleTimer);
    for (const name of [...this.open.keys()]) this.closeInterface(name);
  }

  private openInterface(link: LinkInfo, usable: Eligibility): void {
    const name = link.name;
    const fastPath = usable.arp ? this.openFastPath(name) : undefined;
    let capture: Capture;
    try {
      const onFrame = (buffer: Buffer, length: number): void => this.onFrame(name, buffer, length);
      const onError = this.onError;
      capture = (this.options.openCapture ?? openCapture)(name, fastPath ? { onFrame, onError, filter: NDP_ONLY_FILTER } : { onFrame, onError });
    } catch (error) {
      fastPath?.close();
      this.onError(`opening ${name}: ${(error as Error).message} (retried at the next scan)`);
      return;
    }
    const groups = new SolicitedNodeGroups(name, this.onError);
    this.open.set(name, fastPath ? { link, capture, groups, arp: usable.arp, fastPath } : { link, capture, groups, arp: usable.arp });
    const config = { name, mac: link.mac, arp: usable.arp, ndp: usable.ndp };
    const due = this.responder.setInterface(config, this.now());
    if (!due.ok) {
      this.onError(`${due.error.message} (interface not used)`);
      this.closeInterface(name);
      return;
    }
    this.tablesDirty = true;
    this.installTables();
    this.sendAll(due.value);
  }

  private openFastPath(name: string): ArpFastPath | undefined {
    if (!this.fastPathAddon || this.options.arpFastPath === false) return undefined;
    try {
      return new ArpFastPath(
        this.fastPathAddon,
        name,
        {
          counters: this.counters,
          onFrame: (frame) => this.onFrame(name, frame, frame.length),
          onError: (message, fatal) => {
            this.onError(`ARP fast path on ${name}: ${message}${fatal ? ' (closed; reopened at the next scan if the interface is back)' : ''}`);
            // Its readers stopped: close the interface so that the next scan opens it afresh.
            if (fatal) this.closeInterface(name);
          },
        },
        this.options.arpFastPath ?? {},
      );
    } catch (error) {
      this.onError(`the ARP fast path did not open on ${name} (${(error as Error).message}); ARP there is answered through libpcap in Node`);
      return undefined;
    }
  }

  private closeInterface(name: string): void {
    const current = this.open.get(name);
    if (!current) return;
    this.open.delete(name);
    this.responder.removeInterface(name);
    this.tablesDirty = true;
    current.groups.close();
    try {
      current.capture.close();
    } catch (error) {
      this.onError(`closing ${name}: ${(error as Error).message}`);
    }
    if (current.fastPath) {
      const errors = current.fastPath.collect();
      if (errors > 0) this.sendErrors.set(name, (this.sendErrors.get(name) ?? 0) + errors);
      current.fastPath.close();
    }
  }

  /** Gives every fast path the responder's current table for its interface (a no-op when unchanged). */
  private installTables(): void {
    if (!this.tablesDirty) return;
    this.tablesDirty = false;
    for (const [name, current] of this.open) {
      const table = current.fastPath && this.responder.arpTable(name);
      if (!table) continue;
      try {
        current.fastPath!.install(table);
      } catch (error) {
        this.onError(`installing the ARP table on ${name}: ${(error as Error).message}`);
      }
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
      // ARP leaves through the fast path's socket: the kernel keeps a socket's own frames from it,
      // so neither reader sees what this node sent, as with a single libpcap handle.
      if (target.fastPath && isArp(transmit.frame)) target.fastPath.send(transmit.frame);
      else target.capture.send(transmit.frame);
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
    this.installTables();
    this.rearmSchedule();
    for (const [name, current] of this.open) {
      const v6 = this.responder.announcedOn(name).filter((ip) => ip.includes(':'));
      current.groups.reconcile(v6).catch((error: unknown) => this.onError(`multicast on ${name}: ${(error as Error).message}`));
    }
  }

  /** The announcement schedule's next slot; sending it changes no announcement, so nothing else is redone. */
  private rearmSchedule(): void {
    clearTimeout(this.scheduleTimer);
    const due = this.responder.nextTimeout();
    if (due === undefined) return;
    this.scheduleTimer = setTimeout(() => {
      this.sendAll(this.responder.poll(this.now()));
      this.rearmSchedule();
    }, Math.max(0, due - this.now()));
  }
}

function isArp(frame: Uint8Array): boolean {
  const type = ((frame[12] ?? 0) << 8) | (frame[13] ?? 0);
  return type === ETHERTYPE_ARP || (type === ETHERTYPE_VLAN && (((frame[16] ?? 0) << 8) | (frame[17] ?? 0)) === ETHERTYPE_ARP);
}

function sameUse(a: LinkInfo, b: LinkInfo, exclude: RegExp | undefined): boolean {
  const x = eligibility(a, exclude);
  const y = eligibility(b, exclude);
  return x.arp === y.arp && x.ndp === y.ndp && a.linkLocal === b.linkLocal;
}
