import { describe, expect, it } from 'vitest';
import { formatDuration, parseGoDuration } from './duration.js';

describe('parseGoDuration', () => {
  const valid: Array<[string, number]> = [
    ['0', 0],
    ['90s', 90_000],
    ['1m30s', 90_000],
    ['9m0s', 540_000],
    ['1.5h', 5_400_000],
    ['.5s', 500],
    ['300ms', 300],
    ['1500us', 1.5],
    ['-1s', -1000],
    ['+2m', 120_000],
    ['1h2m3s4ms', 3_723_004],
  ];
  it.each(valid)('%s is %d ms', (text, ms) => expect(parseGoDuration(text)).toEqual({ ok: true, value: ms }));

  const invalid = ['', '90', 's', '1x', '1 s', '1s ', '-', '1..5s', 'ninety seconds', '.s'];
  it.each(invalid)('%j is refused with a hint', (text) => {
    const result = parseGoDuration(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error.message).toMatch(/write it like 90s/);
  });
  it('ran every case', () => expect(valid.length + invalid.length).toBeGreaterThan(0));
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [2000, '2s'],
    [90_000, '1m30s'],
    [3_600_000, '1h0m0s'],
    [1500, '1500ms'],
  ])('%d ms is %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});
