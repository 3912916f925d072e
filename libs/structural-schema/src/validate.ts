// Validation of a value against a structural schema, in the order kube-apiserver does it: the
// OpenAPI checks, then list-type set/map uniqueness, then the CEL rules, which do not run when an
// earlier check found a type, required, enum or size error.
import { RE2JS } from 're2js';
import { evaluateRules, schemaHasRules } from './rules.js';
import { ENVELOPE, fieldSchema, hasType, isObject, jsonEqual, type JsonObject, ownField, type PathSegment, type StructuralSchema } from './schema.js';
import { blocksRules, type Violation } from './violation.js';

export interface ValidateOptions {
  /** The value before an update: transition rules (those using oldSelf) compare against it. */
  readonly oldValue?: unknown;
  /** The value is a whole resource (the default): apiVersion, kind and metadata are not checked. */
  readonly isResourceRoot?: boolean;
  /**
   * When schema errors keep the CEL rules from running, say so with a `rules-not-checked`
   * violation, as kube-apiserver does (the default).
   */
  readonly reportSkippedRules?: boolean;
}

/** Every violation in `value`; never throws, whatever it is given. */
export function validateValue(value: unknown, schema: StructuralSchema, options: ValidateOptions = {}): Violation[] {
  const root = options.isResourceRoot ?? true;
  const pass = new SchemaPass(root);
  pass.check(value, schema, true);
  pass.checkLists(value, schema, true);
  const violations = pass.violations;
  if (schemaHasRules(schema)) {
    if (violations.some(blocksRules)) {
      if (options.reportSkippedRules ?? true) violations.push({ kind: 'rules-not-checked', path: [] });
    } else evaluateRules(value, schema, options.oldValue, violations);
  }
  return violations;
}

/** One walk over the value; the path is a stack, copied only when a violation is recorded. */
class SchemaPass {
  readonly violations: Violation[] = [];
  private readonly path: PathSegment[] = [];

  constructor(private readonly resourceRoot: boolean) {}

  private at(last?: PathSegment): PathSegment[] {
    return last === undefined ? [...this.path] : [...this.path, last];
  }

  check(value: unknown, schema: StructuralSchema, top = false): void {
    if (value === null) {
      if (!schema.nullable) this.violations.push({ kind: 'type', path: this.at(), expected: expectedType(schema), value });
      return;
    }
    if (!hasType(value, schema)) {
      this.violations.push({ kind: 'type', path: this.at(), expected: expectedType(schema), value });
      return;
    }
    if (schema.enum && !schema.enum.some((allowed) => jsonEqual(allowed, value))) {
      this.violations.push({ kind: 'enum', path: this.at(), allowed: schema.enum, value });
    }
    if (typeof value === 'number') this.checkNumber(value, schema);
    else if (typeof value === 'string') this.checkString(value, schema);
    else if (Array.isArray(value)) this.checkList(value, schema);
    else if (isObject(value)) this.checkObject(value, schema, top && this.resourceRoot);
    if (schema.allOf || schema.anyOf || schema.oneOf || schema.not) this.checkCombinators(value, schema);
  }

  private child(key: PathSegment, value: unknown, schema: StructuralSchema): void {
    this.path.push(key);
    this.check(value, schema);
    this.path.pop();
  }

  private checkNumber(value: number, s: StructuralSchema): void {
    if (s.maximum !== undefined && (s.exclusiveMaximum ? value >= s.maximum : value > s.maximum)) {
      this.violations.push({ kind: 'maximum', path: this.at(), limit: s.maximum, exclusive: s.exclusiveMaximum === true, value });
    }
    if (s.minimum !== undefined && (s.exclusiveMinimum ? value <= s.minimum : value < s.minimum)) {
      this.violations.push({ kind: 'minimum', path: this.at(), limit: s.minimum, exclusive: s.exclusiveMinimum === true, value });
    }
    if (s.multipleOf !== undefined && s.multipleOf !== 0 && value % s.multipleOf !== 0) {
      this.violations.push({ kind: 'multipleOf', path: this.at(), factor: s.multipleOf, value });
    }
  }

  private checkString(value: string, s: StructuralSchema): void {
    if (s.maxLength !== undefined || s.minLength !== undefined) {
      // Lengths count characters (code points), as Go's validator counts runes.
      const length = [...value].length;
      if (s.maxLength !== undefined && length > s.maxLength) this.violations.push({ kind: 'maxLength', path: this.at(), limit: s.maxLength, length, value });
      if (s.minLength !== undefined && length < s.minLength) this.violations.push({ kind: 'minLength', path: this.at(), limit: s.minLength, length, value });
    }
    if (s.pattern !== undefined) {
      const pattern = patternFor(s.pattern);
      // A pattern JavaScript cannot compile is the CRD's problem, not this value's.
      if (pattern && !pattern.test(value)) this.violations.push({ kind: 'pattern', path: this.at(), pattern: s.pattern, value });
    }
    if (s.format === 'date-time' && !isDateTime(value)) this.violations.push({ kind: 'format', path: this.at(), format: s.format, value });
  }

  private checkList(value: readonly unknown[], s: StructuralSchema): void {
    if (s.maxItems !== undefined && value.length > s.maxItems) this.violations.push({ kind: 'maxItems', path: this.at(), limit: s.maxItems, count: value.length });
    if (s.minItems !== undefined && value.length < s.minItems) this.violations.push({ kind: 'minItems', path: this.at(), limit: s.minItems, count: value.length });
    const items = s.items;
    if (items) value.forEach((item, i) => this.child(i, item, items));
  }

