import { describe, expect, it } from 'vitest';
import { defaultAndPrune } from './prune.js';
import { fieldPath } from './render.js';
import { type StructuralSchema } from './schema.js';

// Fields of `spec`, as a resource's schema would hold them.
const fields: Record<string, StructuralSchema> = {
  b: { type: 'string', default: 'b' },
  a: { type: 'string' },
  list: { type: 'array', items: { type: 'string', default: 'item' } },
  plain: { type: 'array', items: { type: 'string' } },
  map: { type: 'object', additionalProperties: { type: 'string' } },
  maybe: { type: 'string', nullable: true, default: 'x' },
  keep: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { n: { type: 'integer', default: 1 } } },
};
const schema: StructuralSchema = { type: 'object', properties: { spec: { type: 'object', properties: fields } } };

const shaped = (spec: unknown) => defaultAndPrune({ spec }, schema);

describe('defaultAndPrune', () => {
  const cases: Array<[string, unknown, unknown, string[]]> = [
    ['declared fields come first, in schema order', { z: 1, a: 'x' }, { b: 'b', a: 'x', maybe: 'x' }, ['spec.z']],
    ['null in a map without a default is dropped', { map: { k: null, v: 'v' } }, { b: 'b', map: { v: 'v' }, maybe: 'x' }, []],
    ['null items take the items default', { list: [null, 'y'] }, { b: 'b', list: ['item', 'y'], maybe: 'x' }, []],
    ['null items without one stay for validation to report', { plain: [null] }, { b: 'b', plain: [null], maybe: 'x' }, []],
    ['nullable null stays', { maybe: null }, { b: 'b', maybe: null }, []],
    ['absent nullable field is defaulted', {}, { b: 'b', maybe: 'x' }, []],
    ['preserved fields stay, declared ones are defaulted', { keep: { any: [1] } }, { b: 'b', maybe: 'x', keep: { n: 1, any: [1] } }, []],
    ['a value of the wrong type is left for validation', { map: 'text' }, { b: 'b', maybe: 'x', map: 'text' }, []],
    ['undefined counts as absent', { a: undefined }, { b: 'b', maybe: 'x' }, []],
  ];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('%s', (_name, input, expected, pruned) => {
    const result = shaped(input);
    expect((result.value as { spec: unknown }).spec).toEqual(expected);
    expect(result.pruned.map(fieldPath)).toEqual(pruned);
  });

  it('keeps schema order in the copy', () => {
    expect(Object.keys((shaped({ a: 'x', b: 'y' }).value as { spec: object }).spec)).toEqual(['b', 'a', 'maybe']);
  });

  it('keeps a field named __proto__ as a field', () => {
    const input = JSON.parse('{"spec":{"map":{"__proto__":"x"}}}') as unknown;
    const map = (defaultAndPrune(input, schema).value as { spec: { map: object } }).spec.map;
    expect(Object.keys(map)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });

  it('prunes apiVersion, kind and metadata only when the value is not a resource', () => {
    const input = { apiVersion: 'v1', kind: 'K', metadata: { name: 'n' } };
    expect(defaultAndPrune(input, { type: 'object' }).pruned).toEqual([]);
    expect(defaultAndPrune(input, { type: 'object' }, { isResourceRoot: false }).pruned.map(fieldPath)).toEqual(['apiVersion', 'kind', 'metadata']);
  });
});
