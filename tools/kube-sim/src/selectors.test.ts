import { describe, expect, it } from 'vitest';
import { labelSelectorObjectMatches, matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';

describe('label selectors', () => {
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
  ];
  it.each(cases)('%s → %s', (selector, expected) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(matchesLabels(parsed.value, labels)).toBe(expected);
  });
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));

  it.each(['app=(', 'a b c', 'bad key!=x', 'app=in valid'])('rejects %s with a message', (selector) => {
    const parsed = parseLabelSelector(selector);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.length).toBeGreaterThan(0);
  });

  it('matches metav1.LabelSelector objects', () => {
    expect(labelSelectorObjectMatches(undefined, {})).toBe(true);
    expect(labelSelectorObjectMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(labelSelectorObjectMatches({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, labels)).toBe(false);
    expect(labelSelectorObjectMatches({ matchExpressions: [{ key: 'x', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(labelSelectorObjectMatches({ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, labels)).toBe(true);
  });
});

describe('field selectors', () => {
  const supported = ['metadata.name', 'metadata.namespace', 'spec.nodeName'];
  const fields: Record<string, string> = { 'metadata.name': 'p1', 'metadata.namespace': 'ns', 'spec.nodeName': 'n1' };
  it.each([
    ['metadata.name=p1', true],
    ['metadata.name!=p1', false],
    ['spec.nodeName=n1,metadata.namespace=ns', true],
    ['spec.nodeName==n2', false],
    ['spec.nodeName=', false],
  ] as Array<[string, boolean]>)('%s → %s', (selector, expected) => {
    const parsed = parseFieldSelector(selector, supported);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(matchesFields(parsed.value, (f) => fields[f] ?? '')).toBe(expected);
  });
  it('names the unsupported field', () => {
    const parsed = parseFieldSelector('spec.foo=x', supported);
    expect(parsed).toEqual({ ok: false, error: '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.nodeName"' });
  });
});
