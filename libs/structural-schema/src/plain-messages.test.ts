// The same checks in plain English, where a person should look (these were config-schema's tests).
import { describe, expect, it } from 'vitest';
import { processCustomResource } from './process.js';
import { describeViolation, fieldPath } from './render.js';
import { toCelValue } from './rules.js';
import { type StructuralSchema } from './schema.js';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 5, pattern: '^[a-z]+$' },
        port: { type: 'integer', minimum: 1, maximum: 10, default: 7 },
        mode: { type: 'string', enum: ['a', 'b'] },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
        items: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['key'],
          items: { type: 'object', properties: { key: { type: 'string' }, value: { type: 'string' } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        nested: { type: 'object', properties: { flag: { type: 'boolean', default: false } } },
        when: { type: 'string', format: 'date-time' },
        fixed: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'fixed cannot change' }] },
      },
      'x-kubernetes-validations': [{ rule: "!has(self.mode) || self.mode != 'b' || self.port > 5", message: 'mode b needs a port above 5' }],
    },
  },
};

const check = (spec: unknown, old?: unknown) => {
  const result = processCustomResource({ spec }, schema, old === undefined ? {} : { oldValue: { spec: old } });
  const problems = [
    ...result.pruned.map((path) => `${fieldPath(path)}: unknown field (not declared in the schema)`),
    ...result.violations.map(describeViolation).map((d) => `${fieldPath(d.path)}: ${d.message}`),
  ];
  return { value: result.value as { spec: Record<string, unknown> }, problems };
};

describe('processCustomResource', () => {
  it('applies defaults to absent fields of present objects only', () => {
    expect(check({ name: 'a' }).value.spec).toEqual({ name: 'a', port: 7 });
    expect(check({ name: 'a', nested: {} }).value.spec['nested']).toEqual({ flag: false });
  });

  it('drops nulls and defaults the field, as the API server does', () => {
    expect(check({ name: 'a', port: null }).value.spec['port']).toBe(7);
  });

  it('removes and reports fields the schema does not declare', () => {
    const { value, problems } = check({ name: 'a', colour: 'red' });
    expect(value.spec['colour']).toBeUndefined();
    expect(problems).toEqual(['spec.colour: unknown field (not declared in the schema)']);
  });

  it('leaves metadata, apiVersion and kind to the API server', () => {
    const result = processCustomResource({ apiVersion: 'x/v1', kind: 'K', metadata: { name: 'n', labels: { a: 'b' } }, spec: { name: 'a' } }, schema);
    expect([...result.pruned, ...result.violations]).toEqual([]);
    expect((result.value as { metadata: unknown }).metadata).toEqual({ name: 'n', labels: { a: 'b' } });
  });

  const rejected: Array<[string, unknown, string]> = [
    ['required', {}, 'spec.name: required field is missing'],
    ['type', { name: 3 }, 'spec.name: must be a string, got the integer 3'],
    ['integer', { name: 'a', port: 1.5 }, 'spec.port: must be an integer, got the number 1.5'],
    ['minimum', { name: 'a', port: 0 }, 'spec.port: must be at least 1, got 0'],
    ['maximum', { name: 'a', port: 11 }, 'spec.port: must be at most 10, got 11'],
    ['minLength', { name: '' }, 'spec.name: must be at least 1 characters long'],
    ['maxLength', { name: 'abcdef' }, 'spec.name: must be at most 5 characters long, is 6'],
    ['pattern', { name: 'A' }, 'spec.name: "A" does not match ^[a-z]+$'],
    ['enum', { name: 'a', mode: 'c' }, 'spec.mode: must be one of "a", "b", got "c"'],
    ['set', { name: 'a', tags: ['x', 'x'] }, 'spec.tags[1]: duplicate item (same as [0])'],
    ['maxItems', { name: 'a', tags: ['x', 'y', 'z', 'w'] }, 'spec.tags: must have at most 3 items, has 4'],
    ['map list keys', { name: 'a', items: [{ key: 'k', value: '1' }, { key: 'k', value: '2' }] }, 'spec.items[1]: duplicate entry for key key (same as [0])'],
    ['additionalProperties', { name: 'a', labels: { a: 1 } }, 'spec.labels.a: must be a string, got the integer 1'],
    ['date-time', { name: 'a', when: 'yesterday' }, 'spec.when: "yesterday" is not an RFC 3339 date-time'],
    ['CEL rule', { name: 'a', mode: 'b', port: 3 }, 'spec: mode b needs a port above 5'],
    ['object type', 'text', 'spec: must be an object, got the string "text"'],
  ];
  it.each(rejected)('refuses: %s', (_what, spec, problem) => expect(check(spec).problems).toContain(problem));
  it('ran every case', () => expect(rejected.length).toBeGreaterThan(0));

  it('runs transition rules only on update', () => {
    expect(check({ name: 'a', fixed: 'x' }).problems).toEqual([]);
    expect(check({ name: 'a', fixed: 'x' }, { name: 'a', fixed: 'x' }).problems).toEqual([]);
    expect(check({ name: 'a', fixed: 'y' }, { name: 'a', fixed: 'x' }).problems).toEqual(['spec.fixed: fixed cannot change']);
  });

  it('does not change its input', () => {
    const input = { spec: { name: 'a', colour: 'red' } };
    processCustomResource(input, schema);
    expect(input).toEqual({ spec: { name: 'a', colour: 'red' } });
  });
});

describe('toCelValue', () => {
  it('gives integer fields as CEL ints', () => {
    expect(toCelValue({ port: 3, name: 'x', tags: ['a'] }, schema.properties?.['spec'])).toEqual({ port: 3n, name: 'x', tags: ['a'] });
  });
});
