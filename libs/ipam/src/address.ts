import { addressBits, bigIntToBytes, bytesToBigInt, formatIPv6, parseIp, type IpFamily } from '@lb/ip';
import { Netmask } from 'netmask';

// Internal modules take the family type from here, as they take everything address-shaped.
export { type IpFamily };

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

/** Why a pool entry is not an address range; `message` names the entry and what is wrong with it. */
export interface AddressRangeError {
  readonly kind: 'InvalidAddressRange';
  readonly message: string;
}

export type AddressRangeResult = { readonly ok: true; readonly value: AddressRange } | { readonly ok: false; readonly error: AddressRangeError };

const invalid = (message: string): AddressRangeResult => ({ ok: false, error: { kind: 'InvalidAddressRange', message } });

/**
 * Parses one address (@lb/ip's strict rules: four decimal octets without leading zeros, so
 * `010.0.0.1`, octal and hex forms are refused as Kubernetes refuses them; IPv6 without zone ids,
 * because a pool address has no interface).
 */
export function parseAddress(text: string): IpAddress | undefined {
  const bytes = parseIp(text);
  if (!bytes) return undefined;
  return { family: bytes.length === 4 ? 'IPv4' : 'IPv6', value: bytesToBigInt(bytes) };
}

/** Formats an address the way Kubernetes prints it (RFC 5952 for IPv6). */
export function formatAddress(family: IpFamily, value: bigint): string {
  if (family === 'IPv4') {
    // Straight from the number: this runs for every address handed out.
    const n = Number(value);
    return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  }
  return formatIPv6(bigIntToBytes(value, 'IPv6'));
}

/**
 * Parses a pool entry: a CIDR (`192.168.10.0/24`, host bits allowed and masked off, as MetalLB
 * does), a `first-last` range, or a single address. Returns a reason a person can act on.
 */
export function parseAddressRange(entry: string): AddressRangeResult {
  const text = entry.trim();
  if (text === '') return invalid('empty address entry');
  if (text.includes('/')) return parseCidr(text);
  const dash = text.indexOf('-');
  if (dash === -1) {
    const ip = parseAddress(text);
    if (!ip) return invalid(`'${text}' is not an IP address, CIDR or range`);
    return { ok: true, value: { family: ip.family, first: ip.value, last: ip.value, text } };
  }
  const startText = text.slice(0, dash).trim();
  const endText = text.slice(dash + 1).trim();
  const start = parseAddress(startText);
  const end = parseAddress(endText);
  if (!start) return invalid(`range '${text}': start '${startText}' is not an IP address`);
  if (!end) return invalid(`range '${text}': end '${endText}' is not an IP address`);
  if (start.family !== end.family) {
    return invalid(`range '${text}' mixes an ${start.family} and an ${end.family} address`);
  }
  if (start.value > end.value) {
    return invalid(`range '${text}' starts after it ends (${startText} > ${endText})`);
  }
  return { ok: true, value: { family: start.family, first: start.value, last: end.value, text } };
}

function parseCidr(text: string): AddressRangeResult {
  const slash = text.indexOf('/');
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  const ip = parseAddress(addressText);
  if (!ip) return invalid(`CIDR '${text}': '${addressText}' is not an IP address`);
  const bits = addressBits(ip.family);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits) {
    return invalid(`CIDR '${text}': prefix length must be a number from 0 to ${bits}`);
  }
  let block: Netmask;
  try {
    block = new Netmask(text);
  } catch (error) {
    return invalid(`CIDR '${text}': ${(error as Error).message}`);
  }
  const base = parseAddress(block.base);
  if (!base) return invalid(`CIDR '${text}': unusable network address '${block.base}'`);
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
