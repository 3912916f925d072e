import { isIPv4, isIPv6 } from 'node:net';

/**
 * IPv4 and IPv6 addresses as text in canonical form (dotted quad; RFC 5952 for IPv6), so that a
 * decoded address and an address the caller announced compare as equal strings. node:net does the
 * syntax checks; the byte conversions are here because decode formats three addresses per frame
 * and must stay allocation-light.
 */

export type IpFamily = 4 | 6;

const DECIMAL = Array.from({ length: 256 }, (_, i) => String(i));
/** Byte to hex without and with a leading zero: a 16-bit group is one or two lookups, no toString. */
const HEX_SHORT = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX_PAIR = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function formatIPv4(buf: Uint8Array, offset = 0): string {
  return (
    DECIMAL[buf[offset] as number]! +
    '.' +
    DECIMAL[buf[offset + 1] as number]! +
    '.' +
    DECIMAL[buf[offset + 2] as number]! +
    '.' +
    DECIMAL[buf[offset + 3] as number]!
  );
}

/** RFC 5952: lower case, no leading zeros, the longest run (of two or more) of zero groups as `::`. */
export function formatIPv6(buf: Uint8Array, offset = 0): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    const zero = buf[offset + 2 * i] === 0 && buf[offset + 2 * i + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = i;
      const length = i - runStart + 1;
      if (length > bestLength) {
        bestStart = runStart;
        bestLength = length;
      }
    } else {
      runStart = -1;
    }
  }
  let out = '';
  let afterGap = false;
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLength - 1;
      afterGap = true;
      continue;
    }
    if (i > 0 && !afterGap) out += ':';
    afterGap = false;
    const high = buf[offset + 2 * i] as number;
    const low = buf[offset + 2 * i + 1] as number;
    out += high === 0 ? HEX_SHORT[low]! : HEX_SHORT[high]! + HEX_PAIR[low]!;
  }
  return out;
}

export function ipFamily(text: string): IpFamily | undefined {
  if (isIPv4(text)) return 4;
  if (isIPv6(text) && !text.includes('%')) return 6;
  return undefined;
}

/** Writes a dotted quad at `offset`; throws naming the input when it is not one. */
export function writeIPv4(text: string, buf: Uint8Array, offset: number): void {
  if (!isIPv4(text)) throw new TypeError(`"${text}" is not an IPv4 address`);
  const parts = text.split('.');
  for (let i = 0; i < 4; i++) buf[offset + i] = Number(parts[i]);
}

/** Writes the 16 bytes of an IPv6 address (with or without `::`, embedded dotted quad allowed). */
export function writeIPv6(text: string, buf: Uint8Array, offset: number): void {
  if (ipFamily(text) !== 6) throw new TypeError(`"${text}" is not an IPv6 address`);
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const quad = piece.split('.').map(Number);
        out.push(((quad[0] as number) << 8) | (quad[1] as number), ((quad[2] as number) << 8) | (quad[3] as number));
      } else {
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const gap = text.indexOf('::');
  const head = groups(gap < 0 ? text : text.slice(0, gap));
  const tail = gap < 0 ? [] : groups(text.slice(gap + 2));
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  for (let i = 0; i < 8; i++) {
    buf[offset + 2 * i] = (all[i] as number) >> 8;
    buf[offset + 2 * i + 1] = (all[i] as number) & 0xff;
  }
}

export function parseIPv6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  writeIPv6(text, out, 0);
  return out;
}

/** The canonical text of an address, or a TypeError naming the input; `where` prefixes the message. */
export function canonicalIp(text: string, where = 'address'): { family: IpFamily; ip: string } {
  const family = ipFamily(text);
  if (family === 4) {
    const bytes = new Uint8Array(4);
    writeIPv4(text, bytes, 0);
    return { family, ip: formatIPv4(bytes) };
  }
  if (family === 6) return { family, ip: formatIPv6(parseIPv6(text)) };
  throw new TypeError(`${where}: "${text}" is not an IPv4 or IPv6 address`);
}

/** The solicited-node multicast group of an IPv6 address: ff02::1:ff + its low 24 bits (RFC 4291 2.7.1). */
export function solicitedNodeAddress(ipv6: string): string {
  const bytes = parseIPv6(ipv6);
  return formatIPv6(Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, bytes[13]!, bytes[14]!, bytes[15]!));
}

/** Ethernet MAC of an IPv6 multicast group: 33:33 + its low 32 bits (RFC 2464 section 7). */
export function multicastMac(ipv6Group: string): string {
  const b = parseIPv6(ipv6Group);
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return `33:33:${hex(b[12]!)}:${hex(b[13]!)}:${hex(b[14]!)}:${hex(b[15]!)}`;
}

/** The Ethernet address a solicitation for `ipv6` is sent to. */
export function solicitedNodeMac(ipv6: string): string {
  return multicastMac(solicitedNodeAddress(ipv6));
}

export function isLinkLocalIPv6(ipv6: string): boolean {
  const b = parseIPv6(ipv6);
  return b[0] === 0xfe && ((b[1] as number) & 0xc0) === 0x80;
}
