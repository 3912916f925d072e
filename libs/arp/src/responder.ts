import { ARP_REQUEST } from './arp.js';
import { Layer2Counters } from './counters.js';
import { type DropReason } from './drop-reasons.js';
import { type DecodeError } from './errors.js';
import { type VlanTag } from './ethernet.js';
import { ethernetFrame, type ArpFrame, type Frame, type NdpFrame } from './frame.js';
import { type IpFamily } from '@lb/ip';
import { canonicalAddress, solicitedNodeAddress, solicitedNodeMac } from './ip.js';
import { BROADCAST_MAC, normalizeMac } from './mac.js';
import { arpReply, gratuitousArp, solicitedAdvertisement, unsolicitedAdvertisement, type Sender } from './messages.js';
import { DEFAULT_ANNOUNCE_SCHEDULE, scheduleProblems } from './schedule.js';

/** One interface the responder listens and answers on. */
export interface InterfaceConfig {
  readonly name: string;
  readonly mac: string;
  /** 802.1Q VLAN id of the frames this interface sees tagged; omit for an untagged interface. */
  readonly vlan?: number;
  /** Answer ARP here (MetalLB: BROADCAST set, NOARP clear). Default true. */
  readonly arp?: boolean;
  /** Answer NDP here (MetalLB: has an IPv6 link-local address). Default true. */
  readonly ndp?: boolean;
}

export interface AnnounceOptions {
  /** Interfaces to announce on (an L2Advertisement's `interfaces`); every interface when absent or empty. */
  readonly interfaces?: readonly string[];
}

/** A frame to put on the wire, with what the metrics need to know about it. */
export interface Transmit {
  readonly interface: string;
  readonly frame: Uint8Array;
  /** The announced address the frame is about: the `ip` label of MetalLB's layer2 metrics. */
  readonly ip: string;
  readonly purpose: 'response' | 'gratuitous';
}

/**
 * What an ARP fast path must answer on one interface, and nothing more: handleFrame answers an ARP
 * request there exactly when it is for one of `addresses` and passes the frame rules (see
 * README, "What is answered"), which depend only on `mac` and `vlan`.
 */
export interface ArpTable {
  readonly mac: string;
  readonly vlan?: number;
  /** Announced IPv4 addresses answered on this interface, sorted. */
  readonly addresses: readonly string[];
}

/** Why the responder refused an address or an interface it was given; nothing changed. */
export interface ResponderError {
  readonly kind: 'invalid-address' | 'invalid-interface';
  readonly message: string;
}

/** The frames due at once, or why the request was refused. */
export type TransmitResult = { readonly ok: true; readonly value: Transmit[] } | { readonly ok: false; readonly error: ResponderError };

const refuse = (kind: ResponderError['kind'], message: string): TransmitResult => ({ ok: false, error: { kind, message } });

export type FrameOutcome =
  | { readonly kind: 'reply'; readonly transmit: Transmit }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly error?: DecodeError };

export interface ResponderOptions {
  /** Offsets in ms from takeover at which gratuitous announcements go out; see DEFAULT_ANNOUNCE_SCHEDULE. */
  readonly announceSchedule?: readonly number[];
  /** Shared counters; a new set when absent. */
  readonly counters?: Layer2Counters;
}

interface InterfaceState {
  readonly config: InterfaceConfig;
  readonly sender: Sender;
  readonly arp: boolean;
  readonly ndp: boolean;
}

interface Announcement {
  readonly family: IpFamily;
  /** Worked out once, not per solicitation. */
  readonly solicitedNode?: { readonly address: string; readonly mac: string };
  /** null: every interface. */
  readonly interfaces: ReadonlySet<string> | null;
}

/** An address announced on one interface, and how far through the schedule its announcements are. */
interface ActivePair {
  readonly iface: string;
  readonly ip: string;
  readonly startedAt: number;
  /** Index of the next schedule slot; the schedule's length once all were sent. */
  next: number;
}

/**
 * ARP and NDP responder without I/O: frames and clock readings in, frames and drop reasons out.
 * The caller owns sockets and timers: it feeds every captured frame to `handleFrame`, sends what
 * comes back, and calls `poll(now)` when `nextTimeout()` says so to send the announcement schedule.
 */
