// What the API server does to a custom resource with a structural schema, as pure functions: apply
// defaults, drop fields the schema does not declare, check types, bounds, enums, list types and the
// CEL rules. Every problem is collected with its path; nothing throws on bad input.
import { celViolation, isTransitionRule } from './cel.js';
import { type PathSegment } from './issues.js';
import { type CelRule } from './schema/kube.js';

/** The subset of OpenAPI v3 a structural CRD schema uses. */
export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  additionalProperties?: SchemaNode | boolean;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

export interface SchemaProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Unknown fields are pruned by the API server; kubectl's strict validation refuses them. */
  readonly unknownField?: boolean;
}

export interface StructuralResult {
  /** A copy of the input with defaults applied and unknown fields removed. */
  readonly value: unknown;
  readonly problems: readonly SchemaProblem[];
}

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Defaults, prunes and validates `value` against `schema`. `oldValue` is the object before an
 * update; transition rules (those using oldSelf) run only where it has a value. The result is a
 * new value (the input is left alone) whose declared fields come in schema order.
 */
export function checkStructural(value: unknown, schema: SchemaNode, oldValue?: unknown): StructuralResult {
  const walk = new Walk();
  const result = walk.visit(value, schema, oldValue);
  return { value: result, problems: walk.problems };
}

/** One pass over a value: the path is a stack, copied only when a problem is reported. */
class Walk {
  readonly problems: SchemaProblem[] = [];
  private readonly path: PathSegment[] = [];

  private report(message: string, last?: PathSegment, unknownField = false): void {
    const path = last === undefined ? [...this.path] : [...this.path, last];
    this.problems.push(unknownField ? { path, message, unknownField } : { path, message });
  }

  visit(value: unknown, schema: SchemaNode, old: unknown): unknown {
    if (value === null) {
      // The API server drops a null it cannot hold and then defaults the field (see visitObject);
      // at the top it is a type error.
      if (!schema.nullable && this.path.length === 0) this.report(`must be ${article(schema.type)}, got null`);
      return value;
    }
    if (!hasType(value, schema)) {
      this.report(`must be ${article(schema.type)}, got ${describe(value)}`);
      return value;
    }
    if (this.path.length === 1 && this.path[0] === 'metadata') return copyJson(value);
    let copy = value;
    if (Array.isArray(value)) copy = this.visitArray(value, schema, old);
    else if (isObject(value)) copy = this.visitObject(value, schema, old);
    checkScalar(value, schema, (message) => this.report(message));
    this.checkRules(copy, schema, old);
    return copy;
  }

  private child(key: PathSegment, value: unknown, schema: SchemaNode, old: unknown): unknown {
    this.path.push(key);
    const result = this.visit(value, schema, old);
    this.path.pop();
    return result;
  }

  private visitObject(value: JsonObject, schema: SchemaNode, old: unknown): JsonObject {
    const out: JsonObject = {};
    const properties = schema.properties ?? {};
    const additional = schema.additionalProperties;
    const oldObject = isObject(old) ? old : undefined;
    // Declared fields first, in schema order, defaults filled in where absent. Objects built in
    // code may carry undefined fields, and a null the schema cannot hold is dropped: both count as
    // absent, as in JSON sent to the API server.
    for (const key in properties) {
      const propertySchema = properties[key] as SchemaNode;
      const present = value[key];
      if (present !== undefined && (present !== null || propertySchema.nullable)) {
        out[key] = this.child(key, present, propertySchema, oldObject?.[key]);
      } else if (propertySchema.default !== undefined) out[key] = copyJson(propertySchema.default);
    }
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(properties, key) || value[key] === undefined) continue;
      if (typeof additional === 'object') {
        if (value[key] === null && !additional.nullable) continue;
        out[key] = this.child(key, value[key], additional, oldObject?.[key]);
      } else if (additional === true || schema['x-kubernetes-preserve-unknown-fields']) {
        out[key] = copyJson(value[key]);
      } else if (!(this.path.length === 0 && ENVELOPE.has(key))) {
        this.report('unknown field (not declared in the schema)', key, true);
      }
    }
    for (const key of schema.required ?? []) {
      if (!(key in out)) this.report('required field is missing', key);
    }
    return out;
  }

  private visitArray(value: unknown[], schema: SchemaNode, old: unknown): unknown[] {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      this.report(`must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}, has ${value.length}`);
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      this.report(`must have at most ${schema.maxItems} items, has ${value.length}`);
    }
    const items = schema.items;
    let out = value;
    if (items) {
      const oldList = Array.isArray(old) ? old : [];
      out = value.map((item, i) => {
        if (item === null && !items.nullable) {
          this.report(`must be ${article(items.type)}, got null`, i);
          return item;
        }
        return this.child(i, item, items, oldItem(schema, oldList, item, i));
      });
    } else out = copyJson(value) as unknown[];
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set' || schema.uniqueItems) this.reportDuplicates(out, (item) => JSON.stringify(item), 'duplicate item');
    if (listType === 'map') {
      const keys = schema['x-kubernetes-list-map-keys'] ?? [];
      this.reportDuplicates(out, (item) => JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined))), `duplicate entry for key ${keys.join(', ')}`);
    }
    return out;
  }

  private reportDuplicates(value: unknown[], keyOf: (item: unknown) => string, message: string): void {
    const seen = new Map<string, number>();
    value.forEach((item, i) => {
      const key = keyOf(item);
      const first = seen.get(key);
      if (first !== undefined) this.report(`${message} (same as [${first}])`, i);
      else seen.set(key, i);
    });
  }

  private checkRules(value: unknown, schema: SchemaNode, old: unknown): void {
    const rules = schema['x-kubernetes-validations'];
    if (!rules) return;
    for (const rule of rules) {
      const transition = isTransitionRule(rule);
      if (transition && old === undefined) continue;
      const violation = celViolation(rule, toCelValue(value, schema), transition ? toCelValue(old, schema) : undefined);
      if (violation) this.report(violation);
    }
  }
}

