import { describe, expect, it } from 'vitest';
import { matchesAnySelector, matchesLabelSelector } from './match.js';
import { type LabelSelector } from './types.js';

describe('matchesLabelSelector', () => {
  const labels = { app: 'bar', tier: 'web', empty: '' };
  const cases: Array<[string, LabelSelector, boolean]> = [
    ['empty selector matches all', {}, true],
    ['matchLabels hit', { matchLabels: { app: 'bar' } }, true],
    ['matchLabels miss', { matchLabels: { app: 'foo' } }, false],
    ['matchLabels all must hold', { matchLabels: { app: 'bar', tier: 'db' } }, false],
    ['In hit', { matchExpressions: [{ key: 'app', operator: 'In', values: ['foo', 'bar'] }] }, true],
    ['In miss', { matchExpressions: [{ key: 'app', operator: 'In', values: ['foo'] }] }, false],
    ['In on absent key', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, false],
    ['NotIn hit', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['foo'] }] }, true],
    ['NotIn miss', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['bar'] }] }, false],
    ['NotIn on absent key matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    ['Exists with empty value', { matchExpressions: [{ key: 'empty', operator: 'Exists' }] }, true],
    ['Exists miss', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, true],
    ['DoesNotExist miss', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
    [
      'labels and expressions together',
      { matchLabels: { tier: 'web' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['bar'] }] },
      true,
    ],
    ['unknown operator matches nothing', { matchExpressions: [{ key: 'app', operator: 'Has' as never, values: ['bar'] }] }, false],
    ['prototype keys are not labels', { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, false],
    ['prototype keys in matchLabels', { matchLabels: { constructor: 'x' } }, false],
  ];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('%s', (_name, selector, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });
  it('treats missing labels as none', () => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, undefined)).toBe(true);
    expect(matchesLabelSelector({}, undefined)).toBe(true);
  });
});

describe('matchesLabelSelector on webhook selectors', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/zone': 'a' };
  const cases: Array<[LabelSelector, boolean]> = [
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, true],
    [{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
    [{ matchLabels: { 'example.com/zone': 'a' } }, true],
  ];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('%j → %s', (selector, expected) => expect(matchesLabelSelector(selector, labels)).toBe(expected));
});

describe('matchesAnySelector', () => {
  it('needs one match, and an empty list matches nothing', () => {
    expect(matchesAnySelector([{ matchLabels: { a: '1' } }, { matchLabels: { b: '2' } }], { b: '2' })).toBe(true);
    expect(matchesAnySelector([{ matchLabels: { a: '1' } }], { b: '2' })).toBe(false);
    expect(matchesAnySelector([], { b: '2' })).toBe(false);
  });
});
