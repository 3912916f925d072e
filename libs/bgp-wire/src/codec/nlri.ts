import { readU32, writeU32 } from './bytes.js';
import { formatIPv4, formatIPv6, writeIPv4, writeIPv6, type IpFamily } from '@lb/ip';

/**
 * One NLRI entry: a prefix in CIDR text ("10.0.0.1/32", "2001:db8::/64") and, on ADD-PATH
 * sessions (RFC 7911), its path identifier. Bits past the prefix length that the sender put in
 * the last octet stay in the text, so a decoded prefix re-encodes to the same bytes.
 */
export interface Nlri {
  readonly prefix: string;
  readonly pathId?: number;
}

/** A prefix in wire form: address bytes (4 or 16) and length. */
export interface ParsedPrefix {
  readonly family: IpFamily;
  readonly length: number;
  readonly address: Uint8Array;
}

/** Parses CIDR text; undefined when it is not a valid IPv4 or IPv6 prefix. */
export function parsePrefix(text: string): ParsedPrefix | undefined {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return undefined;
  const lengthText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lengthText)) return undefined;
  const length = Number(lengthText);
  const addressText = text.slice(0, slash);
  if (addressText.includes(':')) {
    const address = new Uint8Array(16);
    if (length > 128 || !writeIPv6(addressText, address)) return undefined;
    return { family: 'IPv6', length, address };
  }
  const address = new Uint8Array(4);
  if (length > 32 || !writeIPv4(addressText, address)) return undefined;
  return { family: 'IPv4', length, address };
}

/** Wire bytes of one NLRI entry (path id if any, length octet, significant address octets). */
export function nlriEncodingLength(nlri: Nlri, family: IpFamily): number {
  const parsed = requirePrefix(nlri.prefix, family);
  return (nlri.pathId === undefined ? 0 : 4) + 1 + ((parsed.length + 7) >> 3);
}

export function encodeNlri(nlri: Nlri, family: IpFamily, buf: Uint8Array, offset: number): number {
  const parsed = requirePrefix(nlri.prefix, family);
  let at = offset;
  if (nlri.pathId !== undefined) {
    writeU32(buf, at, nlri.pathId);
    at += 4;
  }
  buf[at++] = parsed.length;
  const octets = (parsed.length + 7) >> 3;
  buf.set(parsed.address.subarray(0, octets), at);
  return at + octets;
}

export function encodeNlriList(list: readonly Nlri[], family: IpFamily, buf: Uint8Array, offset: number): number {
  let at = offset;
  for (const nlri of list) at = encodeNlri(nlri, family, buf, at);
  return at;
}

export function nlriListEncodingLength(list: readonly Nlri[], family: IpFamily): number {
  let total = 0;
  for (const nlri of list) total += nlriEncodingLength(nlri, family);
  return total;
}

/** A reason and the offset it applies to, turned into a BgpError by the caller (who knows the code). */
export interface NlriProblem {
  readonly reason: string;
  readonly offset: number;
}

/** Decodes a run of prefixes filling [start, end) exactly. */
export function decodeNlriList(
  buf: Uint8Array,
  start: number,
  end: number,
  family: IpFamily,
  addPath: boolean,
): Nlri[] | NlriProblem {
  const out: Nlri[] = [];
  const maxBits = family === 'IPv4' ? 32 : 128;
  const scratch = new Uint8Array(family === 'IPv4' ? 4 : 16);
  let at = start;
  while (at < end) {
    let pathId: number | undefined;
    if (addPath) {
      if (end - at < 5) return { reason: `ADD-PATH NLRI truncated: ${end - at} bytes left, need a path id and a length`, offset: at };
      pathId = readU32(buf, at);
      at += 4;
    }
    const bits = buf[at] as number;
    if (bits > maxBits) return { reason: `prefix length ${bits} > ${maxBits}`, offset: at };
    const octets = (bits + 7) >> 3;
    if (at + 1 + octets > end) return { reason: `prefix /${bits} needs ${octets} bytes, ${end - at - 1} left`, offset: at };
    scratch.fill(0);
    scratch.set(buf.subarray(at + 1, at + 1 + octets));
    const text = (family === 'IPv4' ? formatIPv4(scratch) : formatIPv6(scratch)) + '/' + bits;
    out.push(pathId === undefined ? { prefix: text } : { prefix: text, pathId });
    at += 1 + octets;
  }
  return out;
}

function requirePrefix(text: string, family: IpFamily): ParsedPrefix {
  const parsed = parsePrefix(text);
  if (!parsed) throw new TypeError(`not a valid prefix: ${JSON.stringify(text)}`);
  if (parsed.family !== family) throw new TypeError(`prefix ${text} is not ${family}`);
  return parsed;
}
