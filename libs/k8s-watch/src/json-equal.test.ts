import { describe, expect, it } from 'vitest';
import { jsonEqual } from './json-equal.js';

describe('jsonEqual', () => {
  const cases: { a: unknown; b: unknown; equal: boolean }[] = [
    { a: 1, b: 1, equal: true },
    { a: 1, b: '1', equal: false },
    { a: null, b: null, equal: true },
    { a: null, b: {}, equal: false },
    { a: { x: 1, y: [1, { z: 2 }] }, b: { y: [1, { z: 2 }], x: 1 }, equal: true },
    { a: { x: 1 }, b: { x: 1, y: undefined }, equal: true },
    { a: { x: 1 }, b: { x: 1, y: null }, equal: false },
    { a: [1, 2], b: [2, 1], equal: false },
    { a: [1], b: { 0: 1 }, equal: false },
    { a: { a: { b: { c: [] } } }, b: { a: { b: { c: [] } } }, equal: true },
  ];
  it.each(cases)('$a vs $b', ({ a, b, equal }) => {
    expect(jsonEqual(a, b)).toBe(equal);
    expect(jsonEqual(b, a)).toBe(equal);
  });
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
});
