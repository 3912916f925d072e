// The HTTP(S) adapter: URL routing, bearer-token authentication, content negotiation (JSON or
// meta.k8s.io Tables), fault injection, and watch streams. Semantics live in KubeApi.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { parseLabelSelector } from '@lb/labels';
import { parse as parseYaml } from 'yaml';
import { type Admit, type KubeApi, type ListQuery, type Target } from './api.js';
import { type Faults } from './faults.js';
import { isObject, type Obj } from './objects.js';
import { parseFieldSelector } from './field-selectors.js';
import { decodeProtobufObject } from './protobuf.js';
import { ApiError, BODY_MEDIA_TYPES, badRequest, methodNotAllowed, notAcceptable, pathNotFound, type Status, unauthorized, unsupportedMediaType } from './status.js';
import { type IncludeObject, type KubeObject, toTable } from './table.js';
import { type WatchHub } from './watch.js';

const MAX_BODY = 3 * 1024 * 1024;
const VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kube-sim',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};
const UNAUTHENTICATED_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

export interface HttpContext {
  readonly api: KubeApi;
  readonly hub: WatchHub;
  readonly faults: Faults;
  readonly token: string;
  readonly admit: Admit;
  readonly serverAddress: () => string;
}

function send(res: ServerResponse, code: number, body: string, warnings: readonly string[] = []): void {
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json', 'cache-control': 'no-cache, private' };
  if (warnings.length > 0) headers['warning'] = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(body);
}

function sendStatus(res: ServerResponse, status: Status): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-cache, private' };
  if (status.details?.retryAfterSeconds !== undefined) headers['retry-after'] = String(status.details.retryAfterSeconds);
  res.writeHead(status.code, headers);
  res.end(JSON.stringify(status));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Request entity too large: limit is 3145728', reason: 'RequestEntityTooLarge', code: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseBody(raw: Buffer, contentType: string): unknown {
  if (contentType.startsWith('application/vnd.kubernetes.protobuf')) {
    const decoded = decodeProtobufObject(raw);
    if (!decoded.ok) throw unsupportedMediaType(`${contentType} (${decoded.error})`, BODY_MEDIA_TYPES);
    return decoded.value;
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return /yaml/.test(contentType) ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw badRequest(`the body of the request could not be decoded: ${(err as Error).message.split('\n')[0] ?? ''}`);
  }
}

interface Route {
  readonly target: Target;
  readonly watchPath: boolean;
}

/** Maps `/api/v1/namespaces/ns/services/name/status` (and `/apis/g/v/...`, `/watch/...`) to a target. */
function route(api: KubeApi, segments: string[]): Route | undefined {
  let group: string;
  let version: string;
  let rest: string[];
  if (segments[0] === 'api' && segments.length >= 3) {
    group = '';
    version = segments[1] as string;
    rest = segments.slice(2);
  } else if (segments[0] === 'apis' && segments.length >= 4) {
    group = segments[1] as string;
    version = segments[2] as string;
    rest = segments.slice(3);
  } else return undefined;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const inner = api.registry.resolve(group, version, rest[2] as string);
    if (inner?.type.namespaced) {
      namespace = rest[1] as string;
      rest = rest.slice(2);
    }
  }
  const [plural, name = '', subresource = '', ...extra] = rest;
  if (!plural || extra.length > 0) return undefined;
  const resolved = api.registry.resolve(group, version, plural);
  if (!resolved) return undefined;
  if (namespace && !resolved.type.namespaced) return undefined;
  if (subresource && !(subresource === 'status' && resolved.version.statusSubresource)) return undefined;
  return { target: { resolved, namespace, name, subresource }, watchPath };
}

