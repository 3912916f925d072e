import fc from 'fast-check';
import { parseAddressRange, type AddressRange } from '@lb/ipam';
import { describe, expect, it } from 'vitest';
import { widestPrefixLength } from './pools.js';

const range = (text: string): AddressRange => {
  const parsed = parseAddressRange(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
};

describe('widestPrefixLength', () => {
  const cases: Array<[string, number]> = [
    ['10.0.0.0/24', 24],
    ['10.0.0.7', 32],
    ['10.0.0.0-10.0.0.200', 25],
    ['10.0.0.1-10.0.0.254', 26],
    ['10.0.0.255-10.0.1.0', 32],
    ['0.0.0.0/0', 0],
    ['fc00::/120', 120],
    ['fc00::1-fc00::ffff', 113],
    ['::/0', 0],
  ];
  it.each(cases)('%s → /%d', (text, length) => expect(widestPrefixLength(range(text))).toBe(length));
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));

  it('is the largest aligned block that fits anywhere in the range', () => {
    // An aligned block of 2^(32-p) addresses fits if the first such boundary at or after `first`
    // leaves room for the whole block before `last`.
    const largestFit = (first: number, last: number): number => {
      for (let p = 0; p <= 32; p++) {
        const size = 2 ** (32 - p);
        const start = Math.ceil(first / size) * size;
        if (start + size - 1 <= last) return p;
      }
      return 32;
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (a, b) => {
        const [first, last] = a <= b ? [a, b] : [b, a];
        expect(widestPrefixLength({ family: 'IPv4', first: BigInt(first), last: BigInt(last), text: '' })).toBe(largestFit(first, last));
      }),
    );
  });
});
