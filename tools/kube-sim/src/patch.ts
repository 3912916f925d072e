// JSON merge patch (RFC 7386) and Kubernetes' strategic merge patch for built-in kinds, driven by a
// table of list merge keys (JSON patch is json-patch.ts). Pure functions: (object, patch) → new
// object or an error. Field names are data: reads and writes go through own/setOwn, so a patch
// naming `__proto__` or `constructor` sets or merges a field of that name and nothing else.
import { own, setOwn } from './objects.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type PatchResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  // Spreading defines own data properties (a `__proto__` field included); it never assigns.
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key] as Json;
    if (value === null) delete out[key];
    else setOwn(out, key, mergePatch(own(out, key), value));
  }
  return out;
}

/** How a list at a path merges in a strategic merge patch; lists not in the table are replaced. */
export interface ListStrategy {
  readonly mergeKey?: string;
}

/** Paths use `[]` for "every element": `spec.containers[].env`. */
export type StrategyTable = Readonly<Record<string, ListStrategy>>;

/** The table's entry for a path built from the patch's field names (`constructor` is not an entry). */
function strategyAt(table: StrategyTable, path: string): ListStrategy | undefined {
  return Object.hasOwn(table, path) ? table[path] : undefined;
}

const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/** Kubernetes strategic merge patch with the `$patch`, `$retainKeys`, `$setElementOrder/` and `$deleteFromPrimitiveList/` directives. */
export function strategicMergePatch(target: unknown, patch: unknown, table: StrategyTable): PatchResult {
  if (!isObject(patch)) return { ok: false, error: 'strategic merge patch must be a JSON object' };
  try {
    const value = mergeMap(isObject(target) ? target : {}, patch, '', table);
    return { ok: true, value: value ?? {} };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function stripDirectives(value: Json): Json {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const k of Object.keys(value)) if (!k.startsWith('$')) setOwn(out, k, stripDirectives(value[k] as Json));
  return out;
}

function mergeMap(original: JsonObject, patch: JsonObject, path: string, table: StrategyTable): JsonObject | undefined {
  const directive = own(patch, '$patch');
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch) as JsonObject;
  if (directive !== undefined && directive !== 'merge') throw new Error(`Unknown patch type: ${String(directive)} in map: ${path || '<root>'}`);
  const out: JsonObject = { ...original };
  const retain = own(patch, '$retainKeys');
  if (Array.isArray(retain)) {
    for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  }
  const orders: Array<[string, Json[]]> = [];
  for (const key of Object.keys(patch)) {
    const value = patch[key] as Json;
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(SET_ORDER)) {
      if (Array.isArray(value)) orders.push([key.slice(SET_ORDER.length), value]);
      continue;
    }
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      const current = own(out, field);
      if (Array.isArray(current) && Array.isArray(value)) {
        const remove = new Set(value.map((v) => JSON.stringify(v)));
        setOwn(out, field, current.filter((v) => !remove.has(JSON.stringify(v))));
      }
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const childPath = join(path, key);
    const current = own(out, key);
    if (isObject(value)) {
      const merged = mergeMap(isObject(current) ? current : {}, value, childPath, table);
      if (merged === undefined) delete out[key];
      else setOwn(out, key, merged);
    } else if (Array.isArray(value)) {
      setOwn(out, key, mergeList(Array.isArray(current) ? current : [], value, childPath, table));
    } else {
      setOwn(out, key, value);
    }
  }
  for (const [field, order] of orders) {
    const list = own(out, field);
    if (Array.isArray(list)) setOwn(out, field, applyOrder(list, order, strategyAt(table, join(path, field))?.mergeKey));
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], path: string, table: StrategyTable): Json[] {
  const strategy = strategyAt(table, path);
  if (!strategy) return patch.map(stripDirectives);
  const replace = patch.find((p) => isObject(p) && own(p, '$patch') === 'replace');
  if (replace !== undefined) return patch.filter((p) => !(isObject(p) && own(p, '$patch') === 'replace')).map(stripDirectives);
  const key = strategy.mergeKey;
  if (key === undefined) {
    // A merging list of primitives: the union, original order first.
    const out = [...original];
    const seen = new Set(out.map((v) => JSON.stringify(v)));
    for (const v of patch) if (!seen.has(JSON.stringify(v))) out.push(v);
    return out;
  }
  const out = [...original];
  const indexOf = (k: unknown): number => out.findIndex((o) => isObject(o) && JSON.stringify(own(o, key)) === JSON.stringify(k));
  for (const element of patch) {
    if (!isObject(element)) throw new Error(`merging list ${path}: element is not an object`);
    if (own(element, key) === undefined) throw new Error(`map: ${JSON.stringify(element)} does not contain declared merge key: ${key}`);
    const at = indexOf(own(element, key));
    if (own(element, '$patch') === 'delete') {
      if (at >= 0) out.splice(at, 1);
      continue;
    }
    if (at >= 0) {
      const merged = mergeMap(out[at] as JsonObject, element, `${path}[]`, table);
      if (merged === undefined) out.splice(at, 1);
      else out[at] = merged;
    } else {
      out.push(mergeMap({}, element, `${path}[]`, table) ?? {});
    }
  }
  return out;
}

/** `$setElementOrder`: listed elements first, in the given order, then any others as they were. */
function applyOrder(list: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const keyOf = (v: Json): string => JSON.stringify(mergeKey !== undefined && isObject(v) ? own(v, mergeKey) : v);
  const wanted = order.map(keyOf);
  const rank = new Map(wanted.map((k, i) => [k, i]));
  const listed = list.filter((v) => rank.has(keyOf(v))).sort((a, b) => (rank.get(keyOf(a)) as number) - (rank.get(keyOf(b)) as number));
  const rest = list.filter((v) => !rank.has(keyOf(v)));
  return [...listed, ...rest];
}