/** A deep copy of plain JSON data; cheaper than structuredClone for the small values here. */
function copyJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyJson);
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) out[key] = copyJson(value[key]);
    return out;
  }
  return value;
}

// apiVersion, kind and metadata belong to the API server, whatever the CRD schema says of them.
const ENVELOPE = new Set(['apiVersion', 'kind', 'metadata']);

function hasType(value: unknown, schema: SchemaNode): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || Number.isInteger(value);
  switch (schema.type) {
    case undefined:
      return true;
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return false;
  }
}

function oldItem(schema: SchemaNode, oldList: unknown[], item: unknown, index: number): unknown {
  if (schema['x-kubernetes-list-type'] !== 'map') return oldList[index];
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  return oldList.find((candidate) => isObject(candidate) && isObject(item) && keys.every((k) => candidate[k] === item[k]));
}

function checkScalar(value: unknown, schema: SchemaNode, report: (message: string) => void): void {
  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    report(`must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      report(`must be ${schema.exclusiveMinimum ? 'greater than' : 'at least'} ${schema.minimum}, got ${value}`);
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      report(`must be ${schema.exclusiveMaximum ? 'less than' : 'at most'} ${schema.maximum}, got ${value}`);
    }
  }
  if (typeof value === 'string' && (schema.minLength !== undefined || schema.maxLength !== undefined)) {
    // Lengths count characters (code points), not UTF-16 units.
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      report(`must be at least ${schema.minLength} characters long`);
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      report(`must be at most ${schema.maxLength} characters long, is ${length}`);
    }
  }
  if (typeof value === 'string') {
    if (schema.pattern !== undefined && !patternFor(schema.pattern).test(value)) {
      report(`${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
    if (schema.format === 'date-time' && !isDateTime(value)) {
      report(`${JSON.stringify(value)} is not an RFC 3339 date-time`);
    }
  }
}

const patterns = new Map<string, RegExp>();
function patternFor(source: string): RegExp {
  let pattern = patterns.get(source);
  if (!pattern) {
    pattern = new RegExp(source, 'u');
    patterns.set(source, pattern);
  }
  return pattern;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const isDateTime = (text: string): boolean => DATE_TIME.test(text) && !Number.isNaN(Date.parse(text));

/** JSON as CEL sees it under this schema: integer fields become int (bigint), the rest as is. */
export function toCelValue(value: unknown, schema: SchemaNode | undefined): unknown {
  if (schema === undefined) return value;
  if (schema.type === 'integer' && typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (Array.isArray(value)) return value.map((item) => toCelValue(item, schema.items));
  if (isObject(value)) {
    const out: JsonObject = {};
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    for (const [key, child] of Object.entries(value)) out[key] = toCelValue(child, schema.properties?.[key] ?? additional);
    return out;
  }
  return value;
}

function article(type: string | undefined): string {
  switch (type) {
    case 'object':
      return 'an object';
    case 'array':
      return 'a list';
    case 'integer':
      return 'an integer';
    case undefined:
      return 'a value';
    default:
      return `a ${type}`;
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}
