import { Afi, Safi } from '../codec/constants.js';

/**
 * The route families (AFI/SAFI pairs, as GoBGP calls them) a session announces routes in. Not an
 * address family: an IPv4 route can travel with an IPv6 next hop (RFC 8950).
 */
export type RouteFamily = 'ipv4-unicast' | 'ipv6-unicast';
export const ROUTE_FAMILIES: readonly RouteFamily[] = ['ipv4-unicast', 'ipv6-unicast'];

export const familyCodes: Readonly<Record<RouteFamily, { readonly afi: number; readonly safi: number }>> = {
  'ipv4-unicast': { afi: Afi.IPV4, safi: Safi.UNICAST },
  'ipv6-unicast': { afi: Afi.IPV6, safi: Safi.UNICAST },
};

export function familyOf(afi: number, safi: number): RouteFamily | undefined {
  if (safi !== Safi.UNICAST) return undefined;
  return afi === Afi.IPV4 ? 'ipv4-unicast' : afi === Afi.IPV6 ? 'ipv6-unicast' : undefined;
}

export function familyCode(family: RouteFamily): { readonly afi: number; readonly safi: number } {
  return familyCodes[family];
}
