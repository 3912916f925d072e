import { arpPacket, ARP_LENGTH, read as readArp, type ArpPacket } from './arp.js';
import { icmpv6Checksum } from './checksum.js';
import { copyBytes, DecodeError, type DecodeResult } from './errors.js';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6, ethernetHeaderLength, readEthernetHeader, writeEthernetHeader, type EthernetHeader } from './ethernet.js';
import { formatIPv6, writeIPv6 } from './ip.js';
import { ICMPV6_NEIGHBOR_ADVERTISEMENT, ICMPV6_NEIGHBOR_SOLICITATION, ndpMessage, readNdpMessage, writeNdpMessage, type NdpMessage } from './ndp.js';

const IPV6_HEADER_LENGTH = 40;
const NEXT_HEADER_ICMPV6 = 58;
/** RFC 4861 7.1: a neighbor discovery message that crossed a router has a lower hop limit. */
const ND_HOP_LIMIT = 255;

/** The IPv6 fields a neighbor discovery frame carries; next header is ICMPv6 and hop limit 255 by definition. */
export interface Ipv6Header {
  readonly src: string;
  readonly dst: string;
  readonly trafficClass?: number;
  readonly flowLabel?: number;
}

export interface ArpFrame {
  readonly kind: 'arp';
  readonly eth: EthernetHeader;
  readonly arp: ArpPacket;
  /** Bytes after the ARP payload (short frames are padded to 60 bytes on the wire); kept for byte-exact re-encoding. */
  readonly padding?: Uint8Array;
}

export interface NdpFrame {
  readonly kind: 'ndp';
  readonly eth: EthernetHeader;
  readonly ipv6: Ipv6Header;
  readonly ndp: NdpMessage;
  /** Bytes after the IPv6 payload. */
  readonly padding?: Uint8Array;
}

export type Frame = ArpFrame | NdpFrame;

function encodingLength(frame: Frame): number {
  const payload = frame.kind === 'arp' ? ARP_LENGTH : IPV6_HEADER_LENGTH + ndpMessage.encodingLength(frame.ndp);
  return ethernetHeaderLength(frame.eth) + payload + (frame.padding?.length ?? 0);
}

function encode(frame: Frame, buf?: Uint8Array, offset = 0): Uint8Array {
  const out = buf ?? new Uint8Array(encodingLength(frame));
  let at: number;
  if (frame.kind === 'arp') {
    at = writeEthernetHeader(frame.eth, ETHERTYPE_ARP, out, offset);
    arpPacket.encode(frame.arp, out, at);
    at += ARP_LENGTH;
  } else {
    at = writeEthernetHeader(frame.eth, ETHERTYPE_IPV6, out, offset);
    const ip = at;
    const { trafficClass = 0, flowLabel = 0 } = frame.ipv6;
    const end = writeNdpMessage(frame.ndp, out, ip + IPV6_HEADER_LENGTH);
    const payloadLength = end - ip - IPV6_HEADER_LENGTH;
    const word = ((6 << 28) | ((trafficClass & 0xff) << 20) | (flowLabel & 0xfffff)) >>> 0;
    out[ip] = word >>> 24;
    out[ip + 1] = (word >>> 16) & 0xff;
    out[ip + 2] = (word >>> 8) & 0xff;
    out[ip + 3] = word & 0xff;
    out[ip + 4] = payloadLength >> 8;
    out[ip + 5] = payloadLength & 0xff;
    out[ip + 6] = NEXT_HEADER_ICMPV6;
    out[ip + 7] = ND_HOP_LIMIT;
    writeIPv6(frame.ipv6.src, out, ip + 8);
    writeIPv6(frame.ipv6.dst, out, ip + 24);
    const checksum = icmpv6Checksum(out, ip + IPV6_HEADER_LENGTH, end, ip + 8, ip + 24);
    out[ip + IPV6_HEADER_LENGTH + 2] = checksum >> 8;
    out[ip + IPV6_HEADER_LENGTH + 3] = checksum & 0xff;
    at = end;
  }
  if (frame.padding) out.set(frame.padding, at);
  return out;
}

function decode(buf: Uint8Array, offset = 0, end = buf.length): DecodeResult<Frame> {
  // A capture may claim more bytes than its buffer holds: read only what is there.
  const stop = Math.min(end, buf.length);
  const frame = readFrame(buf, offset, stop);
  return frame instanceof DecodeError ? { ok: false, error: frame } : { ok: true, value: frame, length: stop - offset };
}

