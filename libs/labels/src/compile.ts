// metav1.LabelSelector (or a plain label map) → CompiledSelector, reporting every problem at once.
import { compiledSelector, requirement, type Requirement } from './compiled.js';
import { selectorError, type SelectorResult } from './parse.js';
import { labelMapProblems, labelSelectorProblems } from './validation.js';
import { type LabelSelector, type SelectorOperator } from './types.js';

/**
 * Checks and compiles a selector. `{app: 'web'}` without matchLabels or matchExpressions is taken
 * as a plain label map. Errors read `<path>.<where>: <problem>`, e.g.
 * `selector.matchExpressions[0].values: must be non-empty for operator In`.
 */
export function compileLabelSelector(selector: LabelSelector | Readonly<Record<string, string>>, path = 'selector'): SelectorResult {
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) {
    return selectorError([`${path}: must be a label selector or a map of labels`]);
  }
  const structured = 'matchLabels' in selector || 'matchExpressions' in selector;
  const problems = structured ? labelSelectorProblems(selector as LabelSelector) : labelMapProblems(selector);
  if (problems.length > 0) return selectorError(problems.map((p) => `${path}${p.path}: ${p.message}`));
  const requirements: Requirement[] = [];
  const labels = structured ? ((selector as LabelSelector).matchLabels ?? {}) : (selector as Readonly<Record<string, string>>);
  for (const [key, value] of Object.entries(labels)) requirements.push(requirement(key, 'In', [value]));
  if (structured) {
    // Checked above: every operator is one of the four.
    for (const r of (selector as LabelSelector).matchExpressions ?? []) requirements.push(requirement(r.key, r.operator as SelectorOperator, r.values ?? []));
  }
  return { ok: true, value: compiledSelector(requirements) };
}
