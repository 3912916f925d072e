import { describe, expect, it } from 'vitest';
import { labelSelectorProblems, matchesLabelSelector, selectorKey, type LabelSelector } from './selector.js';

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
  ];
  it.each(cases)('%s', (_name, selector, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });
  it('treats missing labels as none', () => {
    expect(matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, undefined)).toBe(true);
  });
});

describe('labelSelectorProblems', () => {
  const cases: Array<[string, LabelSelector, string[]]> = [
    ['valid', { matchLabels: { 'example.com/app': 'x' } }, []],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, ['.matchExpressions[0].values']],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, ['.matchExpressions[0].values']],
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Maybe' as never, values: ['x'] }] }, ['.matchExpressions[0].operator']],
    ['bad key', { matchLabels: { '-bad': 'x' } }, ['.matchLabels']],
    ['bad value', { matchLabels: { good: 'not valid!' } }, ['.matchLabels.good']],
  ];
  it.each(cases)('%s', (_name, selector, paths) => {
    expect(labelSelectorProblems(selector).map((p) => p.path)).toEqual(paths);
  });
});

describe('selectorKey', () => {
  it('is independent of order', () => {
    expect(selectorKey({ matchLabels: { a: '1', b: '2' } })).toBe(selectorKey({ matchLabels: { b: '2', a: '1' } }));
  });
});
