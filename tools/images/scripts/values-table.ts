// Rewrites the values table in charts/lb/README.md from values.schema.json and values.yaml.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chartDir, readChartValuesTable, withValuesTable } from '../src/index.js';

const path = join(chartDir, 'README.md');
const next = withValuesTable(readFileSync(path, 'utf8'), readChartValuesTable());
if (!next.ok) {
  process.stderr.write(`values-table: ${path}: ${next.error}\n`);
  process.exit(1);
}
writeFileSync(path, next.value);
