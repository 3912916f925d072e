import { formatIPv4, formatIPv6 } from '@lb/ip';
import { type PcapRecord } from './pcap-file.js';

/**
 * What an ARP or NDP frame says. Questions: `request` (who has `address`), `probe` (ARP from
 * 0.0.0.0), `solicit` (NS), `dad` (NS from ::). Answers: `reply`, `gratuitous` (ARP whose sender
 * and target address are the same, request or reply), `advert` (solicited NA) and
 * `unsolicited-advert` (NA without the S flag).
 */
export type NeighborFrameKind = 'request' | 'probe' | 'reply' | 'gratuitous' | 'solicit' | 'dad' | 'advert' | 'unsolicited-advert';

export interface NeighborFrame {
  readonly timeNs: bigint;
  readonly kind: NeighborFrameKind;
  /** The address asked for (questions) or announced (answers). */
  readonly address: string;
  /** The link-layer address the frame claims for `address` (answers) or for its sender (questions), lower case; '' when it carries none. */
  readonly mac: string;
  readonly ethSource: string;
  readonly ethDestination: string;
  /** The sender's protocol address (ARP sender, IPv6 source). */
  readonly sender: string;
}

/** The frames kinds that claim an address for a MAC. */
export const answerKinds: ReadonlySet<NeighborFrameKind> = new Set(['reply', 'gratuitous', 'advert', 'unsolicited-advert']);

const macAt = (f: Uint8Array, at: number): string => Array.from(f.subarray(at, at + 6), (b) => b.toString(16).padStart(2, '0')).join(':');

/**
 * Reads one Ethernet frame (802.1Q tags skipped). Anything that is not ARP for IPv4 over Ethernet or
 * an NS/NA is undefined, never an error: captures hold other traffic too.
 */
export function parseNeighborFrame(frame: Uint8Array, timeNs = 0n): NeighborFrame | undefined {
  if (frame.length < 14) return undefined;
  let at = 12;
  let type = (frame[at]! << 8) | frame[at + 1]!;
  while ((type === 0x8100 || type === 0x88a8) && frame.length >= at + 6) {
    at += 4;
    type = (frame[at]! << 8) | frame[at + 1]!;
  }
  at += 2;
  const base = { timeNs, ethDestination: macAt(frame, 0), ethSource: macAt(frame, 6) };
  if (type === 0x0806) return parseArp(frame, at, base);
  if (type === 0x86dd) return parseNdp(frame, at, base);
  return undefined;
}

type Base = Pick<NeighborFrame, 'timeNs' | 'ethDestination' | 'ethSource'>;

function parseArp(f: Uint8Array, at: number, base: Base): NeighborFrame | undefined {
  if (f.length < at + 28) return undefined;
  const htype = (f[at]! << 8) | f[at + 1]!;
  const ptype = (f[at + 2]! << 8) | f[at + 3]!;
  if (htype !== 1 || ptype !== 0x0800 || f[at + 4] !== 6 || f[at + 5] !== 4) return undefined;
  const op = (f[at + 6]! << 8) | f[at + 7]!;
  const mac = macAt(f, at + 8);
  const sender = formatIPv4(f, at + 14);
  const target = formatIPv4(f, at + 24);
  if (op === 1) {
    if (sender === target) return { ...base, kind: 'gratuitous', address: sender, mac, sender };
    return { ...base, kind: sender === '0.0.0.0' ? 'probe' : 'request', address: target, mac, sender };
  }
  if (op === 2) return { ...base, kind: sender === target ? 'gratuitous' : 'reply', address: sender, mac, sender };
  return undefined;
}

function parseNdp(f: Uint8Array, at: number, base: Base): NeighborFrame | undefined {
  const icmp = at + 40;
  if (f.length < icmp + 24 || f[at + 6] !== 58) return undefined;
  const type = f[icmp]!;
  if (type !== 135 && type !== 136) return undefined;
  const sender = formatIPv6(f, at + 8);
  const address = formatIPv6(f, icmp + 8);
  // The source (NS) or target (NA) link-layer address option, when present.
  const wanted = type === 135 ? 1 : 2;
  let option = '';
  for (let o = icmp + 24; o + 8 <= f.length; ) {
    const length = f[o + 1]! * 8;
    if (length === 0) break;
    if (f[o] === wanted && o + 8 <= f.length) option = macAt(f, o + 2);
    o += length;
  }
  if (type === 135) return { ...base, kind: sender === '::' ? 'dad' : 'solicit', address, mac: option, sender };
  const solicited = (f[icmp + 4]! & 0x40) !== 0;
  return { ...base, kind: solicited ? 'advert' : 'unsolicited-advert', address, mac: option || base.ethSource, sender };
}

/** Every ARP/NDP frame of a capture, in capture order. */
export function neighborFrames(records: readonly PcapRecord[]): NeighborFrame[] {
  return records.flatMap((r) => parseNeighborFrame(r.frame, r.timeNs) ?? []);
}

/** One MAC that answered for an address: when first and last, and how many times. */
export interface Answerer {
  readonly mac: string;
  readonly firstNs: bigint;
  readonly lastNs: bigint;
  readonly count: number;
}

/** Per address, the MACs that answered for it (replies, gratuitous ARP, NAs), in order of first answer. */
export function answersByAddress(frames: readonly NeighborFrame[]): Map<string, Answerer[]> {
  const out = new Map<string, Answerer[]>();
  for (const f of frames) {
    if (!answerKinds.has(f.kind)) continue;
    const list = out.get(f.address) ?? [];
    const i = list.findIndex((a) => a.mac === f.mac);
    const old = list[i];
    if (old) list[i] = { mac: old.mac, firstNs: old.firstNs, lastNs: f.timeNs, count: old.count + 1 };
    else list.push({ mac: f.mac, firstNs: f.timeNs, lastNs: f.timeNs, count: 1 });
    out.set(f.address, list);
  }
  return out;
}

/** The answers for `address` at the moments the answering MAC changed (the first answer included). */
export function ownerChanges(frames: readonly NeighborFrame[], address: string): Array<{ mac: string; timeNs: bigint }> {
  const changes: Array<{ mac: string; timeNs: bigint }> = [];
  for (const f of frames) {
    if (f.address !== address || !answerKinds.has(f.kind)) continue;
    if (changes[changes.length - 1]?.mac !== f.mac) changes.push({ mac: f.mac, timeNs: f.timeNs });
  }
  return changes;
}
