// Public API of @lb/structural-schema.
export { copyJson, jsonEqual, type PathSegment, type StructuralSchema, type ValidationRule } from './schema.js';
export { processCustomResource, type ProcessOptions, type ProcessResult } from './process.js';
export { defaultAndPrune, type PruneOptions, type PruneResult } from './prune.js';
export { validateValue, type ValidateOptions } from './validate.js';
export { type Violation, type ViolationLocation } from './violation.js';
export { describeViolation, fieldPath, statusCause, type Described, type StatusCause } from './render.js';
export { compileRule, isTransitionRule, parseFieldPath, toCelValue, type CelProgram, type RuleError, type RuleResult } from './rules.js';
export { checkCrdSchema } from './crd-schema.js';
