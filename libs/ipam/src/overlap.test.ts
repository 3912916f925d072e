import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseAddressRange, type AddressRange } from './address.js';
import { findOverlaps } from './overlap.js';

const range = (text: string): AddressRange => {
  const parsed = parseAddressRange(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
};

describe('findOverlaps', () => {
  const cases: Array<[string, string[], Array<[string, string]>]> = [
    ['disjoint', ['10.0.0.0/24', '10.0.1.0/24'], []],
    ['contained', ['10.0.0.0/16', '10.0.5.0/24'], [['10.0.0.0/16', '10.0.5.0/24']]],
    ['touching ends', ['10.0.0.1-10.0.0.5', '10.0.0.5-10.0.0.9'], [['10.0.0.1-10.0.0.5', '10.0.0.5-10.0.0.9']]],
    ['adjacent', ['10.0.0.1-10.0.0.5', '10.0.0.6-10.0.0.9'], []],
    ['families apart', ['10.0.0.0/8', '::/0'], []],
    ['ipv6', ['fc00::/64', 'fc00::1-fc00::5'], [['fc00::/64', 'fc00::1-fc00::5']]],
    [
      'one over many',
      ['10.0.0.0/8', '10.1.0.0/16', '10.2.0.0/16'],
      [
        ['10.0.0.0/8', '10.1.0.0/16'],
        ['10.0.0.0/8', '10.2.0.0/16'],
      ],
    ],
  ];
  it.each(cases)('%s', (_name, texts, expected) => {
    const owned = texts.map((t) => ({ range: range(t), owner: t }));
    expect(findOverlaps(owned).map(({ a, b }) => [a.owner, b.owner])).toEqual(expected);
  });

  it('agrees with the pairwise check', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 20 })), { maxLength: 30 }), (specs) => {
        const owned = specs.map(([start, length], i) => ({
          range: { family: 'IPv4' as const, first: BigInt(start), last: BigInt(start + length), text: `${i}` },
          owner: i,
        }));
        const pairs = new Set<string>();
        for (let i = 0; i < owned.length; i++) {
          for (let j = i + 1; j < owned.length; j++) {
            const a = owned[i]!.range;
            const b = owned[j]!.range;
            if (a.first <= b.last && b.first <= a.last) pairs.add([i, j].sort().join(','));
          }
        }
        const found = new Set(findOverlaps(owned).map(({ a, b }) => [a.owner, b.owner].sort().join(',')));
        expect(found).toEqual(pairs);
      }),
    );
  });
});
