import { createRequire } from 'node:module';
import { type Layer2Counters } from '../counters.js';
import { formatIPv4, writeIPv4 } from '../ip.js';
import { parseMac } from '../mac.js';
import { type ArpTable } from '../responder.js';

/** The table as the addon takes it (see @lb/arp-fastpath's index.d.ts). */
export interface NativeArpTable {
  readonly mac: Uint8Array;
  /** -1: the interface sees its frames untagged. */
  readonly vlan: number;
  /** IPv4 addresses, 4 bytes each. */
  readonly addresses: Uint8Array;
}

/** What the addon counted since the last call: answers per address, failed sends. */
export interface NativeCounts {
  readonly answered: ReadonlyArray<{ readonly address: number; readonly requests: number; readonly responses: number }>;
  readonly sendErrors: number;
}

export interface FastPathStatus {
  /** Requests the readers answered on this interface since it was opened (counted at the last collect). */
  readonly answered: number;
  /** Reader threads: one per CPU, each pinned to it, unless `perCpu` is false. */
  readonly readers: number;
  /** SCHED_FIFO priority the readers run at; 0 for the default scheduler. */
  readonly realtimePriority: number;
  /** Why the realtime priority asked for was refused (e.g. "Operation not permitted" without CAP_SYS_NICE). */
  readonly realtimeError?: string;
  /** Unanswered frames dropped because 4096 were already waiting for the responder. */
  readonly handoffDropped: number;
}

/** An interface the addon has open. */
export type FastPathHandle = { readonly __brand: 'arp-fastpath' };

/** The part of @lb/arp-fastpath used here, declared locally so that it stays an optional dependency. */
export interface FastPathAddon {
  open(iface: string, onEvent: (frame: Buffer | null, error?: { message: string; fatal: boolean }) => void, options?: ArpFastPathOptions): FastPathHandle;
  setTable(handle: FastPathHandle, table: NativeArpTable): NativeCounts;
  takeCounts(handle: FastPathHandle): NativeCounts;
  send(handle: FastPathHandle, frame: Uint8Array): void;
  status(handle: FastPathHandle): Omit<FastPathStatus, 'answered'> & { readonly open: boolean; readonly ifindex: number };
  close(handle: FastPathHandle): void;
  decide(table: NativeArpTable, frame: Uint8Array): Buffer | null;
}

export interface ArpFastPathOptions {
  /**
   * SCHED_FIFO priority of the reader threads, 1..99, or 0 for the default scheduler. Default 1:
   * above every ordinary task, so a request is answered as soon as it is read, as the kernel's own
   * ARP (answered in softirq) is. Needs CAP_SYS_NICE; without it the readers run at normal priority
   * and `realtimeError` says why.
   */
  readonly realtimePriority?: number;
  /** One reader per CPU, pinned, in a PACKET_FANOUT_CPU group (default), or a single reader. */
  readonly perCpu?: boolean;
}

export const DEFAULT_FAST_PATH_OPTIONS: Required<ArpFastPathOptions> = Object.freeze({ realtimePriority: 1, perCpu: true });

let loaded: { addon: FastPathAddon } | { error: string } | undefined;

/**
 * The addon, or why it is unavailable (not installed, not built, not Linux). Loaded on first use,
 * so that importing this package never loads a native module.
 */
export function loadFastPathAddon(): { addon: FastPathAddon } | { error: string } {
  if (!loaded) {
    try {
      loaded = { addon: createRequire(import.meta.url)('@lb/arp-fastpath') as FastPathAddon };
    } catch (error) {
      loaded = { error: error instanceof Error ? (error.message.split('\n')[0] ?? error.message) : String(error) };
    }
  }
  return loaded;
}

/** The responder's table in the addon's form. */
export function nativeArpTable(table: ArpTable): NativeArpTable {
  const addresses = new Uint8Array(table.addresses.length * 4);
  table.addresses.forEach((ip, i) => writeIPv4(ip, addresses, i * 4));
  return { mac: parseMac(table.mac), vlan: table.vlan ?? -1, addresses };
}

export interface FastPathHandlers {
  /** An ARP frame the fast path did not answer, for the responder to decide and count. */
  readonly onFrame: (frame: Buffer) => void;
  /** A read error; `fatal` when the readers stopped (the interface is gone). */
  readonly onError: (message: string, fatal: boolean) => void;
  /** Where the fast path's per-address counts go. */
  readonly counters: Layer2Counters;
}

/**
 * The native ARP fast path on one interface: reader threads answer requests for the installed
 * table without waking Node and hand every other ARP frame to `onFrame`.
 */
export class ArpFastPath {
  private readonly handle: FastPathHandle;
  /** The table last installed: compared, not turned into a key string (10,000 addresses). */
  private installed: ArpTable | undefined;
  private sendErrors = 0;
  private answered = 0;
  private closed = false;

  constructor(
    private readonly addon: FastPathAddon,
    readonly iface: string,
    private readonly handlers: FastPathHandlers,
    options: ArpFastPathOptions = {},
  ) {
    this.handle = addon.open(
      iface,
      (frame, error) => {
        // Called from the addon's thread-safe function: an exception here would end the process.
        try {
          if (this.closed) return;
          if (frame) handlers.onFrame(frame);
          else if (error) handlers.onError(String(error.message), error.fatal === true);
        } catch (thrown) {
          try {
            handlers.onError(`handling a fast path event on ${iface}: ${thrown instanceof Error ? thrown.message : String(thrown)}`, false);
          } catch {
            // The error handler failed as well: drop the event.
          }
        }
      },
      { ...DEFAULT_FAST_PATH_OPTIONS, ...options },
    );
  }

  /** Installs the responder's table for this interface; unchanged tables are not pushed again. */
  install(table: ArpTable): void {
    if (this.installed && sameTable(this.installed, table)) return;
    this.record(this.addon.setTable(this.handle, nativeArpTable(table)));
    this.installed = { ...table, addresses: [...table.addresses] };
  }

  /** Moves what the readers answered into the counters; returns the replies they failed to send since the last call. */
  collect(): number {
    if (!this.closed) this.record(this.addon.takeCounts(this.handle));
    const errors = this.sendErrors;
    this.sendErrors = 0;
    return errors;
  }

  send(frame: Uint8Array): void {
    this.addon.send(this.handle, frame);
  }

  status(): FastPathStatus {
    const { readers, realtimePriority, realtimeError, handoffDropped } = this.addon.status(this.handle);
    const status = { answered: this.answered, readers, realtimePriority, handoffDropped };
    return realtimeError === undefined ? status : { ...status, realtimeError };
  }

  close(): void {
    if (this.closed) return;
    this.record(this.addon.takeCounts(this.handle));
    this.closed = true;
    this.addon.close(this.handle);
  }

  private record(counts: NativeCounts): void {
    for (const { address, requests, responses } of counts.answered) {
      const bytes = Uint8Array.of(address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff);
      this.handlers.counters.recordAnswered(formatIPv4(bytes, 0), requests, responses);
      this.answered += requests;
    }
    this.sendErrors += counts.sendErrors;
  }
}

function sameTable(a: ArpTable, b: ArpTable): boolean {
  if (a.mac !== b.mac || (a.vlan ?? -1) !== (b.vlan ?? -1) || a.addresses.length !== b.addresses.length) return false;
  for (let i = 0; i < a.addresses.length; i++) if (a.addresses[i] !== b.addresses[i]) return false;
  return true;
}
