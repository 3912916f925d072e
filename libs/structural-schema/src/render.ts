// Violations in words. `statusCause` gives what kube-apiserver puts in a Status: the reason, the
// field (`spec.ports[0].port`) and its message (`Invalid value: 70000: spec.port in body should be
// less than or equal to 65535`), which kubectl prints. `describeViolation` gives plain English
// (`must be at most 65535, got 70000`) for tools that speak to people directly.
import { isObject, ownField, type PathSegment } from './schema.js';
import { type Violation } from './violation.js';

/** metav1.StatusCause. */
export interface StatusCause {
  readonly reason: string;
  readonly field: string;
  readonly message: string;
}

/** `['spec', 'ports', 0, 'port']` → `spec.ports[0].port`, as the API server names fields. */
export function fieldPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out;
}

/** The JSON type name kube-apiserver prints for a value in type errors. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** How a value appears after `Invalid value:` in the API server's messages. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return `"${typeName(v)}"`;
}

const RULES_NOT_CHECKED = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

export function statusCause(v: Violation): StatusCause {
  const field = fieldPath(v.path) || '<root>';
  const cause = (reason: string, message: string, at = field): StatusCause => ({ reason, field: at, message });
  switch (v.kind) {
    case 'required':
      return cause('FieldValueRequired', 'Required value');
    case 'type': {
      const got = typeName(v.value);
      return cause('FieldValueTypeInvalid', `Invalid value: "${got}": ${field} in body must be of type ${v.expected}: "${got}"`);
    }
    case 'format':
      return cause('FieldValueTypeInvalid', `Invalid value: ${show(v.value)}: ${field} in body must be of type ${v.format}: ${show(v.value)}`);
    case 'enum':
      return cause('FieldValueNotSupported', `Unsupported value: ${JSON.stringify(v.value)}: supported values: ${v.allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    case 'maximum':
      return cause('FieldValueInvalid', `Invalid value: ${v.value}: ${field} in body should be ${v.exclusive ? 'less than' : 'less than or equal to'} ${v.limit}`);
    case 'minimum':
      return cause('FieldValueInvalid', `Invalid value: ${v.value}: ${field} in body should be ${v.exclusive ? 'greater than' : 'greater than or equal to'} ${v.limit}`);
    case 'multipleOf':
      return cause('FieldValueInvalid', `Invalid value: ${v.value}: ${field} in body should be a multiple of ${v.factor}`);
    case 'maxLength':
      return cause('FieldValueTooLong', `Too long: may not be more than ${v.limit} bytes`);
    case 'minLength':
      return cause('FieldValueInvalid', `Invalid value: ${show(v.value)}: ${field} in body should be at least ${v.limit} chars long`);
    case 'pattern':
      return cause('FieldValueInvalid', `Invalid value: ${show(v.value)}: ${field} in body should match '${v.pattern}'`);
    case 'maxItems':
      return cause('FieldValueTooMany', `Too many: ${v.count}: must have at most ${v.limit} items`);
    case 'minItems':
      return cause('FieldValueInvalid', `Invalid value: ${v.count}: ${field} in body should have at least ${v.limit} items`);
    case 'maxProperties':
      return cause('FieldValueTooMany', `Too many: ${v.count}: must have at most ${v.limit} items`);
    case 'minProperties':
      return cause('FieldValueInvalid', `Invalid value: ${v.count}: ${field} in body should have at least ${v.limit} properties`);
    case 'duplicate': {
      if (!v.mapKeys) return cause('FieldValueDuplicate', `Duplicate value: ${show(v.value)}`);
      const item = isObject(v.value) ? v.value : {};
      const keys = v.mapKeys.map((k) => `"${k}":${JSON.stringify(ownField(item, k))}`).join(', ');
      return cause('FieldValueDuplicate', `Duplicate value: map[string]interface {}{${keys}}`, fieldPath([...v.path, v.index]));
    }
    case 'anyOf':
      return cause('FieldValueInvalid', `Invalid value: ${show(v.value)}: ${field} in body must match at least one schema in anyOf`);
    case 'oneOf':
      return cause('FieldValueInvalid', `Invalid value: ${show(v.value)}: ${field} in body must match exactly one schema in oneOf`);
    case 'not':
      return cause('FieldValueInvalid', `Invalid value: ${show(v.value)}: ${field} in body must not validate the schema (not)`);
    case 'rule':
      return ruleCause(v, field);
    case 'rules-not-checked':
      // The API server reports it without a field (a nil path) or a value.
      return cause('FieldValueInvalid', `Invalid value: "null": ${RULES_NOT_CHECKED}`, '<nil>');
  }
}

function ruleCause(v: Extract<Violation, { kind: 'rule' }>, field: string): StatusCause {
  const shown = `"${v.schemaType || typeName(v.value)}"`;
  const ruleText = v.rule.message?.trim() || v.rule.rule.trim();
  switch (v.outcome) {
    case 'compile-error':
      return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${shown}: rule compile error: ${v.detail}` };
    case 'runtime-error':
      return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${shown}: ${v.detail} evaluating rule: ${ruleText}` };
    case 'not-bool':
      return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${shown}: rule compile error: cel expression must evaluate to a bool, got ${v.detail}` };
    case 'false':
      switch (v.rule.reason) {
        case 'FieldValueForbidden':
          return { reason: 'FieldValueForbidden', field, message: `Forbidden: ${v.detail}` };
        case 'FieldValueRequired':
          return { reason: 'FieldValueRequired', field, message: `Required value: ${v.detail}` };
        case 'FieldValueDuplicate':
          return { reason: 'FieldValueDuplicate', field, message: `Duplicate value: ${show(v.value)}` };
        default:
          return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${shown}: ${v.detail}` };
      }
  }
}

export interface Described {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

/** A violation in plain English, at the place a person should look. */
export function describeViolation(v: Violation): Described {
  const at = (message: string, path: readonly PathSegment[] = v.path): Described => ({ path, message });
  switch (v.kind) {
    case 'required':
      return at('required field is missing');
    case 'type':
      return at(`must be ${expectedWords(v.expected)}, got ${v.value === null ? 'null' : valueWords(v.value)}`);
    case 'format':
      return at(v.format === 'date-time' ? `${JSON.stringify(v.value)} is not an RFC 3339 date-time` : `${JSON.stringify(v.value)} is not a valid ${v.format}`);
    case 'enum':
      return at(`must be one of ${v.allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(v.value)}`);
    case 'minimum':
      return at(`must be ${v.exclusive ? 'greater than' : 'at least'} ${v.limit}, got ${v.value}`);
    case 'maximum':
      return at(`must be ${v.exclusive ? 'less than' : 'at most'} ${v.limit}, got ${v.value}`);
    case 'multipleOf':
      return at(`must be a multiple of ${v.factor}, got ${v.value}`);
    case 'minLength':
      return at(`must be at least ${v.limit} characters long`);
    case 'maxLength':
      return at(`must be at most ${v.limit} characters long, is ${v.length}`);
    case 'pattern':
      return at(`${JSON.stringify(v.value)} does not match ${v.pattern}`);
    case 'minItems':
      return at(`must have at least ${v.limit} item${v.limit === 1 ? '' : 's'}, has ${v.count}`);
    case 'maxItems':
      return at(`must have at most ${v.limit} items, has ${v.count}`);
    case 'minProperties':
      return at(`must have at least ${v.limit} field${v.limit === 1 ? '' : 's'}, has ${v.count}`);
    case 'maxProperties':
      return at(`must have at most ${v.limit} fields, has ${v.count}`);
    case 'duplicate':
      return at(v.mapKeys ? `duplicate entry for key ${v.mapKeys.join(', ')} (same as [${v.first}])` : `duplicate item (same as [${v.first}])`, [...v.path, v.index]);
    case 'anyOf':
      return at('must match at least one of the schemas in anyOf');
    case 'oneOf':
      return at('must match exactly one of the schemas in oneOf');
    case 'not':
      return at('must not match the schema in not');
    case 'rule':
      switch (v.outcome) {
        case 'false':
          return at(v.detail);
        case 'compile-error':
          return at(`rule '${v.rule.rule}' does not compile: ${v.detail}`);
        case 'runtime-error':
          return at(`${v.rule.message?.trim() || `failed rule: ${v.rule.rule.trim()}`} (rule '${v.rule.rule}' failed: ${v.detail})`);
        case 'not-bool':
          return at(`rule '${v.rule.rule}' gave ${v.detail} instead of true or false`);
      }
      break;
    case 'rules-not-checked':
      return at(RULES_NOT_CHECKED);
  }
  return at('invalid');
}

function expectedWords(type: string): string {
  switch (type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case 'integer,string':
      return 'an integer or a string';
    default:
      return `a ${type}`;
  }
}

function valueWords(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}
