// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for with `Accept: ...;as=Table`, the
// ages it shows, and the small JSONPath subset CRDs' additionalPrinterColumns use.

/** One printed column: its header and how a cell is computed from an object. */
export interface Column {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description: string;
  readonly priority: number;
  readonly cell: (obj: KubeObject, now: number) => unknown;
}

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
};

/** kubectl's short human durations: 45s, 3m25s, 12m, 5h3m, 20h, 3d4h, 30d, 2y. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  const hours = Math.floor(minutes / 60);
  if (minutes < 180) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  const days = Math.floor(hours / 24);
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (days < 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

export function age(obj: KubeObject, now: number): string {
  const created = obj.metadata?.creationTimestamp;
  if (!created) return '<unknown>';
  return humanDuration(now - Date.parse(created));
}

export const nameColumn: Column = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace.',
  priority: 0,
  cell: (obj) => obj.metadata?.name ?? '',
};

export const ageColumn: Column = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
  cell: age,
};

type Step = { readonly field: string } | { readonly index: number } | { readonly filter: { path: string[]; value: string } } | { readonly all: true };

/** Parses `.spec.a[0].b`, `.status.conditions[?(@.type=="Ready")].status` and `.items[*].x`. */
export function parseJsonPath(expr: string): Step[] | null {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1);
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.([^.[\]]+)/.exec(s.slice(i));
      if (!m) return null;
      steps.push({ field: m[1] as string });
      i += m[0].length;
    } else if (s[i] === '[') {
      const end = s.indexOf(']', i);
      if (end < 0) return null;
      const inner = s.slice(i + 1, end);
      i = end + 1;
      if (inner === '*') steps.push({ all: true });
      else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else {
        const f = /^\?\(@((?:\.[^.=!\s]+)+)\s*==\s*["']([^"']*)["']\)$/.exec(inner);
        if (!f) {
          const q = /^['"]([^'"]+)['"]$/.exec(inner);
          if (!q) return null;
          steps.push({ field: q[1] as string });
          continue;
        }
        steps.push({ filter: { path: (f[1] as string).slice(1).split('.'), value: f[2] as string } });
      }
    } else return null;
  }
  return steps;
}

/** All values a path selects (filters and `[*]` can select several). */
export function evaluateJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if ('field' in step) {
        if (v && typeof v === 'object' && !Array.isArray(v) && step.field in v) next.push((v as Record<string, unknown>)[step.field]);
      } else if ('index' in step) {
        if (Array.isArray(v) && step.index < v.length) next.push(v[step.index]);
      } else if ('all' in step) {
        if (Array.isArray(v)) next.push(...v);
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let probe: unknown = item;
          for (const p of step.filter.path) probe = probe && typeof probe === 'object' ? (probe as Record<string, unknown>)[p] : undefined;
          if (probe !== undefined && String(probe) === step.filter.value) next.push(item);
        }
      }
    }
    current = next;
  }
  return current;
}

/** A column from a CRD's additionalPrinterColumns entry; `date` columns print as ages. */
export function printerColumn(def: { name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }): Column {
  const steps = parseJsonPath(def.jsonPath) ?? [];
  const column: Column = {
    name: def.name,
    type: def.type === 'date' ? 'date' : def.type,
    description: def.description ?? '',
    priority: def.priority ?? 0,
    cell: (obj, now) => {
      const values = evaluateJsonPath(steps, obj);
      if (values.length === 0) return null;
      const v = values.length === 1 ? values[0] : values;
      if (def.type === 'date' && typeof v === 'string') return humanDuration(now - Date.parse(v));
      if (v !== null && typeof v === 'object') return JSON.stringify(v);
      return v;
    },
  };
  return def.format ? { ...column, format: def.format } : column;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** A meta.k8s.io/v1 Table of `objects` under `columns`; rows carry metadata unless told otherwise. */
export function toTable(
  objects: readonly KubeObject[],
  columns: readonly Column[],
  resourceVersion: string,
  include: IncludeObject,
  listMeta: Record<string, unknown> = {},
  withDefinitions = true,
): Record<string, unknown> {
  const now = Date.now();
  const table: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { ...listMeta, resourceVersion },
  };
  if (withDefinitions) {
    table['columnDefinitions'] = columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description,
      priority: c.priority,
    }));
  }
  table['rows'] = objects.map((obj) => {
    const row: Record<string, unknown> = { cells: columns.map((c) => c.cell(obj, now)) };
    if (include === 'Object') row['object'] = obj;
    else if (include === 'Metadata') {
      row['object'] = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
    }
    return row;
  });
  return table;
}
