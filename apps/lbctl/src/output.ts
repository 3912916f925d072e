// Machine output (`-o json|yaml`) and the small text helpers the human renderers share.
import { stringify } from 'yaml';

export type OutputFormat = 'text' | 'json' | 'yaml';

export function machine(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(value, null, 2)}\n` : stringify(value, { lineWidth: 0 });
}

/** Left-aligned columns; the last column is not padded. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n');
}

/** `[#####.....]` of `width` cells; a used share above zero shows at least one cell. */
export function bar(used: number, total: number, width = 20): string {
  if (total <= 0) return `[${' '.repeat(width)}]`;
  let filled = Math.round((used / total) * width);
  if (used > 0 && filled === 0) filled = 1;
  if (used < total && filled === width) filled = width - 1;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

export function section(title: string, body: string): string {
  return body ? `${title}\n${body}\n` : '';
}
