import { formatIp, writeIPv4, writeIPv6 } from '@lb/ip';
import { type CountersSnapshot } from '../counters.js';
import { type InterfaceStatus } from './announcer.js';
import { type ArpFastPathOptions } from './fastpath.js';

/** Messages between `startLayer2` and its worker process, over the Node IPC channel. */

export interface WorkerSettings {
  readonly exclude?: { readonly source: string; readonly flags: string };
  readonly scanIntervalMs?: number;
  readonly announceSchedule?: readonly number[];
  readonly arpFastPath?: ArpFastPathOptions | false;
  readonly reportIntervalMs: number;
}

export interface AnnouncementState {
  readonly ip: string;
  readonly interfaces: readonly string[];
}

/**
 * Addresses as their bytes end to end, 4 for IPv4 and 16 for IPv6, each preceded by its length
 * octet: 10,000 addresses are one 50 kB buffer, not 10,000 strings (or messages) to serialize,
 * parse and collect in both processes.
 */
export type PackedAddresses = Uint8Array;

/** Addresses announced on the same interfaces (none: every interface). */
export interface AnnouncementGroup {
  readonly interfaces: readonly string[];
  readonly addresses: PackedAddresses;
}

/**
 * One message per change set. An address appears at most once in a message, so the order of
 * withdrawals and announcements inside it does not matter.
 */
export interface ChangeSet {
  readonly announce: readonly AnnouncementGroup[];
  readonly withdraw: PackedAddresses;
}

export type ToWorker =
  | { readonly type: 'init'; readonly settings: WorkerSettings; readonly changes: ChangeSet }
  | { readonly type: 'changes'; readonly changes: ChangeSet }
  | { readonly type: 'scan' }
  | { readonly type: 'status'; readonly id: number };

/** What was counted since the previous report (Layer2Counters.takeChanges): the supervisor adds it up. */
export interface WorkerReport {
  readonly counters: CountersSnapshot;
  readonly sendErrors: Record<string, number>;
}

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'report'; readonly report: WorkerReport }
  | { readonly type: 'status'; readonly id: number; readonly report: WorkerReport; readonly interfaces: readonly InterfaceStatus[] }
  | { readonly type: 'error'; readonly message: string }
  | { readonly type: 'info'; readonly message: string };

/** Canonical address texts → PackedAddresses; throws on a text that is not an address (callers check first). */
export function packAddresses(ips: readonly string[]): PackedAddresses {
  let length = 0;
  for (const ip of ips) length += ip.includes(':') ? 17 : 5;
  const out = new Uint8Array(length);
  let at = 0;
  for (const ip of ips) {
    const v6 = ip.includes(':');
    out[at] = v6 ? 16 : 4;
    if (!(v6 ? writeIPv6(ip, out, at + 1) : writeIPv4(ip, out, at + 1))) throw new TypeError(`"${ip}" is not an IP address`);
    at += v6 ? 17 : 5;
  }
  return out;
}

/** PackedAddresses → canonical texts; a truncated or odd entry ends the list (it came from packAddresses). */
export function unpackAddresses(packed: PackedAddresses): string[] {
  const out: string[] = [];
  for (let at = 0; at < packed.length; ) {
    const size = packed[at] as number;
    if ((size !== 4 && size !== 16) || at + 1 + size > packed.length) break;
    out.push(formatIp(packed.subarray(at + 1, at + 1 + size)));
    at += 1 + size;
  }
  return out;
}
