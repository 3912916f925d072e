import { describe, expect, it } from 'vitest';
import { checkCrdSchema } from './crd-schema.js';

const at = 'spec.versions[0].schema.openAPIV3Schema';
const spec = (s: object): object => ({ type: 'object', properties: { spec: s } });

describe('checkCrdSchema (what kube-apiserver refuses in a CRD schema)', () => {
  const cases: Array<{ name: string; schema: unknown; lines: string[] }> = [
    { name: 'a good schema', schema: spec({ type: 'object', properties: { port: { type: 'integer', maximum: 65535 }, name: { type: 'string', pattern: '^[a-z]+$' } } }), lines: [] },
    { name: 'int-or-string, preserve-unknown-fields and the int-or-string anyOf', schema: spec({ type: 'object', properties: { p: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, any: { 'x-kubernetes-preserve-unknown-fields': true } } }), lines: [] },
    { name: 'an unknown type', schema: spec({ type: 'notatype' }), lines: [`${at}.properties[spec].type: Unsupported value: "notatype": supported values: "array", "boolean", "integer", "number", "object", "string"`] },
    { name: 'a non-object root', schema: { type: 'string' }, lines: [`${at}.type: Invalid value: "string": must be object at the root`] },
    { name: 'a schema that is a string', schema: 'foo', lines: [`${at}: Invalid value: "foo": must be a schema object`] },
    { name: 'an unclosed regex', schema: spec({ type: 'string', pattern: '[a-' }), lines: [`${at}.properties[spec].pattern: Invalid value: "[a-": must be a valid regular expression, but isn't: error parsing regexp: missing closing ]: \`[a-\``] },
    { name: 'an RE2 pattern JavaScript cannot read is accepted', schema: spec({ type: 'string', pattern: '(?i)^abc\\z' }), lines: [] },
    { name: 'a CEL rule that does not parse', schema: spec({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >', message: 'm' }] }), lines: [`${at}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: apiextensions.ValidationRule{Rule:"self.a >", Message:"m", MessageExpression:"", Reason:(*apiextensions.FieldValueErrorReason)(nil), FieldPath:"", OptionalOldSelf:(*bool)(nil)}: compilation failed: Unexpected token: EOF`] },
    { name: '$ref', schema: spec({ type: 'object', $ref: '#/definitions/Foo' }), lines: [`${at}.properties[spec].$ref: Forbidden: $ref is not supported`] },
    { name: 'a field without a type', schema: spec({ properties: { a: { type: 'string' } } }), lines: [`${at}.properties[spec].type: Required value: must not be empty for specified object fields`] },
    { name: 'items without a type, and an array without items', schema: spec({ type: 'object', properties: { l: { type: 'array', items: {} }, m: { type: 'array' } } }), lines: [`${at}.properties[spec].properties[l].items.type: Required value: must not be empty for specified array items`, `${at}.properties[spec].properties[m].items: Required value: must be specified`] },
    { name: 'a type under anyOf', schema: spec({ type: 'object', anyOf: [{ type: 'object' }] }), lines: [`${at}.properties[spec].anyOf[0].type: Forbidden: must be empty to be structural`] },
    { name: 'uniqueItems, additionalProperties with properties, items as a list', schema: spec({ type: 'object', properties: { u: { type: 'array', uniqueItems: true, items: { type: 'string' } }, b: { type: 'object', properties: { x: { type: 'string' } }, additionalProperties: { type: 'string' } }, i: { type: 'array', items: [{ type: 'string' }] } } }), lines: [
      `${at}.properties[spec].properties[u].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${at}.properties[spec].properties[b].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      `${at}.properties[spec].properties[i].items: Forbidden: items must be a schema object and not an array`,
    ] },
    { name: 'metadata beyond name and generateName', schema: { type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } }, lines: [`${at}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`] },
    { name: 'x-kubernetes-list-type map without keys', schema: spec({ type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object' } }), lines: [`${at}.properties[spec].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`] },
  ];
  it.each(cases)('$name', ({ schema, lines }) => {
    expect(checkCrdSchema(schema, at).map((c) => `${c.field}: ${c.message}`)).toEqual(lines);
  });
  it('ran the table', () => expect(cases.length).toBeGreaterThan(0));
});
