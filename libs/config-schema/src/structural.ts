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
 * update; transition rules (those using oldSelf) run only where it has a value.
 */
export function checkStructural(value: unknown, schema: SchemaNode, oldValue?: unknown): StructuralResult {
  const problems: SchemaProblem[] = [];
  const copy = structuredClone(value);
  const result = visit(copy, schema, [], oldValue, problems);
  return { value: result, problems };
}

function visit(value: unknown, schema: SchemaNode, path: PathSegment[], old: unknown, problems: SchemaProblem[]): unknown {
  if (value === null && !schema.nullable) {
    // The API server drops a null it cannot hold and then defaults the field; at the top it is a
    // type error.
    if (path.length === 0) problems.push({ path, message: `must be ${article(schema.type)}, got null` });
    return value;
  }
  if (value === null) return value;
  if (!hasType(value, schema)) {
    problems.push({ path, message: `must be ${article(schema.type)}, got ${describe(value)}` });
    return value;
  }
  if (isMetadata(path)) return value;
  if (Array.isArray(value)) visitArray(value, schema, path, old, problems);
  else if (isObject(value)) visitObject(value, schema, path, old, problems);
  checkScalar(value, schema, path, problems);
  checkRules(value, schema, path, old, problems);
  return value;
}

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

function visitObject(value: JsonObject, schema: SchemaNode, path: PathSegment[], old: unknown, problems: SchemaProblem[]): void {
  const properties = schema.properties ?? {};
  const additional = schema.additionalProperties;
  for (const key of Object.keys(value)) {
    // Objects built in code may carry undefined fields; JSON has no such thing, so they are absent.
    if (value[key] === undefined) {
      delete value[key];
      continue;
    }
    const propertySchema = properties[key] ?? (typeof additional === 'object' ? additional : undefined);
    if (propertySchema) {
      if (value[key] === null && !propertySchema.nullable) {
        delete value[key];
        continue;
      }
      const oldChild = isObject(old) ? old[key] : undefined;
      value[key] = visit(value[key], propertySchema, [...path, key], oldChild, problems);
    } else if (additional !== true && !schema['x-kubernetes-preserve-unknown-fields'] && !isEnvelope(path, key)) {
      problems.push({ path: [...path, key], message: 'unknown field (not declared in the schema)', unknownField: true });
      delete value[key];
    }
  }
  for (const [key, propertySchema] of Object.entries(properties)) {
    if (!(key in value) && propertySchema.default !== undefined) value[key] = structuredClone(propertySchema.default);
  }
  for (const key of schema.required ?? []) {
    if (!(key in value)) problems.push({ path: [...path, key], message: 'required field is missing' });
  }
}

// apiVersion, kind and metadata belong to the API server, whatever the CRD schema says of them.
function isEnvelope(path: PathSegment[], key: string): boolean {
  return path.length === 0 && (key === 'metadata' || key === 'apiVersion' || key === 'kind');
}

// metadata is checked by the API server's own rules (see validate.ts), not the CRD schema.
const isMetadata = (path: PathSegment[]): boolean => path.length === 1 && path[0] === 'metadata';

function visitArray(value: unknown[], schema: SchemaNode, path: PathSegment[], old: unknown, problems: SchemaProblem[]): void {
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    problems.push({ path, message: `must have at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}, has ${value.length}` });
  }
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    problems.push({ path, message: `must have at most ${schema.maxItems} items, has ${value.length}` });
  }
  const items = schema.items;
  if (items) {
    // List items are matched to old ones by position only for atomic lists; the API server pairs
    // map-list items by key, which is what ratcheting transition rules need.
    const oldList = Array.isArray(old) ? old : [];
    for (let i = 0; i < value.length; i++) {
      if (value[i] === null && !items.nullable) {
        problems.push({ path: [...path, i], message: `must be ${article(items.type)}, got null` });
        continue;
      }
      value[i] = visit(value[i], items, [...path, i], oldItem(schema, oldList, value[i], i), problems);
    }
  }
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set' || schema.uniqueItems) reportDuplicates(value, (item) => JSON.stringify(item), path, problems, 'duplicate item');
  if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    reportDuplicates(
      value,
      (item) => JSON.stringify(keys.map((k) => (isObject(item) ? item[k] : undefined))),
      path,
      problems,
      `duplicate entry for key ${keys.join(', ')}`,
    );
  }
}

function oldItem(schema: SchemaNode, oldList: unknown[], item: unknown, index: number): unknown {
  if (schema['x-kubernetes-list-type'] !== 'map') return oldList[index];
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  return oldList.find((candidate) => isObject(candidate) && isObject(item) && keys.every((k) => candidate[k] === item[k]));
}

function reportDuplicates(
  value: unknown[],
  keyOf: (item: unknown) => string,
  path: PathSegment[],
  problems: SchemaProblem[],
  message: string,
): void {
  const seen = new Map<string, number>();
  value.forEach((item, i) => {
    const key = keyOf(item);
    const first = seen.get(key);
    if (first !== undefined) problems.push({ path: [...path, i], message: `${message} (same as [${first}])` });
    else seen.set(key, i);
  });
}

function checkScalar(value: unknown, schema: SchemaNode, path: PathSegment[], problems: SchemaProblem[]): void {
  if (schema.enum && !schema.enum.some((allowed) => allowed === value)) {
    problems.push({ path, message: `must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(value)}` });
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      problems.push({ path, message: `must be ${schema.exclusiveMinimum ? 'greater than' : 'at least'} ${schema.minimum}, got ${value}` });
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      problems.push({ path, message: `must be ${schema.exclusiveMaximum ? 'less than' : 'at most'} ${schema.maximum}, got ${value}` });
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) {
      problems.push({ path, message: `must be at least ${schema.minLength} characters long` });
    }
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      problems.push({ path, message: `must be at most ${schema.maxLength} characters long, is ${length}` });
    }
    if (schema.pattern !== undefined && !patternFor(schema.pattern).test(value)) {
      problems.push({ path, message: `${JSON.stringify(value)} does not match ${schema.pattern}` });
    }
    if (schema.format === 'date-time' && !isDateTime(value)) {
      problems.push({ path, message: `${JSON.stringify(value)} is not an RFC 3339 date-time` });
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

function checkRules(value: unknown, schema: SchemaNode, path: PathSegment[], old: unknown, problems: SchemaProblem[]): void {
  const rules = schema['x-kubernetes-validations'];
  if (!rules) return;
  for (const rule of rules) {
    const transition = isTransitionRule(rule);
    if (transition && old === undefined) continue;
    const violation = celViolation(rule, toCelValue(value, schema), transition ? toCelValue(old, schema) : undefined);
    if (violation) problems.push({ path, message: violation });
  }
}

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
