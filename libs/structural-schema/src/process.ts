// The whole of what kube-apiserver does to a custom resource's body before storing it.
import { defaultAndPrune, type PruneOptions } from './prune.js';
import { type PathSegment, type StructuralSchema } from './schema.js';
import { validateValue, type ValidateOptions } from './validate.js';
import { type Violation } from './violation.js';

export type ProcessOptions = PruneOptions & ValidateOptions;

export interface ProcessResult {
  /** A copy of the input, defaulted and pruned; the input is left alone. */
  readonly value: unknown;
  /** Where undeclared fields were removed (kubectl's strict field validation refuses them). */
  readonly pruned: readonly (readonly PathSegment[])[];
  /** What is wrong with the defaulted, pruned value. */
  readonly violations: readonly Violation[];
}

/** Defaults, prunes, then validates (schema, list types, CEL rules); never throws on input. */
export function processCustomResource(value: unknown, schema: StructuralSchema, options: ProcessOptions = {}): ProcessResult {
  const { value: shaped, pruned } = defaultAndPrune(value, schema, options);
  return { value: shaped, pruned, violations: validateValue(shaped, schema, options) };
}
