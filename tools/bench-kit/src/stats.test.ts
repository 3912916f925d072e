import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './stats.js';
import { round } from './results.js';

describe('summarize', () => {
  const cases: Array<{ samples: number[]; min: number; median: number; max: number }> = [
    { samples: [3, 1, 2], min: 1, median: 2, max: 3 },
    { samples: [5], min: 5, median: 5, max: 5 },
    { samples: [4, 1, 3, 2], min: 1, median: 2, max: 4 },
  ];
  it.each(cases)('$samples', ({ samples, min, median, max }) => {
    const s = summarize(samples);
    expect([s.min, s.median, s.max]).toEqual([min, median, max]);
  });
  it('p99 of 1..100 is 99', () => {
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
  });
  it('empty input gives NaN, not a throw', () => {
    expect(Number.isNaN(summarize([]).median)).toBe(true);
  });
});

describe('round', () => {
  it.each([
    [1234.5678, 1235],
    [0.0123456, 0.0123],
    [12.34567, 12.35],
  ])('%d', (input, expected) => expect(round(input)).toBe(expected));
});
