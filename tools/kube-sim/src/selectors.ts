// Label selectors (the query-string grammar and metav1.LabelSelector) and field selectors. Parsing
// returns a requirement list or a message saying what was wrong; matching is a pure predicate.

export type Labels = Readonly<Record<string, string>>;

export type Requirement =
  | { readonly op: 'eq' | 'neq'; readonly key: string; readonly value: string }
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: readonly string[] }
  | { readonly op: 'exists' | 'notexists'; readonly key: string };

export type ParseResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

function parseTerm(term: string): Requirement | string {
  const setMatch = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const [, key, op, list] = setMatch as unknown as [string, string, 'in' | 'notin', string];
    const values = list.split(',').map((v) => v.trim());
    if (!KEY.test(key)) return `invalid label key "${key}"`;
    const bad = values.find((v) => !VALUE.test(v));
    if (bad !== undefined) return `invalid label value: "${bad}"`;
    return { op, key, values };
  }
  const cmp = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (cmp) {
    const [, key, op, value] = cmp as unknown as [string, string, string, string];
    if (!KEY.test(key)) return `invalid label key "${key}"`;
    if (!VALUE.test(value)) return `invalid label value: "${value}"`;
    return { op: op === '!=' ? 'neq' : 'eq', key, value };
  }
  const not = /^!\s*(\S+)$/.exec(term);
  if (not) {
    const key = not[1] as string;
    return KEY.test(key) ? { op: 'notexists', key } : `invalid label key "${key}"`;
  }
  if (KEY.test(term)) return { op: 'exists', key: term };
  return `unable to parse requirement: "${term}"`;
}

/** Parses the `labelSelector` query grammar: `=`, `==`, `!=`, `in`, `notin`, `key`, `!key`. */
export function parseLabelSelector(selector: string): ParseResult<Requirement[]> {
  const requirements: Requirement[] = [];
  for (const term of splitTerms(selector)) {
    const parsed = parseTerm(term);
    if (typeof parsed === 'string') return { ok: false, error: parsed };
    requirements.push(parsed);
  }
  return { ok: true, value: requirements };
}

export function matchesRequirement(r: Requirement, labels: Labels | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.op) {
    case 'eq':
      return has && value === r.value;
    case 'neq':
      return !has || value !== r.value;
    case 'in':
      return has && r.values.includes(value as string);
    case 'notin':
      return !has || !r.values.includes(value as string);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export function matchesLabels(requirements: readonly Requirement[], labels: Labels | undefined): boolean {
  for (const r of requirements) if (!matchesRequirement(r, labels)) return false;
  return true;
}

/** metav1.LabelSelector as it appears in objects (webhook namespaceSelector/objectSelector). */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** An empty or absent selector matches everything, as in Kubernetes. */
export function labelSelectorObjectMatches(selector: LabelSelectorObject | undefined | null, labels: Labels | undefined): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels?.[key] !== value) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const values = e.values ?? [];
    const op = e.operator.toLowerCase();
    const r: Requirement =
      op === 'in' || op === 'notin'
        ? { op, key: e.key, values }
        : op === 'exists'
          ? { op: 'exists', key: e.key }
          : { op: 'notexists', key: e.key };
    if (!matchesRequirement(r, labels)) return false;
  }
  return true;
}

export interface FieldRequirement {
  readonly field: string;
  readonly op: 'eq' | 'neq';
  readonly value: string;
}

/** Parses `fieldSelector`; only fields in `supported` are accepted, as the real server does. */
export function parseFieldSelector(selector: string, supported: readonly string[]): ParseResult<FieldRequirement[]> {
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(selector)) {
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) return { ok: false, error: `invalid selector: '${selector}'; can't understand '${term}'` };
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!supported.includes(field)) {
      return { ok: false, error: `"${field}" is not a known field selector: only ${supported.map((f) => `"${f}"`).join(', ')}` };
    }
    out.push({ field, op: op === '!=' ? 'neq' : 'eq', value });
  }
  return { ok: true, value: out };
}

export function matchesFields(requirements: readonly FieldRequirement[], fieldOf: (field: string) => string): boolean {
  for (const r of requirements) {
    const actual = fieldOf(r.field);
    if ((r.op === 'eq') !== (actual === r.value)) return false;
  }
  return true;
}
