import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { controllerRateLimiter, MaxOfLimiter, PerKeyExponentialLimiter, TokenBucketLimiter } from './rate-limiter.js';

describe('PerKeyExponentialLimiter', () => {
  it('grows per key, caps, and restarts after forget', () => {
    const l = new PerKeyExponentialLimiter<string>({ baseMs: 5, maxMs: 60 });
    expect([l.when('a'), l.when('a'), l.when('a'), l.when('a'), l.when('a')]).toEqual([5, 10, 20, 40, 60]);
    expect(l.when('b')).toBe(5);
    expect(l.retries('a')).toBe(5);
    l.forget('a');
    expect(l.retries('a')).toBe(0);
    expect(l.when('a')).toBe(5);
  });

  it('stays at the cap after thousands of failures', () => {
    const l = new PerKeyExponentialLimiter<string>({ baseMs: 1, maxMs: 1000 });
    for (let i = 0; i < 3000; i++) l.when('k');
    expect(l.when('k')).toBe(1000);
  });
});

describe('TokenBucketLimiter', () => {
  it('allows the burst, then spaces keys at qps, and refills with time', async () => {
    const clock = new ManualClock();
    const l = new TokenBucketLimiter<string>({ qps: 10, burst: 2, clock });
    expect([l.when('a'), l.when('b')]).toEqual([0, 0]);
    expect(l.when('c')).toBeCloseTo(100);
    expect(l.when('d')).toBeCloseTo(200);
    await clock.advance(1000);
    expect(l.when('e')).toBe(0);
  });
});

describe('controllerRateLimiter', () => {
  it('takes the larger of per-key and bucket delays', () => {
    const clock = new ManualClock();
    const l = controllerRateLimiter<string>(clock, { baseMs: 5, maxMs: 1000, qps: 1, burst: 1 });
    expect(l.when('a')).toBe(5);
    expect(l.when('b')).toBeCloseTo(1000);
    expect(l.retries('a')).toBe(1);
    l.forget('a');
    expect(l.retries('a')).toBe(0);
  });

  it('MaxOf of nothing waits 0', () => {
    expect(new MaxOfLimiter<string>().when('x')).toBe(0);
  });
});
