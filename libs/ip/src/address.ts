// Address text <-> bytes <-> bigint, shared by the codecs (ARP/NDP frames, BGP NLRI) and the
// allocator. Hand-written rather than node:net because it sits on hot paths (every NLRI, three
// addresses per frame) and must allocate little and never throw on input.

/** An address family, spelled as Kubernetes spells it in `spec.ipFamilies`. */
export type IpFamily = 'IPv4' | 'IPv6';

/** Bits in an address of `family`: 32 or 128. */
export function addressBits(family: IpFamily): 32 | 128 {
  return family === 'IPv4' ? 32 : 128;
}

const DECIMAL = Array.from({ length: 256 }, (_, i) => String(i));
/** A byte as hex without and with a leading zero: a 16-bit group is one or two lookups. */
const HEX_SHORT = Array.from({ length: 256 }, (_, i) => i.toString(16));
const HEX_PAIR = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Dotted quad of the four bytes at `offset`. */
export function formatIPv4(buf: Uint8Array, offset = 0): string {
  return `${DECIMAL[buf[offset] as number]}.${DECIMAL[buf[offset + 1] as number]}.${DECIMAL[buf[offset + 2] as number]}.${DECIMAL[buf[offset + 3] as number]}`;
}

/** RFC 5952 text of the sixteen bytes at `offset`: lowercase, the longest run (≥ 2) of zero groups as `::`. */
export function formatIPv6(buf: Uint8Array, offset = 0): string {
  let bestStart = -1;
  let bestLength = 1;
  let runStart = -1;
  for (let i = 0; i < 8; i++) {
    if (buf[offset + 2 * i] === 0 && buf[offset + 2 * i + 1] === 0) {
      if (runStart < 0) runStart = i;
      if (i - runStart + 1 > bestLength) {
        bestStart = runStart;
        bestLength = i - runStart + 1;
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
    out += high === 0 ? HEX_SHORT[low] : (HEX_SHORT[high] as string) + HEX_PAIR[low];
  }
  return out;
}

/**
 * Writes a dotted quad into `out` at `offset`; false when `text` is not one. Leading zeros are
 * refused, as Kubernetes and Go refuse them: `010` is octal to some parsers and decimal to others.
 */
export function writeIPv4(text: string, out: Uint8Array, offset = 0): boolean {
  let octet = 0;
  let digits = 0;
  let index = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || index > 2) return false;
      out[offset + index++] = octet;
      octet = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return false;
      octet = octet * 10 + (c - 48);
      digits++;
      if (octet > 255) return false;
    } else {
      return false;
    }
  }
  if (digits === 0 || index !== 3) return false;
  out[offset + 3] = octet;
  return true;
}

/** Writes an IPv6 address (with `::` and a dotted IPv4 tail allowed, zone ids not) into `out`; false when invalid. */
export function writeIPv6(text: string, out: Uint8Array, offset = 0): boolean {
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const head = parseGroups(halves[0] ?? '', halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '', true) : undefined;
  if (!head || (halves.length === 2 && !tail)) return false;
  if (tail && head.length + tail.length > 7) return false;
  const groups = tail ? [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail] : head;
  if (groups.length !== 8) return false;
  for (let i = 0; i < 8; i++) {
    const g = groups[i] as number;
    out[offset + 2 * i] = g >> 8;
    out[offset + 2 * i + 1] = g & 0xff;
  }
  return true;
}

function parseGroups(part: string, allowDottedTail: boolean): number[] | undefined {
  if (part === '') return [];
  const fields = part.split(':');
  const groups: number[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] as string;
    if (allowDottedTail && i === fields.length - 1 && field.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!writeIPv4(field, v4)) return undefined;
      groups.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    if (!HEX_GROUP.test(field)) return undefined;
    groups.push(parseInt(field, 16));
  }
  return groups;
}

/** The 4 or 16 bytes of an address, or undefined when `text` is neither an IPv4 nor an IPv6 address. */
export function parseIp(text: string): Uint8Array | undefined {
  if (text.includes(':')) {
    const out = new Uint8Array(16);
    return writeIPv6(text, out) ? out : undefined;
  }
  const out = new Uint8Array(4);
  return writeIPv4(text, out) ? out : undefined;
}

/** Text of 4 or 16 address bytes. */
export function formatIp(bytes: Uint8Array): string {
  return bytes.length === 4 ? formatIPv4(bytes) : formatIPv6(bytes);
}

/** The family of an address, or undefined when `text` is not one. */
export function ipFamily(text: string): IpFamily | undefined {
  const bytes = parseIp(text);
  return bytes === undefined ? undefined : bytes.length === 4 ? 'IPv4' : 'IPv6';
}

/** The canonical text of an address (dotted quad; RFC 5952), or undefined when it is not one. */
export function canonicalIp(text: string): string | undefined {
  const bytes = parseIp(text);
  return bytes && formatIp(bytes);
}

/** Address bytes as an unsigned integer (32 bits for IPv4, 128 for IPv6). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 4) return BigInt((((bytes[0] as number) << 24) >>> 0) + (((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number)));
  let value = 0n;
  for (let i = 0; i < bytes.length; i += 4) {
    const word = ((((bytes[i] as number) << 24) >>> 0) + (((bytes[i + 1] as number) << 16) | ((bytes[i + 2] as number) << 8) | (bytes[i + 3] as number)));
    value = (value << 32n) | BigInt(word);
  }
  return value;
}

/** An unsigned integer as the 4 (IPv4) or 16 (IPv6) bytes of an address; higher bits are dropped. */
export function bigIntToBytes(value: bigint, family: IpFamily): Uint8Array {
  const out = new Uint8Array(family === 'IPv4' ? 4 : 16);
  let rest = value;
  for (let i = out.length - 4; i >= 0; i -= 4) {
    const word = Number(rest & 0xffffffffn);
    out[i] = word >>> 24;
    out[i + 1] = (word >>> 16) & 0xff;
    out[i + 2] = (word >>> 8) & 0xff;
    out[i + 3] = word & 0xff;
    rest >>= 32n;
  }
  return out;
}
