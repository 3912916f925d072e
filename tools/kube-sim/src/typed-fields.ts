// Decoding a body into a built-in kind's fields, as kube-apiserver's JSON decoder does into Go
// structs: a field the kind does not have is dropped and reported (`unknown field "spec.x"`, which
// fieldValidation turns into an error, a warning or nothing); a value of the wrong JSON type is a
// decoding error (`json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port
// of type int32`). The field tables come from builtin-fields.ts (generated from the Kubernetes
// OpenAPI document through @kubernetes/client-node's models). Pure; walks own fields only.
import { isObject } from './objects.js';

/** Model name → JSON field → type (`string`, `number:int32`, `Array<V1ServicePort>`, `{ [key: string]: string; }`, a model name, `IntOrString`, `Date`, `any`). */
export interface BuiltinFields {
  readonly roots: Readonly<Record<string, string>>;
  readonly definitions: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export interface TypedIssues {
  /** Paths of fields the kind does not have, in kube-apiserver's notation (`spec.ports[0].nodeport`). */
  readonly unknown: string[];
  /** The first value of the wrong type, worded as Go's decoder words it. */
  typeError?: string;
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;
const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** Go's name for a type: `[]v1.ServicePort`, `map[string]string`, `int32`, `intstr.IntOrString`. */
function goType(type: string): string {
  const array = ARRAY.exec(type);
  if (array) return `[]${goType(array[1] as string)}`;
  const map = MAP.exec(type);
  if (map) return `map[string]${goType(map[1] as string)}`;
  if (type.startsWith('number')) return type === 'number:double' ? 'float64' : (type.split(':')[1] ?? 'float64');
  switch (type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'IntOrString':
      return 'intstr.IntOrString';
    case 'Date':
      return 'v1.Time';
    case 'any':
      return 'interface {}';
  }
  return `v1.${structName(type)}`;
}

/** `V1ServicePort` → `ServicePort`, `CoreV1Event` → `Event`, `AdmissionregistrationV1ServiceReference` → `ServiceReference`. */
function structName(model: string): string {
  return model.replace(/^(?:[A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?/, '');
}

/** A field type, parsed once per type string. */
type Parsed =
  | { readonly kind: 'array'; readonly item: string }
  | { readonly kind: 'map'; readonly value: string }
  | { readonly kind: 'number'; readonly range: readonly [number, number] | undefined }
  | { readonly kind: 'string' | 'boolean' | 'int-or-string' | 'any' }
  | { readonly kind: 'model'; readonly name: string };

const parsedTypes = new Map<string, Parsed>();
function parse(type: string): Parsed {
  let parsed = parsedTypes.get(type);
  if (!parsed) {
    const array = ARRAY.exec(type);
    const map = MAP.exec(type);
    if (array) parsed = { kind: 'array', item: array[1] as string };
    else if (map) parsed = { kind: 'map', value: map[1] as string };
    else if (type.startsWith('number')) parsed = { kind: 'number', range: INT_RANGES[type.split(':')[1] ?? ''] };
    else if (type === 'string' || type === 'Date' || type === 'V1MicroTime') parsed = { kind: 'string' };
    else if (type === 'boolean') parsed = { kind: 'boolean' };
    else if (type === 'IntOrString') parsed = { kind: 'int-or-string' };
    else if (type === 'any') parsed = { kind: 'any' };
    else parsed = { kind: 'model', name: type };
    parsedTypes.set(type, parsed);
  }
  return parsed;
}

class Decoder {
  readonly issues: TypedIssues = { unknown: [] };

  constructor(private readonly fields: BuiltinFields) {}

  /**
   * Checks `value` against `type`; unknown fields are deleted from it. `path` is the field path
   * for messages about unknown fields, `goPath` the one Go's type errors use (no list indices).
   */
  visit(value: unknown, type: string, path: string, goPath: string, struct: string): void {
    // null is every type's zero value to Go's decoder.
    if (value === null || this.issues.typeError !== undefined) return;
    const t = parse(type);
    switch (t.kind) {
      case 'array':
        if (!Array.isArray(value)) return this.mismatch(value, type, goPath, struct);
        value.forEach((element, i) => this.visit(element, t.item, `${path}[${i}]`, goPath, struct));
        return;
      case 'map':
        if (!isObject(value)) return this.mismatch(value, type, goPath, struct);
        for (const key of Object.keys(value)) this.visit(value[key], t.value, join(path, key), goPath, struct);
        return;
      case 'number':
        if (typeof value !== 'number') return this.mismatch(value, type, goPath, struct);
        if (t.range && (!Number.isInteger(value) || value < t.range[0] || value > t.range[1])) this.mismatch(value, type, goPath, struct, ` ${String(value)}`);
        return;
      case 'string':
        if (typeof value !== 'string') this.mismatch(value, type, goPath, struct);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.mismatch(value, type, goPath, struct);
        return;
      case 'int-or-string':
        if (typeof value !== 'string' && !Number.isInteger(value)) this.mismatch(value, type, goPath, struct);
        return;
      case 'any':
        return;
      case 'model':
        break;
    }
    const definition = Object.hasOwn(this.fields.definitions, type) ? this.fields.definitions[type] : undefined;
    if (!definition) return;
    if (!isObject(value)) return this.mismatch(value, type, goPath, struct);
    const inner = structName(type);
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(definition, key)) this.visit(value[key], definition[key] as string, join(path, key), join(goPath, key), inner);
      else {
        this.issues.unknown.push(join(path, key));
        delete value[key];
      }
    }
  }

  private mismatch(value: unknown, type: string, goPath: string, struct: string, detail = ''): void {
    this.issues.typeError ??= goPath
      ? `json: cannot unmarshal ${jsonKind(value)}${detail} into Go struct field ${struct}.${goPath} of type ${goType(type)}`
      : `json: cannot unmarshal ${jsonKind(value)}${detail} into Go value of type ${goType(type)}`;
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Decodes `value` (a whole object of the model `model`, or any part with `at`) in place: unknown
 * fields are removed and reported, the first type mismatch is reported.
 */
export function decodeTyped(fields: BuiltinFields, model: string, value: unknown, at = ''): TypedIssues {
  const decoder = new Decoder(fields);
  decoder.visit(value, model, at, at, structName(model));
  return decoder.issues;
}
