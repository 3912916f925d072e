// What is wrong with a value, as data: where, which check, and the facts a message needs. Two
// wordings render it (render.ts): kube-apiserver's, and plain English.
import { type PathSegment, type ValidationRule } from './schema.js';

/** Where a violation is. */
export interface ViolationLocation {
  /** Where the offending value is (for `required`, the missing field). */
  readonly path: readonly PathSegment[];
}

export type Violation = ViolationLocation &
  (
    | { readonly kind: 'required' }
    /** `expected` is the schema's type (`integer,string` for int-or-string). */
    | { readonly kind: 'type'; readonly expected: string; readonly value: unknown }
    | { readonly kind: 'format'; readonly format: string; readonly value: string }
    | { readonly kind: 'enum'; readonly allowed: readonly unknown[]; readonly value: unknown }
    | { readonly kind: 'minimum' | 'maximum'; readonly limit: number; readonly exclusive: boolean; readonly value: number }
    | { readonly kind: 'multipleOf'; readonly factor: number; readonly value: number }
    | { readonly kind: 'minLength' | 'maxLength'; readonly limit: number; readonly length: number; readonly value: string }
    | { readonly kind: 'pattern'; readonly pattern: string; readonly value: string }
    | { readonly kind: 'minItems' | 'maxItems' | 'minProperties' | 'maxProperties'; readonly limit: number; readonly count: number }
    /** An item equal to an earlier one (`first`) in a set, or with the same keys in a map list. */
    | { readonly kind: 'duplicate'; readonly index: number; readonly first: number; readonly value: unknown; readonly mapKeys?: readonly string[] }
    | { readonly kind: 'anyOf' | 'oneOf' | 'not'; readonly value: unknown }
    | {
        readonly kind: 'rule';
        readonly rule: ValidationRule;
        /** `false`: the rule does not hold; the others: it could not be evaluated. */
        readonly outcome: 'false' | 'compile-error' | 'runtime-error' | 'not-bool';
        /** The message for `false` (messageExpression, message or `failed rule: …`), else the error. */
        readonly detail: string;
        readonly schemaType: string | undefined;
        readonly value: unknown;
      }
    /** Schema errors that keep CEL rules from running, as the API server does. */
    | { readonly kind: 'rules-not-checked' }
  );

/** Violations that stop the API server from evaluating CEL rules (hasBlockingErr). */
export function blocksRules(v: Violation): boolean {
  switch (v.kind) {
    case 'type':
    case 'format':
    case 'required':
    case 'enum':
    case 'maxLength':
    case 'maxItems':
    case 'maxProperties':
      return true;
    default:
      return false;
  }
}
