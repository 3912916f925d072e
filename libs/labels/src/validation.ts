// Label keys, label values and selectors checked the way the API server checks them. Problems say
// what is wrong in words a user can act on; selector problems also say where, relative to the
// selector, so callers can prefix their own location.
import { isSelectorOperator, type LabelSelector } from './types.js';

// A label name or value: alphanumerics, '-', '_' and '.', starting and ending alphanumeric.
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Problems with a label key (`prefix/name`); empty when valid. Messages start with the part that
 * is wrong (`name 'x' ...`), so a caller can say what kind of key it is: `label key name 'x' ...`.
 */
export function labelKeyProblems(key: string): string[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  const problems: string[] = [];
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    problems.push(`prefix '${prefix}' must be a DNS subdomain of at most 253 characters`);
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    problems.push(`name '${name}' must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`);
  }
  return problems;
}

/** Problems with a label value; empty when valid (the empty string is a valid value). */
export function labelValueProblems(value: string): string[] {
  if (value === '' || (value.length <= 63 && NAME.test(value))) return [];
  return [`value '${value}' must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`];
}

export type PathSegment = string | number;

export interface SelectorProblem {
  /** JSON path relative to the selector, e.g. `.matchExpressions[0].values`. */
  readonly path: string;
  /** The same place as segments (`['matchExpressions', 0, 'values']`); keys with dots stay whole. */
  readonly segments: readonly PathSegment[];
  readonly message: string;
}

/** `['matchExpressions', 0, 'values']` → `.matchExpressions[0].values`. */
export function formatSelectorPath(segments: readonly PathSegment[]): string {
  return segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

class Problems {
  readonly list: SelectorProblem[] = [];
  add(segments: readonly PathSegment[], message: string): void {
    this.list.push({ path: formatSelectorPath(segments), segments, message });
  }
}

/**
 * Problems with a plain label map used as a selector (`{app: 'web'}`): key problems at the map,
 * value problems at the key. `at` is where the map is, relative to what the caller reports on.
 */
export function labelMapProblems(map: unknown, at: readonly PathSegment[] = []): SelectorProblem[] {
  const problems = new Problems();
  checkLabelMap(problems, map, at);
  return problems.list;
}

function checkLabelMap(problems: Problems, map: unknown, at: readonly PathSegment[]): void {
  if (map === undefined) return;
  if (!isRecord(map)) {
    problems.add(at, 'must be a map of label keys to values');
    return;
  }
  for (const [key, value] of Object.entries(map)) {
    for (const message of labelKeyProblems(key)) problems.add(at, `key ${message}`);
    if (typeof value !== 'string') problems.add([...at, key], 'value must be a string');
    else for (const message of labelValueProblems(value)) problems.add([...at, key], message);
  }
}

/** Every problem with a selector, each with where it is; empty when the selector is valid. */
export function labelSelectorProblems(selector: LabelSelector): SelectorProblem[] {
  const problems = new Problems();
  if (!isRecord(selector)) {
    problems.add([], 'a label selector must be an object with matchLabels and/or matchExpressions');
    return problems.list;
  }
  checkLabelMap(problems, selector.matchLabels, ['matchLabels']);
  const expressions: unknown = selector.matchExpressions;
  if (expressions === undefined) return problems.list;
  if (!Array.isArray(expressions)) {
    problems.add(['matchExpressions'], 'must be a list of requirements');
    return problems.list;
  }
  expressions.forEach((requirement: unknown, index) => {
    const at = ['matchExpressions', index];
    if (!isRecord(requirement)) {
      problems.add(at, 'a requirement must be an object with key, operator and values');
      return;
    }
    const { key, operator } = requirement;
    if (typeof key !== 'string') problems.add([...at, 'key'], 'key must be a string');
    else for (const message of labelKeyProblems(key)) problems.add([...at, 'key'], message);
    const values: unknown = requirement['values'] ?? [];
    if (!Array.isArray(values)) {
      problems.add([...at, 'values'], 'must be a list of strings');
      return;
    }
    if (!isSelectorOperator(operator)) {
      problems.add([...at, 'operator'], `unknown operator '${String(operator)}' (expected In, NotIn, Exists or DoesNotExist)`);
    } else if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
      problems.add([...at, 'values'], `must be non-empty for operator ${operator}`);
    } else if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
      problems.add([...at, 'values'], `must be empty for operator ${operator}`);
    }
    values.forEach((value: unknown, i) => {
      if (typeof value !== 'string') problems.add([...at, 'values', i], 'value must be a string');
      else for (const message of labelValueProblems(value)) problems.add([...at, 'values', i], message);
    });
  });
  return problems.list;
}
