// The metric names a PromQL expression reads, to check that an alert watches metrics our processes
// export (a renamed metric would leave its alert silently never firing). Enough of PromQL for
// alerting rules: selectors, label matchers, binary operators with their modifiers, functions and
// aggregations; promtool checks the syntax itself.

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'on', 'ignoring', 'group_left', 'group_right', 'by', 'without', 'offset', 'inf', 'nan']);

/** Metric names read by `expr`, in order of first use. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // strings (label values)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\b(?:on|ignoring|by|without|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\[[^\]]*\]/g, ' '); // range and subquery durations
  const names: string[] = [];
  for (const m of bare.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = m[0];
    const after = bare.slice((m.index ?? 0) + name.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(name.toLowerCase()) || names.includes(name)) continue;
    // A number's exponent (1e3) or a duration's unit (5m after offset) is not a name.
    const before = bare[(m.index ?? 0) - 1] ?? '';
    if (/[0-9.]/.test(before)) continue;
    names.push(name);
  }
  return names;
}
