import { describe, expect, it } from 'vitest';
import { describeViolation, fieldPath, statusCause } from './render.js';
import { compileRule, isTransitionRule, parseFieldPath } from './rules.js';
import { type StructuralSchema, type ValidationRule } from './schema.js';
import { validateValue } from './validate.js';

const withRules = (rules: ValidationRule[], node: StructuralSchema = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'string' } } }): StructuralSchema => ({
  type: 'object',
  properties: { spec: { ...node, 'x-kubernetes-validations': rules } },
});

const kube = (schema: StructuralSchema, spec: unknown, oldSpec?: unknown) =>
  validateValue({ spec }, schema, oldSpec === undefined ? {} : { oldValue: { spec: oldSpec } })
    .map(statusCause)
    .map((c) => `${c.reason} ${c.field}: ${c.message}`);

describe('CEL rules, as kube-apiserver reports them', () => {
  const cases: Array<[string, StructuralSchema, unknown, unknown, string[]]> = [
    ['a rule that holds', withRules([{ rule: 'self.a > 1', message: 'a must be above 1' }]), { a: 2 }, undefined, []],
    ['a rule that fails', withRules([{ rule: 'self.a > 1', message: 'a must be above 1' }]), { a: 1 }, undefined, ['FieldValueInvalid spec: Invalid value: "object": a must be above 1']],
    ['without a message', withRules([{ rule: 'self.a > 1' }]), { a: 1 }, undefined, ['FieldValueInvalid spec: Invalid value: "object": failed rule: self.a > 1']],
    [
      'messageExpression',
      withRules([{ rule: 'self.a > 1', message: 'fallback', messageExpression: "'a is ' + string(self.a)" }]),
      { a: 1 },
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": a is 1'],
    ],
    [
      'a failing messageExpression falls back to the message',
      withRules([{ rule: 'self.a > 1', message: 'fallback', messageExpression: 'self.nothing' }]),
      { a: 1 },
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": fallback'],
    ],
    ['fieldPath', withRules([{ rule: "self.b != 'x'", message: 'not x', fieldPath: '.b' }]), { b: 'x' }, undefined, ['FieldValueInvalid spec.b: Invalid value: "object": not x']],
    ['reason Forbidden', withRules([{ rule: '!has(self.b)', message: 'b is not allowed', reason: 'FieldValueForbidden' }]), { b: 'x' }, undefined, ['FieldValueForbidden spec: Forbidden: b is not allowed']],
    ['reason Required', withRules([{ rule: 'has(self.b)', message: 'b is needed', reason: 'FieldValueRequired' }]), {}, undefined, ['FieldValueRequired spec: Required value: b is needed']],
    ['a rule that does not compile', withRules([{ rule: 'self.a >', message: 'm' }]), { a: 1 }, undefined, [expect.stringMatching(/^FieldValueInvalid spec: Invalid value: "object": rule compile error: /) as unknown as string]],
    ['a rule that fails to evaluate', withRules([{ rule: 'self.nothing > 1', message: 'm' }]), { a: 1 }, undefined, [expect.stringMatching(/^FieldValueInvalid spec: Invalid value: "object": .* evaluating rule: m$/) as unknown as string]],
    ['a rule that is not a bool', withRules([{ rule: 'self.a', message: 'm' }]), { a: 1 }, undefined, ['FieldValueInvalid spec: Invalid value: "object": rule compile error: cel expression must evaluate to a bool, got 1']],
    ['a scalar node', withRules([{ rule: 'self > 1', message: 'too small' }], { type: 'integer' }), 1, undefined, ['FieldValueInvalid spec: Invalid value: "integer": too small']],
    ['transition rule on create', withRules([{ rule: 'self == oldSelf', message: 'immutable' }]), { a: 1 }, undefined, []],
    ['transition rule unchanged', withRules([{ rule: 'self == oldSelf', message: 'immutable' }]), { a: 1 }, { a: 1 }, []],
    ['transition rule changed', withRules([{ rule: 'self == oldSelf', message: 'immutable' }]), { a: 1 }, { a: 2 }, ['FieldValueInvalid spec: Invalid value: "object": immutable']],
    [
      'rules in allOf run too',
      { type: 'object', properties: { spec: { type: 'object', properties: { a: { type: 'integer' } }, allOf: [{ 'x-kubernetes-validations': [{ rule: 'self.a < 5', message: 'below 5' }] }] } } },
      { a: 9 },
      undefined,
      ['FieldValueInvalid spec: Invalid value: "object": below 5'],
    ],
    [
      'schema errors keep rules from running',
      withRules([{ rule: 'self.a > 1', message: 'a must be above 1' }]),
      { a: 'one' },
      undefined,
      [
        'FieldValueTypeInvalid spec.a: Invalid value: "string": spec.a in body must be of type integer: "string"',
        'FieldValueInvalid <nil>: Invalid value: "null": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      ],
    ],
    ['int-or-string integers are CEL ints', withRules([{ rule: 'self > 1', message: 'too small' }], { 'x-kubernetes-int-or-string': true }), 1, undefined, ['FieldValueInvalid spec: Invalid value: "integer": too small']],
  ];
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));
  it.each(cases)('%s', (_name, schema, spec, old, expected) => expect(kube(schema, spec, old)).toEqual(expected));
});

