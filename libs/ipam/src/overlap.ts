import { type AddressRange } from './address.js';

/** A range together with whatever owns it (a pool name, a resource), for reporting. */
export interface OwnedRange<Owner> {
  readonly range: AddressRange;
  readonly owner: Owner;
}

export interface Overlap<Owner> {
  readonly a: OwnedRange<Owner>;
  readonly b: OwnedRange<Owner>;
}

/**
 * Every pair of overlapping ranges, found by sorting once and sweeping: O(n log n + k) for k
 * overlaps, where a pairwise check is O(n²) (MetalLB's is). A range overlapping many others
 * reports each pair.
 */
export function findOverlaps<Owner>(ranges: readonly OwnedRange<Owner>[]): Overlap<Owner>[] {
  const overlaps: Overlap<Owner>[] = [];
  for (const family of ['IPv4', 'IPv6'] as const) {
    const sorted = ranges
      .filter((r) => r.range.family === family)
      .sort((x, y) => (x.range.first < y.range.first ? -1 : x.range.first > y.range.first ? 1 : 0));
    // `open` holds earlier ranges that may still reach later ones, ordered by nothing in particular;
    // ranges that ended before the current start are dropped as the sweep passes them.
    let open: OwnedRange<Owner>[] = [];
    for (const current of sorted) {
      open = open.filter((earlier) => earlier.range.last >= current.range.first);
      for (const earlier of open) overlaps.push({ a: earlier, b: current });
      open.push(current);
    }
  }
  return overlaps;
}
