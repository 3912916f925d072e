import { writeU16, writeU32 } from './bytes.js';
import { AS_TRANS, Afi, AttributeFlag, AttributeType, Safi } from './constants.js';
import { writeIPv4, writeIPv6, type IpFamily } from '@lb/ip';
import { type Nlri, encodeNlriList, nlriListEncodingLength } from './nlri.js';

export type Origin = 'igp' | 'egp' | 'incomplete';
export type AsSegmentType = 'set' | 'sequence' | 'confed-sequence' | 'confed-set';

export interface AsPathSegment {
  readonly type: AsSegmentType;
  readonly asns: readonly number[];
}

/** RFC 8092: three 32-bit fields, written global:local1:local2. */
export interface LargeCommunity {
  readonly globalAdmin: number;
  readonly localData1: number;
  readonly localData2: number;
}

/** What one path attribute says, by type; see PathAttribute for the type code and flags. */
export type AttributeValue =
  | { readonly type: 'origin'; readonly origin: Origin }
  | { readonly type: 'as-path'; readonly asWidth?: 2 | 4; readonly segments: readonly AsPathSegment[] }
  | { readonly type: 'next-hop'; readonly nextHop: string }
  | { readonly type: 'med'; readonly med: number }
  | { readonly type: 'local-pref'; readonly localPref: number }
  | { readonly type: 'atomic-aggregate' }
  | { readonly type: 'aggregator'; readonly asWidth?: 2 | 4; readonly asn: number; readonly address: string }
  | { readonly type: 'communities'; readonly communities: readonly number[] }
  | { readonly type: 'originator-id'; readonly originatorId: string }
  | { readonly type: 'cluster-list'; readonly clusterIds: readonly string[] }
  | {
      readonly type: 'mp-reach';
      /** IPv4 or IPv6 unicast; other families decode as `mp-reach-raw`. */
      readonly afi: number;
      readonly safi: number;
      /** One IPv4 or IPv6 address, or an IPv6 global and link-local pair (RFC 2545). */
      readonly nextHops: readonly string[];
      readonly reserved?: number;
      readonly nlri: readonly Nlri[];
    }
  | {
      readonly type: 'mp-reach-raw';
      readonly afi: number;
      readonly safi: number;
      readonly nextHop: Uint8Array;
      readonly reserved: number;
      readonly nlri: Uint8Array;
    }
  | { readonly type: 'mp-unreach'; readonly afi: number; readonly safi: number; readonly withdrawn: readonly Nlri[] }
  | { readonly type: 'mp-unreach-raw'; readonly afi: number; readonly safi: number; readonly withdrawn: Uint8Array }
  | { readonly type: 'extended-communities'; readonly communities: readonly Uint8Array[] }
  | { readonly type: 'as4-path'; readonly segments: readonly AsPathSegment[] }
  | { readonly type: 'as4-aggregator'; readonly asn: number; readonly address: string }
  | { readonly type: 'large-communities'; readonly communities: readonly LargeCommunity[] }
  | { readonly type: 'unknown'; readonly code: number; readonly data: Uint8Array };

/**
 * One path attribute. Decoded attributes carry their type `code` and the exact `flags` octet (so
 * re-encoding is byte-identical); when building one, leave `flags` out for the attribute's
 * standard flags (the extended-length bit is added when a value exceeds 255 bytes) and `code` out
 * for a known type, which decides the code written.
 */
export type PathAttribute = AttributeValue & { readonly flags?: number; readonly code?: number };

/** A path attribute as `decode` returns it: type code and flags always present. */
export type DecodedPathAttribute = AttributeValue & { readonly flags: number; readonly code: number };

