// The string form survives a round trip: text → parse → toString → parse gives the same
// requirements and the same matches, and a selector object → compile → toString → parse too.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLabelSelector } from './compile.js';
import { parseLabelSelector } from './parse.js';
import { type LabelSelector, type LabelSelectorRequirement } from './types.js';

// Few distinct keys and values, so that generated labels often meet the selectors.
const name = fc.constantFrom('app', 'tier', 'zone', 'a.b_c-d', 'x9');
const key = fc.tuple(fc.option(fc.constantFrom('example.com', 'kubernetes.io', 'a-b.c'), { nil: undefined }), name).map(([p, n]) => (p ? `${p}/${n}` : n));
const value = fc.constantFrom('', 'web', 'db', 'a.b', 'X-1', 'v_2');
const values = fc.array(value, { minLength: 1, maxLength: 4 });
const labels = fc.dictionary(key, value, { maxKeys: 6 });
const space = fc.constantFrom('', ' ', '  ');

/** One term of the string form, in any of the spellings the API server takes. */
const term = fc.oneof(
  fc.tuple(key, fc.constantFrom('=', '==', '!='), value, space, space).map(([k, op, v, s1, s2]) => `${k}${s1}${op}${s2}${v}`),
  fc.tuple(key, fc.constantFrom('in', 'notin'), values, space).map(([k, op, vs, s]) => `${k} ${op}${s}(${vs.join(`,${s}`)})`),
  key,
  fc.tuple(key, space).map(([k, s]) => `!${s}${k}`),
);
const text = fc.tuple(fc.array(term, { maxLength: 5 }), space).map(([terms, s]) => terms.join(`${s},${s}`));

const requirementArb: fc.Arbitrary<LabelSelectorRequirement> = fc.oneof(
  fc.record({ key, operator: fc.constantFrom('In' as const, 'NotIn' as const), values }),
  fc.record({ key, operator: fc.constantFrom('Exists' as const, 'DoesNotExist' as const) }),
);
const selectorArb: fc.Arbitrary<LabelSelector> = fc.record(
  { matchLabels: fc.dictionary(key, value, { maxKeys: 3 }), matchExpressions: fc.array(requirementArb, { maxLength: 4 }) },
  { requiredKeys: [] },
);

function parsed(source: string) {
  const r = parseLabelSelector(source);
  if (!r.ok) throw new Error(`${source}: ${r.error.message}`);
  return r.value;
}

describe('string form round trip', () => {
  it('text → parse → toString → parse keeps requirements and matches', () => {
    fc.assert(
      fc.property(text, fc.array(labels, { minLength: 1, maxLength: 8 }), (source, samples) => {
        const first = parsed(source);
        const second = parsed(first.toString());
        expect(second.requirements).toEqual(first.requirements);
        expect(second.toString()).toBe(first.toString());
        for (const l of samples) expect(second.matches(l)).toBe(first.matches(l));
      }),
      { numRuns: 500 },
    );
  });

  it('selector → compile → toString → parse keeps requirements and matches', () => {
    fc.assert(
      fc.property(selectorArb, fc.array(labels, { minLength: 1, maxLength: 8 }), (selector, samples) => {
        const compiled = compileLabelSelector(selector);
        if (!compiled.ok) throw new Error(compiled.error.message);
        const again = parsed(compiled.value.toString());
        expect(again.requirements).toEqual(compiled.value.requirements);
        for (const l of samples) expect(again.matches(l)).toBe(compiled.value.matches(l));
      }),
      { numRuns: 500 },
    );
  });
});
