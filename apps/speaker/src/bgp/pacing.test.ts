import { describe, expect, it } from 'vitest';
import { MAX_GAP_MS, nextUpdateDelay } from './pacing.js';

describe('nextUpdateDelay', () => {
  const cases: Array<{ name: string; now: number; last?: { endedAt: number; costMs: number }; want: number }> = [
    { name: 'the first change: at once', now: 5, want: 0 },
    { name: 'a change after a quiet time: at once', now: 10_000, last: { endedAt: 1000, costMs: 40 }, want: 0 },
    { name: 'in a burst: four times the last cost after it ended', now: 1010, last: { endedAt: 1000, costMs: 40 }, want: 150 },
    { name: 'a cheap recomputation hardly waits', now: 1000, last: { endedAt: 1000, costMs: 0.5 }, want: 2 },
    { name: 'never longer than the cap', now: 1000, last: { endedAt: 1000, costMs: 5000 }, want: MAX_GAP_MS },
  ];
  it.each(cases)('$name', ({ now, last, want }) => {
    expect(nextUpdateDelay(now, last)).toBe(want);
  });
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
});
