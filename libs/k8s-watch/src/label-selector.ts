// Label selectors (matchLabels + matchExpressions) checked once and compiled into a matcher, with
// the equality terms exposed so that the cache can answer them from its label index, and the
// string form the API server takes as `labelSelector`.

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator | string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export type Labels = Readonly<Record<string, string>> | undefined;

export interface CompiledSelector {
  /** True when the labels satisfy every term; an empty selector matches everything. */
  matches(labels: Labels): boolean;
  /** `key=value` terms every match must have (from matchLabels and single-valued In). */
  readonly equalities: readonly (readonly [string, string])[];
  readonly empty: boolean;
  /** The API server's form: `app=web,tier in (a,b),!legacy`. */
  toString(): string;
}

export type SelectorResult = { ok: true; selector: CompiledSelector } | { ok: false; errors: string[] };

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key, or undefined when it is. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !SUBDOMAIN.test(prefix))) {
    return `prefix '${prefix}' must be a DNS subdomain of at most 253 characters`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `name '${name}' must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined when it is. */
export function labelValueError(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME.test(value)) return `value '${value}' must be at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`;
  return undefined;
}

interface Term {
  readonly key: string;
  readonly op: SelectorOperator;
  readonly values: ReadonlySet<string>;
}

/** Checks and compiles a selector; every problem is reported, each with its place (`path`). */
export function compileLabelSelector(selector: LabelSelector | Readonly<Record<string, string>>, path = 'selector'): SelectorResult {
  const errors: string[] = [];
  const terms: Term[] = [];
  const isStructured = 'matchLabels' in selector || 'matchExpressions' in selector;
  const matchLabels = (isStructured ? (selector as LabelSelector).matchLabels : (selector as Record<string, string>)) ?? {};
  const labelsPath = isStructured ? `${path}.matchLabels` : path;
  for (const [key, value] of Object.entries(matchLabels)) {
    const keyError = labelKeyError(key);
    if (keyError) errors.push(`${labelsPath}: key ${keyError}`);
    if (typeof value !== 'string') errors.push(`${labelsPath}.${key}: value must be a string`);
    else {
      const valueError = labelValueError(value);
      if (valueError) errors.push(`${labelsPath}.${key}: ${valueError}`);
    }
    terms.push({ key, op: 'In', values: new Set([String(value)]) });
  }
  const expressions = isStructured ? ((selector as LabelSelector).matchExpressions ?? []) : [];
  expressions.forEach((req, i) => {
    const at = `${path}.matchExpressions[${i}]`;
    const keyError = labelKeyError(String(req.key));
    if (keyError) errors.push(`${at}.key: ${keyError}`);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errors.push(`${at}.values: must be non-empty for operator ${req.operator}`);
        values.forEach((v, j) => {
          const valueError = labelValueError(String(v));
          if (valueError) errors.push(`${at}.values[${j}]: ${valueError}`);
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errors.push(`${at}.values: must be empty for operator ${req.operator}`);
        break;
      default:
        errors.push(`${at}.operator: '${String(req.operator)}' is not one of In, NotIn, Exists, DoesNotExist`);
        return;
    }
    terms.push({ key: req.key, op: req.operator, values: new Set(values) });
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, selector: compiled(terms) };
}

function compiled(terms: readonly Term[]): CompiledSelector {
  const equalities: [string, string][] = [];
  for (const t of terms) if (t.op === 'In' && t.values.size === 1) equalities.push([t.key, t.values.values().next().value as string]);
  return {
    empty: terms.length === 0,
    equalities,
    matches(labels) {
      for (const t of terms) {
        const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, t.key);
        const value = has ? labels[t.key] : undefined;
        switch (t.op) {
          case 'In':
            if (value === undefined || !t.values.has(value)) return false;
            break;
          case 'NotIn':
            if (value !== undefined && t.values.has(value)) return false;
            break;
          case 'Exists':
            if (!has) return false;
            break;
          case 'DoesNotExist':
            if (has) return false;
            break;
        }
      }
      return true;
    },
    toString() {
      return terms
        .map((t) => {
          const values = [...t.values].sort();
          switch (t.op) {
            case 'In':
              return values.length === 1 ? `${t.key}=${values[0]}` : `${t.key} in (${values.join(',')})`;
            case 'NotIn':
              return `${t.key} notin (${values.join(',')})`;
            case 'Exists':
              return t.key;
            case 'DoesNotExist':
              return `!${t.key}`;
          }
        })
        .join(',');
    },
  };
}
