import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from './parse.js';

describe('parseLabelSelector', () => {
  const labels = { app: 'web', tier: 'front', 'example.com/zone': 'a' };
  const cases: Array<[string, boolean]> = [
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db, cache)', true],
    ['missing notin (x)', true],
    ['tier', true],
    ['!tier', false],
    ['!missing', true],
    ['app=web,tier=front', true],
    ['app=web,tier in (back)', false],
    ['example.com/zone=a', true],
    ['', true],
    [' app = web , ! missing ', true],
  ];
  it.each(cases)('%s → %s', (selector, expected) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.value.matches(labels)).toBe(expected);
  });
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));

  it.each(['app=(', 'a b c', 'bad key!=x', 'app=in valid'])('rejects %s with a message', (selector) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message.length).toBeGreaterThan(0);
  });

  const errors: Array<[string, string]> = [
    ['Bad_/x=1', 'invalid label key "Bad_/x"'],
    ['bad key!=x', 'unable to parse requirement: "bad key!=x"'],
    ['app=no way', 'unable to parse requirement: "app=no way"'],
    ['app in (a,b c)', 'invalid label value: "b c"'],
    [`app=${'x'.repeat(64)}`, `invalid label value: "${'x'.repeat(64)}"`],
    ['!-x', 'invalid label key "-x"'],
  ];
  it.each(errors)('%s: %s', (selector, error) => expect(parseLabelSelector(selector)).toMatchObject({ ok: false, error: { kind: 'invalid-selector', message: error } }));

  it('gives the requirements in the order written, in the API server string form', () => {
    const parsed = parseLabelSelector('b!=2,a==1,c in (y, x),!d,e');
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.requirements).toEqual([
      { key: 'b', operator: 'NotIn', values: ['2'] },
      { key: 'a', operator: 'In', values: ['1'] },
      { key: 'c', operator: 'In', values: ['x', 'y'] },
      { key: 'd', operator: 'DoesNotExist', values: [] },
      { key: 'e', operator: 'Exists', values: [] },
    ]);
    expect(parsed.value.toString()).toBe('b notin (2),a=1,c in (x,y),!d,e');
    expect(parsed.value.equalities).toEqual([['a', '1']]);
  });
});
