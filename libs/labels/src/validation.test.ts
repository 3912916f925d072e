import { describe, expect, it } from 'vitest';
import { type LabelSelector } from './types.js';
import { labelKeyProblems, labelMapProblems, labelSelectorProblems, labelValueProblems } from './validation.js';

describe('labelSelectorProblems', () => {
  const cases: Array<[string, LabelSelector, string[]]> = [
    ['valid', { matchLabels: { 'example.com/app': 'x' } }, []],
    ['In without values', { matchExpressions: [{ key: 'a', operator: 'In' }] }, ['.matchExpressions[0].values']],
    ['Exists with values', { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, ['.matchExpressions[0].values']],
    ['unknown operator', { matchExpressions: [{ key: 'a', operator: 'Maybe' as never, values: ['x'] }] }, ['.matchExpressions[0].operator']],
    ['bad key', { matchLabels: { '-bad': 'x' } }, ['.matchLabels']],
    ['bad value', { matchLabels: { good: 'not valid!' } }, ['.matchLabels.good']],
    ['value not a string', { matchLabels: { good: 1 as never } }, ['.matchLabels.good']],
    ['bad expression value', { matchExpressions: [{ key: 'a', operator: 'In', values: ['ok', 'no way'] }] }, ['.matchExpressions[0].values[1]']],
    ['missing key', { matchExpressions: [{ operator: 'Exists' } as never] }, ['.matchExpressions[0].key']],
    ['expressions not a list', { matchExpressions: 'a=b' as never }, ['.matchExpressions']],
  ];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('%s', (_name, selector, paths) => {
    expect(labelSelectorProblems(selector).map((p) => p.path)).toEqual(paths);
  });

  const messages: Array<[LabelSelector, string]> = [
    [{ matchLabels: { x: 'a b' } }, ".matchLabels.x: value 'a b' must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric"],
    [{ matchExpressions: [{ key: 'k', operator: 'DoesNotExist', values: ['v'] }] }, '.matchExpressions[0].values: must be empty for operator DoesNotExist'],
    [{ matchExpressions: [{ key: 'k', operator: 'NotIn' }] }, '.matchExpressions[0].values: must be non-empty for operator NotIn'],
    [{ matchExpressions: [{ key: 'k', operator: 'Has' }] }, ".matchExpressions[0].operator: unknown operator 'Has' (expected In, NotIn, Exists or DoesNotExist)"],
    [{ matchLabels: { 'UPPER.example/x': 'v' } }, ".matchLabels: key prefix 'UPPER.example' must be a DNS subdomain of at most 253 characters"],
  ];
  it.each(messages)('%j: %s', (selector, message) => {
    expect(labelSelectorProblems(selector).map((p) => `${p.path}: ${p.message}`)).toEqual([message]);
  });

  it('keeps keys with dots whole in segments', () => {
    expect(labelSelectorProblems({ matchLabels: { 'example.com/app': 'no way' } })[0]?.segments).toEqual(['matchLabels', 'example.com/app']);
  });

  it('never throws on input that is not a selector', () => {
    for (const input of [null, 3, 'app=web', [], { matchExpressions: [null] }, { matchLabels: 'x' }]) {
      expect(labelSelectorProblems(input as never).length).toBeGreaterThan(0);
    }
  });
});

describe('label keys and values', () => {
  const keys: Array<[string, number]> = [
    ['app', 0],
    ['kubernetes.io/hostname', 0],
    ['a.b-c.io/x_y.z', 0],
    ['a'.repeat(63), 0],
    ['a'.repeat(64), 1],
    ['bad key!', 1],
    ['-bad', 1],
    ['example.com/', 1],
    ['/name', 1],
    ['Example.com/name', 1],
    ['BAD_/name!', 2],
  ];
  it('has cases', () => expect(keys.length).toBeGreaterThan(0));
  it.each(keys)('key %s has %d problems', (key, count) => expect(labelKeyProblems(key)).toHaveLength(count));

  const values: Array<[string, boolean]> = [
    ['', true],
    ['web', true],
    ['a.b_c-d', true],
    ['x'.repeat(63), true],
    ['x'.repeat(64), false],
    ['-a', false],
    ['a b', false],
  ];
  it.each(values)('value %j valid: %s', (value, valid) => expect(labelValueProblems(value).length === 0).toBe(valid));

  it('checks plain label maps relative to where they are', () => {
    expect(labelMapProblems({ 'bad key!': 'x', ok: 'bad!' }, ['spec', 'nodeSelector']).map((p) => p.path)).toEqual(['.spec.nodeSelector', '.spec.nodeSelector.ok']);
  });
});
