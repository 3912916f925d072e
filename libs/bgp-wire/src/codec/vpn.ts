import { readU16, readU32 } from './bytes.js';
import { formatIPv4, formatIPv6 } from '@lb/ip';

/**
 * Readers for labelled-VPN families (SAFI 128, RFC 4364 / RFC 4659), which the codec keeps as raw
 * bytes in `mp-reach-raw`. They only read: a speaker that announces service addresses never
 * sends these, but logs and tests want to see what a router sent.
 */
export interface VpnRoute {
  readonly labels: readonly number[];
  readonly routeDistinguisher: string;
  readonly prefix: string;
}

/** "asn:value", "ip:value" or "asn4:value" for an 8-byte route distinguisher at `at`. */
export function formatRouteDistinguisher(buf: Uint8Array, at: number): string {
  const type = readU16(buf, at);
  if (type === 0) return `${readU16(buf, at + 2)}:${readU32(buf, at + 4)}`;
  if (type === 1) return `${formatIPv4(buf, at + 2)}:${readU16(buf, at + 6)}`;
  if (type === 2) return `${readU32(buf, at + 2)}:${readU16(buf, at + 6)}`;
  return Array.from(buf.subarray(at, at + 8), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The VPN NLRI list of an `mp-reach-raw` (AFI 1 or 2, SAFI 128), or undefined when malformed. */
export function decodeVpnNlri(afi: number, nlri: Uint8Array): VpnRoute[] | undefined {
  const addressBytes = afi === 1 ? 4 : 16;
  const routes: VpnRoute[] = [];
  let at = 0;
  while (at < nlri.length) {
    const bits = nlri[at] as number;
    const bytes = (bits + 7) >> 3;
    if (at + 1 + bytes > nlri.length) return undefined;
    const labels: number[] = [];
    let cursor = at + 1;
    for (;;) {
      if (cursor + 3 > at + 1 + bytes) return undefined;
      const word = ((nlri[cursor] as number) << 16) | ((nlri[cursor + 1] as number) << 8) | (nlri[cursor + 2] as number);
      labels.push(word >>> 4);
      cursor += 3;
      if ((word & 1) === 1 || word === 0x800000) break;
    }
    if (cursor + 8 > at + 1 + bytes) return undefined;
    const routeDistinguisher = formatRouteDistinguisher(nlri, cursor);
    cursor += 8;
    const prefixBits = bits - 8 * (cursor - at - 1);
    if (prefixBits < 0 || prefixBits > addressBytes * 8) return undefined;
    const address = new Uint8Array(addressBytes);
    address.set(nlri.subarray(cursor, at + 1 + bytes));
    const text = addressBytes === 4 ? formatIPv4(address) : formatIPv6(address);
    routes.push({ labels, routeDistinguisher, prefix: `${text}/${prefixBits}` });
    at += 1 + bytes;
  }
  return routes;
}

/** A VPN next hop: route distinguisher and address (RFC 4659 puts an all-zero RD first). */
export function decodeVpnNextHop(nextHop: Uint8Array): { routeDistinguisher: string; address: string } | undefined {
  if (nextHop.length === 12) return { routeDistinguisher: formatRouteDistinguisher(nextHop, 0), address: formatIPv4(nextHop, 8) };
  if (nextHop.length === 24 || nextHop.length === 48) return { routeDistinguisher: formatRouteDistinguisher(nextHop, 0), address: formatIPv6(nextHop, 8) };
  return undefined;
}
