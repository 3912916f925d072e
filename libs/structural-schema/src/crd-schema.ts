// What kube-apiserver checks in a CustomResourceDefinition's openAPIV3Schema before accepting the
// CRD: the OpenAPI subset it supports (no `$ref`, known types, no `uniqueItems`, items a schema),
// the structural schema rules (every specified field has a type, nothing but value validation
// under anyOf/allOf/oneOf/not, metadata limited to name and generateName), regular expressions
// that compile as Go's RE2 compiles them, and CEL rules that parse. Each problem is a cause with
// the field path under the CRD (`spec.versions[0].schema.openAPIV3Schema.properties[spec].type`),
// all of them at once, worded as the API server words them. Never throws on input.
import { RE2JS } from 're2js';
import { type StatusCause } from './render.js';
import { compileRule } from './rules.js';
import { isObject, type JsonObject, ownField } from './schema.js';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const LIST_TYPES = ['atomic', 'map', 'set'];

type Level = 'root' | 'item' | 'field';

const required = (field: string, detail: string): StatusCause => ({ reason: 'FieldValueRequired', field, message: `Required value: ${detail}` });
const forbidden = (field: string, detail: string): StatusCause => ({ reason: 'FieldValueForbidden', field, message: `Forbidden: ${detail}` });
const invalidValue = (field: string, value: unknown, detail: string): StatusCause => ({
  reason: 'FieldValueInvalid',
  field,
  message: `Invalid value: ${JSON.stringify(value) ?? 'null'}: ${detail}`,
});
/** Rule errors show the whole rule, as Go's `%#v` prints it. */
const invalidRule = (field: string, rule: JsonObject, detail: string): StatusCause => ({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${goRule(rule)}: ${detail}` });
const notSupported = (field: string, value: unknown, supported: readonly string[]): StatusCause => ({
  reason: 'FieldValueNotSupported',
  field,
  message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
});

/** Go's `%#v` of an apiextensions.ValidationRule, which the API server puts in rule errors. */
function goRule(rule: JsonObject): string {
  const str = (v: unknown): string => JSON.stringify(typeof v === 'string' ? v : '');
  const reason = typeof rule['reason'] === 'string' ? `(*apiextensions.FieldValueErrorReason)(${JSON.stringify(rule['reason'])})` : '(*apiextensions.FieldValueErrorReason)(nil)';
  const optional = typeof rule['optionalOldSelf'] === 'boolean' ? `(*bool)(${String(rule['optionalOldSelf'])})` : '(*bool)(nil)';
  return `apiextensions.ValidationRule{Rule:${str(rule['rule'])}, Message:${str(rule['message'])}, MessageExpression:${str(rule['messageExpression'])}, Reason:${reason}, FieldPath:${str(rule['fieldPath'])}, OptionalOldSelf:${optional}}`;
}

/** Whether a node is `anyOf: [{type: integer}, {type: string}]`, the int-or-string form allowed in junctors. */
function isIntOrStringAnyOf(anyOf: unknown): boolean {
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return false;
  const [a, b] = anyOf as unknown[];
  const only = (v: unknown, type: string): boolean => isObject(v) && Object.keys(v).length === 1 && v['type'] === type;
  return only(a, 'integer') && only(b, 'string');
}

class SchemaCheck {
  readonly causes: StatusCause[] = [];

  /** A schema node outside any junctor. */
  node(s: unknown, path: string, level: Level): void {
    if (!isObject(s)) {
      this.causes.push(invalidValue(path, s, 'must be a schema object'));
      return;
    }
    this.common(s, path);
    const type = ownField(s, 'type');
    const intOrString = ownField(s, 'x-kubernetes-int-or-string') === true;
    const preserve = ownField(s, 'x-kubernetes-preserve-unknown-fields') === true;
    const embedded = ownField(s, 'x-kubernetes-embedded-resource') === true;
    if (embedded && type !== 'object') {
      this.causes.push(type === undefined || type === '' ? required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true') : invalidValue(`${path}.type`, type, 'must be object if x-kubernetes-embedded-resource is true'));
    } else if ((type === undefined || type === '') && !intOrString && !preserve) {
      const where = level === 'root' ? 'at the root' : level === 'item' ? 'for specified array items' : 'for specified object fields';
      this.causes.push(required(`${path}.type`, `must not be empty ${where}`));
    }
    if (level === 'root' && typeof type === 'string' && type !== '' && type !== 'object') this.causes.push(invalidValue(`${path}.type`, type, 'must be object at the root'));
    if (intOrString && preserve) this.causes.push(invalidValue(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
    if (type === 'array' && ownField(s, 'items') === undefined) this.causes.push(required(`${path}.items`, 'must be specified'));

    const properties = ownField(s, 'properties');
    const additional = ownField(s, 'additionalProperties');
    if (additional !== undefined) {
      if (level === 'root') this.causes.push(forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
      if (isObject(properties) && Object.keys(properties).length > 0 && additional !== true) {
        this.causes.push(forbidden(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
      } else if (additional === false) this.causes.push(forbidden(`${path}.additionalProperties`, 'additionalProperties cannot be set to false'));
      if (isObject(additional)) this.node(additional, `${path}.additionalProperties`, 'field');
    }
    if (isObject(properties)) {
      for (const key of Object.keys(properties)) this.node(properties[key], `${path}.properties[${key}]`, 'field');
      if (level === 'root' || embedded) this.envelope(properties, path, level);
    } else if (properties !== undefined) this.causes.push(invalidValue(`${path}.properties`, properties, 'must be a map of schemas'));
    const items = ownField(s, 'items');
    if (Array.isArray(items)) this.causes.push(forbidden(`${path}.items`, 'items must be a schema object and not an array'));
    else if (items !== undefined) this.node(items, `${path}.items`, 'item');

    const skipAnyOf = isIntOrStringAnyOf(ownField(s, 'anyOf'));
    this.junctors(s, path, skipAnyOf);
  }

  /** apiVersion, kind and metadata of a resource: the API server's, barely restrictable. */
  private envelope(properties: JsonObject, path: string, level: Level): void {
    for (const [key, type] of [['kind', 'string'], ['apiVersion', 'string'], ['metadata', 'object']] as const) {
      const p = ownField(properties, key);
      if (isObject(p) && p['type'] !== type) this.causes.push(invalidValue(`${path}.properties[${key}].type`, p['type'] ?? '', `must be ${type}`));
    }
    const metadata = ownField(properties, 'metadata');
    if (level === 'root' && isObject(metadata)) {
      const rest = Object.keys(metadata).filter((k) => k !== 'type' && k !== 'properties' && k !== 'default');
      const props = isObject(metadata['properties']) ? Object.keys(metadata['properties']) : [];
      if (rest.length > 0 || props.some((k) => k !== 'name' && k !== 'generateName')) {
        this.causes.push(forbidden(`${path}.properties[metadata]`, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
      }
    }
  }

  /** What every node, in or out of a junctor, must not have or must get right. */
  private common(s: JsonObject, path: string): void {
    if (Object.hasOwn(s, '$ref')) this.causes.push(forbidden(`${path}.$ref`, '$ref is not supported'));
    for (const key of ['definitions', 'dependencies', 'patternProperties', 'additionalItems', 'id', '$schema'] as const) {
      if (Object.hasOwn(s, key)) this.causes.push(forbidden(`${path}.${key}`, `${key} is not supported`));
    }
    const type = ownField(s, 'type');
    if (type !== undefined && type !== '' && !TYPES.includes(type as string)) this.causes.push(notSupported(`${path}.type`, type, TYPES));
    if (ownField(s, 'uniqueItems') === true) this.causes.push(forbidden(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
    if (ownField(s, 'x-kubernetes-preserve-unknown-fields') === false) this.causes.push(invalidValue(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
    const pattern = ownField(s, 'pattern');
    if (typeof pattern === 'string') {
      try {
        RE2JS.compile(pattern);
      } catch (error) {
        this.causes.push(invalidValue(`${path}.pattern`, pattern, `must be a valid regular expression, but isn't: ${error instanceof Error ? error.message : String(error)}`));
      }
    }
    const listType = ownField(s, 'x-kubernetes-list-type');
    if (listType !== undefined) {
      if (!LIST_TYPES.includes(listType as string)) this.causes.push(notSupported(`${path}.x-kubernetes-list-type`, listType, LIST_TYPES));
      const keys = ownField(s, 'x-kubernetes-list-map-keys');
      if (listType === 'map' && (!Array.isArray(keys) || keys.length === 0)) this.causes.push(required(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
    }
    const rules = ownField(s, 'x-kubernetes-validations');
    if (Array.isArray(rules)) {
      rules.forEach((rule: unknown, i) => {
        const at = `${path}.x-kubernetes-validations[${i}]`;
        if (!isObject(rule)) return;
        const text = rule['rule'];
        if (typeof text !== 'string' || text.trim() === '') {
          this.causes.push(required(`${at}.rule`, 'rule is not specified'));
          return;
        }
        const compiled = compileRule(text);
        if (!compiled.ok) this.causes.push(invalidRule(`${at}.rule`, rule, `compilation failed: ${compiled.error.message.split('\n')[0] ?? ''}`));
        const messageExpression = rule['messageExpression'];
        if (typeof messageExpression === 'string' && messageExpression !== '') {
          const m = compileRule(messageExpression);
          if (!m.ok) this.causes.push(invalidRule(`${at}.messageExpression`, rule, `messageExpression compilation failed: ${m.error.message.split('\n')[0] ?? ''}`));
        }
      });
    }
  }

  /** anyOf, allOf, oneOf and not: value validation only (the structural rules). */
  private junctors(s: JsonObject, path: string, skipAnyOf: boolean): void {
    for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
      const list = ownField(s, key);
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        this.causes.push(invalidValue(`${path}.${key}`, list, 'must be a list of schemas'));
        continue;
      }
      list.forEach((sub: unknown, i) => {
        const skip = (key === 'anyOf' && skipAnyOf) || (key === 'allOf' && i === 0 && isObject(sub) && isIntOrStringAnyOf(sub['anyOf']));
        this.nested(sub, `${path}.${key}[${i}]`, skip);
      });
    }
    const not = ownField(s, 'not');
    if (not !== undefined) this.nested(not, `${path}.not`, false);
  }

  private nested(s: unknown, path: string, intOrStringPattern: boolean): void {
    if (!isObject(s)) {
      this.causes.push(invalidValue(path, s, 'must be a schema object'));
      return;
    }
    this.common(s, path);
    if (!intOrStringPattern) {
      const forbiddenHere: ReadonlyArray<readonly [string, (v: unknown) => boolean, string]> = [
        ['type', (v) => v !== undefined && v !== '', 'must be empty to be structural'],
        ['additionalProperties', (v) => v !== undefined, 'must be undefined to be structural'],
        ['default', (v) => v !== undefined, 'must be undefined to be structural'],
        ['title', (v) => v !== undefined && v !== '', 'must be empty to be structural'],
        ['description', (v) => v !== undefined && v !== '', 'must be empty to be structural'],
        ['nullable', (v) => v === true, 'must be false to be structural'],
        ['x-kubernetes-preserve-unknown-fields', (v) => v === true, 'must be false to be structural'],
        ['x-kubernetes-embedded-resource', (v) => v === true, 'must be false to be structural'],
        ['x-kubernetes-int-or-string', (v) => v === true, 'must be false to be structural'],
        ['x-kubernetes-list-map-keys', (v) => Array.isArray(v) && v.length > 0, 'must be empty to be structural'],
        ['x-kubernetes-list-type', (v) => v !== undefined, 'must be undefined to be structural'],
      ];
      for (const [key, present, detail] of forbiddenHere) if (present(ownField(s, key))) this.causes.push(forbidden(`${path}.${key}`, detail));
    }
    const properties = ownField(s, 'properties');
    if (isObject(properties)) {
      if (Object.hasOwn(properties, 'metadata')) this.causes.push(forbidden(`${path}.properties[metadata]`, 'must not be specified in a nested context'));
      for (const key of Object.keys(properties)) this.nested(properties[key], `${path}.properties[${key}]`, false);
    }
    const items = ownField(s, 'items');
    if (items !== undefined && !Array.isArray(items)) this.nested(items, `${path}.items`, false);
    this.junctors(s, path, isIntOrStringAnyOf(ownField(s, 'anyOf')));
  }
}

/**
 * Every problem kube-apiserver finds in a CRD version's openAPIV3Schema, `path` being where the
 * schema sits in the CRD. An empty list means the schema is accepted.
 */
export function checkCrdSchema(schema: unknown, path: string): StatusCause[] {
  const check = new SchemaCheck();
  check.node(schema, path, 'root');
  return check.causes;
}
