// RFC 6902 JSON patch over plain JSON data, with the API server's semantics (evanphx/json-patch as
// kube-apiserver uses it): pointers address own fields only, so `/__proto__/x` or
// `/constructor/prototype` name fields that are or are not in the document, never the prototype.
// Pure: applies to a copy and returns the result or an error; never throws on input.
import { copyJson, jsonEqual } from '@lb/structural-schema';
import { isObject, own, setOwn } from './objects.js';

export type JsonPatchResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string; readonly tooLarge?: boolean };

/** kube-apiserver refuses longer patches with 413 (maxJSONPatchOperations). */
export const MAX_JSON_PATCH_OPERATIONS = 10_000;

class PatchFailure extends Error {}

/** `/a/b~1c` → ['a', 'b/c']; undefined when it is not a JSON pointer. */
export function parsePointer(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number | undefined {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= (allowEnd ? length : length - 1) ? i : undefined;
}

/** The value `tokens` point at; a missing step is the operation's error. */
function valueAt(doc: unknown, tokens: readonly string[], op: string, pointer: string): unknown {
  let node = doc;
  for (const token of tokens) {
    if (Array.isArray(node)) {
      const i = arrayIndex(token, node.length, false);
      node = i === undefined ? undefined : node[i];
    } else node = isObject(node) ? own(node, token) : undefined;
    if (node === undefined) throw new PatchFailure(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  }
  return node;
}

/** The container holding the last token of `path`, and that token. */
function parentOf(doc: unknown, tokens: readonly string[], op: string, pointer: string): [Record<string, unknown> | unknown[], string] {
  const node = valueAt(doc, tokens.slice(0, -1), op, pointer);
  if (!Array.isArray(node) && !isObject(node)) throw new PatchFailure(`${op} operation does not apply: doc is missing path: "${pointer}": missing value`);
  return [node, tokens[tokens.length - 1] as string];
}

function add(doc: unknown, tokens: readonly string[], value: unknown, pointer: string): unknown {
  if (tokens.length === 0) return value;
  const [parent, key] = parentOf(doc, tokens, 'add', pointer);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, true);
    if (i === undefined) throw new PatchFailure(`add operation does not apply: doc is missing path: "${pointer}": invalid index ${key}`);
    parent.splice(i, 0, value);
  } else setOwn(parent, key, value);
  return doc;
}

function remove(doc: unknown, tokens: readonly string[], pointer: string, op = 'remove'): unknown {
  if (tokens.length === 0) throw new PatchFailure(`${op} operation does not apply: cannot remove the whole document`);
  const [parent, key] = parentOf(doc, tokens, op, pointer);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    if (i === undefined) throw new PatchFailure(`${op} operation does not apply: doc is missing key: ${pointer}: missing value`);
    parent.splice(i, 1);
  } else {
    if (!Object.hasOwn(parent, key)) throw new PatchFailure(`${op} operation does not apply: doc is missing key: ${pointer}: missing value`);
    delete parent[key];
  }
  return doc;
}

function replace(doc: unknown, tokens: readonly string[], value: unknown, pointer: string): unknown {
  if (tokens.length === 0) return value;
  const [parent, key] = parentOf(doc, tokens, 'replace', pointer);
  if (Array.isArray(parent)) {
    const i = arrayIndex(key, parent.length, false);
    if (i === undefined) throw new PatchFailure(`replace operation does not apply: doc is missing key: ${pointer}: missing value`);
    parent[i] = value;
  } else {
    if (!Object.hasOwn(parent, key)) throw new PatchFailure(`replace operation does not apply: doc is missing key: ${pointer}: missing value`);
    setOwn(parent, key, value);
  }
  return doc;
}

function field(op: Record<string, unknown>, name: string, index: number): string {
  const v = own(op, name);
  if (typeof v !== 'string') throw new PatchFailure(`operation ${index}: "${name}" must be a JSON pointer string`);
  return v;
}

function pointerTokens(pointer: string, index: number): string[] {
  const tokens = parsePointer(pointer);
  if (!tokens) throw new PatchFailure(`operation ${index}: JSON pointer must be empty or start with a "/": "${pointer}"`);
  return tokens;
}

function applyOne(doc: unknown, raw: unknown, index: number): unknown {
  if (!isObject(raw)) throw new PatchFailure(`operation ${index} is not an object`);
  const op = own(raw, 'op');
  const path = field(raw, 'path', index);
  const tokens = pointerTokens(path, index);
  const value = (): unknown => {
    if (!Object.hasOwn(raw, 'value')) throw new PatchFailure(`${String(op)} operation has no "value": ${path}`);
    return copyJson(raw['value']);
  };
  switch (op) {
    case 'add':
      return add(doc, tokens, value(), path);
    case 'remove':
      return remove(doc, tokens, path);
    case 'replace':
      return replace(doc, tokens, value(), path);
    case 'move':
    case 'copy': {
      const from = field(raw, 'from', index);
      const fromTokens = pointerTokens(from, index);
      if (op === 'move' && (path === from || path.startsWith(`${from}/`))) {
        if (path === from) return doc;
        throw new PatchFailure(`move operation does not apply: "${path}" is a child of "${from}"`);
      }
      const moved = copyJson(valueAt(doc, fromTokens, op, from));
      const rest = op === 'move' ? remove(doc, fromTokens, from, 'move') : doc;
      return add(rest, tokens, moved, path);
    }
    case 'test': {
      const expected = value();
      let actual: unknown;
      try {
        actual = valueAt(doc, tokens, 'test', path);
      } catch {
        actual = undefined;
      }
      if (!jsonEqual(actual ?? null, expected)) throw new PatchFailure(`testing value ${path} failed: the test operation failed`);
      return doc;
    }
    default:
      throw new PatchFailure(`Unexpected kind: ${JSON.stringify(op ?? null)}`);
  }
}

/** Applies `operations` to a copy of `target`; the first failing operation is the error. */
export function jsonPatch(target: unknown, operations: unknown): JsonPatchResult {
  if (!Array.isArray(operations)) return { ok: false, error: 'json patch must be an array of operations' };
  if (operations.length > MAX_JSON_PATCH_OPERATIONS) {
    return { ok: false, tooLarge: true, error: `The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${operations.length}` };
  }
  let doc = copyJson(target);
  try {
    operations.forEach((op, i) => (doc = applyOne(doc, op, i)));
  } catch (err) {
    if (err instanceof PatchFailure) return { ok: false, error: err.message };
    throw err;
  }
  return { ok: true, value: doc };
}
