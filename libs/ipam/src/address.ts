import { isIPv4, isIPv6 } from 'node:net';
import { Netmask } from 'netmask';

export type IpFamily = 'IPv4' | 'IPv6';

/** An address as a family and an unsigned integer (IPv4 fits 32 bits, IPv6 needs 128). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly value: bigint;
}

/** An inclusive range of addresses of one family, as written by the operator. */
export interface AddressRange {
  readonly family: IpFamily;
  readonly first: bigint;
  readonly last: bigint;
  /** The text it was parsed from (`10.0.0.0/24`, `10.0.0.1-10.0.0.9`, `fc00::1`). */
  readonly text: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const IPV4_BITS = 32;
const IPV6_BITS = 128;

export function familyBits(family: IpFamily): number {
  return family === 'IPv4' ? IPV4_BITS : IPV6_BITS;
}

/**
 * Parses one address. IPv4 must be four decimal octets without leading zeros, as Kubernetes and
 * Go's net.ParseIP accept them (so `010.0.0.1`, octal or hex forms are refused); IPv6 zone ids are
 * refused because a pool address has no interface.
 */
export function parseIp(text: string): IpAddress | undefined {
  if (isIPv4(text)) {
    if (text.split('.').some((octet) => octet.length > 1 && octet.startsWith('0'))) return undefined;
    let value = 0n;
    for (const octet of text.split('.')) value = (value << 8n) | BigInt(Number(octet));
    return { family: 'IPv4', value };
  }
  if (isIPv6(text) && !text.includes('%')) return { family: 'IPv6', value: ipv6ToBigInt(text) };
  return undefined;
}

function ipv6ToBigInt(text: string): bigint {
  let head = text;
  let embeddedV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    embeddedV4 = parseIp(text.slice(lastColon + 1))?.value ?? 0n;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(right === undefined ? 0 : missing).fill('0'), ...rightGroups];
  let value = 0n;
  for (const group of groups) value = (value << 16n) | BigInt(parseInt(group, 16));
  if (embeddedV4 !== undefined) value = (value & ~0xffffffffn) | embeddedV4;
  return value;
}

/** Formats an address the way Kubernetes prints it (RFC 5952 for IPv6). */
export function formatIp(family: IpFamily, value: bigint): string {
  if (family === 'IPv4') {
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  }
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** Canonical text of an address given as text, or undefined when it is not an address. */
export function canonicalIp(text: string): string | undefined {
  const ip = parseIp(text);
  return ip && formatIp(ip.family, ip.value);
}

/**
 * Parses a pool entry: a CIDR (`192.168.10.0/24`, host bits allowed and masked off, as MetalLB
 * does), a `first-last` range, or a single address. Returns a reason a person can act on.
 */
export function parseAddressRange(entry: string): Parsed<AddressRange> {
  const text = entry.trim();
  if (text === '') return { ok: false, error: 'empty address entry' };
  if (text.includes('/')) return parseCidr(text);
  const dash = text.indexOf('-');
  if (dash === -1) {
    const ip = parseIp(text);
    if (!ip) return { ok: false, error: `'${text}' is not an IP address, CIDR or range` };
    return { ok: true, value: { family: ip.family, first: ip.value, last: ip.value, text } };
  }
  const startText = text.slice(0, dash).trim();
  const endText = text.slice(dash + 1).trim();
  const start = parseIp(startText);
  const end = parseIp(endText);
  if (!start) return { ok: false, error: `range '${text}': start '${startText}' is not an IP address` };
  if (!end) return { ok: false, error: `range '${text}': end '${endText}' is not an IP address` };
  if (start.family !== end.family) {
    return { ok: false, error: `range '${text}' mixes an ${start.family} and an ${end.family} address` };
  }
  if (start.value > end.value) {
    return { ok: false, error: `range '${text}' starts after it ends (${startText} > ${endText})` };
  }
  return { ok: true, value: { family: start.family, first: start.value, last: end.value, text } };
}

function parseCidr(text: string): Parsed<AddressRange> {
  const slash = text.indexOf('/');
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const ip = parseIp(addressText);
  if (!ip) return { ok: false, error: `CIDR '${text}': '${addressText}' is not an IP address` };
  const bits = familyBits(ip.family);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return { ok: false, error: `CIDR '${text}': prefix length must be a number from 0 to ${bits}` };
  }
  let block: Netmask;
  try {
    block = new Netmask(text);
  } catch (error) {
    return { ok: false, error: `CIDR '${text}': ${(error as Error).message}` };
  }
  const base = parseIp(block.base);
  if (!base) return { ok: false, error: `CIDR '${text}': unusable network address '${block.base}'` };
  const hostBits = BigInt(bits - block.bitmask);
  return { ok: true, value: { family: ip.family, first: base.value, last: base.value + (1n << hostBits) - 1n, text } };
}

/**
 * IPv4 addresses ending in .0 or .255, which some consumer routers' smurf protection drops;
 * pools with `avoidBuggyIPs` never hand them out.
 */
export function isBuggyIp(family: IpFamily, value: bigint): boolean {
  if (family !== 'IPv4') return false;
  const last = Number(value & 0xffn);
  return last === 0 || last === 255;
}

/** How many addresses of [first, last] end in .0 or .255 (IPv4 only; IPv6 has none). */
export function countBuggyIps(family: IpFamily, first: bigint, last: bigint): bigint {
  if (family !== 'IPv4') return 0n;
  return countWithLastOctet(first, last, 0n) + countWithLastOctet(first, last, 255n);
}

function countWithLastOctet(first: bigint, last: bigint, octet: bigint): bigint {
  // Addresses a with a ≡ octet (mod 256) in [first, last].
  const firstHit = first + ((octet - (first % 256n) + 256n) % 256n);
  return firstHit > last ? 0n : (last - firstHit) / 256n + 1n;
}
