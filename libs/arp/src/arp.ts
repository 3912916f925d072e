import { DecodeError, type DecodeResult } from './errors.js';
import { formatIPv4, writeIPv4 } from './ip.js';
import { formatMac, writeMac } from './mac.js';

export const ARP_REQUEST = 1;
export const ARP_REPLY = 2;
/** Ethernet/IPv4 ARP is always 28 bytes: 8 of header, two MAC/IPv4 pairs. */
export const ARP_LENGTH = 28;

/**
 * An RFC 826 packet for Ethernet and IPv4, the only kind this library answers. `op` stays a number
 * so that operations other than request (1) and reply (2) survive a decode/encode round trip.
 */
export interface ArpPacket {
  readonly op: number;
  /** Sender hardware address. */
  readonly sha: string;
  /** Sender protocol address. */
  readonly spa: string;
  /** Target hardware address. */
  readonly tha: string;
  /** Target protocol address. */
  readonly tpa: string;
}

function encode(packet: ArpPacket, buf: Uint8Array = new Uint8Array(ARP_LENGTH), offset = 0): Uint8Array {
  if (!Number.isInteger(packet.op) || packet.op < 0 || packet.op > 0xffff) throw new RangeError(`ARP operation ${packet.op} is outside 0..65535`);
  buf[offset] = 0;
  buf[offset + 1] = 1;
  buf[offset + 2] = 0x08;
  buf[offset + 3] = 0x00;
  buf[offset + 4] = 6;
  buf[offset + 5] = 4;
  buf[offset + 6] = packet.op >> 8;
  buf[offset + 7] = packet.op & 0xff;
  writeMac(packet.sha, buf, offset + 8);
  writeIPv4(packet.spa, buf, offset + 14);
  writeMac(packet.tha, buf, offset + 18);
  writeIPv4(packet.tpa, buf, offset + 24);
  return buf;
}

function decode(buf: Uint8Array, offset = 0, end = buf.length): DecodeResult<ArpPacket> {
  const packet = read(buf, offset, end);
  return packet instanceof DecodeError ? { ok: false, error: packet } : { ok: true, value: packet, length: ARP_LENGTH };
}

/** The packet at `offset`, or why it is not one; the frame decoder reads with this too. */
export function read(buf: Uint8Array, offset: number, end: number): ArpPacket | DecodeError {
  if (end - offset < ARP_LENGTH) return new DecodeError('truncated', offset, `ARP needs ${ARP_LENGTH} bytes, ${end - offset} left`);
  const htype = ((buf[offset] as number) << 8) | (buf[offset + 1] as number);
  const ptype = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
  const hlen = buf[offset + 4] as number;
  const plen = buf[offset + 5] as number;
  if (htype !== 1 || ptype !== 0x0800 || hlen !== 6 || plen !== 4) {
    return new DecodeError(
      'unsupported-hardware',
      offset,
      `ARP hardware type ${htype}, protocol 0x${ptype.toString(16).padStart(4, '0')}, lengths ${hlen}/${plen}; only Ethernet/IPv4 (1, 0x0800, 6/4) is handled`,
    );
  }
  return {
    op: ((buf[offset + 6] as number) << 8) | (buf[offset + 7] as number),
    sha: formatMac(buf, offset + 8),
    spa: formatIPv4(buf, offset + 14),
    tha: formatMac(buf, offset + 18),
    tpa: formatIPv4(buf, offset + 24),
  };
}

/** Codec for the 28-byte ARP payload (what follows the Ethernet header). */
export const arpPacket = {
  encode,
  decode,
  encodingLength: (_packet?: ArpPacket): number => ARP_LENGTH,
} as const;