function readFrame(buf: Uint8Array, offset: number, end: number): Frame | DecodeError {
  const eth = readEthernetHeader(buf, offset, end);
  if (eth instanceof DecodeError) return eth;
  const at = eth.payloadOffset;
  if (eth.ethertype === ETHERTYPE_ARP) {
    const arp = readArp(buf, at, end);
    if (arp instanceof DecodeError) return arp;
    const padding = paddingOf(buf, at + ARP_LENGTH, end);
    return padding ? { kind: 'arp', eth: eth.header, arp, padding } : { kind: 'arp', eth: eth.header, arp };
  }
  if (eth.ethertype !== ETHERTYPE_IPV6) {
    return new DecodeError('unsupported-ethertype', at - 2, `ethertype 0x${eth.ethertype.toString(16).padStart(4, '0')} is neither ARP (0x0806) nor IPv6 (0x86dd)`);
  }
  return decodeIpv6(buf, at, end, eth.header);
}

function decodeIpv6(buf: Uint8Array, ip: number, end: number, header: EthernetHeader): NdpFrame | DecodeError {
  if (end - ip < IPV6_HEADER_LENGTH) return new DecodeError('truncated', ip, `IPv6 header needs 40 bytes, ${end - ip} left`);
  const version = (buf[ip] as number) >> 4;
  if (version !== 6) return new DecodeError('bad-ipv6-header', ip, `IP version ${version} in an IPv6 frame`);
  const payloadLength = ((buf[ip + 4] as number) << 8) | (buf[ip + 5] as number);
  const payloadEnd = ip + IPV6_HEADER_LENGTH + payloadLength;
  if (payloadEnd > end) return new DecodeError('truncated', ip + 4, `IPv6 payload length ${payloadLength}, only ${end - ip - IPV6_HEADER_LENGTH} bytes follow the header`);
  const nextHeader = buf[ip + 6] as number;
  if (nextHeader !== NEXT_HEADER_ICMPV6) return new DecodeError('not-neighbor-discovery', ip + 6, `IPv6 next header ${nextHeader} is not ICMPv6 (58)`);
  const icmp = ip + IPV6_HEADER_LENGTH;
  const type = buf[icmp];
  if (payloadLength > 0 && type !== ICMPV6_NEIGHBOR_SOLICITATION && type !== ICMPV6_NEIGHBOR_ADVERTISEMENT) {
    return new DecodeError('not-neighbor-discovery', icmp, `ICMPv6 type ${type} is neither a neighbor solicitation (135) nor an advertisement (136)`);
  }
  const hopLimit = buf[ip + 7] as number;
  if (hopLimit !== ND_HOP_LIMIT) return new DecodeError('bad-hop-limit', ip + 7, `hop limit ${hopLimit} (neighbor discovery requires 255)`);
  const ndp = readNdpMessage(buf, icmp, payloadEnd, ip + 8, ip + 24);
  if (ndp instanceof DecodeError) return ndp;
  const word = (((buf[ip] as number) << 24) | ((buf[ip + 1] as number) << 16) | ((buf[ip + 2] as number) << 8) | (buf[ip + 3] as number)) >>> 0;
  const ipv6: Ipv6Header = { src: formatIPv6(buf, ip + 8), dst: formatIPv6(buf, ip + 24), trafficClass: (word >>> 20) & 0xff, flowLabel: word & 0xfffff };
  const invalid = checkAddressing(ipv6, ndp, ip);
  if (invalid) return invalid;
  const padding = paddingOf(buf, payloadEnd, end);
  return padding ? { kind: 'ndp', eth: header, ipv6, ndp, padding } : { kind: 'ndp', eth: header, ipv6, ndp };
}

/** RFC 4861 7.1.1 and 7.1.2: the rules that tie a message to the addresses it was sent between. */
function checkAddressing(ipv6: Ipv6Header, ndp: NdpMessage, ip: number): DecodeError | undefined {
  if (ndp.type === 'solicitation' && ipv6.src === '::') {
    if (!ipv6.dst.startsWith('ff02::1:ff')) {
      return new DecodeError('bad-destination', ip + 24, `duplicate address detection from :: must go to a solicited-node group, not ${ipv6.dst}`);
    }
    if (ndp.options.some((o) => o.kind === 'source-link-layer')) {
      return new DecodeError('bad-option', ip + IPV6_HEADER_LENGTH + 24, 'a solicitation from :: must not carry a source link-layer address option');
    }
  }
  if (ndp.type === 'advertisement' && ndp.solicited && ipv6.dst.startsWith('ff')) {
    return new DecodeError('bad-destination', ip + 24, `a solicited advertisement sent to multicast ${ipv6.dst}`);
  }
  return undefined;
}

function paddingOf(buf: Uint8Array, from: number, end: number): Uint8Array | undefined {
  return end > from ? copyBytes(buf, from, end) : undefined;
}

/**
 * Codec for whole Ethernet frames carrying ARP or IPv6 neighbor discovery, with or without one
 * 802.1Q tag, as libpcap delivers them (no FCS). `encode` computes the ICMPv6 checksum.
 */
export const ethernetFrame = { encode, decode, encodingLength } as const;

