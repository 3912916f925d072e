import { describe, expect, it } from 'vitest';
import { compileLabelSelector, labelSelectorProblems, matchesLabelSelector, parseLabelSelector, selectorKey } from './index.js';

// The example in README.md, kept working.
describe('README example', () => {
  it('behaves as documented', () => {
    const selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'zone', operator: 'In', values: ['b', 'a'] }] } as const;
    expect(matchesLabelSelector(selector, { app: 'web', zone: 'a' })).toBe(true);
    expect(labelSelectorProblems({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] })).toEqual([
      { path: '.matchExpressions[0].values', segments: ['matchExpressions', 0, 'values'], message: 'must be non-empty for operator In' },
    ]);
    const compiled = compileLabelSelector(selector, 'spec.serviceSelectors[0]');
    if (!compiled.ok) throw new Error(compiled.error.message);
    expect(compiled.value.toString()).toBe('app=web,zone in (a,b)');
    expect(compiled.value.equalities).toEqual([['app', 'web']]);
    expect(compiled.value.matches({ app: 'web', zone: 'b' })).toBe(true);
    expect(parseLabelSelector('app=web,tier notin (db),!legacy').ok).toBe(true);
    expect(parseLabelSelector('Bad_/x=1')).toMatchObject({ ok: false, error: { message: 'invalid label key "Bad_/x"' } });
    expect(selectorKey({ matchLabels: { b: '2', a: '1' } })).toBe(selectorKey({ matchLabels: { a: '1', b: '2' } }));
  });
});
