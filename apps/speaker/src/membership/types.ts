// What goes in and out of the membership core.
import { type DecodeErrorKind } from './errors.js';
import { type ReplayVerdict } from './replay.js';

/**
 * A moment, read from two clocks: `mono` (monotonic ms, e.g. performance.timeOrigin + now()) drives
 * every timer; `wall` (ms since 1970, Date.now()) only stamps datagrams and checks their stamps.
 */
export interface Now {
  readonly mono: number;
  readonly wall: number;
}

/** A member the API expects (a speaker pod): its node name and its membership address. */
export interface MemberAddress {
  readonly name: string;
  /** Opaque to the core; the transport's notation ("10.0.0.1:7946"). */
  readonly address: string;
}

export type MembershipInput =
  /** A datagram as received; `from` is its source in the transport's notation. */
  | { readonly kind: 'datagram'; readonly from: string; readonly bytes: Uint8Array }
  /** The deadline nextDeadline() named has come (early or late calls are fine). */
  | { readonly kind: 'tick' }
  /** The API's list of speakers: a hint of whom to expect and where they listen. Liveness is not taken from it. */
  | { readonly kind: 'members'; readonly members: readonly MemberAddress[] }
  /** The secret keys (first signs, any verifies). */
  | { readonly kind: 'keys'; readonly keys: readonly Uint8Array[] }
  /** Shutting down: tell the others now, so that they take over without waiting for detection. */
  | { readonly kind: 'leave' };

export interface Datagram {
  /** Transport address. */
  readonly to: string;
  /** The member it is for. */
  readonly member: string;
  readonly bytes: Uint8Array;
}

export type MembershipChange =
  /** A member joined, restarted, or refuted its death; `holdDownMs` before it may own addresses. */
  | { readonly kind: 'alive'; readonly member: string; readonly holdDownMs: number; readonly returning: boolean }
  /** Declared dead here (`silentForMs`: since it was last heard) or learned from another member. */
  | { readonly kind: 'dead'; readonly member: string; readonly declaredHere: boolean; readonly silentForMs?: number }
  /** Left on purpose (shut down). */
  | { readonly kind: 'left'; readonly member: string }
  /** Its hold-down ended: it may own addresses again. */
  | { readonly kind: 'eligible'; readonly member: string }
  /** This member stops announcing anything (not yet joined, or cut off from every other). */
  | { readonly kind: 'withdrawn'; readonly reason: 'joining' | 'isolated' }
  | { readonly kind: 'restored' }
  /**
   * This member took a new incarnation and holds itself down: it stalled, was cut off, or was
   * declared dead, long enough that the others have likely moved its addresses.
   */
  | { readonly kind: 'fenced'; readonly reason: 'stalled' | 'isolated' | 'refuted'; readonly stalledMs?: number }
  /** New keys were unusable (none, or an empty one); the previous keys stay in use. */
  | { readonly kind: 'keys-refused'; readonly reason: string };

export interface MembershipOutput {
  readonly send: readonly Datagram[];
  readonly changes: readonly MembershipChange[];
}

/** What the election needs: who may own addresses, and whether this member may announce at all. */
export interface MembershipView {
  readonly self: string;
  /** Alive members, this one included. */
  readonly alive: ReadonlySet<string>;
  /** Alive members past their hold-down. */
  readonly eligible: ReadonlySet<string>;
  /** Members that ever ran (alive, dead or left): the nodes with a speaker. */
  readonly known: ReadonlySet<string>;
  /** True while this member must announce nothing (joining, or isolated). */
  readonly withdrawn: boolean;
}

/** Why a received datagram was dropped. */
export type DropReason =
  | DecodeErrorKind
  | 'bad-tag'
  | Exclude<ReplayVerdict, 'fresh'>
  /** Authentic, but for another member (a capture replayed to the wrong one). */
  | 'wrong-recipient'
  /** Claims to come from this member. */
  | 'from-self'
  /** After leave(): nothing is processed. */
  | 'left';

export interface MembershipCounters {
  sent: number;
  sentBytes: number;
  received: number;
  receivedBytes: number;
  /** Datagrams not sent for want of the member's address. */
  unaddressed: number;
  readonly dropped: Partial<Record<DropReason, number>>;
  /** Deaths declared by this member. */
  declared: number;
  /** Probes that ended with neither evidence of life nor any helper's answer (not declared). */
  inconclusive: number;
  /** Suspicions lifted by the suspect's ack or a helper's evidence. */
  suspicionsLifted: number;
  probes: number;
  stalls: number;
  /** Stalls of selfFenceAfterMs or more, after which the monitors were asked; and those they all vouched for (no fence). */
  selfChecks: number;
  selfChecksPassed: number;
  fences: number;
  /** Another process claims this member's name with a newer epoch. */
  nameConflicts: number;
}
