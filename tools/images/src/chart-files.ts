import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { valuesRows, valuesTable, type SchemaNode } from './values-table.js';

/** charts/lb of this repository. */
export const chartDir = join(import.meta.dirname, '..', '..', '..', 'charts', 'lb');

/** The values table of the chart as its files are now. */
export function readChartValuesTable(dir: string = chartDir): string {
  const schema = JSON.parse(readFileSync(join(dir, 'values.schema.json'), 'utf8')) as SchemaNode;
  const defaults: unknown = parse(readFileSync(join(dir, 'values.yaml'), 'utf8'));
  return valuesTable(valuesRows(schema, defaults));
}
