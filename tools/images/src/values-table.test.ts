import { describe, expect, it } from 'vitest';
import { valuesRows, valuesTable, withValuesTable } from './values-table.js';

describe('values table', () => {
  const schema = {
    properties: {
      a: { type: 'string', description: 'A | pipe.', enum: ['x', 'y'] },
      b: { type: 'object', properties: { c: { type: 'integer', description: 'Nested <n>.' } } },
      d: { type: 'object', description: 'Free form.' },
    },
  };
  it('walks nested properties and keeps free-form objects as leaves', () => {
    const rows = valuesRows(schema, { a: 'x', b: { c: 3 }, d: { k: 'v' } });
    expect(rows.map((r) => [r.key, r.default])).toEqual([['a', 'x'], ['b.c', 3], ['d', { k: 'v' }]]);
    const table = valuesTable(rows);
    expect(table).toContain('| `a` | string | `"x"` | A \\| pipe. One of: `x`, `y`. |');
    expect(table).toContain('Nested &lt;n>.');
  });
  it('replaces the marked section and refuses a README without it', () => {
    const readme = 'intro\n<!-- values-table:begin (generated from values.schema.json by tools/images: npm run values-table -w @lb/images) -->\nold\n<!-- values-table:end -->\nrest\n';
    const next = withValuesTable(readme, 'T\n');
    expect(next.ok && next.value).toContain('-->\n\nT\n\n<!-- values-table:end -->\nrest');
    expect(withValuesTable('no markers', 'T').ok).toBe(false);
  });
});
