// A selector checked once and turned into a list of requirements: matched quickly, printed in the
// API server's string form, and with the equality terms a cache can answer from a label index.
import { requirementHolds } from './match.js';
import { type Labels, type SelectorOperator } from './types.js';

/** A requirement as compiled: values sorted and without repeats (empty for Exists/DoesNotExist). */
export interface Requirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

export interface CompiledSelector {
  /** True when the labels satisfy every requirement; an empty selector matches everything. */
  matches(labels: Labels | undefined): boolean;
  /** The requirements in the order they were written. */
  readonly requirements: readonly Requirement[];
  /** `key=value` terms every match must have (from matchLabels and single-valued In). */
  readonly equalities: readonly (readonly [string, string])[];
  readonly empty: boolean;
  /** The API server's form: `app=web,tier in (a,b),!legacy`. */
  toString(): string;
}

export function requirement(key: string, operator: SelectorOperator, values: readonly string[]): Requirement {
  const normal = operator === 'Exists' || operator === 'DoesNotExist' ? [] : [...new Set(values)].sort();
  return { key, operator, values: normal };
}

export function compiledSelector(requirements: readonly Requirement[]): CompiledSelector {
  const equalities: [string, string][] = [];
  for (const r of requirements) if (r.operator === 'In' && r.values.length === 1) equalities.push([r.key, r.values[0] as string]);
  return {
    requirements,
    equalities,
    empty: requirements.length === 0,
    matches(labels) {
      for (const r of requirements) if (!requirementHolds(r.operator, r.key, r.values, labels)) return false;
      return true;
    },
    toString() {
      return requirements.map(requirementText).join(',');
    },
  };
}

function requirementText(r: Requirement): string {
  switch (r.operator) {
    case 'In':
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
  }
}
