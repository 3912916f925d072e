import { DecodeError } from './errors.js';
import { formatMac, writeMac } from './mac.js';

export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;

/** An 802.1Q tag. Decoded tags carry all three fields; encode defaults priority 0, not drop-eligible. */
export interface VlanTag {
  readonly id: number;
  readonly priority?: number;
  readonly dropEligible?: boolean;
}

export interface EthernetHeader {
  readonly dst: string;
  readonly src: string;
  readonly vlan?: VlanTag;
}

export interface DecodedEthernetHeader {
  readonly header: EthernetHeader;
  readonly ethertype: number;
  readonly payloadOffset: number;
}

export function ethernetHeaderLength(header: EthernetHeader): number {
  return header.vlan ? 18 : 14;
}

/** Writes the header with `ethertype`; returns the offset where the payload starts. */
export function writeEthernetHeader(header: EthernetHeader, ethertype: number, buf: Uint8Array, offset: number): number {
  writeMac(header.dst, buf, offset);
  writeMac(header.src, buf, offset + 6);
  let at = offset + 12;
  if (header.vlan) {
    const { id, priority = 0, dropEligible = false } = header.vlan;
    if (!Number.isInteger(id) || id < 0 || id > 4095) throw new RangeError(`VLAN id ${id} is outside 0..4095`);
    if (!Number.isInteger(priority) || priority < 0 || priority > 7) throw new RangeError(`VLAN priority ${priority} is outside 0..7`);
    const tci = (priority << 13) | (dropEligible ? 0x1000 : 0) | id;
    buf[at] = ETHERTYPE_VLAN >> 8;
    buf[at + 1] = ETHERTYPE_VLAN & 0xff;
    buf[at + 2] = tci >> 8;
    buf[at + 3] = tci & 0xff;
    at += 4;
  }
  buf[at] = ethertype >> 8;
  buf[at + 1] = ethertype & 0xff;
  return at + 2;
}

/** Reads the addresses, at most one 802.1Q tag and the ethertype. */
export function readEthernetHeader(buf: Uint8Array, offset: number, end: number): DecodedEthernetHeader | DecodeError {
  if (end - offset < 14) return new DecodeError('truncated', offset, `Ethernet header needs 14 bytes, frame has ${end - offset}`);
  let ethertype = ((buf[offset + 12] as number) << 8) | (buf[offset + 13] as number);
  let payloadOffset = offset + 14;
  let vlan: VlanTag | undefined;
  if (ethertype === ETHERTYPE_VLAN) {
    if (end - offset < 18) return new DecodeError('truncated', offset + 12, `802.1Q tag needs 4 more bytes, frame has ${end - offset - 14}`);
    const tci = ((buf[offset + 14] as number) << 8) | (buf[offset + 15] as number);
    vlan = { id: tci & 0x0fff, priority: tci >> 13, dropEligible: (tci & 0x1000) !== 0 };
    ethertype = ((buf[offset + 16] as number) << 8) | (buf[offset + 17] as number);
    payloadOffset += 4;
  }
  const dst = formatMac(buf, offset);
  const src = formatMac(buf, offset + 6);
  return { header: vlan ? { dst, src, vlan } : { dst, src }, ethertype, payloadOffset };
}
