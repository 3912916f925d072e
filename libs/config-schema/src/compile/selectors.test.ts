import fc from 'fast-check';
import { matchesLabelSelector, type LabelSelector } from '@lb/labels';
import { describe, expect, it } from 'vitest';
import { PoolIndex, satisfiable, selectionsMayOverlap } from './selectors.js';

describe('satisfiable', () => {
  const cases: Array<[string, LabelSelector[], boolean]> = [
    ['nothing asked', [], true],
    ['different keys', [{ matchLabels: { rack: 'a' } }, { matchLabels: { zone: 'x' } }], true],
    ['same key, other value', [{ matchLabels: { rack: 'a' } }, { matchLabels: { rack: 'b' } }], false],
    ['In sets that share a value', [{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['a', 'b'] }] }, { matchExpressions: [{ key: 'rack', operator: 'In', values: ['b', 'c'] }] }], true],
    ['In sets that share nothing', [{ matchExpressions: [{ key: 'rack', operator: 'In', values: ['a'] }] }, { matchExpressions: [{ key: 'rack', operator: 'In', values: ['c'] }] }], false],
    ['value against NotIn', [{ matchLabels: { rack: 'a' } }, { matchExpressions: [{ key: 'rack', operator: 'NotIn', values: ['a'] }] }], false],
    ['Exists against DoesNotExist', [{ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }], false],
    ['value against DoesNotExist', [{ matchLabels: { gpu: 'yes' } }, { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }], false],
    ['NotIn against DoesNotExist', [{ matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['a'] }] }, { matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }], true],
  ];
  it.each(cases)('%s', (_what, selectors, expected) => expect(satisfiable(selectors)).toBe(expected));
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));

  it('never calls a pair disjoint when some label set matches both', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const value = fc.constantFrom('1', '2', '3');
    const requirement = fc.oneof(
      fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values: fc.array(value, { minLength: 1, maxLength: 2 }) }),
      fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
    );
    const selector = fc.record({ matchLabels: fc.dictionary(key, value, { maxKeys: 2 }), matchExpressions: fc.array(requirement, { maxLength: 2 }) });
    const labels = fc.dictionary(key, value, { maxKeys: 3 });
    fc.assert(
      fc.property(selector, selector, labels, (x, y, l) => {
        if (matchesLabelSelector(x, l) && matchesLabelSelector(y, l)) expect(satisfiable([x, y])).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('selectionsMayOverlap', () => {
  it('takes an empty selection as every node', () => {
    expect(selectionsMayOverlap([], [{ matchLabels: { a: '1' } }], undefined)).toBe(true);
  });
  it('is exact when the nodes are known', () => {
    const a = [{ matchLabels: { rack: '1' } }];
    const b = [{ matchLabels: { zone: 'x' } }];
    expect(selectionsMayOverlap(a, b, undefined)).toBe(true);
    expect(selectionsMayOverlap(a, b, { labels: [{ rack: '1' }, { zone: 'x' }] })).toBe(false);
    expect(selectionsMayOverlap(a, b, { labels: [{ rack: '1', zone: 'x' }] })).toBe(true);
    expect(selectionsMayOverlap([], [], { labels: [] })).toBe(false);
  });
});

describe('PoolIndex', () => {
  const pools = [
    { name: 'a', labels: { tier: 'gold', zone: 'x' } },
    { name: 'b', labels: { tier: 'gold', zone: 'y' } },
    { name: 'c', labels: { tier: 'silver' } },
  ];
  const index = new PoolIndex(pools);
  const cases: Array<[LabelSelector[], string[]]> = [
    [[{ matchLabels: { tier: 'gold' } }], ['a', 'b']],
    [[{ matchLabels: { tier: 'gold', zone: 'y' } }], ['b']],
    [[{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }], ['a', 'b']],
    [[{ matchLabels: { tier: 'silver' } }, { matchLabels: { zone: 'x' } }], ['a', 'c']],
    [[{}], ['a', 'b', 'c']],
    [[], []],
  ];
  it.each(cases)('%j selects %j', (selectors, names) => expect([...index.select(selectors)].sort()).toEqual(names));
  it('ran every case', () => expect(cases.length).toBeGreaterThan(0));
});
