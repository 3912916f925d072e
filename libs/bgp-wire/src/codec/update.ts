import { readU16, writeU16 } from './bytes.js';
import { type DecodeContext, type DecodedPathAttribute, type PathAttribute, attributeEncodingLength, encodeAttribute } from './attributes.js';
import { decodeAttributes } from './attribute-decoding.js';
import { Afi, AttributeType, ErrorCode, Safi, UpdateErrorSubcode } from './constants.js';
import { BgpError, type WithdrawnRoutes } from './errors.js';
import { type Nlri, decodeNlriList, encodeNlriList, nlriListEncodingLength } from './nlri.js';

/** An UPDATE. Decoded ones are `UpdateMessage<DecodedPathAttribute>`: every attribute has its code. */
export interface UpdateMessage<Attribute extends PathAttribute = PathAttribute> {
  readonly type: 'update';
  /** IPv4 unicast prefixes withdrawn in the classic Withdrawn Routes field. */
  readonly withdrawn: readonly Nlri[];
  /** In wire order. */
  readonly attributes: readonly Attribute[];
  /** IPv4 unicast prefixes announced in the classic NLRI field. */
  readonly nlri: readonly Nlri[];
  /** Attributes dropped on receipt under RFC 7606 attribute-discard; absent when none were. */
  readonly discarded?: readonly BgpError[];
}

export function updateBodyLength(update: UpdateMessage): number {
  let total = 4 + nlriListEncodingLength(update.withdrawn, 'IPv4') + nlriListEncodingLength(update.nlri, 'IPv4');
  for (const attr of update.attributes) total += attributeEncodingLength(attr);
  return total;
}

export function encodeUpdateBody(update: UpdateMessage, buf: Uint8Array, offset: number): number {
  let at = encodeNlriList(update.withdrawn, 'IPv4', buf, offset + 2);
  writeU16(buf, offset, at - offset - 2);
  const attrStart = at + 2;
  at = attrStart;
  for (const attr of update.attributes) at = encodeAttribute(attr, buf, at);
  writeU16(buf, attrStart - 2, at - attrStart);
  return encodeNlriList(update.nlri, 'IPv4', buf, at);
}

/** Decodes an UPDATE body in [start, end) under the session's negotiated context. */
export function decodeUpdateBody(buf: Uint8Array, start: number, end: number, ctx: DecodeContext): UpdateMessage<DecodedPathAttribute> | BgpError {
  const malformedList = (reason: string, offset: number): BgpError =>
    new BgpError({ code: ErrorCode.UPDATE_MESSAGE, subcode: UpdateErrorSubcode.MALFORMED_ATTRIBUTE_LIST, reason, offset });
  const invalidNetwork = (field: string, problem: { reason: string; offset: number }): BgpError =>
    new BgpError({ code: ErrorCode.UPDATE_MESSAGE, subcode: UpdateErrorSubcode.INVALID_NETWORK_FIELD, reason: `${field}: ${problem.reason}`, offset: problem.offset });
  const bodyLength = end - start;
  const withdrawnLength = readU16(buf, start);
  if (4 + withdrawnLength > bodyLength) {
    return malformedList(`withdrawn routes length ${withdrawnLength} leaves no room for the attribute length in a ${bodyLength}-byte body`, start);
  }
  const attrLengthAt = start + 2 + withdrawnLength;
  const attrLength = readU16(buf, attrLengthAt);
  if (4 + withdrawnLength + attrLength > bodyLength) {
    return malformedList(`withdrawn length ${withdrawnLength} + path attribute length ${attrLength} exceed the ${bodyLength}-byte body`, attrLengthAt);
  }
  const ipv4AddPath = ctx.addPath?.ipv4Unicast === true;
  const withdrawn = decodeNlriList(buf, start + 2, attrLengthAt, 'IPv4', ipv4AddPath);
  if (!Array.isArray(withdrawn)) return invalidNetwork('withdrawn routes', withdrawn);
  const nlriStart = attrLengthAt + 2 + attrLength;
  const nlri = decodeNlriList(buf, nlriStart, end, 'IPv4', ipv4AddPath);
  if (!Array.isArray(nlri)) return invalidNetwork('NLRI', nlri);
  const decoded = decodeAttributes(buf, attrLengthAt + 2, nlriStart, ctx);
  if (decoded instanceof BgpError) return decoded;
  const { attributes, discarded } = decoded;
  const withdrawError = decoded.withdrawError ?? missingMandatory(attributes, nlri.length > 0, ctx, attrLengthAt);
  if (withdrawError) return withdrawError.withAction('treat-as-withdraw', routesToWithdraw(withdrawn, nlri, attributes));
  const base = { type: 'update' as const, withdrawn, attributes, nlri };
  return discarded.length > 0 ? { ...base, discarded } : base;
}

