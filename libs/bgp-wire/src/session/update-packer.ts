import { type PathAttribute, encodeAttribute, attributeEncodingLength } from '../codec/attributes.js';
import { writeU16 } from '../codec/bytes.js';
import { AttributeFlag, AttributeType, HEADER_LENGTH, MessageType } from '../codec/constants.js';
import { formatIPv4 } from '@lb/ip';
import { type RouteAttributes } from './routes.js';
import { type RouteFamily, familyCode } from './route-family.js';

/** What shapes the UPDATEs for one session and family. */
export interface PackContext {
  readonly family: RouteFamily;
  readonly internal: boolean;
  readonly localAs: number;
  readonly fourOctetAs: boolean;
  /** 4096, or 65535 with RFC 8654. */
  readonly maxMessageLength: number;
  /** ADD-PATH send negotiated: every NLRI carries path id 1 (one path per prefix). */
  readonly addPath: boolean;
  readonly defaultLocalPref: number;
}

const PATH_ID = Uint8Array.of(0, 0, 0, 1);
/** Withdrawn-length and attribute-length fields of an UPDATE body. */
const UPDATE_FIXED = HEADER_LENGTH + 4;
/** MP_REACH_NLRI with extended length: flags, type, 2-byte length, AFI, SAFI, next-hop length, reserved. */
const MP_REACH_FIXED = 4 + 5;
const MP_UNREACH_FIXED = 4 + 3;

/**
 * The path attributes every route in a group shares. IPv4 routes with an IPv4 next hop go in the
 * classic NLRI field with NEXT_HOP; all others in MP_REACH_NLRI (RFC 4760, 8950).
 */
function sharedAttributes(ctx: PackContext, attrs: RouteAttributes, classic: boolean): PathAttribute[] {
  const list: PathAttribute[] = [{ type: 'origin', origin: 'igp' }];
  const segments = ctx.internal ? [] : [{ type: 'sequence' as const, asns: [ctx.localAs] }];
  list.push({ type: 'as-path', asWidth: ctx.fourOctetAs ? 4 : 2, segments });
  // RFC 6793 §4.2.2: a 2-octet peer sees AS_TRANS; the real AS travels in AS4_PATH.
  if (!ctx.fourOctetAs && !ctx.internal && ctx.localAs > 0xffff) list.push({ type: 'as4-path', segments });
  if (classic) list.push({ type: 'next-hop', nextHop: formatIPv4(attrs.nextHop) });
  if (attrs.med !== undefined) list.push({ type: 'med', med: attrs.med });
  if (ctx.internal) list.push({ type: 'local-pref', localPref: attrs.localPref ?? ctx.defaultLocalPref });
  if (attrs.communities.length > 0) list.push({ type: 'communities', communities: attrs.communities });
  if (attrs.largeCommunities.length > 0) list.push({ type: 'large-communities', communities: attrs.largeCommunities });
  return list;
}

function encodedLength(list: readonly PathAttribute[]): number {
  let length = 0;
  for (const a of list) length += attributeEncodingLength(a);
  return length;
}

/** Encodes attributes already known to fit in a message (so none is over 65535 bytes). */
function encodeAll(list: readonly PathAttribute[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const a of list) at = encodeAttribute(a, out, at);
  return out;
}

/** IPv6 next hop bytes for MP_REACH: IPv4 next hops of IPv6 routes become IPv4-mapped. */
function mpNextHop(family: RouteFamily, nextHop: Uint8Array): Uint8Array {
  if (family === 'ipv6-unicast' && nextHop.length === 4) {
    const mapped = new Uint8Array(16);
    mapped[10] = 0xff;
    mapped[11] = 0xff;
    mapped.set(nextHop, 12);
    return mapped;
  }
  return nextHop;
}

function writeHeader(buf: Uint8Array, length: number): void {
  buf.fill(0xff, 0, 16);
  writeU16(buf, 16, length);
  buf[18] = MessageType.UPDATE;
}

function nlriLength(ctx: PackContext, nlri: Uint8Array): number {
  return nlri.length + (ctx.addPath ? 4 : 0);
}

function writeNlri(ctx: PackContext, buf: Uint8Array, at: number, nlri: Uint8Array): number {
  if (ctx.addPath) {
    buf.set(PATH_ID, at);
    at += 4;
  }
  buf.set(nlri, at);
  return at + nlri.length;
}

/**
 * Takes as many NLRI from `list` starting at `from` as fit in `room` bytes; returns the end
 * index and the bytes they need.
 */
function fit(ctx: PackContext, list: readonly Uint8Array[], from: number, room: number): [number, number] {
  let used = 0;
  let i = from;
  while (i < list.length) {
    const size = nlriLength(ctx, list[i] as Uint8Array);
    if (used + size > room) break;
    used += size;
    i++;
  }
  return [i, used];
}

interface Announcement {
  readonly classic: boolean;
  readonly shared: readonly PathAttribute[];
  readonly sharedLength: number;
  readonly nextHop: Uint8Array | undefined;
  /** Bytes of an UPDATE announcing routes with these attributes, without their NLRI. */
  readonly overhead: number;
}