export class Responder {
  readonly counters: Layer2Counters;
  private readonly schedule: readonly number[];
  private readonly interfaces = new Map<string, InterfaceState>();
  private readonly announcements = new Map<string, Announcement>();
  private readonly active = new Map<string, ActivePair>();

  constructor(options: ResponderOptions = {}) {
    this.schedule = options.announceSchedule ?? DEFAULT_ANNOUNCE_SCHEDULE;
    const problems = scheduleProblems(this.schedule);
    if (problems.length > 0) throw new RangeError(`invalid responder options:\n  - ${problems.join('\n  - ')}`);
    this.schedule = [...this.schedule];
    this.counters = options.counters ?? new Layer2Counters();
  }

  /**
   * Adds or updates an interface. An interface that is new, or whose MAC or VLAN changed, starts
   * the announcement schedule for every address announced on it; the frames due at once are returned.
   */
  setInterface(config: InterfaceConfig, now: number): TransmitResult {
    const problems = interfaceProblems(config);
    if (problems.length > 0) return refuse('invalid-interface', `invalid interface ${JSON.stringify(config.name)}:\n  - ${problems.join('\n  - ')}`);
    const mac = normalizeMac(config.mac);
    const vlan: VlanTag | undefined = config.vlan === undefined ? undefined : { id: config.vlan };
    const sender: Sender = vlan ? { mac, vlan } : { mac };
    const previous = this.interfaces.get(config.name);
    const state: InterfaceState = { config: { ...config, mac }, sender, arp: config.arp ?? true, ndp: config.ndp ?? true };
    this.interfaces.set(config.name, state);
    const changed = !previous || previous.sender.mac !== mac || previous.config.vlan !== config.vlan || previous.arp !== state.arp || previous.ndp !== state.ndp;
    if (!changed) return { ok: true, value: [] };
    this.deactivate((p) => p.iface === config.name);
    for (const [ip, announcement] of this.announcements) {
      if (this.announcesOn(announcement, state)) this.activate(config.name, ip, now);
    }
    return { ok: true, value: this.poll(now) };
  }

  removeInterface(name: string): void {
    this.interfaces.delete(name);
    this.deactivate((p) => p.iface === name);
  }

  interfaceNames(): string[] {
    return [...this.interfaces.keys()];
  }

  /**
   * Starts answering for `ip` and announcing it gratuitously on the schedule; returns its frames
   * due at once (other addresses' slots come from `poll`). Announcing an address again only
   * updates its interfaces: interfaces it gains start their schedule, interfaces it loses stop.
   * Services sharing an address are the caller's to merge.
   */
  announce(ip: string, options: AnnounceOptions, now: number): TransmitResult {
    const checked = checkAnnouncement(ip, options);
    if (!checked.ok) return checked;
    const { family, ip: canonical, interfaces: names } = checked.value;
    const interfaces = names.length === 0 ? null : new Set(names);
    const announcement: Announcement = family === 'IPv6' ? { family, interfaces, solicitedNode: solicitedNodeGroup(canonical) } : { family, interfaces };
    this.announcements.set(canonical, announcement);
    // Looked up per interface, not found by scanning every pair: with 10,000 addresses announced in
    // one go, a scan per call made the burst quadratic.
    const due: Transmit[] = [];
    for (const state of this.interfaces.values()) {
      const key = pairKey(state.config.name, canonical);
      const pair = this.active.get(key);
      if (!this.announcesOn(announcement, state)) {
        if (pair) this.active.delete(key);
      } else if (!pair) {
        this.activate(state.config.name, canonical, now);
        due.push(...this.pollPair(this.active.get(key) as ActivePair, state, now));
      }
    }
    return { ok: true, value: due };
  }

  /** Stops answering for `ip` and cancels its remaining announcements. Unknown addresses (and non-addresses) are ignored. */
  withdraw(ip: string): void {
    const address = canonicalAddress(ip);
    if (!address.ok) return;
    const canonical = address.value.ip;
    this.announcements.delete(canonical);
    for (const name of this.interfaces.keys()) this.active.delete(pairKey(name, canonical));
  }

  /** Addresses answered and announced on one interface (what its solicited-node groups must cover). */
  announcedOn(iface: string): string[] {
    const state = this.interfaces.get(iface);
    if (!state) return [];
    return [...this.announcements].filter(([, a]) => this.announcesOn(a, state)).map(([ip]) => ip);
  }

  announced(): string[] {
    return [...this.announcements.keys()];
  }

