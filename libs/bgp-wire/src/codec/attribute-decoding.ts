import { copyBytes, readU16, readU32 } from './bytes.js';
import {
  type AsPathSegment,
  type DecodeContext,
  type DecodedPathAttribute,
  type LargeCommunity,
  ipFamilyOf,
  isUnicastFamily,
  origins,
  segmentTypes,
  standardFlags,
} from './attributes.js';
import { Afi, AttributeFlag, AttributeType, ErrorCode, UpdateErrorSubcode } from './constants.js';
import { BgpError, type ErrorAction } from './errors.js';
import { formatIPv4, formatIPv6 } from '@lb/ip';
import { decodeNlriList } from './nlri.js';

// Decoding of the path attribute field with RFC 7606 revised error handling: each problem is
// classified as session reset, treat-as-withdraw or attribute discard instead of always resetting.

/** RFC 7606 §7 (and RFC 6793, RFC 8092): what a malformed instance of each attribute costs. */
const malformedAction: Record<number, ErrorAction> = {
  [AttributeType.ORIGIN]: 'treat-as-withdraw',
  [AttributeType.AS_PATH]: 'treat-as-withdraw',
  [AttributeType.NEXT_HOP]: 'treat-as-withdraw',
  [AttributeType.MED]: 'treat-as-withdraw',
  [AttributeType.LOCAL_PREF]: 'treat-as-withdraw',
  [AttributeType.ATOMIC_AGGREGATE]: 'attribute-discard',
  [AttributeType.AGGREGATOR]: 'attribute-discard',
  [AttributeType.COMMUNITIES]: 'treat-as-withdraw',
  [AttributeType.ORIGINATOR_ID]: 'treat-as-withdraw',
  [AttributeType.CLUSTER_LIST]: 'treat-as-withdraw',
  [AttributeType.MP_REACH_NLRI]: 'session-reset',
  [AttributeType.MP_UNREACH_NLRI]: 'session-reset',
  [AttributeType.EXTENDED_COMMUNITIES]: 'treat-as-withdraw',
  [AttributeType.AS4_PATH]: 'attribute-discard',
  [AttributeType.AS4_AGGREGATOR]: 'attribute-discard',
  [AttributeType.LARGE_COMMUNITY]: 'treat-as-withdraw',
};

/** The outcome of decoding one UPDATE's path attribute field. */
export interface DecodedAttributes {
  readonly attributes: DecodedPathAttribute[];
  /** Attributes dropped under RFC 7606 attribute-discard (duplicates, malformed optional ones). */
  readonly discarded: BgpError[];
  /** The first error that makes the UPDATE treat-as-withdraw, if any. */
  readonly withdrawError: BgpError | undefined;
}

interface Problem {
  readonly subcode: number;
  readonly reason: string;
  /** Data for the NOTIFICATION; defaults to the whole attribute. */
  readonly data?: Uint8Array;
}

/**
 * Decodes the path attributes in [start, end). Returns a session-reset BgpError when the
 * UPDATE cannot be used at all; otherwise the attributes kept plus any RFC 7606 downgrades.
 */
