import { describe, expect, it } from 'vitest';
import { selectorKey } from './key.js';
import { type LabelSelector } from './types.js';

describe('selectorKey', () => {
  const same: Array<[LabelSelector, LabelSelector]> = [
    [{ matchLabels: { a: '1', b: '2' } }, { matchLabels: { b: '2', a: '1' } }],
    [
      { matchExpressions: [{ key: 'x', operator: 'In', values: ['b', 'a'] }, { key: 'y', operator: 'Exists' }] },
      { matchExpressions: [{ key: 'y', operator: 'Exists' }, { key: 'x', operator: 'In', values: ['a', 'b'] }] },
    ],
  ];
  it('has cases', () => expect(same.length).toBeGreaterThan(0));
  it.each(same)('is independent of order: %j', (a, b) => expect(selectorKey(a)).toBe(selectorKey(b)));
  it('tells different selectors apart', () => {
    expect(selectorKey({ matchLabels: { a: '1' } })).not.toBe(selectorKey({ matchLabels: { a: '2' } }));
    expect(selectorKey({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }] })).not.toBe(
      selectorKey({ matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['1'] }] }),
    );
  });
});