/** What the bytes cannot say by themselves: the capabilities negotiated on the session. */
export interface DecodeContext {
  /** Both sides sent capability 65: AS_PATH and AGGREGATOR carry 4-octet ASNs. Default true. */
  readonly fourOctetAs?: boolean;
  /** ADD-PATH (RFC 7911) receive is negotiated for these families: NLRI carry path ids. */
  readonly addPath?: { readonly ipv4Unicast?: boolean; readonly ipv6Unicast?: boolean };
  /** RFC 8654 extended messages negotiated: messages up to 65535 bytes. */
  readonly extendedMessage?: boolean;
  /**
   * The peer is internal (true) or external (false). Picks the RFC 7606 handling of LOCAL_PREF,
   * ORIGINATOR_ID and CLUSTER_LIST; when unknown those are decoded as they come.
   */
  readonly internal?: boolean;
}

const typeCodes: Record<AttributeValue['type'], number> = {
  origin: AttributeType.ORIGIN,
  'as-path': AttributeType.AS_PATH,
  'next-hop': AttributeType.NEXT_HOP,
  med: AttributeType.MED,
  'local-pref': AttributeType.LOCAL_PREF,
  'atomic-aggregate': AttributeType.ATOMIC_AGGREGATE,
  aggregator: AttributeType.AGGREGATOR,
  communities: AttributeType.COMMUNITIES,
  'originator-id': AttributeType.ORIGINATOR_ID,
  'cluster-list': AttributeType.CLUSTER_LIST,
  'mp-reach': AttributeType.MP_REACH_NLRI,
  'mp-reach-raw': AttributeType.MP_REACH_NLRI,
  'mp-unreach': AttributeType.MP_UNREACH_NLRI,
  'mp-unreach-raw': AttributeType.MP_UNREACH_NLRI,
  'extended-communities': AttributeType.EXTENDED_COMMUNITIES,
  'as4-path': AttributeType.AS4_PATH,
  'as4-aggregator': AttributeType.AS4_AGGREGATOR,
  'large-communities': AttributeType.LARGE_COMMUNITY,
  unknown: 0,
};

const WELL_KNOWN = AttributeFlag.TRANSITIVE;
const OPTIONAL = AttributeFlag.OPTIONAL;
const OPTIONAL_TRANSITIVE = AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE;

/** Standard optional/transitive bits of each recognised attribute code. */
export const standardFlags: Record<number, number> = {
  [AttributeType.ORIGIN]: WELL_KNOWN,
  [AttributeType.AS_PATH]: WELL_KNOWN,
  [AttributeType.NEXT_HOP]: WELL_KNOWN,
  [AttributeType.MED]: OPTIONAL,
  [AttributeType.LOCAL_PREF]: WELL_KNOWN,
  [AttributeType.ATOMIC_AGGREGATE]: WELL_KNOWN,
  [AttributeType.AGGREGATOR]: OPTIONAL_TRANSITIVE,
  [AttributeType.COMMUNITIES]: OPTIONAL_TRANSITIVE,
  [AttributeType.ORIGINATOR_ID]: OPTIONAL,
  [AttributeType.CLUSTER_LIST]: OPTIONAL,
  [AttributeType.MP_REACH_NLRI]: OPTIONAL,
  [AttributeType.MP_UNREACH_NLRI]: OPTIONAL,
  [AttributeType.EXTENDED_COMMUNITIES]: OPTIONAL_TRANSITIVE,
  [AttributeType.AS4_PATH]: OPTIONAL_TRANSITIVE,
  [AttributeType.AS4_AGGREGATOR]: OPTIONAL_TRANSITIVE,
  [AttributeType.LARGE_COMMUNITY]: OPTIONAL_TRANSITIVE,
};

const segmentCodes: Record<AsSegmentType, number> = { set: 1, sequence: 2, 'confed-sequence': 3, 'confed-set': 4 };
export const segmentTypes: Record<number, AsSegmentType> = { 1: 'set', 2: 'sequence', 3: 'confed-sequence', 4: 'confed-set' };
const originCodes: Record<Origin, number> = { igp: 0, egp: 1, incomplete: 2 };
export const origins: readonly Origin[] = ['igp', 'egp', 'incomplete'];

export function attributeCode(attr: PathAttribute): number {
  return attr.type === 'unknown' ? attr.code : typeCodes[attr.type];
}

export function isUnicastFamily(afi: number, safi: number): boolean {
  return safi === Safi.UNICAST && (afi === Afi.IPV4 || afi === Afi.IPV6);
}