export function decodeAttributes(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodedAttributes | BgpError {
  const attributes: DecodedPathAttribute[] = [];
  const discarded: BgpError[] = [];
  let withdrawError: BgpError | undefined;
  const seen = new Set<number>();
  let at = start;
  while (at < end) {
    const attrStart = at;
    const remaining = end - at;
    const flags = buf[at] as number;
    const extended = (flags & AttributeFlag.EXTENDED_LENGTH) !== 0;
    const headerLength = extended ? 4 : 3;
    if (remaining < headerLength) {
      // RFC 7606 §4: too few bytes for an attribute header; Total Attribute Length still finds the NLRI.
      withdrawError ??= new BgpError({
        code: ErrorCode.UPDATE_MESSAGE,
        subcode: UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
        reason: `${remaining} byte(s) left in the path attributes, too few for an attribute header`,
        offset: at,
        action: 'treat-as-withdraw',
      });
      break;
    }
    const code = buf[at + 1] as number;
    const length = extended ? readU16(buf, at + 2) : (buf[at + 2] as number);
    const valueStart = at + headerLength;
    const valueEnd = valueStart + length;
    if (valueEnd > end) {
      const reset = code === AttributeType.MP_REACH_NLRI || code === AttributeType.MP_UNREACH_NLRI;
      const error = new BgpError({
        code: ErrorCode.UPDATE_MESSAGE,
        subcode: UpdateErrorSubcode.ATTRIBUTE_LENGTH_ERROR,
        reason: `attribute ${code} length ${length} runs ${valueEnd - end} byte(s) past the path attributes`,
        offset: attrStart,
        action: reset ? 'session-reset' : 'treat-as-withdraw',
        data: copyBytes(buf, attrStart, end),
      });
      if (reset) return error;
      withdrawError ??= error;
      break;
    }
    at = valueEnd;
    const whole = (): Uint8Array => copyBytes(buf, attrStart, valueEnd);
    const isMp = code === AttributeType.MP_REACH_NLRI || code === AttributeType.MP_UNREACH_NLRI;
    if (seen.has(code)) {
      const error = new BgpError({
        code: ErrorCode.UPDATE_MESSAGE,
        subcode: UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
        reason: `attribute ${code} appears more than once`,
        offset: attrStart,
        action: isMp ? 'session-reset' : 'attribute-discard',
      });
      if (isMp) return error;
      discarded.push(error);
      continue;
    }
    seen.add(code);
    const expected = standardFlags[code];
    if (expected === undefined) {
      if ((flags & AttributeFlag.OPTIONAL) === 0) {
        return new BgpError({
          code: ErrorCode.UPDATE_MESSAGE,
          subcode: UpdateErrorSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
          reason: `unrecognized well-known attribute ${code}`,
          offset: attrStart,
          data: whole(),
        });
      }
      attributes.push({ type: 'unknown', flags, code, data: copyBytes(buf, valueStart, valueEnd) });
      continue;
    }
    // External peers have no business sending these (RFC 7606 §7.5, §7.9, §7.10).
    if (ctx.internal === false && (code === AttributeType.LOCAL_PREF || code === AttributeType.ORIGINATOR_ID || code === AttributeType.CLUSTER_LIST)) {
      discarded.push(
        new BgpError({
          code: ErrorCode.UPDATE_MESSAGE,
          subcode: UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST,
          reason: `attribute ${code} received from an external peer`,
          offset: attrStart,
          action: 'attribute-discard',
        }),
      );
      continue;
    }
    const action = malformedAction[code] ?? 'treat-as-withdraw';
    const decoded =
      (flags & (AttributeFlag.OPTIONAL | AttributeFlag.TRANSITIVE)) !== expected
        ? { subcode: UpdateErrorSubcode.ATTRIBUTE_FLAGS_ERROR, reason: `attribute ${code} has flags 0x${flags.toString(16)}, expected optional/transitive bits 0x${expected.toString(16)}` }
        : decodeValue(code, flags, buf, valueStart, valueEnd, ctx);
    if ('type' in decoded) {
      attributes.push(decoded);
      continue;
    }
    const error = new BgpError({
      code: ErrorCode.UPDATE_MESSAGE,
      subcode: decoded.subcode,
      reason: decoded.reason,
      offset: attrStart,
      action,
      data: decoded.data ?? whole(),
    });
    if (action === 'session-reset') return error;
    if (action === 'attribute-discard') discarded.push(error);
    else withdrawError ??= error;
  }
  return { attributes, discarded, withdrawError };
}

function lengthProblem(what: string, length: number, expected: string): Problem {
  return { subcode: UpdateErrorSubcode.ATTRIBUTE_LENGTH_ERROR, reason: `${what} length ${length}, expected ${expected}` };
}

function decodeSegments(buf: Uint8Array, start: number, end: number, width: number, what: string): AsPathSegment[] | Problem {
  const segments: AsPathSegment[] = [];
  let at = start;
  while (at < end) {
    const malformed = (reason: string): Problem => ({ subcode: UpdateErrorSubcode.MALFORMED_AS_PATH, reason: `${what} ${reason}`, data: new Uint8Array(0) });
    if (end - at < 2) return malformed('segment header truncated');
    const type = segmentTypes[buf[at] as number];
    const count = buf[at + 1] as number;
    if (type === undefined) return malformed(`segment type ${buf[at]} is not 1-4`);
    if (count === 0) return malformed('segment with zero ASNs');
    if (at + 2 + count * width > end) return malformed(`segment of ${count} ASNs runs past the attribute`);
    const asns: number[] = [];
    for (let i = 0; i < count; i++) asns.push(width === 2 ? readU16(buf, at + 2 + 2 * i) : readU32(buf, at + 2 + 4 * i));
    segments.push({ type, asns });
    at += 2 + count * width;
  }
  return segments;
}

function decodeNextHops(buf: Uint8Array, start: number, length: number): string[] | undefined {
  if (length === 4) return [formatIPv4(buf, start)];
  if (length === 16) return [formatIPv6(buf, start)];
  if (length === 32) return [formatIPv6(buf, start), formatIPv6(buf, start + 16)];
  return undefined;
}

function decodeValue(code: number, flags: number, buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodedPathAttribute | Problem {
  const length = end - start;
  switch (code) {
    case AttributeType.ORIGIN: {
      if (length !== 1) return lengthProblem('ORIGIN', length, '1');
      const origin = origins[buf[start] as number];
      if (origin === undefined) return { subcode: UpdateErrorSubcode.INVALID_ORIGIN_ATTRIBUTE, reason: `ORIGIN value ${buf[start]} is not 0-2` };
      return { type: 'origin', flags, code, origin };
    }
    case AttributeType.AS_PATH: {
      const asWidth = ctx.fourOctetAs === false ? 2 : 4;
      const segments = decodeSegments(buf, start, end, asWidth, 'AS_PATH');
      return Array.isArray(segments) ? { type: 'as-path', flags, code, asWidth, segments } : segments;
    }
    case AttributeType.AS4_PATH: {
      const segments = decodeSegments(buf, start, end, 4, 'AS4_PATH');
      return Array.isArray(segments) ? { type: 'as4-path', flags, code, segments } : segments;
    }
    case AttributeType.NEXT_HOP:
      if (length !== 4) return lengthProblem('NEXT_HOP', length, '4');
      return { type: 'next-hop', flags, code, nextHop: formatIPv4(buf, start) };
    case AttributeType.MED:
      if (length !== 4) return lengthProblem('MULTI_EXIT_DISC', length, '4');
      return { type: 'med', flags, code, med: readU32(buf, start) };
    case AttributeType.LOCAL_PREF:
      if (length !== 4) return lengthProblem('LOCAL_PREF', length, '4');
      return { type: 'local-pref', flags, code, localPref: readU32(buf, start) };
    case AttributeType.ATOMIC_AGGREGATE:
      if (length !== 0) return lengthProblem('ATOMIC_AGGREGATE', length, '0');
      return { type: 'atomic-aggregate', flags, code };
    case AttributeType.AGGREGATOR: {
      const asWidth = ctx.fourOctetAs === false ? 2 : 4;
      if (length !== asWidth + 4) return lengthProblem('AGGREGATOR', length, String(asWidth + 4));
      const asn = asWidth === 2 ? readU16(buf, start) : readU32(buf, start);
      return { type: 'aggregator', flags, code, asWidth, asn, address: formatIPv4(buf, start + asWidth) };
    }
    case AttributeType.AS4_AGGREGATOR:
      if (length !== 8) return lengthProblem('AS4_AGGREGATOR', length, '8');
      return { type: 'as4-aggregator', flags, code, asn: readU32(buf, start), address: formatIPv4(buf, start + 4) };
    case AttributeType.COMMUNITIES: {
      if (length === 0 || length % 4 !== 0) return lengthProblem('COMMUNITIES', length, 'a non-zero multiple of 4');
      const communities: number[] = [];
      for (let at = start; at < end; at += 4) communities.push(readU32(buf, at));
      return { type: 'communities', flags, code, communities };
    }
    case AttributeType.ORIGINATOR_ID:
      if (length !== 4) return lengthProblem('ORIGINATOR_ID', length, '4');
      return { type: 'originator-id', flags, code, originatorId: formatIPv4(buf, start) };
    case AttributeType.CLUSTER_LIST: {
      if (length === 0 || length % 4 !== 0) return lengthProblem('CLUSTER_LIST', length, 'a non-zero multiple of 4');
      const clusterIds: string[] = [];
      for (let at = start; at < end; at += 4) clusterIds.push(formatIPv4(buf, at));
      return { type: 'cluster-list', flags, code, clusterIds };
    }
    case AttributeType.EXTENDED_COMMUNITIES: {
      if (length === 0 || length % 8 !== 0) return lengthProblem('EXTENDED_COMMUNITIES', length, 'a non-zero multiple of 8');
      const communities: Uint8Array[] = [];
      for (let at = start; at < end; at += 8) communities.push(copyBytes(buf, at, at + 8));
      return { type: 'extended-communities', flags, code, communities };
    }
    case AttributeType.LARGE_COMMUNITY: {
      if (length === 0 || length % 12 !== 0) return lengthProblem('LARGE_COMMUNITY', length, 'a non-zero multiple of 12');
      const communities: LargeCommunity[] = [];
      for (let at = start; at < end; at += 12) {
        communities.push({ globalAdmin: readU32(buf, at), localData1: readU32(buf, at + 4), localData2: readU32(buf, at + 8) });
      }
      return { type: 'large-communities', flags, code, communities };
    }
    case AttributeType.MP_REACH_NLRI:
      return decodeMpReach(flags, code, buf, start, end, ctx);
    case AttributeType.MP_UNREACH_NLRI:
      return decodeMpUnreach(flags, code, buf, start, end, ctx);
    default:
      return { type: 'unknown', flags, code, data: copyBytes(buf, start, end) };
  }
}

function addPathFor(afi: number, ctx: DecodeContext): boolean {
  return (afi === Afi.IPV4 ? ctx.addPath?.ipv4Unicast : ctx.addPath?.ipv6Unicast) === true;
}

function mpProblem(reason: string): Problem {
  return { subcode: UpdateErrorSubcode.OPTIONAL_ATTRIBUTE_ERROR, reason };
}

function decodeMpReach(flags: number, code: number, buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodedPathAttribute | Problem {
  if (end - start < 5) return mpProblem(`MP_REACH_NLRI is ${end - start} bytes, less than 5`);
  const afi = readU16(buf, start);
  const safi = buf[start + 2] as number;
  const nextHopLength = buf[start + 3] as number;
  const reservedAt = start + 4 + nextHopLength;
  if (reservedAt >= end) return mpProblem(`MP_REACH_NLRI next hop length ${nextHopLength} runs past the attribute`);
  const reserved = buf[reservedAt] as number;
  if (!isUnicastFamily(afi, safi)) {
    return { type: 'mp-reach-raw', flags, code, afi, safi, nextHop: copyBytes(buf, start + 4, reservedAt), reserved, nlri: copyBytes(buf, reservedAt + 1, end) };
  }
  const nextHops = decodeNextHops(buf, start + 4, nextHopLength);
  if (!nextHops || (afi === Afi.IPV6 && nextHopLength === 4)) {
    return mpProblem(`MP_REACH_NLRI next hop length ${nextHopLength} is not valid for AFI ${afi}`);
  }
  const nlri = decodeNlriList(buf, reservedAt + 1, end, ipFamilyOf(afi), addPathFor(afi, ctx));
  if (!Array.isArray(nlri)) return mpProblem(`MP_REACH_NLRI ${nlri.reason} (byte ${nlri.offset})`);
  return { type: 'mp-reach', flags, code, afi, safi, nextHops, reserved, nlri };
}

function decodeMpUnreach(flags: number, code: number, buf: Uint8Array, start: number, end: number, ctx: DecodeContext): DecodedPathAttribute | Problem {
  if (end - start < 3) return mpProblem(`MP_UNREACH_NLRI is ${end - start} bytes, less than 3`);
  const afi = readU16(buf, start);
  const safi = buf[start + 2] as number;
  if (!isUnicastFamily(afi, safi)) return { type: 'mp-unreach-raw', flags, code, afi, safi, withdrawn: copyBytes(buf, start + 3, end) };
  const withdrawn = decodeNlriList(buf, start + 3, end, ipFamilyOf(afi), addPathFor(afi, ctx));
  if (!Array.isArray(withdrawn)) return mpProblem(`MP_UNREACH_NLRI ${withdrawn.reason} (byte ${withdrawn.offset})`);
  return { type: 'mp-unreach', flags, code, afi, safi, withdrawn };
}