  private checkObject(value: JsonObject, s: StructuralSchema, envelope: boolean): void {
    if (s.required) {
      for (const key of s.required) if (ownField(value, key) === undefined) this.violations.push({ kind: 'required', path: this.at(key) });
    }
    if (s.maxProperties !== undefined || s.minProperties !== undefined) {
      const count = Object.keys(value).length;
      if (s.maxProperties !== undefined && count > s.maxProperties) this.violations.push({ kind: 'maxProperties', path: this.at(), limit: s.maxProperties, count });
      if (s.minProperties !== undefined && count < s.minProperties) this.violations.push({ kind: 'minProperties', path: this.at(), limit: s.minProperties, count });
    }
    for (const key in value) {
      if (envelope && ENVELOPE.has(key)) continue;
      const child = value[key];
      const schema = fieldSchema(s, key);
      if (schema && child !== undefined) this.child(key, child, schema);
    }
  }

  private checkCombinators(value: unknown, s: StructuralSchema): void {
    for (const sub of s.allOf ?? []) this.check(value, sub);
    if (s.anyOf && !s.anyOf.some((sub) => holds(value, sub))) this.violations.push({ kind: 'anyOf', path: this.at(), value });
    if (s.oneOf && s.oneOf.filter((sub) => holds(value, sub)).length !== 1) this.violations.push({ kind: 'oneOf', path: this.at(), value });
    if (s.not && holds(value, s.not)) this.violations.push({ kind: 'not', path: this.at(), value });
  }

  /** x-kubernetes-list-type set and map: no two items alike (after the OpenAPI checks). */
  checkLists(value: unknown, s: StructuralSchema, top = false): void {
    if (Array.isArray(value)) {
      const listType = s['x-kubernetes-list-type'];
      if (listType === 'set' || s.uniqueItems) this.duplicates(value, (item) => JSON.stringify(item));
      if (listType === 'map') {
        const keys = s['x-kubernetes-list-map-keys'] ?? [];
        this.duplicates(value, (item) => (isObject(item) ? JSON.stringify(keys.map((k) => ownField(item, k))) : undefined), keys);
      }
      const items = s.items;
      if (items && schemaHasLists(items)) value.forEach((item, i) => this.childLists(i, item, items));
    } else if (isObject(value)) {
      for (const key in value) {
        if (top && this.resourceRoot && ENVELOPE.has(key)) continue;
        const schema = fieldSchema(s, key);
        if (schema && schemaHasLists(schema)) this.childLists(key, value[key], schema);
      }
    }
  }

  private childLists(key: PathSegment, value: unknown, schema: StructuralSchema): void {
    this.path.push(key);
    this.checkLists(value, schema);
    this.path.pop();
  }

  private duplicates(list: readonly unknown[], keyOf: (item: unknown) => string | undefined, mapKeys?: readonly string[]): void {
    const seen = new Map<string, number>();
    list.forEach((item, index) => {
      const key = keyOf(item);
      if (key === undefined) return;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, index);
      else this.violations.push(mapKeys ? { kind: 'duplicate', path: this.at(), index, first, value: item, mapKeys } : { kind: 'duplicate', path: this.at(), index, first, value: item });
    });
  }
}

function holds(value: unknown, schema: StructuralSchema): boolean {
  const pass = new SchemaPass(false);
  pass.check(value, schema);
  return pass.violations.length === 0;
}

function expectedType(schema: StructuralSchema): string {
  if (schema['x-kubernetes-int-or-string']) return 'integer,string';
  return schema.type || 'object';
}

// Whether any node below carries a list type worth walking to (cached per schema node).
const listsBelow = new WeakMap<StructuralSchema, boolean>();
function schemaHasLists(schema: StructuralSchema): boolean {
  let known = listsBelow.get(schema);
  if (known === undefined) {
    listsBelow.set(schema, false); // a schema is a tree, but be safe against cycles
    const own = schema['x-kubernetes-list-type'] === 'set' || schema['x-kubernetes-list-type'] === 'map' || schema.uniqueItems === true;
    const additional = typeof schema.additionalProperties === 'object' ? [schema.additionalProperties] : [];
    const children = [...Object.values(schema.properties ?? {}), ...(schema.items ? [schema.items] : []), ...additional];
    known = own || children.some(schemaHasLists);
    listsBelow.set(schema, known);
  }
  return known;
}

interface Pattern {
  test(text: string): boolean;
}

// JavaScript's engine where it reads the pattern (fast); Go's RE2 syntax through re2js where it
// does not (`(?i)`, `\z`), so a pattern kube-apiserver accepts is never skipped.
const patterns = new Map<string, Pattern | undefined>();
function patternFor(source: string): Pattern | undefined {
  if (!patterns.has(source)) {
    let compiled: Pattern | undefined;
    try {
      compiled = new RegExp(source, 'u');
    } catch {
      try {
        const re2 = RE2JS.compile(source);
        compiled = { test: (text) => re2.matcher(text).find() };
      } catch {
        compiled = undefined;
      }
    }
    patterns.set(source, compiled);
  }
  return patterns.get(source);
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const isDateTime = (text: string): boolean => DATE_TIME.test(text) && !Number.isNaN(Date.parse(text));
