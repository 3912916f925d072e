// x-kubernetes-validations, evaluated the way the API server does: `self` is the value at the
// rule's node, `oldSelf` the value before an update where one can be correlated (object fields by
// name, items of map lists by their keys). Rules that mention oldSelf are transition rules and run
// only where there is an old value.
import { parse } from '@marcbachmann/cel-js';
import { fieldSchema, isObject, type JsonObject, ownField, type PathSegment, setField, type StructuralSchema, type ValidationRule } from './schema.js';
import { type Violation } from './violation.js';

/** A parsed CEL expression, ready to evaluate. */
export type CelProgram = ReturnType<typeof parse>;

/** Why a CEL expression does not parse. */
export interface RuleError {
  readonly kind: 'invalid-rule';
  readonly message: string;
}

export type RuleResult = { readonly ok: true; readonly value: CelProgram } | { readonly ok: false; readonly error: RuleError };

const programs = new Map<string, RuleResult>();

/** Parses a CEL expression once; one that does not parse is reported at every use. */
export function compileRule(expression: string): RuleResult {
  let program = programs.get(expression);
  if (!program) {
    try {
      program = { ok: true, value: parse(expression) };
    } catch (error) {
      program = { ok: false, error: { kind: 'invalid-rule', message: error instanceof Error ? error.message : String(error) } };
    }
    programs.set(expression, program);
  }
  return program;
}

export const isTransitionRule = (rule: ValidationRule): boolean => /\boldSelf\b/.test(rule.rule);

/** JSON as CEL sees it under a schema: integer fields become int (bigint), the rest as is. */
export function toCelValue(value: unknown, schema: StructuralSchema | undefined): unknown {
  if (schema === undefined) return value;
  if (Number.isInteger(value) && (schema.type === 'integer' || schema['x-kubernetes-int-or-string'])) return BigInt(value as number);
  if (Array.isArray(value)) return value.map((item) => toCelValue(item, schema.items));
  if (isObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value)) setField(out, key, toCelValue(value[key], fieldSchema(schema, key)));
    return out;
  }
  return value;
}

// Whether a schema node or any below it has rules (cached per node): subtrees without are skipped.
const rulesBelow = new WeakMap<StructuralSchema, boolean>();
export function schemaHasRules(schema: StructuralSchema): boolean {
  let known = rulesBelow.get(schema);
  if (known === undefined) {
    rulesBelow.set(schema, false);
    const additional = typeof schema.additionalProperties === 'object' ? [schema.additionalProperties] : [];
    const children = [...Object.values(schema.properties ?? {}), ...(schema.items ? [schema.items] : []), ...additional, ...(schema.allOf ?? [])];
    known = (schema['x-kubernetes-validations']?.length ?? 0) > 0 || children.some(schemaHasRules);
    rulesBelow.set(schema, known);
  }
  return known;
}

/** Evaluates every rule in `value`'s schema, appending what fails to `out`. */
export function evaluateRules(value: unknown, schema: StructuralSchema, oldValue: unknown, out: Violation[]): void {
  new RulePass(out).visit(value, schema, oldValue, []);
}

class RulePass {
  constructor(private readonly out: Violation[]) {}

  visit(value: unknown, schema: StructuralSchema, old: unknown, path: readonly PathSegment[]): void {
    // Rules see only values that are there: a null or absent field is its parent's to judge.
    if (value === null || value === undefined || !schemaHasRules(schema)) return;
    this.runRules(value, schema, old, path, schema['x-kubernetes-validations'] ?? []);
    for (const sub of schema.allOf ?? []) this.runRules(value, schema, old, path, sub['x-kubernetes-validations'] ?? []);
    if (Array.isArray(value)) {
      const items = schema.items;
      const oldList = Array.isArray(old) ? old : undefined;
      if (!items || !schemaHasRules(items)) return;
      value.forEach((item, i) => this.visit(item, items, correlatedItem(schema, oldList, item), [...path, i]));
    } else if (isObject(value)) {
      const oldObject = isObject(old) ? old : undefined;
      for (const key in value) {
        const child = fieldSchema(schema, key);
        if (child && schemaHasRules(child)) this.visit(value[key], child, oldObject && ownField(oldObject, key), [...path, key]);
      }
    }
  }

  private runRules(value: unknown, schema: StructuralSchema, old: unknown, path: readonly PathSegment[], rules: readonly ValidationRule[]): void {
    if (rules.length === 0) return;
    let self: unknown;
    let oldSelf: unknown;
    for (const rule of rules) {
      const transition = isTransitionRule(rule);
      if (transition && (old === undefined || old === null)) continue;
      self ??= toCelValue(value, schema);
      if (transition) oldSelf ??= toCelValue(old, schema);
      const violation = this.evaluate(rule, value, schema, path, transition ? { self, oldSelf } : { self });
      if (violation) this.out.push(violation);
    }
  }

  private evaluate(rule: ValidationRule, value: unknown, schema: StructuralSchema, path: readonly PathSegment[], context: Record<string, unknown>): Violation | undefined {
    const base = { kind: 'rule' as const, rule, schemaType: schema.type, value };
    const program = compileRule(rule.rule);
    if (!program.ok) return { ...base, path, outcome: 'compile-error', detail: firstLine(program.error.message) };
    let result: unknown;
    try {
      result = program.value(context);
    } catch (error) {
      return { ...base, path, outcome: 'runtime-error', detail: firstLine(error instanceof Error ? error.message : String(error)) };
    }
    if (result === true) return undefined;
    if (result !== false) return { ...base, path, outcome: 'not-bool', detail: String(result) };
    const at = rule.fieldPath ? [...path, ...(parseFieldPath(rule.fieldPath) ?? [])] : path;
    return { ...base, path: at, outcome: 'false', detail: failureMessage(rule, context) };
  }
}

/** The rule's messageExpression if it gives a non-empty string, else its message, else the rule. */
function failureMessage(rule: ValidationRule, context: Record<string, unknown>): string {
  if (rule.messageExpression) {
    const program = compileRule(rule.messageExpression);
    if (program.ok) {
      try {
        const text: unknown = program.value(context);
        if (typeof text === 'string' && text.trim() !== '' && !text.includes('\n')) return text.trim();
      } catch {
        // A failing messageExpression falls back to the message, as in the API server.
      }
    }
  }
  const message = rule.message?.trim();
  return message ? message : `failed rule: ${rule.rule.trim()}`;
}

/** The old item a new list item is compared with: only map lists correlate, by their keys. */
function correlatedItem(schema: StructuralSchema, oldList: readonly unknown[] | undefined, item: unknown): unknown {
  if (!oldList || schema['x-kubernetes-list-type'] !== 'map' || !isObject(item)) return undefined;
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  return oldList.find((candidate) => isObject(candidate) && keys.every((k) => ownField(candidate, k) === ownField(item, k)));
}

/** `.spec.port` or `.labels['a.b']` → segments; undefined when it is not such a path. */
export function parseFieldPath(text: string): PathSegment[] | undefined {
  const segments: PathSegment[] = [];
  const step = /\.([A-Za-z_][A-Za-z0-9_]*)|\['((?:[^'\\]|\\.)*)'\]/y;
  let at = 0;
  while (at < text.length) {
    step.lastIndex = at;
    const m = step.exec(text);
    if (!m) return undefined;
    segments.push(m[1] ?? (m[2] as string).replace(/\\(.)/g, '$1'));
    at = step.lastIndex;
  }
  return segments;
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
