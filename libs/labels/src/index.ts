// Public API of @lb/labels.
export {
  isSelectorOperator,
  SELECTOR_OPERATORS,
  type LabelSelector,
  type LabelSelectorRequirement,
  type Labels,
  type SelectorOperator,
} from './types.js';
export {
  formatSelectorPath,
  labelKeyProblems,
  labelMapProblems,
  labelSelectorProblems,
  labelValueProblems,
  type PathSegment,
  type SelectorProblem,
} from './validation.js';
export { matchesAnySelector, matchesLabelSelector } from './match.js';
export { type CompiledSelector, type Requirement } from './compiled.js';
export { compileLabelSelector, type SelectorResult } from './compile.js';
export { parseLabelSelector, type ParseResult } from './parse.js';
export { selectorKey } from './key.js';
