// Field selectors (`?fieldSelector=metadata.name=x,spec.nodeName!=n1`): parsing returns the
// requirements or the message kube-apiserver gives; matching is a pure predicate. Label selectors
// are @lb/labels'.

export interface FieldRequirement {
  readonly field: string;
  readonly op: 'eq' | 'neq';
  readonly value: string;
}

export type FieldSelectorResult = { readonly ok: true; readonly value: FieldRequirement[] } | { readonly ok: false; readonly error: string };

const TERM = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/;

/** Parses `fieldSelector`; only fields in `supported` are accepted, as the real server does. */
export function parseFieldSelector(selector: string, supported: readonly string[]): FieldSelectorResult {
  const out: FieldRequirement[] = [];
  const terms = selector
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  for (const term of terms) {
    const m = TERM.exec(term);
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
