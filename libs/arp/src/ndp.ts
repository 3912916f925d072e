import { icmpv6Checksum } from './checksum.js';
import { copyBytes, DecodeError, type DecodeResult } from './errors.js';
import { formatIPv6, writeIPv6 } from './ip.js';
import { formatMac, writeMac } from './mac.js';

export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
export const OPTION_SOURCE_LINK_LAYER = 1;
export const OPTION_TARGET_LINK_LAYER = 2;
export const OPTION_NONCE = 14;

/**
 * Neighbor discovery options (RFC 4861 4.6, RFC 7527 for the nonce). Link-layer options of any
 * length other than one 8-byte unit are not Ethernet addresses and stay `unknown`, as does every
 * type this library does not interpret, so they are written back byte for byte.
 */
export type NdpOption =
  | { readonly kind: 'source-link-layer'; readonly mac: string }
  | { readonly kind: 'target-link-layer'; readonly mac: string }
  | { readonly kind: 'nonce'; readonly nonce: Uint8Array }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Uint8Array };

export interface NeighborSolicitation {
  readonly type: 'solicitation';
  readonly target: string;
  readonly options: readonly NdpOption[];
  /** The 32 reserved bits, kept only when a sender set them. */
  readonly reserved?: number;
}

export interface NeighborAdvertisement {
  readonly type: 'advertisement';
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly target: string;
  readonly options: readonly NdpOption[];
  /** The 29 reserved bits after the flags, kept only when a sender set them. */
  readonly reserved?: number;
}

export type NdpMessage = NeighborSolicitation | NeighborAdvertisement;

/** The IPv6 addresses the ICMPv6 checksum covers. */
export interface PseudoHeader {
  readonly src: string;
  readonly dst: string;
}

function optionLength(option: NdpOption): number {
  switch (option.kind) {
    case 'source-link-layer':
    case 'target-link-layer':
      return 8;
    case 'nonce':
      return 2 + option.nonce.length;
    case 'unknown':
      return 2 + option.data.length;
  }
}

function encodingLength(message: NdpMessage): number {
  let length = 24;
  for (const option of message.options) length += optionLength(option);
  return length;
}

/** Writes the message with a zero checksum; returns the end offset. */
export function writeNdpMessage(message: NdpMessage, buf: Uint8Array, offset: number): number {
  const solicitation = message.type === 'solicitation';
  buf[offset] = solicitation ? ICMPV6_NEIGHBOR_SOLICITATION : ICMPV6_NEIGHBOR_ADVERTISEMENT;
  buf[offset + 1] = 0;
  buf[offset + 2] = 0;
  buf[offset + 3] = 0;
  const reserved = message.reserved ?? 0;
  const flags = solicitation ? 0 : (message.router ? 0x80 : 0) | (message.solicited ? 0x40 : 0) | (message.override ? 0x20 : 0);
  const word = solicitation ? reserved >>> 0 : ((flags << 24) | (reserved & 0x1fffffff)) >>> 0;
  buf[offset + 4] = word >>> 24;
  buf[offset + 5] = (word >>> 16) & 0xff;
  buf[offset + 6] = (word >>> 8) & 0xff;
  buf[offset + 7] = word & 0xff;
  writeIPv6(message.target, buf, offset + 8);
  let at = offset + 24;
  for (const option of message.options) {
    const length = optionLength(option);
    if (length % 8 !== 0 || length > 255 * 8) {
      throw new RangeError(`NDP option ${option.kind} is ${length} bytes; options are whole 8-byte units, at most 2040`);
    }
    buf[at + 1] = length / 8;
    switch (option.kind) {
      case 'source-link-layer':
      case 'target-link-layer':
        buf[at] = option.kind === 'source-link-layer' ? OPTION_SOURCE_LINK_LAYER : OPTION_TARGET_LINK_LAYER;
        writeMac(option.mac, buf, at + 2);
        break;
      case 'nonce':
        buf[at] = OPTION_NONCE;
        buf.set(option.nonce, at + 2);
        break;
      case 'unknown':
        buf[at] = option.type;
        buf.set(option.data, at + 2);
        break;
    }
    at += length;
  }
  return at;
}

/**
 * Reads an NS or NA from `buf[offset..end)`. With `srcOffset`/`dstOffset` (where the IPv6
 * addresses sit in `buf`) the checksum is verified; the frame decoder passes them.
 */