function announcement(ctx: PackContext, attrs: RouteAttributes): Announcement {
  const classic = ctx.family === 'ipv4-unicast' && attrs.nextHop.length === 4;
  const shared = sharedAttributes(ctx, attrs, classic);
  const sharedLength = encodedLength(shared);
  const nextHop = classic ? undefined : mpNextHop(ctx.family, attrs.nextHop);
  return { classic, shared, sharedLength, nextHop, overhead: UPDATE_FIXED + sharedLength + (nextHop ? MP_REACH_FIXED + nextHop.length : 0) };
}

/**
 * Why a route with `attrs` and `nlri` cannot be announced in `ctx`'s UPDATEs, or undefined when
 * it can: its path attributes (communities, mostly) and the NLRI would not fit in one message.
 */
export function announcementTooLarge(ctx: PackContext, attrs: RouteAttributes, nlri: Uint8Array): string | undefined {
  const size = announcement(ctx, attrs).overhead + nlriLength(ctx, nlri);
  if (size <= ctx.maxMessageLength) return undefined;
  return `an UPDATE announcing it would be ${size} bytes, more than the ${ctx.maxMessageLength} a BGP message may have; give it fewer communities`;
}

/**
 * UPDATEs announcing `nlri` (all with attributes `attrs`), each as full as the size limit allows.
 * Returns the NLRI that fit in no UPDATE (none once `announcementTooLarge` passed them).
 */
export function packAnnouncements(ctx: PackContext, attrs: RouteAttributes, nlri: readonly Uint8Array[], out: Uint8Array[]): Uint8Array[] {
  const { classic, shared: list, sharedLength, nextHop, overhead } = announcement(ctx, attrs);
  const room = ctx.maxMessageLength - overhead;
  const { afi, safi } = familyCode(ctx.family);
  if (room < nlriLength(ctx, nlri[0] ?? new Uint8Array(0))) return [...nlri];
  const shared = encodeAll(list, sharedLength);
  for (let from = 0; from < nlri.length; ) {
    const [to, used] = fit(ctx, nlri, from, room);
    if (to === from) return nlri.slice(from);
    const length = overhead + used;
    const buf = new Uint8Array(length);
    writeHeader(buf, length);
    let at = HEADER_LENGTH + 2; // withdrawn length 0
    writeU16(buf, at, length - UPDATE_FIXED - (classic ? used : 0));
    at += 2;
    if (nextHop) {
      // RFC 7606 §5.1: MP_REACH_NLRI first, so a receiver can find the NLRI even if later attributes are bad.
      buf[at] = AttributeFlag.OPTIONAL | AttributeFlag.EXTENDED_LENGTH;
      buf[at + 1] = AttributeType.MP_REACH_NLRI;
      writeU16(buf, at + 2, 5 + nextHop.length + used);
      writeU16(buf, at + 4, afi);
      buf[at + 6] = safi;
      buf[at + 7] = nextHop.length;
      buf.set(nextHop, at + 8);
      at += 8 + nextHop.length;
      buf[at++] = 0;
      for (let i = from; i < to; i++) at = writeNlri(ctx, buf, at, nlri[i] as Uint8Array);
      buf.set(shared, at);
    } else {
      buf.set(shared, at);
      at += shared.length;
      for (let i = from; i < to; i++) at = writeNlri(ctx, buf, at, nlri[i] as Uint8Array);
    }
    out.push(buf);
    from = to;
  }
  return [];
}

/** UPDATEs withdrawing `nlri`, batched as densely as the size limit allows. */
export function packWithdrawals(ctx: PackContext, nlri: readonly Uint8Array[], out: Uint8Array[]): void {
  const classic = ctx.family === 'ipv4-unicast';
  const overhead = UPDATE_FIXED + (classic ? 0 : MP_UNREACH_FIXED);
  const { afi, safi } = familyCode(ctx.family);
  for (let from = 0; from < nlri.length; ) {
    const [to, used] = fit(ctx, nlri, from, ctx.maxMessageLength - overhead);
    const length = overhead + used;
    const buf = new Uint8Array(length);
    writeHeader(buf, length);
    let at = HEADER_LENGTH;
    if (classic) {
      writeU16(buf, at, used);
      at += 2;
      for (let i = from; i < to; i++) at = writeNlri(ctx, buf, at, nlri[i] as Uint8Array);
      writeU16(buf, at, 0);
    } else {
      writeU16(buf, at, 0);
      writeU16(buf, at + 2, MP_UNREACH_FIXED + used);
      at += 4;
      buf[at] = AttributeFlag.OPTIONAL | AttributeFlag.EXTENDED_LENGTH;
      buf[at + 1] = AttributeType.MP_UNREACH_NLRI;
      writeU16(buf, at + 2, 3 + used);
      writeU16(buf, at + 4, afi);
      buf[at + 6] = safi;
      at += 7;
      for (let i = from; i < to; i++) at = writeNlri(ctx, buf, at, nlri[i] as Uint8Array);
    }
    out.push(buf);
    from = to;
  }
}
