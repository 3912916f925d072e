import { bigIntToBytes, bytesToBigInt, formatIP, parseIP, type IpVersion } from '@lb/ip';

/** A parsed `address/length`, the address reduced to the network's first address. */
export interface Subnet {
  readonly version: IpVersion;
  readonly network: bigint;
  readonly length: number;
  /** Canonical text, e.g. `fc00:f853:ccd:e799::/64`. */
  readonly text: string;
}

/** Parses `10.0.0.0/24` or `fd00::/64` (a bare address is a host route); undefined when it is neither. */
export function parseSubnet(text: string): Subnet | undefined {
  const [address, lengthText, extra] = text.split('/');
  if (address === undefined || extra !== undefined) return undefined;
  const bytes = parseIP(address);
  if (!bytes) return undefined;
  const version: IpVersion = bytes.length === 4 ? 4 : 6;
  const bits = version === 4 ? 32 : 128;
  const length = lengthText === undefined ? bits : /^\d{1,3}$/.test(lengthText) ? Number(lengthText) : NaN;
  if (!(length >= 0 && length <= bits)) return undefined;
  const hostBits = BigInt(bits - length);
  const network = (bytesToBigInt(bytes) >> hostBits) << hostBits;
  return { version, network, length, text: `${formatIP(bigIntToBytes(network, version))}/${length}` };
}

/** The `index`-th address of a subnet (0 is the network itself). */
export function hostAddress(subnet: Subnet, index: bigint): string {
  const size = 1n << BigInt((subnet.version === 4 ? 32 : 128) - subnet.length);
  if (index < 0n || index >= size) throw new Error(`host ${index} does not fit in ${subnet.text}`);
  return formatIP(bigIntToBytes(subnet.network + index, subnet.version));
}

/** Whether two subnets share any address. */
export function overlaps(a: Subnet, b: Subnet): boolean {
  if (a.version !== b.version) return false;
  const bits = a.version === 4 ? 32 : 128;
  const shorter = BigInt(bits - Math.min(a.length, b.length));
  return a.network >> shorter === b.network >> shorter;
}