export function ipFamilyOf(afi: number): IpFamily {
  return afi === Afi.IPV4 ? 'IPv4' : 'IPv6';
}

function segmentsLength(segments: readonly AsPathSegment[], width: number): number {
  let total = 0;
  for (const s of segments) total += 2 + width * s.asns.length;
  return total;
}

function nextHopLength(nextHops: readonly string[]): number {
  let total = 0;
  for (const n of nextHops) total += n.includes(':') ? 16 : 4;
  return total;
}

/** Length of the attribute's value (without flags, type and length octets). */
export function attributeValueLength(attr: PathAttribute): number {
  switch (attr.type) {
    case 'origin':
      return 1;
    case 'as-path':
      return segmentsLength(attr.segments, attr.asWidth ?? 4);
    case 'as4-path':
      return segmentsLength(attr.segments, 4);
    case 'next-hop':
    case 'med':
    case 'local-pref':
    case 'originator-id':
      return 4;
    case 'atomic-aggregate':
      return 0;
    case 'aggregator':
      return (attr.asWidth ?? 4) + 4;
    case 'as4-aggregator':
      return 8;
    case 'communities':
      return 4 * attr.communities.length;
    case 'cluster-list':
      return 4 * attr.clusterIds.length;
    case 'mp-reach':
      return 5 + nextHopLength(attr.nextHops) + nlriListEncodingLength(attr.nlri, ipFamilyOf(attr.afi));
    case 'mp-reach-raw':
      return 5 + attr.nextHop.length + attr.nlri.length;
    case 'mp-unreach':
      return 3 + nlriListEncodingLength(attr.withdrawn, ipFamilyOf(attr.afi));
    case 'mp-unreach-raw':
      return 3 + attr.withdrawn.length;
    case 'extended-communities':
      return 8 * attr.communities.length;
    case 'large-communities':
      return 12 * attr.communities.length;
    case 'unknown':
      return attr.data.length;
  }
}

function flagsFor(attr: PathAttribute, valueLength: number): number {
  const base = attr.flags ?? standardFlags[attributeCode(attr)] ?? OPTIONAL_TRANSITIVE;
  return valueLength > 255 ? base | AttributeFlag.EXTENDED_LENGTH : base;
}

export function attributeEncodingLength(attr: PathAttribute): number {
  const valueLength = attributeValueLength(attr);
  return ((flagsFor(attr, valueLength) & AttributeFlag.EXTENDED_LENGTH) !== 0 ? 4 : 3) + valueLength;
}

export function encodeAttribute(attr: PathAttribute, buf: Uint8Array, offset: number): number {
  const valueLength = attributeValueLength(attr);
  const flags = flagsFor(attr, valueLength);
  if (valueLength > 0xffff) throw new RangeError(`attribute ${attr.type} is ${valueLength} bytes, more than 65535`);
  buf[offset] = flags;
  buf[offset + 1] = attributeCode(attr);
  let at = offset + 2;
  if ((flags & AttributeFlag.EXTENDED_LENGTH) !== 0) {
    writeU16(buf, at, valueLength);
    at += 2;
  } else {
    buf[at++] = valueLength;
  }
  const end = at + valueLength;
  writeValue(attr, buf, at);
  return end;
}

function writeAddress(text: string, buf: Uint8Array, at: number, what: string): number {
  if (text.includes(':')) {
    if (!writeIPv6(text, buf, at)) throw new TypeError(`${what} ${JSON.stringify(text)} is not an IPv6 address`);
    return at + 16;
  }
  if (!writeIPv4(text, buf, at)) throw new TypeError(`${what} ${JSON.stringify(text)} is not an IPv4 address`);
  return at + 4;
}

function writeSegments(segments: readonly AsPathSegment[], width: number, buf: Uint8Array, at: number): void {
  for (const s of segments) {
    if (s.asns.length > 255) throw new RangeError(`AS_PATH segment has ${s.asns.length} ASNs, more than 255`);
    buf[at] = segmentCodes[s.type];
    buf[at + 1] = s.asns.length;
    at += 2;
    for (const asn of s.asns) {
      if (width === 2) {
        writeU16(buf, at, asn > 0xffff ? AS_TRANS : asn);
      } else {
        writeU32(buf, at, asn);
      }
      at += width;
    }
  }
}

