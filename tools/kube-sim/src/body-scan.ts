// What JSON.parse does not tell: how deeply a body nests (kube-apiserver's decoder stops at 10,000
// levels; deeper input must be refused before anything recursive touches it) and which object
// keys appear twice (JSON.parse keeps the last silently; strict field validation reports
// `duplicate field "metadata.name"`). One pass over the text, no recursion, never throws: text
// that is not JSON is JSON.parse's to report.

export type ScanResult = { readonly ok: true; readonly duplicates: readonly string[] } | { readonly ok: false; readonly error: string };

/**
 * kube-apiserver's decoder (Go encoding/json) stops at 10,000 levels; kube-sim at 1,000: V8's JSON.stringify gives up between 3,000 and 5,000 levels, and a patch can nest a
 * value as deep as the body under a path as deep again, so bodies stop at 1,000 (README).
 */
export const MAX_NESTING_DEPTH_KUBE_SIM = 1_000;

interface Frame {
  readonly array: boolean;
  readonly path: string;
  /** Keys seen so far (objects), created on the second key. */
  keys: Set<string> | undefined;
  first: string | undefined;
  /** Index of the current element (arrays). */
  index: number;
  /** Whether the next string in this object is a key. */
  expectKey: boolean;
  /** The key whose value comes next (objects). */
  key: string;
}

function childPath(frame: Frame | undefined): string {
  if (!frame) return '';
  if (frame.array) return `${frame.path}[${frame.index}]`;
  return frame.path ? `${frame.path}.${frame.key}` : frame.key;
}

/** The end (index of the closing quote) of the string starting at `start`, or -1. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let i = quote - 1; i > start && text.charCodeAt(i) === 92; i--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

function decodeKey(raw: string): string {
  if (!raw.includes('\\')) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

export function scanJson(text: string, maxDepth = MAX_NESTING_DEPTH_KUBE_SIM): ScanResult {
  const stack: Frame[] = [];
  const duplicates: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) break;
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        const key = decodeKey(text.slice(i, end + 1));
        top.expectKey = false;
        top.key = key;
        if (top.first === undefined) top.first = key;
        else {
          top.keys ??= new Set([top.first]);
          if (top.keys.has(key)) duplicates.push(top.path ? `${top.path}.${key}` : key);
          else top.keys.add(key);
        }
      }
      i = end;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (stack.length >= maxDepth) return { ok: false, error: `exceeded max depth of ${maxDepth}` };
      const path = childPath(stack[stack.length - 1]);
      stack.push({ array: c === 91, path, keys: undefined, first: undefined, index: 0, expectKey: c === 123, key: '' });
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      stack.pop();
    } else if (c === 44 /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
    }
  }
  return { ok: true, duplicates };
}