describe('oldSelf correlation', () => {
  const mapList: StructuralSchema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          ports: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['name'],
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, port: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'port is immutable' }] } },
            },
          },
          atomic: {
            type: 'array',
            items: { type: 'object', properties: { port: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'never correlated' }] } } },
          },
        },
      },
    },
  };
  it('finds the old item of a map list by its keys, wherever it moved', () => {
    const old = { ports: [{ name: 'a', port: 1 }, { name: 'b', port: 2 }] };
    expect(kube(mapList, { ports: [{ name: 'b', port: 2 }, { name: 'a', port: 1 }] }, old)).toEqual([]);
    expect(kube(mapList, { ports: [{ name: 'b', port: 3 }, { name: 'c', port: 9 }] }, old)).toEqual(['FieldValueInvalid spec.ports[0].port: Invalid value: "integer": port is immutable']);
  });
  it('does not correlate items of other lists', () => {
    expect(kube(mapList, { atomic: [{ port: 1 }] }, { atomic: [{ port: 2 }] })).toEqual([]);
  });
});

describe('rule helpers', () => {
  it('tells transition rules', () => {
    expect(isTransitionRule({ rule: 'self == oldSelf' })).toBe(true);
    expect(isTransitionRule({ rule: 'self.oldSelfish == 1' })).toBe(false);
  });
  it('compiles once and returns errors instead of throwing', () => {
    expect(compileRule('self.a > 1')).toBe(compileRule('self.a > 1'));
    expect(compileRule('self.a >')).toMatchObject({ ok: false, error: { kind: 'invalid-rule' } });
  });
  const paths: Array<[string, (string | number)[] | undefined]> = [
    ['.spec.port', ['spec', 'port']],
    [".labels['a.b/c']", ['labels', 'a.b/c']],
    [".x['it\\'s']", ['x', "it's"]],
    ['spec', undefined],
    ['.a[0]', undefined],
  ];
  it.each(paths)('parseFieldPath(%s)', (text, expected) => expect(parseFieldPath(text)).toEqual(expected));
  it('words rule failures plainly too', () => {
    const [v] = validateValue({ spec: { a: 1 } }, withRules([{ rule: 'self.a > 1', message: 'a must be above 1', fieldPath: '.a' }]));
    expect(v && describeViolation(v)).toEqual({ path: ['spec', 'a'], message: 'a must be above 1' });
    expect(v && fieldPath(v.path)).toBe('spec.a');
  });
});