  /** The projection of this responder's state an ARP fast path answers from; undefined for an unknown interface. */
  arpTable(iface: string): ArpTable | undefined {
    const state = this.interfaces.get(iface);
    if (!state) return undefined;
    const addresses: string[] = [];
    for (const [ip, announcement] of this.announcements) if (announcement.family === 'IPv4' && this.announcesOn(announcement, state)) addresses.push(ip);
    addresses.sort();
    const { mac, vlan } = state.config;
    return vlan === undefined ? { mac, addresses } : { mac, vlan, addresses };
  }

  isAnnounced(ip: string): boolean {
    const address = canonicalAddress(ip);
    return address.ok && this.announcements.has(address.value.ip);
  }

  /** Frames of the announcement schedule due at `now`. Missed slots collapse into one send. */
  poll(now: number): Transmit[] {
    const out: Transmit[] = [];
    for (const p of this.active.values()) {
      const state = this.interfaces.get(p.iface);
      if (state) out.push(...this.pollPair(p, state, now));
    }
    return out;
  }

  /** One pair's frames if a slot of its schedule is due (several due slots send once). */
  private pollPair(p: ActivePair, state: InterfaceState, now: number): Transmit[] {
    if (p.next >= this.schedule.length || p.startedAt + (this.schedule[p.next] as number) > now) return [];
    while (p.next < this.schedule.length && p.startedAt + (this.schedule[p.next] as number) <= now) p.next += 1;
    return this.gratuitous(state, p.ip);
  }

  /** When `poll` next has something to send, or undefined when no announcement is pending. */
  nextTimeout(): number | undefined {
    let earliest: number | undefined;
    for (const p of this.active.values()) {
      if (p.next >= this.schedule.length) continue;
      const due = p.startedAt + (this.schedule[p.next] as number);
      if (earliest === undefined || due < earliest) earliest = due;
    }
    return earliest;
  }

  /** Decides about one captured frame. Every frame not answered is counted under its reason. */
  handleFrame(iface: string, bytes: Uint8Array, offset = 0, end = bytes.length): FrameOutcome {
    const state = this.interfaces.get(iface);
    if (!state) return this.drop('unknown-interface', iface);
    const frame = ethernetFrame.decode(bytes, offset, end);
    if (!frame.ok) return this.drop(frame.error.kind, iface, frame.error);
    return this.decide(state, frame.value);
  }

  /** Like handleFrame for a frame already decoded (a caller that decodes for other reasons). */
  handleDecoded(iface: string, frame: Frame): FrameOutcome {
    const state = this.interfaces.get(iface);
    if (!state) return this.drop('unknown-interface', iface);
    return this.decide(state, frame);
  }

  private decide(iface: InterfaceState, frame: Frame): FrameOutcome {
    const name = iface.config.name;
    if (frame.eth.src === iface.sender.mac) return this.drop('own-frame', name);
    if (frame.eth.vlan?.id !== iface.config.vlan) return this.drop('other-vlan', name);
    return frame.kind === 'arp' ? this.answerArp(iface, frame) : this.answerNdp(iface, frame);
  }

  private answerArp(iface: InterfaceState, frame: ArpFrame): FrameOutcome {
    const name = iface.config.name;
    if (frame.arp.op !== ARP_REQUEST) return this.drop('not-a-request', name);
    if (frame.eth.dst !== BROADCAST_MAC && frame.eth.dst !== iface.sender.mac) return this.drop('ethernet-destination', name);
    const target = frame.arp.tpa;
    const refused = this.refusal(iface, target);
    if (refused) return this.drop(refused, name);
    this.counters.recordRequest(target);
    const reply = arpReply(this.replySender(iface, frame), frame);
    return { kind: 'reply', transmit: { interface: name, frame: ethernetFrame.encode(reply), ip: target, purpose: 'response' } };
  }

