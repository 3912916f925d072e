// Public API of @lb/labels.
export {
  type LabelSelector,
  type LabelSelectorRequirement,
  type Labels,
  type SelectorOperator,
} from './types.js';
export {
  labelKeyProblems,
  labelMapProblems,
  labelSelectorProblems,
  labelValueProblems,
  type PathSegment,
  type SelectorProblem,
} from './validation.js';
export { matchesAnySelector, matchesLabelSelector } from './match.js';
export { type CompiledSelector, type Requirement } from './compiled.js';
export { compileLabelSelector } from './compile.js';
export { parseLabelSelector, type SelectorError, type SelectorResult } from './parse.js';
export { selectorKey } from './key.js';
