// The three patch formats kubectl and controllers send: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902, through fast-json-patch) and Kubernetes' strategic merge patch for built-in kinds,
// driven by a table of list merge keys. Pure functions: (object, patch) → new object or an error.
import jsonpatch from 'fast-json-patch';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type PatchResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** RFC 7386: objects merge recursively, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value) as Json;
  }
  return out;
}

/** RFC 6902 operations applied to a copy; a failed `test` or a bad path is an error, not a throw. */
export function jsonPatch(target: unknown, operations: unknown): PatchResult {
  if (!Array.isArray(operations)) return { ok: false, error: 'json patch must be an array of operations' };
  try {
    const doc = JSON.parse(JSON.stringify(target)) as object;
    const result = jsonpatch.applyPatch(doc, operations as jsonpatch.Operation[], true, true, false);
    return { ok: true, value: result.newDocument };
  } catch (err) {
    const e = err as { name?: string; message?: string };
    if (e.name === 'TEST_OPERATION_FAILED') return { ok: false, error: 'the test operation failed' };
    return { ok: false, error: (e.message ?? String(err)).split('\n')[0] as string };
  }
}

/** How a list at a path merges in a strategic merge patch; lists not in the table are replaced. */
export interface ListStrategy {
  readonly mergeKey?: string;
}

/** Paths use `[]` for "every element": `spec.containers[].env`. */
export type StrategyTable = Readonly<Record<string, ListStrategy>>;

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
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = stripDirectives(v);
  return out;
}

function mergeMap(original: JsonObject, patch: JsonObject, path: string, table: StrategyTable): JsonObject | undefined {
  const directive = patch['$patch'];
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return stripDirectives(patch) as JsonObject;
  if (directive !== undefined && directive !== 'merge') throw new Error(`Unknown patch type: ${String(directive)} in map: ${path || '<root>'}`);
  const out: JsonObject = { ...original };
  const retain = patch['$retainKeys'];
  if (Array.isArray(retain)) {
    for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key];
  }
  const orders: Array<[string, Json[]]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(SET_ORDER)) {
      if (Array.isArray(value)) orders.push([key.slice(SET_ORDER.length), value]);
      continue;
    }
    if (key.startsWith(DELETE_PRIMITIVE)) {
      const field = key.slice(DELETE_PRIMITIVE.length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value)) {
        const remove = new Set(value.map((v) => JSON.stringify(v)));
        out[field] = current.filter((v) => !remove.has(JSON.stringify(v)));
      }
      continue;
    }
    if (value === null) {
      delete out[key];
      continue;
    }
    const childPath = join(path, key);
    const current = out[key];
    if (isObject(value)) {
      const merged = mergeMap(isObject(current) ? current : {}, value, childPath, table);
      if (merged === undefined) delete out[key];
      else out[key] = merged;
    } else if (Array.isArray(value)) {
      out[key] = mergeList(Array.isArray(current) ? current : [], value, childPath, table);
    } else {
      out[key] = value;
    }
  }
  for (const [field, order] of orders) {
    const list = out[field];
    if (Array.isArray(list)) out[field] = applyOrder(list, order, table[join(path, field)]?.mergeKey);
  }
  return out;
}

function mergeList(original: Json[], patch: Json[], path: string, table: StrategyTable): Json[] {
  const strategy = table[path];
  if (!strategy) return patch.map(stripDirectives);
  const replace = patch.find((p) => isObject(p) && p['$patch'] === 'replace');
  if (replace !== undefined) return patch.filter((p) => !(isObject(p) && p['$patch'] === 'replace')).map(stripDirectives);
  const key = strategy.mergeKey;
  if (key === undefined) {
    // A merging list of primitives: the union, original order first.
    const out = [...original];
    const seen = new Set(out.map((v) => JSON.stringify(v)));
    for (const v of patch) if (!seen.has(JSON.stringify(v))) out.push(v);
    return out;
  }
  const out = [...original];
  const indexOf = (k: Json | undefined): number => out.findIndex((o) => isObject(o) && JSON.stringify(o[key]) === JSON.stringify(k));
  for (const element of patch) {
    if (!isObject(element)) throw new Error(`merging list ${path}: element is not an object`);
    if (element[key] === undefined) throw new Error(`map: ${JSON.stringify(element)} does not contain declared merge key: ${key}`);
    const at = indexOf(element[key]);
    if (element['$patch'] === 'delete') {
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
  const keyOf = (v: Json): string => JSON.stringify(mergeKey !== undefined && isObject(v) ? v[mergeKey] : v);
  const wanted = order.map(keyOf);
  const rank = new Map(wanted.map((k, i) => [k, i]));
  const listed = list.filter((v) => rank.has(keyOf(v))).sort((a, b) => (rank.get(keyOf(a)) as number) - (rank.get(keyOf(b)) as number));
  const rest = list.filter((v) => !rank.has(keyOf(v)));
  return [...listed, ...rest];
}
