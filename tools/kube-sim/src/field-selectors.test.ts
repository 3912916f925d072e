import { describe, expect, it } from 'vitest';
import { matchesFields, parseFieldSelector } from './field-selectors.js';

describe('field selectors', () => {
  const supported = ['metadata.name', 'metadata.namespace', 'spec.nodeName'];
  const fields: Record<string, string> = { 'metadata.name': 'p1', 'metadata.namespace': 'ns', 'spec.nodeName': 'n1' };
  const cases: Array<[string, boolean]> = [
    ['metadata.name=p1', true],
    ['metadata.name!=p1', false],
    ['spec.nodeName=n1,metadata.namespace=ns', true],
    ['spec.nodeName==n2', false],
    ['spec.nodeName=', false],
  ];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('%s → %s', (selector, expected) => {
    const parsed = parseFieldSelector(selector, supported);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(matchesFields(parsed.value, (f) => fields[f] ?? '')).toBe(expected);
  });
  it('names the unsupported field', () => {
    const parsed = parseFieldSelector('spec.foo=x', supported);
    expect(parsed).toEqual({ ok: false, error: '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace", "spec.nodeName"' });
  });
  it('says which term it cannot understand', () => {
    expect(parseFieldSelector('metadata.name', supported)).toEqual({ ok: false, error: "invalid selector: 'metadata.name'; can't understand 'metadata.name'" });
  });
});
