// A canonical text for a selector as written, so that two selectors listing the same terms in
// another order compare equal (MetalLB refuses a selector repeated in one list).
import { type LabelSelector } from './types.js';

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Canonical text of a selector (sorted), so equal selectors compare equal as strings. */
export function selectorKey(selector: LabelSelector): string {
  const labels = Object.entries(selector.matchLabels ?? {})
    .sort(([a], [b]) => byText(a, b))
    .map(([k, v]) => `${k}=${v}`);
  const expressions = (selector.matchExpressions ?? []).map((r) => `${r.key} ${r.operator} (${[...(r.values ?? [])].sort().join(',')})`).sort();
  return [...labels, ...expressions].join(';');
}
