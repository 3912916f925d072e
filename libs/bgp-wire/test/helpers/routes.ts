import { type RouteFamily } from '@lb/bgp-wire';

/** The benchmark's service addresses: distinct host routes, the same ones BIRD is given. */
export function generatedPrefixes(family: RouteFamily, count: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    family === 'ipv4-unicast' ? `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32` : `2001:db8:1::${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}/128`,
  );
}
