// What kube-apiserver says, with its field paths and messages (these were kube-sim's tests).
import { describe, expect, it } from 'vitest';
import { defaultAndPrune } from './prune.js';
import { fieldPath, statusCause } from './render.js';
import { type StructuralSchema } from './schema.js';
import { validateValue } from './validate.js';

const schema: StructuralSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
    spec: {
      type: 'object',
      required: ['addresses'],
      properties: {
        addresses: { type: 'array', items: { type: 'string' } },
        autoAssign: { type: 'boolean', default: true },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        mode: { type: 'string', enum: ['a', 'b'] },
        name: { type: 'string', maxLength: 5, pattern: '^[a-z]+$' },
        holdTime: { type: 'string', 'x-kubernetes-int-or-string': true },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' }, maxItems: 2 },
        immutable: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'Value is immutable' }] },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
};

const causes = (value: unknown, old?: unknown) => validateValue(value, schema, old === undefined ? {} : { oldValue: old }).map(statusCause);

describe('defaultAndPrune', () => {
  it('applies defaults and prunes undeclared fields, keeping preserved ones', () => {
    const input = { apiVersion: 'x/v1', kind: 'K', metadata: { name: 'n', extra: 1 }, spec: { addresses: [], bogus: 1, free: { any: { thing: 1 } } }, top: 1 };
    const { value, pruned } = defaultAndPrune(input, schema);
    expect(value).toEqual({ apiVersion: 'x/v1', kind: 'K', metadata: { name: 'n', extra: 1 }, spec: { addresses: [], autoAssign: true, free: { any: { thing: 1 } } } });
    expect(pruned.map(fieldPath).sort()).toEqual(['spec.bogus', 'top']);
    expect(input.spec).toHaveProperty('bogus');
  });
  it('drops null in a non-nullable field, then defaults it', () => {
    expect(defaultAndPrune({ spec: { addresses: [], autoAssign: null } }, schema).value).toEqual({ spec: { addresses: [], autoAssign: true } });
  });
});

describe('validateValue, as kube-apiserver words it', () => {
  const cases: Array<{ name: string; spec: unknown; old?: unknown; causes: Array<{ field: string; message: string }> }> = [
    { name: 'valid', spec: { addresses: ['1.2.3.4/32'], port: 80, holdTime: '90s' }, causes: [] },
    { name: 'int-or-string accepts an integer', spec: { addresses: [], holdTime: 90 }, causes: [] },
    { name: 'required', spec: {}, causes: [{ field: 'spec.addresses', message: 'Required value' }] },
    { name: 'string where a number belongs', spec: { addresses: [], port: '80' }, causes: [{ field: 'spec.port', message: 'Invalid value: "string": spec.port in body must be of type integer: "string"' }] },
    { name: 'number where a string belongs', spec: { addresses: [1] }, causes: [{ field: 'spec.addresses[0]', message: 'Invalid value: "integer": spec.addresses[0] in body must be of type string: "integer"' }] },
    { name: 'maximum', spec: { addresses: [], port: 70000 }, causes: [{ field: 'spec.port', message: 'Invalid value: 70000: spec.port in body should be less than or equal to 65535' }] },
    { name: 'minimum', spec: { addresses: [], port: 0 }, causes: [{ field: 'spec.port', message: 'Invalid value: 0: spec.port in body should be greater than or equal to 1' }] },
    { name: 'enum', spec: { addresses: [], mode: 'c' }, causes: [{ field: 'spec.mode', message: 'Unsupported value: "c": supported values: "a", "b"' }] },
    { name: 'maxLength and pattern', spec: { addresses: [], name: 'ABCDEF' }, causes: [{ field: 'spec.name', message: 'Too long: may not be more than 5 bytes' }, { field: 'spec.name', message: `Invalid value: "ABCDEF": spec.name in body should match '^[a-z]+$'` }] },
    { name: 'set duplicates and maxItems', spec: { addresses: [], tags: ['a', 'a', 'b'] }, causes: [{ field: 'spec.tags', message: 'Too many: 3: must have at most 2 items' }, { field: 'spec.tags', message: 'Duplicate value: "a"' }] },
    { name: 'additionalProperties types', spec: { addresses: [], labels: { a: 1 } }, causes: [{ field: 'spec.labels.a', message: 'Invalid value: "integer": spec.labels.a in body must be of type string: "integer"' }] },
    { name: 'immutable rule on change', spec: { addresses: [], immutable: 'b' }, old: { addresses: [], immutable: 'a' }, causes: [{ field: 'spec.immutable', message: 'Invalid value: "string": Value is immutable' }] },
    { name: 'immutable rule unchanged', spec: { addresses: [], immutable: 'a' }, old: { addresses: [], immutable: 'a' }, causes: [] },
    { name: 'every error at once', spec: { port: 'x', mode: 'z' }, causes: [{ field: 'spec.addresses', message: 'Required value' }, { field: 'spec.port', message: 'Invalid value: "string": spec.port in body must be of type integer: "string"' }, { field: 'spec.mode', message: 'Unsupported value: "z": supported values: "a", "b"' }] },
  ];
  // As kube-sim asks for them: without the cause saying the CEL rules were skipped (below).
  it.each(cases)('$name', ({ spec, old, causes: expected }) => {
    const got = validateValue({ spec }, schema, { reportSkippedRules: false, ...(old === undefined ? {} : { oldValue: { spec: old } }) }).map(statusCause);
    expect(got.map(({ field, message }) => ({ field, message }))).toEqual(expected);
  });
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));

  it('says, as kube-apiserver does, when schema errors kept the CEL rules from running', () => {
    expect(causes({ spec: { addresses: [1] } }).at(-1)).toEqual({
      reason: 'FieldValueInvalid',
      field: '<nil>',
      message: 'Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
    });
    expect(causes({ spec: { addresses: [], port: 0 } }).map((c) => c.field)).toEqual(['spec.port']);
  });

  it('gives the reasons kube-apiserver gives', () => {
    const reasons = causes({ spec: { port: 'x', mode: 'z', name: 'abcdefg', tags: ['a', 'b', 'c'] } }).map((c) => c.reason);
    expect(reasons).toEqual(['FieldValueRequired', 'FieldValueTypeInvalid', 'FieldValueNotSupported', 'FieldValueTooLong', 'FieldValueTooMany', 'FieldValueInvalid']);
  });
});
