/** Kubernetes labels: a flat map of strings. */
export type Labels = Readonly<Record<string, string>>;

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values?: readonly string[];
}

/** A metav1.LabelSelector: every matchLabels pair and every expression must hold. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly LabelSelectorRequirement[];
}

/**
 * Whether `labels` satisfy `selector`. An empty selector matches everything, as in Kubernetes.
 * Expressions with an unknown operator match nothing, so a bad selector never widens a pool.
 */
export function matchesLabelSelector(selector: LabelSelector, labels: Labels | undefined): boolean {
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    if (!matchesRequirement(requirement, have)) return false;
  }
  return true;
}

/** True when any selector in the list matches; an empty list matches nothing. */
export function matchesAnySelector(selectors: readonly LabelSelector[], labels: Labels | undefined): boolean {
  return selectors.some((selector) => matchesLabelSelector(selector, labels));
}

function matchesRequirement(requirement: LabelSelectorRequirement, labels: Labels): boolean {
  const present = Object.hasOwn(labels, requirement.key);
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return present && values.includes(labels[requirement.key] as string);
    case 'NotIn':
      return !present || !values.includes(labels[requirement.key] as string);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      return false;
  }
}

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems with a label key (`prefix/name`), in the words the API server uses; empty when valid. */
export function labelKeyProblems(key: string): string[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  const problems: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    problems.push(`label key '${key}': prefix must be a DNS subdomain of at most 253 characters`);
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    problems.push(
      `label key '${key}': name must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
    );
  }
  return problems;
}

/** Problems with a label value; empty when valid (the empty string is a valid value). */
export function labelValueProblems(value: string): string[] {
  if (value === '') return [];
  if (value.length > 63 || !NAME_PART.test(value)) {
    return [
      `label value '${value}': must be at most 63 characters of alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric`,
    ];
  }
  return [];
}

export interface SelectorProblem {
  /** JSON path relative to the selector, e.g. `.matchExpressions[0].values`. */
  readonly path: string;
  readonly message: string;
}

/** Every problem with a selector, each with where it is; empty when the selector is valid. */
export function labelSelectorProblems(selector: LabelSelector): SelectorProblem[] {
  const problems: SelectorProblem[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    for (const message of labelKeyProblems(key)) problems.push({ path: `.matchLabels`, message });
    if (typeof value !== 'string') {
      problems.push({ path: `.matchLabels.${key}`, message: `value of '${key}' must be a string` });
    } else {
      for (const message of labelValueProblems(value)) problems.push({ path: `.matchLabels.${key}`, message });
    }
  }
  (selector.matchExpressions ?? []).forEach((requirement, index) => {
    const at = `.matchExpressions[${index}]`;
    for (const message of labelKeyProblems(requirement.key ?? '')) problems.push({ path: `${at}.key`, message });
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          problems.push({ path: `${at}.values`, message: `operator ${requirement.operator} needs at least one value` });
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          problems.push({ path: `${at}.values`, message: `operator ${requirement.operator} takes no values` });
        }
        break;
      default:
        problems.push({
          path: `${at}.operator`,
          message: `unknown operator '${String(requirement.operator)}' (expected In, NotIn, Exists or DoesNotExist)`,
        });
    }
    values.forEach((value, i) => {
      for (const message of labelValueProblems(value)) problems.push({ path: `${at}.values[${i}]`, message });
    });
  });
  return problems;
}

/** Canonical text of a selector (sorted), so equal selectors compare equal as strings. */
export function selectorKey(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`);
  const expressions = (selector.matchExpressions ?? [])
    .map((r) => `${r.key} ${r.operator} (${[...(r.values ?? [])].sort().join(',')})`)
    .sort();
  return [...labels, ...expressions].join(';');
}
