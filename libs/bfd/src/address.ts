// Address text in the project's vocabulary (@lb/ip): canonical strings, families named 'IPv4' and
// 'IPv6'. The only place this package touches @lb/ip.
import { formatIP, parseIP } from '@lb/ip';

export type IpFamily = 'IPv4' | 'IPv6';

/** The canonical text and family of an address, or undefined when `text` is not one. */
export function parseAddress(text: unknown): { readonly address: string; readonly family: IpFamily } | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = parseIP(text);
  if (bytes === undefined) return undefined;
  return { address: formatIP(bytes), family: bytes.length === 4 ? 'IPv4' : 'IPv6' };
}