function listQuery(t: Target, q: URLSearchParams): ListQuery {
  const out: { -readonly [K in keyof ListQuery]: ListQuery[K] } = {};
  const ls = q.get('labelSelector');
  if (ls) {
    const r = parseLabelSelector(ls);
    if (!r.ok) throw badRequest(`unable to parse requirement: ${r.error.message}`);
    out.labelSelector = r.value;
  }
  const fs = q.get('fieldSelector');
  if (fs) {
    const r = parseFieldSelector(fs, ['metadata.name', 'metadata.namespace', ...t.resolved.type.extraFieldSelectors]);
    if (!r.ok) throw badRequest(r.error);
    out.fieldSelector = r.value;
  }
  const limit = q.get('limit');
  if (limit) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid limit: ${limit}`);
    out.limit = n;
  }
  const cont = q.get('continue');
  if (cont) out.continue = cont;
  const rv = q.get('resourceVersion');
  if (rv !== null) out.resourceVersion = rv;
  const match = q.get('resourceVersionMatch');
  if (match) out.resourceVersionMatch = match;
  return out;
}

/** What the client asked to get back: plain JSON, a Table, or partial metadata. */
function representation(accept: string): 'json' | 'table' | 'partial' {
  if (/as=Table/.test(accept)) return 'table';
  if (/as=PartialObjectMetadata/.test(accept)) return 'partial';
  if (accept && !/json|\*\/\*|yaml/.test(accept)) throw notAcceptable(`only the following media types are accepted: application/json, application/yaml`);
  return 'json';
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

export function handler(ctx: HttpContext) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    serve(ctx, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiError) sendStatus(res, err.status);
      else {
        const message = err instanceof Error ? err.message : String(err);
        sendStatus(res, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500 });
      }
    });
  };
}

async function serve(ctx: HttpContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://kube-sim');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (!UNAUTHENTICATED_PATHS.has(path) && ctx.token) {
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${ctx.token}`) throw unauthorized();
  }
  const watch = isTrue(url.searchParams.get('watch')) || /\/watch\//.test(path);
  await ctx.faults.before({ method: req.method ?? 'GET', path, watch });
  const segments = path.split('/').filter(Boolean);
  const method = req.method ?? 'GET';
  const { api } = ctx;
  const json = (code: number, body: unknown): void => send(res, code, JSON.stringify(body));
  switch (path) {
    case '/version':
      return json(200, VERSION);
    case '/healthz':
    case '/livez':
    case '/readyz':
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    case '/api':
      return json(200, api.registry.apiVersions(ctx.serverAddress()));
    case '/apis':
      return json(200, api.registry.apiGroupList());
    case '/openapi/v3':
      return json(200, api.registry.openApiRoot());
  }
  if (segments[0] === 'openapi' && segments[1] === 'v3') {
    const doc = segments[2] === 'api' ? api.registry.openApiGroupVersion('', segments[3] ?? '') : api.registry.openApiGroupVersion(segments[3] ?? '', segments[4] ?? '');
    if (doc) return json(200, doc);
    throw pathNotFound();
  }
  if (segments[0] === 'api' && segments.length === 2) {
    const list = api.registry.resourceList('', segments[1] as string);
    if (list) return json(200, list);
    throw pathNotFound();
  }
  if (segments[0] === 'apis' && segments.length === 2) {
    const group = api.registry.apiGroup(segments[1] as string);
    if (group) return json(200, group);
    throw pathNotFound();
  }
  if (segments[0] === 'apis' && segments.length === 3) {
    const list = api.registry.resourceList(segments[1] as string, segments[2] as string);
    if (list) return json(200, list);
    throw pathNotFound();
  }
  const r = route(api, segments);
  if (!r) throw pathNotFound();
  await serveResource(ctx, req, res, r, url.searchParams, method, watch);
}