  private answerNdp(iface: InterfaceState, frame: NdpFrame): FrameOutcome {
    const name = iface.config.name;
    if (frame.ndp.type !== 'solicitation') return this.drop('not-a-request', name);
    const target = frame.ndp.target;
    const group = this.announcements.get(target)?.solicitedNode ?? solicitedNodeGroup(target);
    if (frame.eth.dst !== iface.sender.mac && frame.eth.dst !== group.mac) return this.drop('ethernet-destination', name);
    if (frame.ipv6.dst !== target && frame.ipv6.dst !== group.address) return this.drop('ipv6-destination', name);
    const refused = this.refusal(iface, target);
    if (refused) return this.drop(refused, name);
    this.counters.recordRequest(target);
    let sourceLinkLayer: string | undefined;
    for (const option of frame.ndp.options) if (option.kind === 'source-link-layer') sourceLinkLayer = option.mac;
    const reply = solicitedAdvertisement(this.replySender(iface, frame), frame, sourceLinkLayer);
    return { kind: 'reply', transmit: { interface: name, frame: ethernetFrame.encode(reply), ip: target, purpose: 'response' } };
  }

  private refusal(iface: InterfaceState, target: string): DropReason | undefined {
    const announcement = this.announcements.get(target);
    if (!announcement) return 'not-announced';
    if (!this.announcesOn(announcement, iface)) return 'not-announced-on-interface';
    return undefined;
  }

  /** Replies keep the priority the request was tagged with. */
  private replySender(iface: InterfaceState, frame: Frame): Sender {
    const tag = frame.eth.vlan;
    if (!tag || !iface.sender.vlan || (tag.priority ?? 0) === 0) return iface.sender;
    return { ...iface.sender, vlan: { id: iface.sender.vlan.id, priority: tag.priority ?? 0 } };
  }

  private gratuitous(state: InterfaceState, ip: string): Transmit[] {
    const frames = ip.includes(':') ? [unsolicitedAdvertisement(state.sender, ip)] : gratuitousArp(state.sender, ip);
    return frames.map((f) => ({ interface: state.config.name, frame: ethernetFrame.encode(f), ip, purpose: 'gratuitous' as const }));
  }

  private announcesOn(announcement: Announcement, state: InterfaceState): boolean {
    if (announcement.family === 'IPv4' ? !state.arp : !state.ndp) return false;
    return this.announcesOnName(announcement, state.config.name);
  }

  private announcesOnName(announcement: Announcement, name: string): boolean {
    return announcement.interfaces === null || announcement.interfaces.has(name);
  }

  private activate(iface: string, ip: string, now: number): void {
    this.active.set(pairKey(iface, ip), { iface, ip, startedAt: now, next: 0 });
  }

  private deactivate(match: (p: ActivePair) => boolean): void {
    for (const [key, p] of this.active) if (match(p)) this.active.delete(key);
  }

  private drop(reason: DropReason, iface: string, error?: DecodeError): FrameOutcome {
    this.counters.recordDrop(reason, iface);
    return error ? { kind: 'drop', reason, error } : { kind: 'drop', reason };
  }
}

/** An announcement's address in canonical text, its family and interfaces, or why it cannot be announced. */
export function checkAnnouncement(
  ip: string,
  options: AnnounceOptions,
): { readonly ok: true; readonly value: { family: IpFamily; ip: string; interfaces: readonly string[] } } | { readonly ok: false; readonly error: ResponderError } {
  const address = canonicalAddress(ip, 'announce');
  if (!address.ok) return { ok: false, error: { kind: 'invalid-address', message: address.error } };
  const names = options.interfaces ?? [];
  const bad = names.filter((n) => typeof n !== 'string' || n.length === 0);
  if (bad.length > 0) {
    return { ok: false, error: { kind: 'invalid-interface', message: `announce ${address.value.ip}: interface names must be non-empty strings, got ${JSON.stringify(bad)}` } };
  }
  return { ok: true, value: { ...address.value, interfaces: names } };
}

function solicitedNodeGroup(ipv6: string): { address: string; mac: string } {
  return { address: solicitedNodeAddress(ipv6), mac: solicitedNodeMac(ipv6) };
}

function pairKey(iface: string, ip: string): string {
  return `${iface}\u0000${ip}`;
}

function interfaceProblems(config: InterfaceConfig): string[] {
  const problems: string[] = [];
  if (typeof config.name !== 'string' || config.name.length === 0) problems.push('name must be a non-empty string');
  try {
    normalizeMac(config.mac);
  } catch (error) {
    problems.push(`mac: ${(error as Error).message}`);
  }
  if (config.vlan !== undefined && (!Number.isInteger(config.vlan) || config.vlan < 0 || config.vlan > 4095)) problems.push(`vlan ${config.vlan} is outside 0..4095`);
  return problems;
}
