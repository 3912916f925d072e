// Request bodies as kube-apiserver takes them: at most 3 MiB (413 beyond), JSON, YAML or the
// protobuf kubectl's generator commands send, nested no deeper than kube-sim can process (400),
// with the keys that appeared twice (strict field validation reports them).
import { type IncomingMessage } from 'node:http';
import { parseDocument } from 'yaml';
import { MAX_NESTING_DEPTH_KUBE_SIM, scanJson } from './body-scan.js';
import { isObject } from './objects.js';
import { decodeProtobufObject } from './protobuf.js';
import { type ApiError, badRequest, BODY_MEDIA_TYPES, requestEntityTooLarge, unsupportedMediaType } from './status.js';

/** kube-apiserver's MaxRequestBodyBytes. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface Body {
  /** undefined for an empty body. */
  readonly value: unknown;
  /** Paths of keys given twice (`metadata.labels.a`); the last value was kept. */
  readonly duplicates: readonly string[];
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw requestEntityTooLarge(`limit is ${MAX_BODY_BYTES}`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** How deeply a parsed value nests (objects and lists), counted without recursion; stops past `limit`. */
export function nestingDepth(value: unknown, limit = MAX_NESTING_DEPTH_KUBE_SIM): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (!Array.isArray(node) && !isObject(node)) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node)) if (typeof child === 'object' && child !== null) stack.push([child, level]);
  }
  return deepest;
}

const depthError = `exceeded max depth of ${MAX_NESTING_DEPTH_KUBE_SIM}`;

function parseYaml(text: string, decodeError: (why: string) => ApiError): Body {
  let doc;
  try {
    doc = parseDocument(text);
    const duplicates = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    if (duplicates.length > 0 && duplicates.length === doc.errors.length) {
      const again = parseDocument(text, { uniqueKeys: false });
      const value: unknown = again.toJS();
      if (nestingDepth(value) > MAX_NESTING_DEPTH_KUBE_SIM) throw decodeError(depthError);
      return { value, duplicates: duplicates.map((e) => /"([^"]*)"/.exec(e.message)?.[1] ?? `line ${e.linePos?.[0].line ?? '?'}`) };
    }
    if (doc.errors.length > 0) throw badRequest(`the body of the request could not be decoded: ${doc.errors[0]?.message.split('\n')[0] ?? ''}`);
    const value: unknown = doc.toJS();
    if (nestingDepth(value) > MAX_NESTING_DEPTH_KUBE_SIM) throw decodeError(depthError);
    return { value, duplicates: [] };
  } catch (err) {
    // The YAML parser recurses per level: a body deep enough to exhaust the stack is too deep.
    if (err instanceof RangeError) throw decodeError(depthError);
    throw err;
  }
}

/**
 * Decodes a body of `contentType`. `decodeError` words a failure for the request's kind
 * (`ConfigMap in version "v1" cannot be handled as a ConfigMap: ...`).
 */
export function parseBody(raw: Buffer, contentType: string, decodeError: (why: string) => ApiError): Body {
  if (contentType.startsWith('application/vnd.kubernetes.protobuf')) {
    const decoded = decodeProtobufObject(raw);
    if (!decoded.ok) throw unsupportedMediaType(`${contentType} (${decoded.error})`, BODY_MEDIA_TYPES);
    return { value: decoded.value, duplicates: [] };
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return { value: undefined, duplicates: [] };
  if (/yaml/.test(contentType)) return parseYaml(text, decodeError);
  const scan = scanJson(text, MAX_NESTING_DEPTH_KUBE_SIM);
  if (!scan.ok) throw decodeError(scan.error);
  try {
    return { value: JSON.parse(text), duplicates: scan.duplicates };
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
}