async function serveResource(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, r: Route, q: URLSearchParams, method: string, watch: boolean): Promise<void> {
  const { api } = ctx;
  const t = r.target;
  const accept = req.headers.accept ?? '';
  const contentType = req.headers['content-type'] ?? 'application/json';
  const dryRun = q.getAll('dryRun').includes('All');
  const fieldValidation = q.get('fieldValidation') ?? 'Warn';
  const writeOptions = { dryRun, fieldValidation, admit: ctx.admit };
  const isCollection = t.name === '';
  const type = t.resolved.type;
  const columns = t.resolved.version.columns;
  const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;

  if (method === 'GET' && (watch || r.watchPath)) {
    const query = listQuery(t, q);
    const fieldSelector = isCollection ? query.fieldSelector : [...(query.fieldSelector ?? []), { field: 'metadata.name', op: 'eq' as const, value: t.name }];
    const asTable = representation(accept) === 'table';
    const timeoutParam = q.get('timeoutSeconds');
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const handle = ctx.hub.open(
      {
        target: { ...t, name: '' },
        query: { ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) },
        resourceVersion: query.resourceVersion,
        allowBookmarks: isTrue(q.get('allowWatchBookmarks')),
        sendInitialEvents: isTrue(q.get('sendInitialEvents')),
        timeoutSeconds: timeoutParam ? Number(timeoutParam) : undefined,
        tableColumns: asTable ? columns : undefined,
      },
      {
        write: (chunk) => res.write(chunk),
        end: () => res.end(),
        get backlog() {
          return res.writableLength;
        },
      },
    );
    res.on('close', () => handle.close());
    // A client gone mid-write must not surface as an unhandled stream error.
    res.on('error', () => handle.close());
    return;
  }

  switch (method) {
    case 'GET': {
      const rep = representation(accept);
      if (!isCollection) {
        const obj = api.get(t);
        if (rep === 'table') return send(res, 200, JSON.stringify(toTable([obj as KubeObject], columns, String(obj.metadata?.resourceVersion ?? ''), include)));
        if (rep === 'partial') return send(res, 200, JSON.stringify({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata }));
        return send(res, 200, JSON.stringify(obj));
      }
      if (!type.namespaced && t.namespace) throw pathNotFound();
      const result = api.list(t, listQuery(t, q));
      const listMeta: Record<string, unknown> = { resourceVersion: String(result.resourceVersion) };
      if (result.continue) listMeta['continue'] = result.continue;
      if (rep === 'table') {
        const objects = result.items.map((s) => api.decode(s, t) as KubeObject);
        return send(res, 200, JSON.stringify(toTable(objects, columns, String(result.resourceVersion), include, result.continue ? { continue: result.continue } : {})));
      }
      if (rep === 'partial') {
        const items = result.items.map((s) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: api.decode(s, t).metadata }));
        return send(res, 200, JSON.stringify({ kind: 'PartialObjectMetadataList', apiVersion: 'meta.k8s.io/v1', metadata: listMeta, items }));
      }
      const apiVersion = type.group ? `${type.group}/${t.resolved.version.name}` : t.resolved.version.name;
      const head = `{"kind":${JSON.stringify(type.listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(listMeta)},"items":[`;
      return send(res, 200, `${head}${result.items.map((s) => api.encodeFor(s, t)).join(',')}]}`);
    }
    case 'POST': {
      if (!isCollection || t.subresource) throw methodNotAllowed('POST');
      if (type.namespaced && !t.namespace) throw methodNotAllowed('POST to a namespaced collection needs a namespace');
      const body = parseBody(await readBody(req), contentType);
      const result = await api.create(t, body, writeOptions);
      return send(res, result.code, JSON.stringify(result.object), result.warnings);
    }
    case 'PUT': {
      if (isCollection) throw methodNotAllowed('PUT');
      const body = parseBody(await readBody(req), contentType);
      const result = await api.update(t, body, writeOptions);
      return send(res, result.code, JSON.stringify(result.object), result.warnings);
    }
    case 'PATCH': {
      if (isCollection) throw methodNotAllowed('PATCH');
      const raw = await readBody(req);
      let patch: unknown;
      try {
        patch = JSON.parse(raw.toString('utf8'));
      } catch (err) {
        throw badRequest(`error decoding patch: ${(err as Error).message}`);
      }
      const result = await api.patch(t, contentType, patch, writeOptions);
      return send(res, result.code, JSON.stringify(result.object), result.warnings);
    }
    case 'DELETE': {
      const body = parseBody(await readBody(req), contentType);
      if (isCollection) {
        const list = await api.deleteCollection(t, listQuery(t, q), writeOptions);
        return send(res, 200, JSON.stringify(list));
      }
      const options = isObject(body) ? (body as Obj) : {};
      const pre = isObject(options['preconditions']) ? (options['preconditions'] as { uid?: string; resourceVersion?: string }) : undefined;
      const bodyDryRun = Array.isArray(options['dryRun']) && (options['dryRun'] as unknown[]).includes('All');
      const result = await api.delete(t, pre ? { preconditions: pre } : {}, { ...writeOptions, dryRun: dryRun || bodyDryRun });
      return send(res, result.code, JSON.stringify(result.body));
    }
    default:
      throw methodNotAllowed(method);
  }
}
