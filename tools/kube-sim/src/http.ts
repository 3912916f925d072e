// The HTTP(S) adapter: URL routing, bearer-token authentication, content negotiation (JSON or
// meta.k8s.io Tables), fault injection, and watch streams. Semantics live in KubeApi.
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { parseLabelSelector } from '@lb/labels';
import { type Admit, type KubeApi, type ListQuery, type Target } from './api.js';
import { type Faults } from './faults.js';
import { isObject, type Obj } from './objects.js';
import { parseFieldSelector } from './field-selectors.js';
import { checkListOptions, fieldValidationParam, int64Param } from './query-options.js';
import { parseBody, readBody } from './request-body.js';
import { ApiError, badRequest, methodNotAllowed, notAcceptable, pathNotFound, PATCH_MEDIA_TYPES, type Status, unauthorized, unsupportedMediaType } from './status.js';
import { type IncludeObject, type KubeObject, toTable } from './table.js';
import { type WatchHub } from './watch.js';

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
  const fieldValidation = method === 'POST' || method === 'PUT' || method === 'PATCH' ? fieldValidationParam(q, method) : 'Warn';
  const writeOptions = { dryRun, fieldValidation, admit: ctx.admit };
  const isCollection = t.name === '';
  const type = t.resolved.type;
  const versionName = t.resolved.version.name;
  const cannotDecode = (why: string): ApiError => badRequest(`${type.kind} in version "${versionName}" cannot be handled as a ${type.kind}: ${why}`);
  const columns = t.resolved.version.columns;
  const include = (q.get('includeObject') ?? 'Metadata') as IncludeObject;

  if (method === 'GET' && (watch || r.watchPath)) {
    checkListOptions(q, true);
    const timeoutSeconds = int64Param(q, 'timeoutSeconds');
    const query = listQuery(t, q);
    const fieldSelector = isCollection ? query.fieldSelector : [...(query.fieldSelector ?? []), { field: 'metadata.name', op: 'eq' as const, value: t.name }];
    const asTable = representation(accept) === 'table';
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const handle = ctx.hub.open(
      {
        target: { ...t, name: '' },
        query: { ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) },
        resourceVersion: query.resourceVersion,
        allowBookmarks: isTrue(q.get('allowWatchBookmarks')),
        sendInitialEvents: isTrue(q.get('sendInitialEvents')),
        timeoutSeconds,
        tableColumns: asTable ? columns : undefined,
      },
      {
        write: (chunk) => res.write(chunk),
        onDrain: (callback) => res.once('drain', callback),
        end: () => res.end(),
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
      checkListOptions(q, false);
      int64Param(q, 'timeoutSeconds');
      const query = listQuery(t, q);
      await api.waitForResourceVersion(query);
      const result = api.list(t, query);
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
      const body = parseBody(await readBody(req), contentType, cannotDecode);
      const result = await api.create(t, body.value, { ...writeOptions, duplicates: body.duplicates });
      return send(res, result.code, JSON.stringify(result.object), result.warnings);
    }
    case 'PUT': {
      if (isCollection) throw methodNotAllowed('PUT');
      const body = parseBody(await readBody(req), contentType, cannotDecode);
      const result = await api.update(t, body.value, { ...writeOptions, duplicates: body.duplicates });
      return send(res, result.code, JSON.stringify(result.object), result.warnings);
    }
    case 'PATCH': {
      if (isCollection) throw methodNotAllowed('PATCH');
      // The media type decides before the body is read: server-side apply's YAML is refused whole.
      const mediaType = contentType.split(';')[0]?.trim() ?? '';
      if (!PATCH_MEDIA_TYPES.includes(mediaType)) throw unsupportedMediaType(contentType);
      const raw = await readBody(req);
      if (raw.length === 0) throw badRequest('error decoding patch: the patch is empty');
      const patch = parseBody(raw, 'application/json', (why) => badRequest(`error decoding patch: ${why}`));
      const duplicates = mediaType === 'application/json-patch+json' ? [] : patch.duplicates;
      const result = await api.patch(t, mediaType, patch.value, { ...writeOptions, duplicates });
      return send(res, result.code, JSON.stringify(result.object), result.warnings);
    }
    case 'DELETE': {
      const body = parseBody(await readBody(req), contentType, (why) => badRequest(`DeleteOptions cannot be decoded: ${why}`)).value;
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
