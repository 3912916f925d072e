import { addressBits, bigIntToBytes, bytesToBigInt, formatIp, parseIp, type IpFamily } from '@lb/ip';

/** A parsed `address/length`, the address reduced to the network's first address. */
export interface Subnet {
  readonly family: IpFamily;
  readonly network: bigint;
  readonly length: number;
  /** Canonical text, e.g. `fc00:f853:ccd:e799::/64`. */
  readonly text: string;
}

/** Parses `10.0.0.0/24` or `fd00::/64` (a bare address is a host route); undefined when it is neither. */
export function parseSubnet(text: string): Subnet | undefined {
  const [address, lengthText, extra] = text.split('/');
  if (address === undefined || extra !== undefined) return undefined;
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const family: IpFamily = bytes.length === 4 ? 'IPv4' : 'IPv6';
  const bits = addressBits(family);
  const length = lengthText === undefined ? bits : /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(length >= 0 && length <= bits)) return undefined;
  const hostBits = BigInt(bits - length);
  const network = (bytesToBigInt(bytes) >> hostBits) << hostBits;
  return { family, network, length, text: `${formatIp(bigIntToBytes(network, family))}/${length}` };
}

/** The `index`-th address of a subnet (0 is the network itself). */
export function hostAddress(subnet: Subnet, index: bigint): string {
  const size = 1n << BigInt(addressBits(subnet.family) - subnet.length);
  if (index < 0n || index >= size) throw new Error(`host ${index} does not fit in ${subnet.text}`);
  return formatIp(bigIntToBytes(subnet.network + index, subnet.family));
}

/** Whether two subnets share any address. */
export function overlaps(a: Subnet, b: Subnet): boolean {
  if (a.family !== b.family) return false;
  const shorter = BigInt(addressBits(a.family) - Math.min(a.length, b.length));
  return a.network >> shorter === b.network >> shorter;
}
