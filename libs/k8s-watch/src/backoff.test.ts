import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  const cases: { name: string; options: ConstructorParameters<typeof Backoff>[0]; expected: number[] }[] = [
    { name: 'doubles up to the cap without jitter', options: { initialMs: 100, maxMs: 1000, jitter: 0 }, expected: [100, 200, 400, 800, 1000, 1000] },
    { name: 'factor 3', options: { initialMs: 10, maxMs: 500, factor: 3, jitter: 0 }, expected: [10, 30, 90, 270, 500] },
    { name: 'full jitter at random=0.5 halves', options: { initialMs: 100, maxMs: 1000, jitter: 1, random: () => 0.5 }, expected: [50, 100, 200, 400, 500] },
    { name: 'jitter never exceeds the base', options: { initialMs: 100, maxMs: 400, jitter: 0.5, random: () => 0 }, expected: [100, 200, 400, 400] },
    { name: 'zero initial stays zero', options: { initialMs: 0, maxMs: 10, jitter: 0 }, expected: [0, 0, 0] },
  ];
  it.each(cases)('$name', ({ options, expected }) => {
    const b = new Backoff(options);
    expect(expected.map(() => b.next())).toEqual(expected);
    expect(b.attempts).toBe(expected.length);
  });
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  it('starts over after reset', () => {
    const b = new Backoff({ initialMs: 1, maxMs: 100, jitter: 0 });
    b.next();
    b.next();
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(1);
  });

  it('stays finite after many failures', () => {
    const b = new Backoff({ initialMs: 1, maxMs: 30_000, jitter: 0 });
    for (let i = 0; i < 5000; i++) b.next();
    expect(b.next()).toBe(30_000);
    expect(b.attempts).toBe(5001);
  });

  it('rejects bad bounds with a message naming them', () => {
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(/initialMs=10 maxMs=5/);
    expect(() => new Backoff({ initialMs: Number.NaN, maxMs: 5 })).toThrow(RangeError);
  });
});
