// The string form the API server takes as `?labelSelector=`: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
// `a notin (x)`, `a`, `!a`, joined by commas. Errors are worded as kube-apiserver words them
// after its `unable to parse requirement: ` prefix.
import { compiledSelector, requirement, type CompiledSelector, type Requirement } from './compiled.js';
import { labelKeyProblems, labelValueProblems } from './validation.js';

/** A selector refused; `message` names the term and what is wrong, in kube-apiserver's words. */
export interface SelectorError {
  readonly kind: 'invalid-selector';
  readonly message: string;
  /** Every problem (a parsed selector stops at its first one). */
  readonly issues: readonly string[];
}

export type SelectorResult = { readonly ok: true; readonly value: CompiledSelector } | { readonly ok: false; readonly error: SelectorError };

export const selectorError = (issues: readonly string[]): { readonly ok: false; readonly error: SelectorError } => ({
  ok: false,
  error: { kind: 'invalid-selector', message: issues.join('; '), issues },
});

/** Parses the string form; `''` is the empty selector, which matches everything. */
export function parseLabelSelector(text: string): SelectorResult {
  const requirements: Requirement[] = [];
  for (const term of splitTerms(text)) {
    const parsed = parseTerm(term);
    if (typeof parsed === 'string') return selectorError([parsed]);
    requirements.push(parsed);
  }
  return { ok: true, value: compiledSelector(requirements) };
}

/** Splits on commas outside parentheses: `a in (x,y),b` → [`a in (x,y)`, `b`]. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

const SET_TERM = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/;
const COMPARISON = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/;
const ABSENCE = /^!\s*(\S+)$/;

const validKey = (key: string): boolean => labelKeyProblems(key).length === 0;
const validValue = (value: string): boolean => labelValueProblems(value).length === 0;

function parseTerm(term: string): Requirement | string {
  const set = SET_TERM.exec(term);
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, 'in' | 'notin', string];
    if (!validKey(key)) return `invalid label key "${key}"`;
    const values = list.split(',').map((v) => v.trim());
    const bad = values.find((v) => !validValue(v));
    if (bad !== undefined) return `invalid label value: "${bad}"`;
    return requirement(key, op === 'in' ? 'In' : 'NotIn', values);
  }
  const comparison = COMPARISON.exec(term);
  if (comparison) {
    const [, key, op, value] = comparison as unknown as [string, string, string, string];
    if (!validKey(key)) return `invalid label key "${key}"`;
    if (!validValue(value)) return `invalid label value: "${value}"`;
    return requirement(key, op === '!=' ? 'NotIn' : 'In', [value]);
  }
  const absence = ABSENCE.exec(term);
  if (absence) {
    const key = absence[1] as string;
    return validKey(key) ? requirement(key, 'DoesNotExist', []) : `invalid label key "${key}"`;
  }
  if (validKey(term)) return requirement(term, 'Exists', []);
  return `unable to parse requirement: "${term}"`;
}
