// A Service address as the prefix a BGPAdvertisement announces: the address with its host bits
// cleared down to the advertisement's aggregation length (MetalLB's aggregationLength and
// aggregationLengthV6; 32 and 128 announce the address alone).
import { formatIp, parseIp, type IpFamily } from '@lb/ip';

export interface AggregatedPrefix {
  /** Canonical text, `192.0.2.0/24`. */
  readonly prefix: string;
  readonly family: IpFamily;
}

/** The prefix covering `address` at the family's length, or undefined when `address` is not one. */
export function aggregatedPrefix(address: string, lengthV4: number, lengthV6: number): AggregatedPrefix | undefined {
  const bytes = parseIp(address);
  if (!bytes) return undefined;
  const family: IpFamily = bytes.length === 4 ? 'IPv4' : 'IPv6';
  const length = Math.max(0, Math.min(bytes.length * 8, family === 'IPv4' ? lengthV4 : lengthV6));
  const masked = new Uint8Array(bytes);
  for (let bit = length; bit < masked.length * 8; bit++) masked[bit >> 3] = (masked[bit >> 3] as number) & ~(0x80 >> (bit & 7));
  return { prefix: `${formatIp(masked)}/${length}`, family };
}
