import { describe, expect, it } from 'vitest';
import { compileLabelSelector } from './compile.js';
import { type LabelSelector } from './types.js';

const matchCases: { name: string; selector: LabelSelector | Record<string, string>; labels: Record<string, string> | undefined; matches: boolean }[] = [
  { name: 'empty matches anything', selector: {}, labels: { a: 'b' }, matches: true },
  { name: 'empty matches no labels', selector: { matchLabels: {} }, labels: undefined, matches: true },
  { name: 'matchLabels equal', selector: { matchLabels: { app: 'web' } }, labels: { app: 'web', x: 'y' }, matches: true },
  { name: 'matchLabels differ', selector: { matchLabels: { app: 'web' } }, labels: { app: 'db' }, matches: false },
  { name: 'plain map', selector: { app: 'web' }, labels: { app: 'web' }, matches: true },
  { name: 'plain map missing', selector: { app: 'web' }, labels: undefined, matches: false },
  { name: 'In', selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, labels: { zone: 'b' }, matches: true },
  { name: 'In missing key', selector: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, labels: {}, matches: false },
  { name: 'NotIn other', selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels: { zone: 'c' }, matches: true },
  { name: 'NotIn missing key matches', selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels: {}, matches: true },
  { name: 'NotIn listed', selector: { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, labels: { zone: 'a' }, matches: false },
  { name: 'Exists with empty value', selector: { matchExpressions: [{ key: 'edge', operator: 'Exists' }] }, labels: { edge: '' }, matches: true },
  { name: 'DoesNotExist', selector: { matchExpressions: [{ key: 'edge', operator: 'DoesNotExist' }] }, labels: { edge: '' }, matches: false },
  { name: 'prototype keys are not labels', selector: { matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, labels: {}, matches: false },
  {
    name: 'all terms must hold',
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe'] }] },
    labels: { app: 'web', tier: 'be' },
    matches: false,
  },
];

describe('compileLabelSelector matching', () => {
  it('has cases', () => expect(matchCases.length).toBeGreaterThan(0));
  it.each(matchCases)('$name', ({ selector, labels, matches }) => {
    const r = compileLabelSelector(selector);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.matches(labels)).toBe(matches);
  });
});

describe('compileLabelSelector errors', () => {
  it('reports every problem with its place', () => {
    const r = compileLabelSelector(
      {
        matchLabels: { 'bad key!': 'x', ok: 'bad value!' },
        matchExpressions: [
          { key: 'a', operator: 'In', values: [] },
          { key: 'b', operator: 'Exists', values: ['x'] },
          { key: 'c', operator: 'Gt' as never, values: ['1'] },
          { key: 'example.com/', operator: 'Exists' },
        ],
      },
      'spec.serviceSelectors[0]',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.issues).toEqual([
      expect.stringMatching(/^spec\.serviceSelectors\[0\]\.matchLabels: key name 'bad key!'/),
      expect.stringMatching(/^spec\.serviceSelectors\[0\]\.matchLabels\.ok: value 'bad value!'/),
      'spec.serviceSelectors[0].matchExpressions[0].values: must be non-empty for operator In',
      'spec.serviceSelectors[0].matchExpressions[1].values: must be empty for operator Exists',
      "spec.serviceSelectors[0].matchExpressions[2].operator: unknown operator 'Gt' (expected In, NotIn, Exists or DoesNotExist)",
      expect.stringMatching(/^spec\.serviceSelectors\[0\]\.matchExpressions\[3\]\.key: name ''/),
    ]);
  });

  it('places plain map problems at the map', () => {
    const r = compileLabelSelector({ 'bad key!': 'x', ok: 'bad!' }, 'nodeSelector');
    expect(r.ok ? [] : r.error.issues).toEqual([expect.stringMatching(/^nodeSelector: key name 'bad key!'/), expect.stringMatching(/^nodeSelector\.ok: value 'bad!'/)]);
  });

  it('accepts prefixed keys', () => {
    expect(compileLabelSelector({ 'kubernetes.io/hostname': 'n1', 'a.b-c.io/x_y.z': '' }).ok).toBe(true);
  });

  it('refuses what is not a selector without throwing', () => {
    expect(compileLabelSelector(null as never)).toMatchObject({ ok: false, error: { kind: 'invalid-selector', issues: ['selector: must be a label selector or a map of labels'] } });
  });
});

describe('selector string form', () => {
  const cases: { selector: LabelSelector; text: string; equalities: [string, string][] }[] = [
    { selector: {}, text: '', equalities: [] },
    { selector: { matchLabels: { app: 'web' } }, text: 'app=web', equalities: [['app', 'web']] },
    {
      selector: {
        matchLabels: { app: 'web' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['b', 'a'] },
          { key: 'tier', operator: 'In', values: ['fe'] },
          { key: 'x', operator: 'NotIn', values: ['1'] },
          { key: 'e', operator: 'Exists' },
          { key: 'd', operator: 'DoesNotExist' },
        ],
      },
      text: 'app=web,zone in (a,b),tier=fe,x notin (1),e,!d',
      equalities: [['app', 'web'], ['tier', 'fe']],
    },
    { selector: { matchExpressions: [{ key: 'a', operator: 'In', values: ['x', 'x'] }] }, text: 'a=x', equalities: [['a', 'x']] },
  ];
  it.each(cases)('$text', ({ selector, text, equalities }) => {
    const r = compileLabelSelector(selector);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.toString()).toBe(text);
    expect(r.value.equalities).toEqual(equalities);
    expect(r.value.empty).toBe(text === '');
  });
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
});
