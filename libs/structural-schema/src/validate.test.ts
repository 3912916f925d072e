import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { processCustomResource } from './process.js';
import { describeViolation, fieldPath, statusCause } from './render.js';
import { type StructuralSchema } from './schema.js';
import { validateValue } from './validate.js';

const spec = (properties: Record<string, StructuralSchema>, extra: StructuralSchema = {}): StructuralSchema => ({
  type: 'object',
  properties: { spec: { type: 'object', properties, ...extra } },
});

const kube = (schema: StructuralSchema, value: unknown) => validateValue({ spec: value }, schema).map(statusCause).map((c) => `${c.field}: ${c.message}`);
const plain = (schema: StructuralSchema, value: unknown) =>
  validateValue({ spec: value }, schema)
    .map(describeViolation)
    .map((d) => `${fieldPath(d.path)}: ${d.message}`);

describe('checks beyond the basics', () => {
  const cases: Array<[string, StructuralSchema, unknown, string[], string[]]> = [
    ['nullable null', spec({ a: { type: 'string', nullable: true } }), { a: null }, [], []],
    ['null item', spec({ a: { type: 'array', items: { type: 'string' } } }), { a: [null] }, ['spec.a[0]: Invalid value: "null": spec.a[0] in body must be of type string: "null"'], ['spec.a[0]: must be a string, got null']],
    ['int-or-string refuses a float', spec({ a: { 'x-kubernetes-int-or-string': true } }), { a: 1.5 }, ['spec.a: Invalid value: "number": spec.a in body must be of type integer,string: "number"'], ['spec.a: must be an integer or a string, got the number 1.5']],
    ['date-time', spec({ a: { type: 'string', format: 'date-time' } }), { a: 'soon' }, ['spec.a: Invalid value: "soon": spec.a in body must be of type date-time: "soon"'], ['spec.a: "soon" is not an RFC 3339 date-time']],
    ['date-time accepted', spec({ a: { type: 'string', format: 'date-time' } }), { a: '2024-01-01T00:00:00Z' }, [], []],
    ['multipleOf', spec({ a: { type: 'integer', multipleOf: 5 } }), { a: 7 }, ['spec.a: Invalid value: 7: spec.a in body should be a multiple of 5'], ['spec.a: must be a multiple of 5, got 7']],
    ['exclusive bounds', spec({ a: { type: 'number', minimum: 0, exclusiveMinimum: true } }), { a: 0 }, ['spec.a: Invalid value: 0: spec.a in body should be greater than 0'], ['spec.a: must be greater than 0, got 0']],
    ['minItems', spec({ a: { type: 'array', minItems: 1, items: { type: 'string' } } }), { a: [] }, ['spec.a: Invalid value: 0: spec.a in body should have at least 1 items'], ['spec.a: must have at least 1 item, has 0']],
    ['maxProperties', spec({ a: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } } }), { a: { x: '1', y: '2' } }, ['spec.a: Too many: 2: must have at most 1 items'], ['spec.a: must have at most 1 fields, has 2']],
    ['minProperties', spec({ a: { type: 'object', minProperties: 1, additionalProperties: { type: 'string' } } }), { a: {} }, ['spec.a: Invalid value: 0: spec.a in body should have at least 1 properties'], ['spec.a: must have at least 1 field, has 0']],
    ['anyOf', spec({ a: { type: 'integer', anyOf: [{ minimum: 10 }, { maximum: 0 }] } }), { a: 5 }, ['spec.a: Invalid value: 5: spec.a in body must match at least one schema in anyOf'], ['spec.a: must match at least one of the schemas in anyOf']],
    ['oneOf', spec({ a: { type: 'integer', oneOf: [{ minimum: 0 }, { maximum: 10 }] } }), { a: 5 }, ['spec.a: Invalid value: 5: spec.a in body must match exactly one schema in oneOf'], ['spec.a: must match exactly one of the schemas in oneOf']],
    ['not', spec({ a: { type: 'string', not: { enum: ['x'] } } }), { a: 'x' }, ['spec.a: Invalid value: "x": spec.a in body must not validate the schema (not)'], ['spec.a: must not match the schema in not']],
    ['allOf', spec({ a: { type: 'string', allOf: [{ maxLength: 1 }] } }), { a: 'xy' }, ['spec.a: Too long: may not be more than 1 bytes'], ['spec.a: must be at most 1 characters long, is 2']],
    [
      'map list duplicate',
      spec({ a: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'string' } } } } }),
      { a: [{ k: 'x' }, { k: 'x' }] },
      ['spec.a[1]: Duplicate value: map[string]interface {}{"k":"x"}'],
      ['spec.a[1]: duplicate entry for key k (same as [0])'],
    ],
    ['object enum', spec({ a: { type: 'object', enum: [{ x: 1 }], additionalProperties: { type: 'integer' } } }), { a: { x: 1 } }, [], []],
    ['lengths in characters', spec({ a: { type: 'string', maxLength: 2 } }), { a: '€€' }, [], []],
    ['a pattern JavaScript cannot compile is ignored', spec({ a: { type: 'string', pattern: '(?<' } }), { a: 'x' }, [], []],
    ['the root of a resource must be an object', { type: 'object' }, undefined, [], []],
  ];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('%s', (_name, schema, value, kubeWords, plainWords) => {
    expect(kube(schema, value)).toEqual(kubeWords);
    expect(plain(schema, value)).toEqual(plainWords);
  });

  it('names the root <root> when the value itself is wrong', () => {
    expect(validateValue('text', { type: 'object' }).map(statusCause)).toEqual([
      { reason: 'FieldValueTypeInvalid', field: '<root>', message: 'Invalid value: "string": <root> in body must be of type object: "string"' },
    ]);
  });

  it('checks apiVersion, kind and metadata only when the value is not a resource', () => {
    const schema: StructuralSchema = { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 1 } } } } };
    expect(validateValue({ metadata: { name: 'long' } }, schema)).toEqual([]);
    expect(validateValue({ metadata: { name: 'long' } }, schema, { isResourceRoot: false }).map((v) => v.kind)).toEqual(['maxLength']);
  });
});

