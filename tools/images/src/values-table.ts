// The chart README's values table, generated from values.schema.json (descriptions, types) and
// values.yaml (defaults), so that the three never disagree.

export interface SchemaNode {
  readonly type?: string;
  readonly description?: string;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly oneOf?: readonly SchemaNode[];
}

export interface ValuesRow {
  readonly key: string;
  readonly type: string;
  readonly default: unknown;
  readonly description: string;
}

/** One row per leaf of the schema (objects with properties are walked, free-form ones are leaves). */
export function valuesRows(schema: SchemaNode, defaults: unknown, prefix = ''): ValuesRow[] {
  const rows: ValuesRow[] = [];
  for (const [name, node] of Object.entries(schema.properties ?? {})) {
    const key = prefix ? `${prefix}.${name}` : name;
    const value = isRecord(defaults) ? defaults[name] : undefined;
    if (node.properties && Object.keys(node.properties).length > 0) {
      rows.push(...valuesRows(node, value, key));
      continue;
    }
    if (value === undefined && name === 'global') continue;
    rows.push({ key, type: typeOf(node), default: value, description: describe(node) });
  }
  return rows;
}

function typeOf(node: SchemaNode): string {
  if (node.type) return node.type;
  return (node.oneOf ?? []).map((n) => n.type ?? '?').join(' or ');
}

function describe(node: SchemaNode): string {
  const text = node.description ?? '';
  return node.enum ? `${text} One of: ${node.enum.map((e) => `\`${String(e)}\``).join(', ')}.` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The Markdown table. */
export function valuesTable(rows: readonly ValuesRow[]): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');
  const lines = ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |'];
  for (const row of rows) lines.push(`| \`${row.key}\` | ${row.type} | \`${cell(JSON.stringify(row.default ?? null))}\` | ${cell(row.description)} |`);
  return lines.join('\n') + '\n';
}

const BEGIN = '<!-- values-table:begin (generated from values.schema.json by tools/images: npm run values-table -w @lb/images) -->';
const END = '<!-- values-table:end -->';

/** The README with its table section replaced; an error when the markers are missing. */
export function withValuesTable(readme: string, table: string): { ok: true; value: string } | { ok: false; error: string } {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) return { ok: false, error: `the README has no "${BEGIN}" ... "${END}" section` };
  return { ok: true, value: `${readme.slice(0, start + BEGIN.length)}\n\n${table}\n${readme.slice(end)}` };
}
