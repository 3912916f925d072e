import { describe, expect, it } from 'vitest';
import { REPLAY_WINDOW, ReplayGuard, type ReplayVerdict } from './replay.js';

const NOW = 1_767_225_600_000;

describe('ReplayGuard', () => {
  // Each step: [epoch, sequence, timestamp offset from NOW, expected verdict], against one sender.
  const cases: Array<{ name: string; steps: Array<[number, number, number, ReplayVerdict]> }> = [
    { name: 'a repeat is refused', steps: [[1, 5, 0, 'fresh'], [1, 5, 0, 'replayed']] },
    { name: 'late but unseen within the window passes', steps: [[1, 10, 0, 'fresh'], [1, 7, 0, 'fresh'], [1, 7, 0, 'replayed'], [1, 11, 0, 'fresh']] },
    { name: 'older than the window is refused', steps: [[1, 100, 0, 'fresh'], [1, 100 - REPLAY_WINDOW, 0, 'replayed'], [1, 100 - REPLAY_WINDOW + 1, 0, 'fresh']] },
    { name: 'the window slides across the 32-bit word boundary', steps: [[1, 1, 0, 'fresh'], [1, 40, 0, 'fresh'], [1, 1, 0, 'replayed'], [1, 2, 0, 'fresh'], [1, 72, 0, 'fresh'], [1, 40, 0, 'replayed'], [1, 1, 0, 'replayed'], [1, 9, 0, 'fresh']] },
    { name: 'a jump of exactly 32 keeps what was seen', steps: [[1, 1, 0, 'fresh'], [1, 33, 0, 'fresh'], [1, 1, 0, 'replayed'], [1, 2, 0, 'fresh']] },
    { name: 'a restarted sender (newer epoch) starts afresh', steps: [[1, 500, 0, 'fresh'], [2, 1, 0, 'fresh'], [2, 1, 0, 'replayed']] },
    { name: 'an old epoch is refused once a newer one was seen', steps: [[2, 1, 0, 'fresh'], [1, 900, 0, 'old-epoch']] },
    { name: 'a timestamp outside the skew is refused, either way', steps: [[1, 1, -10_001, 'stale-timestamp'], [1, 2, 10_001, 'stale-timestamp'], [1, 3, -10_000, 'fresh']] },
  ];

  it.each(cases)('$name', ({ steps }) => {
    const guard = new ReplayGuard(10_000);
    for (const [epoch, sequence, offset, verdict] of steps) expect(guard.check('s', epoch, sequence, NOW + offset, NOW)).toBe(verdict);
  });

  it('covers the cases', () => expect(cases.length).toBeGreaterThan(0));

  it('keeps senders apart and forgets one on request', () => {
    const guard = new ReplayGuard(10_000);
    expect(guard.check('a', 1, 1, NOW, NOW)).toBe('fresh');
    expect(guard.check('b', 1, 1, NOW, NOW)).toBe('fresh');
    guard.forget('a');
    expect(guard.check('a', 1, 1, NOW, NOW)).toBe('fresh');
    expect(guard.check('b', 1, 1, NOW, NOW)).toBe('replayed');
  });

  it('accepts every sequence exactly once when all arrive in a shuffled order within the window', () => {
    const guard = new ReplayGuard(10_000);
    const order = Array.from({ length: 200 }, (_, i) => i + 1);
    // Swap neighbours: reordering by one, as a LAN might.
    for (let i = 0; i + 1 < order.length; i += 2) [order[i], order[i + 1]] = [order[i + 1] as number, order[i] as number];
    for (const sequence of order) expect(guard.check('s', 1, sequence, NOW, NOW)).toBe('fresh');
    for (const sequence of order.slice(-REPLAY_WINDOW)) expect(guard.check('s', 1, sequence, NOW, NOW)).toBe('replayed');
  });
});