/** RFC 7606 §3(d): a missing well-known mandatory attribute makes the UPDATE treat-as-withdraw. */
function missingMandatory(attributes: readonly PathAttribute[], hasIpv4Nlri: boolean, ctx: DecodeContext, offset: number): BgpError | undefined {
  const has = (type: PathAttribute['type']): boolean => attributes.some((a) => a.type === type);
  if (!hasIpv4Nlri && !has('mp-reach')) return undefined;
  const required: [PathAttribute['type'], number][] = [
    ['origin', AttributeType.ORIGIN],
    ['as-path', AttributeType.AS_PATH],
  ];
  if (hasIpv4Nlri) required.push(['next-hop', AttributeType.NEXT_HOP]);
  if (ctx.internal === true) required.push(['local-pref', AttributeType.LOCAL_PREF]);
  for (const [type, code] of required) {
    if (!has(type)) {
      return new BgpError({
        code: ErrorCode.UPDATE_MESSAGE,
        subcode: UpdateErrorSubcode.MISSING_WELL_KNOWN_ATTRIBUTE,
        reason: `well-known attribute ${code} (${type}) is missing`,
        offset,
        action: 'treat-as-withdraw',
        data: Uint8Array.of(code),
      });
    }
  }
  return undefined;
}

function routesToWithdraw(withdrawn: readonly Nlri[], nlri: readonly Nlri[], attributes: readonly PathAttribute[]): WithdrawnRoutes[] {
  const out: WithdrawnRoutes[] = [];
  if (withdrawn.length + nlri.length > 0) out.push({ afi: Afi.IPV4, safi: Safi.UNICAST, nlri: [...withdrawn, ...nlri] });
  for (const attr of attributes) {
    if (attr.type === 'mp-reach') out.push({ afi: attr.afi, safi: attr.safi, nlri: attr.nlri });
    if (attr.type === 'mp-unreach') out.push({ afi: attr.afi, safi: attr.safi, nlri: attr.withdrawn });
  }
  return out;
}

/**
 * The family an UPDATE marks End-of-RIB for (RFC 4724 §2): an empty UPDATE for IPv4 unicast,
 * or one whose only attribute is an empty MP_UNREACH_NLRI.
 */
export function endOfRibFamily(update: UpdateMessage): { afi: number; safi: number } | undefined {
  if (update.withdrawn.length > 0 || update.nlri.length > 0) return undefined;
  if (update.attributes.length === 0) return { afi: Afi.IPV4, safi: Safi.UNICAST };
  const only = update.attributes[0];
  if (update.attributes.length !== 1 || !only) return undefined;
  if (only.type === 'mp-unreach' && only.withdrawn.length === 0) return { afi: only.afi, safi: only.safi };
  if (only.type === 'mp-unreach-raw' && only.withdrawn.length === 0) return { afi: only.afi, safi: only.safi };
  return undefined;
}

/** The End-of-RIB UPDATE for a family. */
export function endOfRib(afi: number, safi: number): UpdateMessage {
  if (afi === Afi.IPV4 && safi === Safi.UNICAST) return { type: 'update', withdrawn: [], attributes: [], nlri: [] };
  const isUnicast = safi === Safi.UNICAST && afi === Afi.IPV6;
  return {
    type: 'update',
    withdrawn: [],
    attributes: [isUnicast ? { type: 'mp-unreach', afi, safi, withdrawn: [] } : { type: 'mp-unreach-raw', afi, safi, withdrawn: new Uint8Array(0) }],
    nlri: [],
  };
}
