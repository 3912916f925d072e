// Address text in the project's vocabulary (@lb/ip): canonical strings, families named 'IPv4' and
// 'IPv6'. The only place this package touches @lb/ip.
import { formatIp, ipFamily, parseIp, type IpFamily } from '@lb/ip';

/** The canonical text and family of an address, or undefined when `text` is not one. */
export function parseAddress(text: unknown): { readonly address: string; readonly family: IpFamily } | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = parseIp(text);
  if (bytes === undefined) return undefined;
  const family = ipFamily(text);
  if (family === undefined) return undefined;
  return { address: formatIp(bytes), family };
}