export function readNdpMessage(
  buf: Uint8Array,
  offset: number,
  end: number,
  srcOffset: number | undefined,
  dstOffset: number | undefined,
): NdpMessage | DecodeError {
  if (end - offset < 24) return new DecodeError('truncated', offset, `neighbor discovery message needs 24 bytes, ${end - offset} left`);
  const type = buf[offset] as number;
  if (type !== ICMPV6_NEIGHBOR_SOLICITATION && type !== ICMPV6_NEIGHBOR_ADVERTISEMENT) {
    return new DecodeError('not-neighbor-discovery', offset, `ICMPv6 type ${type} is neither a neighbor solicitation (135) nor an advertisement (136)`);
  }
  const code = buf[offset + 1] as number;
  if (code !== 0) return new DecodeError('bad-code', offset + 1, `ICMPv6 code ${code} in a neighbor discovery message (must be 0)`);
  if (srcOffset !== undefined && dstOffset !== undefined) {
    const residue = icmpv6Checksum(buf, offset, end, srcOffset, dstOffset);
    if (residue !== 0) {
      const carried = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
      const hex = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
      return new DecodeError('bad-checksum', offset + 2, `ICMPv6 checksum ${hex(carried)} is wrong (expected ${hex(expectedChecksum(buf, offset, end, srcOffset, dstOffset))})`);
    }
  }
  if (buf[offset + 8] === 0xff) return new DecodeError('multicast-target', offset + 8, `target ${formatIPv6(buf, offset + 8)} is a multicast address`);
  const options: NdpOption[] = [];
  let at = offset + 24;
  while (at < end) {
    if (end - at < 2) return new DecodeError('truncated', at, `option header needs 2 bytes, ${end - at} left`);
    const optionType = buf[at] as number;
    const units = buf[at + 1] as number;
    if (units === 0) return new DecodeError('bad-option', at + 1, `option type ${optionType} has length 0 (RFC 4861 4.6: discard the message)`);
    const length = units * 8;
    if (at + length > end) return new DecodeError('truncated', at, `option type ${optionType} claims ${length} bytes, ${end - at} left`);
    if ((optionType === OPTION_SOURCE_LINK_LAYER || optionType === OPTION_TARGET_LINK_LAYER) && units === 1) {
      const mac = formatMac(buf, at + 2);
      options.push(optionType === OPTION_SOURCE_LINK_LAYER ? { kind: 'source-link-layer', mac } : { kind: 'target-link-layer', mac });
    } else if (optionType === OPTION_NONCE) {
      options.push({ kind: 'nonce', nonce: copyBytes(buf, at + 2, at + length) });
    } else {
      options.push({ kind: 'unknown', type: optionType, data: copyBytes(buf, at + 2, at + length) });
    }
    at += length;
  }
  const word = (((buf[offset + 4] as number) << 24) | ((buf[offset + 5] as number) << 16) | ((buf[offset + 6] as number) << 8) | (buf[offset + 7] as number)) >>> 0;
  const target = formatIPv6(buf, offset + 8);
  if (type === ICMPV6_NEIGHBOR_SOLICITATION) {
    return word === 0 ? { type: 'solicitation', target, options } : { type: 'solicitation', target, options, reserved: word };
  }
  const flags = word >>> 24;
  const reserved = word & 0x1fffffff;
  const advertisement = { type: 'advertisement', router: (flags & 0x80) !== 0, solicited: (flags & 0x40) !== 0, override: (flags & 0x20) !== 0, target, options } as const;
  return reserved === 0 ? advertisement : { ...advertisement, reserved };
}

/** The checksum the message should carry; only computed to explain a mismatch. */
function expectedChecksum(buf: Uint8Array, offset: number, end: number, srcOffset: number, dstOffset: number): number {
  const scratch = new Uint8Array(32 + end - offset);
  scratch.set(buf.subarray(srcOffset, srcOffset + 16), 0);
  scratch.set(buf.subarray(dstOffset, dstOffset + 16), 16);
  scratch.set(buf.subarray(offset, end), 32);
  scratch[34] = 0;
  scratch[35] = 0;
  return icmpv6Checksum(scratch, 32, scratch.length, 0, 16);
}

/** Copies the pseudo-header addresses next to the message so the checksum code reads them from one buffer. */
function withPseudoHeader(pseudo: PseudoHeader, length: number): { scratch: Uint8Array; at: number } {
  const scratch = new Uint8Array(32 + length);
  writeIPv6(pseudo.src, scratch, 0);
  writeIPv6(pseudo.dst, scratch, 16);
  return { scratch, at: 32 };
}

function encode(message: NdpMessage, buf?: Uint8Array, offset = 0, pseudo?: PseudoHeader): Uint8Array {
  const length = encodingLength(message);
  const out = buf ?? new Uint8Array(length);
  writeNdpMessage(message, out, offset);
  if (pseudo) {
    const { scratch, at } = withPseudoHeader(pseudo, length);
    scratch.set(out.subarray(offset, offset + length), at);
    const checksum = icmpv6Checksum(scratch, at, at + length, 0, 16);
    out[offset + 2] = checksum >> 8;
    out[offset + 3] = checksum & 0xff;
  }
  return out;
}

function decode(buf: Uint8Array, offset = 0, end = buf.length, pseudo?: PseudoHeader): DecodeResult<NdpMessage> {
  const message = read(buf, offset, end, pseudo);
  return message instanceof DecodeError ? { ok: false, error: message } : { ok: true, value: message, length: end - offset };
}

function read(buf: Uint8Array, offset: number, end: number, pseudo: PseudoHeader | undefined): NdpMessage | DecodeError {
  if (!pseudo) return readNdpMessage(buf, offset, end, undefined, undefined);
  const { scratch, at } = withPseudoHeader(pseudo, Math.max(0, end - offset));
  scratch.set(buf.subarray(offset, end), at);
  const result = readNdpMessage(scratch, at, scratch.length, 0, 16);
  return result instanceof DecodeError ? new DecodeError(result.kind, result.offset - at + offset, result.message) : result;
}

/**
 * Codec for an ICMPv6 neighbor solicitation or advertisement on its own (without IPv6 header).
 * Given the pseudo-header addresses, `encode` fills in the checksum and `decode` verifies it.
 */
export const ndpMessage = { encode, decode, encodingLength } as const;
