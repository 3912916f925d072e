// Matching labels against a selector as it is written, without compiling it first. Selectors come
// from users: an expression with an operator this code does not know matches nothing, so a bad
// selector never selects more than it says.
import { type LabelSelector, type Labels } from './types.js';

/** Whether one requirement holds; values are compared as written. */
export function requirementHolds(operator: unknown, key: string, values: readonly unknown[], labels: Labels | undefined): boolean {
  // Own properties only: `constructor` or `__proto__` are not labels.
  const present = labels !== undefined && Object.hasOwn(labels, key);
  switch (operator) {
    case 'In':
      return present && values.includes(labels[key]);
    case 'NotIn':
      return !present || !values.includes(labels[key]);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}

/**
 * Whether `labels` satisfy `selector`. An empty selector matches everything, as in Kubernetes.
 * Expressions with an unknown operator match nothing.
 */
export function matchesLabelSelector(selector: LabelSelector, labels: Labels | undefined): boolean {
  const matchLabels = selector.matchLabels ?? {};
  for (const key in matchLabels) {
    if (!Object.hasOwn(matchLabels, key)) continue;
    if (!requirementHolds('In', key, [matchLabels[key]], labels)) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    if (!requirementHolds(requirement.operator, requirement.key, requirement.values ?? [], labels)) return false;
  }
  return true;
}

/** True when any selector in the list matches; an empty list matches nothing. */
export function matchesAnySelector(selectors: readonly LabelSelector[], labels: Labels | undefined): boolean {
  return selectors.some((selector) => matchesLabelSelector(selector, labels));
}
