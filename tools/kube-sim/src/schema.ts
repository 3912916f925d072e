// Structural schemas of CustomResourceDefinitions (openAPIV3Schema): defaulting, pruning of unknown
// fields and validation, with kube-apiserver's field paths and messages. Pure functions over JSON
// values; the caller decides whether pruned fields are an error (fieldValidation=Strict).
import { type StatusCause } from './status.js';

export interface JSONSchema {
  type?: string;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  items?: JSONSchema;
  additionalProperties?: boolean | JSONSchema;
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  multipleOf?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  minProperties?: number;
  maxProperties?: number;
  anyOf?: JSONSchema[];
  allOf?: JSONSchema[];
  oneOf?: JSONSchema[];
  not?: JSONSchema;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: Array<{ rule: string; message?: string }>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function child(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** The JSON type name kube-apiserver prints for a value in type errors. */
function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** How a value appears after `Invalid value:` in messages. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return `"${typeName(v)}"`;
}

/**
 * Applies defaults and removes fields the schema does not declare, in place on a copy of `value`.
 * Null in a non-nullable field is dropped (then defaulted), as the real server does. Returns the
 * new value and the paths that were pruned.
 */
export function defaultAndPrune(value: unknown, schema: JSONSchema, isRoot = true): { value: unknown; pruned: string[] } {
  const pruned: string[] = [];
  const copy = clone(value);
  walk(copy, schema, '', isRoot, pruned);
  return { value: copy, pruned };
}

function walk(value: unknown, schema: JSONSchema, path: string, isRoot: boolean, pruned: string[]): void {
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => walk(item, schema.items as JSONSchema, `${path}[${i}]`, false, pruned));
    return;
  }
  if (!isObject(value)) return;
  const props = schema.properties ?? {};
  for (const [key, prop] of Object.entries(props)) {
    if (value[key] === null && !prop.nullable) delete value[key];
    if (value[key] === undefined && prop.default !== undefined) value[key] = clone(prop.default) as Json;
  }
  for (const key of Object.keys(value)) {
    const prop = props[key];
    if (isRoot && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    if (prop) {
      walk(value[key], prop, child(path, key), false, pruned);
    } else if (isObject(schema.additionalProperties)) {
      walk(value[key], schema.additionalProperties, child(path, key), false, pruned);
    } else if (schema.additionalProperties !== true && !schema['x-kubernetes-preserve-unknown-fields']) {
      delete value[key];
      pruned.push(child(path, key));
    }
  }
}

/** Validates `value` against `schema`; every violation is returned, none stops the walk. */
export function validateSchema(value: unknown, schema: JSONSchema, oldValue?: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  check(value, schema, '', causes, oldValue, true);
  return causes;
}

function add(causes: StatusCause[], reason: string, field: string, message: string): void {
  causes.push({ reason, field, message });
}

function typeMatches(value: unknown, schema: JSONSchema): boolean {
  if (schema['x-kubernetes-int-or-string']) return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  switch (schema.type) {
    case undefined:
    case '':
      return true;
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      return true;
  }
}

function check(value: unknown, schema: JSONSchema, path: string, causes: StatusCause[], oldValue: unknown, isRoot = false): void {
  const field = path || '<root>';
  if (value === null) {
    if (!schema.nullable) add(causes, 'FieldValueTypeInvalid', field, `Invalid value: "null": ${field} in body must be of type ${schema.type ?? 'object'}: "null"`);
    return;
  }
  if (!typeMatches(value, schema)) {
    const expected = schema['x-kubernetes-int-or-string'] ? 'integer,string' : schema.type;
    add(causes, 'FieldValueTypeInvalid', field, `Invalid value: "${typeName(value)}": ${field} in body must be of type ${expected}: "${typeName(value)}"`);
    return;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    const supported = schema.enum.map((e) => JSON.stringify(e)).join(', ');
    add(causes, 'FieldValueNotSupported', field, `Unsupported value: ${JSON.stringify(value)}: supported values: ${supported}`);
  }
  if (typeof value === 'number') checkNumber(value, schema, field, causes);
  if (typeof value === 'string') checkString(value, schema, field, causes);
  if (Array.isArray(value)) checkArray(value, schema, path, causes, oldValue);
  if (isObject(value)) checkObject(value, schema, path, causes, oldValue, isRoot);
  checkCombinators(value, schema, field, causes);
  checkTransitionRules(value, schema, field, causes, oldValue);
}