function writeValue(attr: PathAttribute, buf: Uint8Array, at: number): void {
  switch (attr.type) {
    case 'origin':
      buf[at] = originCodes[attr.origin];
      return;
    case 'as-path':
      writeSegments(attr.segments, attr.asWidth ?? 4, buf, at);
      return;
    case 'as4-path':
      writeSegments(attr.segments, 4, buf, at);
      return;
    case 'next-hop':
      if (!writeIPv4(attr.nextHop, buf, at)) throw new TypeError(`NEXT_HOP ${JSON.stringify(attr.nextHop)} is not an IPv4 address`);
      return;
    case 'med':
      writeU32(buf, at, attr.med);
      return;
    case 'local-pref':
      writeU32(buf, at, attr.localPref);
      return;
    case 'atomic-aggregate':
      return;
    case 'aggregator':
    case 'as4-aggregator': {
      const width = attr.type === 'aggregator' ? (attr.asWidth ?? 4) : 4;
      if (width === 2) writeU16(buf, at, attr.asn > 0xffff ? AS_TRANS : attr.asn);
      else writeU32(buf, at, attr.asn);
      if (!writeIPv4(attr.address, buf, at + width)) throw new TypeError(`AGGREGATOR address ${JSON.stringify(attr.address)} is not IPv4`);
      return;
    }
    case 'communities':
      for (const c of attr.communities) {
        writeU32(buf, at, c);
        at += 4;
      }
      return;
    case 'originator-id':
      if (!writeIPv4(attr.originatorId, buf, at)) throw new TypeError(`ORIGINATOR_ID ${JSON.stringify(attr.originatorId)} is not a dotted quad`);
      return;
    case 'cluster-list':
      for (const id of attr.clusterIds) {
        if (!writeIPv4(id, buf, at)) throw new TypeError(`CLUSTER_LIST id ${JSON.stringify(id)} is not a dotted quad`);
        at += 4;
      }
      return;
    case 'mp-reach': {
      writeU16(buf, at, attr.afi);
      buf[at + 2] = attr.safi;
      buf[at + 3] = nextHopLength(attr.nextHops);
      at += 4;
      for (const n of attr.nextHops) at = writeAddress(n, buf, at, 'MP_REACH_NLRI next hop');
      buf[at++] = attr.reserved ?? 0;
      encodeNlriList(attr.nlri, ipFamilyOf(attr.afi), buf, at);
      return;
    }
    case 'mp-reach-raw':
      writeU16(buf, at, attr.afi);
      buf[at + 2] = attr.safi;
      buf[at + 3] = attr.nextHop.length;
      buf.set(attr.nextHop, at + 4);
      at += 4 + attr.nextHop.length;
      buf[at] = attr.reserved;
      buf.set(attr.nlri, at + 1);
      return;
    case 'mp-unreach':
      writeU16(buf, at, attr.afi);
      buf[at + 2] = attr.safi;
      encodeNlriList(attr.withdrawn, ipFamilyOf(attr.afi), buf, at + 3);
      return;
    case 'mp-unreach-raw':
      writeU16(buf, at, attr.afi);
      buf[at + 2] = attr.safi;
      buf.set(attr.withdrawn, at + 3);
      return;
    case 'extended-communities':
      for (const c of attr.communities) {
        if (c.length !== 8) throw new RangeError(`extended community has ${c.length} bytes, not 8`);
        buf.set(c, at);
        at += 8;
      }
      return;
    case 'large-communities':
      for (const c of attr.communities) {
        writeU32(buf, at, c.globalAdmin);
        writeU32(buf, at + 4, c.localData1);
        writeU32(buf, at + 8, c.localData2);
        at += 12;
      }
      return;
    case 'unknown':
      buf.set(attr.data, at);
      return;
  }
}