describe('MetalLB rules', () => {
  // The connectTime rule of MetalLB's BGPPeer CRD: durations through CEL's duration().
  const schema = spec({
    connectTime: {
      type: 'string',
      'x-kubernetes-validations': [
        { rule: 'duration(self).getSeconds() >= 1 && duration(self).getSeconds() <= 65535', message: 'connect time should be between 1 seconds to 65535' },
        { rule: 'duration(self).getMilliseconds() % 1000 == 0', message: 'connect time should contain a whole number of seconds' },
      ],
    },
  });
  const cases: Array<[string, string[]]> = [
    ['10s', []],
    ['1m30s', []],
    ['500ms', ['spec.connectTime: Invalid value: "string": connect time should be between 1 seconds to 65535', 'spec.connectTime: Invalid value: "string": connect time should contain a whole number of seconds']],
    ['1500ms', ['spec.connectTime: Invalid value: "string": connect time should contain a whole number of seconds']],
    ['65536s', ['spec.connectTime: Invalid value: "string": connect time should be between 1 seconds to 65535']],
  ];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('connectTime %s', (value, expected) => expect(kube(schema, { connectTime: value })).toEqual(expected));
});

describe('any input', () => {
  const schemas: StructuralSchema[] = [
    spec({ a: { type: 'integer', minimum: 0, 'x-kubernetes-validations': [{ rule: 'self < 10', message: 'small' }] }, b: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } }, {
      'x-kubernetes-validations': [{ rule: 'has(self.a) || self.b.size() > 0', message: 'a or b' }, { rule: 'self == oldSelf', message: 'fixed' }],
    }),
    spec({ m: { type: 'object', additionalProperties: { type: 'object', properties: { x: { type: 'string', default: 'd' } } } } }),
    { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
  ];
  it('never throws, and what it keeps is JSON', () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemas), fc.jsonValue(), fc.option(fc.jsonValue(), { nil: undefined }), (schema, value, old) => {
        const result = processCustomResource(value, schema, old === undefined ? {} : { oldValue: old });
        for (const v of result.violations) {
          expect(typeof statusCause(v).message).toBe('string');
          expect(typeof describeViolation(v).message).toBe('string');
        }
        const text = JSON.stringify(result.value ?? null);
        expect(JSON.stringify(JSON.parse(text))).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });
});