function checkNumber(value: number, s: JSONSchema, field: string, causes: StatusCause[]): void {
  if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum)) {
    const rel = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${value}: ${field} in body should be ${rel} ${s.maximum}`);
  }
  if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum)) {
    const rel = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${value}: ${field} in body should be ${rel} ${s.minimum}`);
  }
  if (s.multipleOf !== undefined && s.multipleOf !== 0 && value % s.multipleOf !== 0) {
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${value}: ${field} in body should be a multiple of ${s.multipleOf}`);
  }
}

function checkString(value: string, s: JSONSchema, field: string, causes: StatusCause[]): void {
  // Lengths count characters (runes), as Go's validator does for minLength/maxLength.
  const length = [...value].length;
  if (s.maxLength !== undefined && length > s.maxLength) {
    add(causes, 'FieldValueTooLong', field, `Too long: may not be more than ${s.maxLength} bytes`);
  }
  if (s.minLength !== undefined && length < s.minLength) {
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${show(value)}: ${field} in body should be at least ${s.minLength} chars long`);
  }
  if (s.pattern !== undefined && !compilePattern(s.pattern).test(value)) {
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${show(value)}: ${field} in body should match '${s.pattern}'`);
  }
}

const patterns = new Map<string, RegExp>();
function compilePattern(pattern: string): RegExp {
  let re = patterns.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patterns.set(pattern, re);
  }
  return re;
}

function checkArray(value: unknown[], s: JSONSchema, path: string, causes: StatusCause[], oldValue: unknown): void {
  const field = path || '<root>';
  if (s.maxItems !== undefined && value.length > s.maxItems) {
    add(causes, 'FieldValueTooMany', field, `Too many: ${value.length}: must have at most ${s.maxItems} items`);
  }
  if (s.minItems !== undefined && value.length < s.minItems) {
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${value.length}: ${field} in body should have at least ${s.minItems} items`);
  }
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set' || s.uniqueItems) {
    const seen = new Set<string>();
    for (const item of value) {
      const key = JSON.stringify(item);
      if (seen.has(key)) add(causes, 'FieldValueDuplicate', field, `Duplicate value: ${show(item)}`);
      seen.add(key);
    }
  }
  if (listType === 'map' && s['x-kubernetes-list-map-keys']) {
    const keys = s['x-kubernetes-list-map-keys'];
    const seen = new Set<string>();
    value.forEach((item, i) => {
      if (!isObject(item)) return;
      const key = JSON.stringify(keys.map((k) => item[k]));
      if (seen.has(key)) {
        const desc = keys.map((k) => `"${k}":${JSON.stringify(item[k])}`).join(', ');
        add(causes, 'FieldValueDuplicate', `${path}[${i}]`, `Duplicate value: map[string]interface {}{${desc}}`);
      }
      seen.add(key);
    });
  }
  if (s.items) {
    const oldItems = Array.isArray(oldValue) ? oldValue : [];
    value.forEach((item, i) => check(item, s.items as JSONSchema, `${path}[${i}]`, causes, oldItems[i]));
  }
}

function checkObject(value: JsonObject, s: JSONSchema, path: string, causes: StatusCause[], oldValue: unknown, isRoot: boolean): void {
  const old = isObject(oldValue) ? oldValue : undefined;
  for (const key of s.required ?? []) {
    if (value[key] === undefined) add(causes, 'FieldValueRequired', child(path, key), 'Required value');
  }
  const count = Object.keys(value).length;
  if (s.maxProperties !== undefined && count > s.maxProperties) {
    add(causes, 'FieldValueTooMany', path || '<root>', `Too many: ${count}: must have at most ${s.maxProperties} items`);
  }
  if (s.minProperties !== undefined && count < s.minProperties) {
    add(causes, 'FieldValueInvalid', path || '<root>', `Invalid value: ${count}: ${path || '<root>'} in body should have at least ${s.minProperties} properties`);
  }
  for (const [key, v] of Object.entries(value)) {
    if (isRoot && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const prop = s.properties?.[key] ?? (isObject(s.additionalProperties) ? s.additionalProperties : undefined);
    if (prop) check(v, prop, child(path, key), causes, old?.[key]);
  }
}

function branchValid(value: unknown, schema: JSONSchema): boolean {
  const causes: StatusCause[] = [];
  check(value, schema, 'x', causes, undefined);
  return causes.length === 0;
}

function checkCombinators(value: unknown, s: JSONSchema, field: string, causes: StatusCause[]): void {
  for (const sub of s.allOf ?? []) check(value, sub, field === '<root>' ? '' : field, causes, undefined);
  if (s.anyOf && !s.anyOf.some((sub) => branchValid(value, sub))) {
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${show(value)}: ${field} in body must match at least one schema in anyOf`);
  }
  if (s.oneOf && s.oneOf.filter((sub) => branchValid(value, sub)).length !== 1) {
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${show(value)}: ${field} in body must match exactly one schema in oneOf`);
  }
  if (s.not && branchValid(value, s.not)) {
    add(causes, 'FieldValueInvalid', field, `Invalid value: ${show(value)}: ${field} in body must not validate the schema (not)`);
  }
}

/**
 * CEL rules are not evaluated (no CEL engine here), except the immutability transition rule
 * `self == oldSelf`, which MetalLB's CRDs use and which needs only a deep comparison.
 */
function checkTransitionRules(value: unknown, s: JSONSchema, field: string, causes: StatusCause[], oldValue: unknown): void {
  if (oldValue === undefined) return;
  for (const rule of s['x-kubernetes-validations'] ?? []) {
    if (rule.rule.replace(/\s+/g, '') !== 'self==oldSelf') continue;
    if (JSON.stringify(value) !== JSON.stringify(oldValue)) {
      add(causes, 'FieldValueInvalid', field, `Invalid value: "${typeName(value)}": ${rule.message ?? 'failed rule: self == oldSelf'}`);
    }
  }
}
