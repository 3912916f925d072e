import { canonicalIp, formatIPv4, formatIPv6, ipFamily, writeIPv4 as tryWriteIPv4, writeIPv6 as tryWriteIPv6, type IpFamily } from '@lb/ip';

/**
 * Addresses in frames. Text and bytes are @lb/ip's (canonical text, so that a decoded address and
 * an address the caller announced compare as equal strings); what is here is NDP's multicast
 * arithmetic and the encode-side writers, which throw on a caller's bad text (decode never throws).
 */

export { formatIPv4, formatIPv6 };

/** Writes a dotted quad at `offset`; throws naming the input when it is not one. */
export function writeIPv4(text: string, buf: Uint8Array, offset: number): void {
  if (!tryWriteIPv4(text, buf, offset)) throw new TypeError(`"${text}" is not an IPv4 address`);
}

/** Writes the 16 bytes of an IPv6 address; throws naming the input when it is not one. */
export function writeIPv6(text: string, buf: Uint8Array, offset: number): void {
  if (!tryWriteIPv6(text, buf, offset)) throw new TypeError(`"${text}" is not an IPv6 address`);
}

export function ipv6Bytes(text: string): Uint8Array {
  const out = new Uint8Array(16);
  writeIPv6(text, out, 0);
  return out;
}

/** The canonical text and family of an address, or why it is not one (`where` prefixes the message). */
export function canonicalAddress(text: string, where = 'address'): { ok: true; value: { family: IpFamily; ip: string } } | { ok: false; error: string } {
  const ip = typeof text === 'string' ? canonicalIp(text) : undefined;
  const family = ip === undefined ? undefined : ipFamily(ip);
  if (ip === undefined || family === undefined) return { ok: false, error: `${where}: "${text}" is not an IPv4 or IPv6 address` };
  return { ok: true, value: { family, ip } };
}

/** The solicited-node multicast group of an IPv6 address: ff02::1:ff + its low 24 bits (RFC 4291 2.7.1). */
export function solicitedNodeAddress(ipv6: string): string {
  const bytes = ipv6Bytes(ipv6);
  return formatIPv6(Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, bytes[13]!, bytes[14]!, bytes[15]!));
}

/** Ethernet MAC of an IPv6 multicast group: 33:33 + its low 32 bits (RFC 2464 section 7). */
export function multicastMac(ipv6Group: string): string {
  const b = ipv6Bytes(ipv6Group);
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `33:33:${hex(b[12]!)}:${hex(b[13]!)}:${hex(b[14]!)}:${hex(b[15]!)}`;
}

/** The Ethernet address a solicitation for `ipv6` is sent to. */
export function solicitedNodeMac(ipv6: string): string {
  return multicastMac(solicitedNodeAddress(ipv6));
}

export function isLinkLocalIPv6(ipv6: string): boolean {
  const b = ipv6Bytes(ipv6);
  return b[0] === 0xfe && ((b[1] as number) & 0xc0) === 0x80;
}
