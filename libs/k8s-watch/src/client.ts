// The HTTP adapter: requests to the API server with the kubeconfig's credentials, over one
// keep-alive agent that close() destroys. @kubernetes/client-node loads the kubeconfig and does
// authentication (certificates, tokens, token files, exec and OIDC plugins); the requests are made
// here so that objects stay the parsed JSON (no model classes), watches can be bounded and cut
// off, and every socket is accounted for.
import { type KubeConfig } from '@kubernetes/client-node';
import * as http from 'node:http';
import * as https from 'node:https';
import { ApiError, TransportError } from './errors.js';
import { type KubeObject, type Status } from './objects.js';
import { apiVersionOf, collectionPath, objectPath, type ResourceType } from './resources.js';

/** Told of every finished request: verb (GET, LIST, WATCH, CREATE, …), status code or 'error', duration. */
export interface RequestObserver {
  request?(verb: string, code: number | 'error', ms: number): void;
}

export interface KubeClientOptions {
  /** Limit on non-watch requests (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** How long credentials are reused before being asked for again (default 60 s); a 401 always refreshes. */
  readonly authRefreshMs?: number;
  readonly observer?: RequestObserver;
  readonly userAgent?: string;
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestOptions {
  readonly query?: Query;
  readonly body?: unknown;
  /** Content-Type of the body (default application/json). */
  readonly contentType?: string;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** For the observer: LIST, CREATE, PATCH… (default the HTTP method). */
  readonly verb?: string;
}

export interface StreamOptions {
  readonly query?: Query;
  readonly signal?: AbortSignal;
  /** The stream is ended from this side after this long (it then resolves as 'deadline'). */
  readonly deadlineMs?: number;
  /** A line longer than this ends the stream with a TransportError (default 64 MiB). */
  readonly maxLineBytes?: number;
  /** Told once the server has answered 200: the stream is open (a quiet watch may send nothing for minutes). */
  readonly onOpen?: () => void;
}

/** How a stream ended: the server finished it, or our deadline did. */
export type StreamEnd = 'end' | 'deadline';

export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

export interface ListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly signal?: AbortSignal;
}

export type PatchType = 'merge' | 'strategic' | 'json';

/** Per-call control of the typed verbs: cancel with a signal, or bound the wait. */
export interface RequestControl {
  readonly signal?: AbortSignal;
  /** Overrides the client's requestTimeoutMs for this call. */
  readonly timeoutMs?: number;
}

function control(c: RequestControl): { signal?: AbortSignal; timeoutMs?: number } {
  return { ...(c.signal ? { signal: c.signal } : {}), ...(c.timeoutMs !== undefined ? { timeoutMs: c.timeoutMs } : {}) };
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
};

interface Credentials {
  headers: Record<string, string>;
  fetchedAt: number;
}

function queryString(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function headersOf(opts: https.RequestOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  if (opts.auth) out['Authorization'] = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
  return out;
}

function retryAfter(res: http.IncomingMessage): number | undefined {
  const h = res.headers['retry-after'];
  if (typeof h !== 'string') return undefined;
  const n = Number(h);
  if (Number.isFinite(n) && n >= 0) return n;
  const date = Date.parse(h);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

function asStatus(body: string): Status | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'Status') return parsed as Status;
  } catch {
    // Not JSON: the error carries the raw text instead.
  }
  return undefined;
}

export class KubeClient {
  private readonly base: URL;
  private readonly transport: typeof http | typeof https;
  private readonly inFlight = new Set<http.ClientRequest>();
  private credentials: Credentials;
  private closed = false;

  private constructor(
    private readonly config: KubeConfig,
    private readonly agent: http.Agent,
    credentials: Credentials,
    private readonly options: KubeClientOptions,
    /** The namespace of the current context (in-cluster: the pod's own), if any. */
    readonly namespace: string | undefined,
  ) {
    const cluster = config.getCurrentCluster();
    this.base = new URL(cluster?.server ?? '');
    this.transport = this.base.protocol === 'http:' ? http : https;
    this.credentials = credentials;
  }

  /** A client for the kubeconfig's current context. */
  static async fromKubeConfig(config: KubeConfig, options: KubeClientOptions = {}): Promise<KubeClient> {
    const cluster = config.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig: current context '${config.getCurrentContext()}' names no known cluster`);
    let server: URL;
    try {
      server = new URL(cluster.server);
    } catch {
      throw new Error(`kubeconfig: cluster '${cluster.name}' has server '${cluster.server}', which is not a URL`);
    }
    if (server.protocol !== 'https:' && server.protocol !== 'http:') {
      throw new Error(`kubeconfig: cluster '${cluster.name}' server '${cluster.server}' must be http or https`);
    }
    const opts: https.RequestOptions = {};
    await config.applyToHTTPSOptions(opts);
    let agent: http.Agent;
    if (cluster.proxyUrl) {
      // Proxy agents come from client-node, which knows the proxy kinds.
      agent = opts.agent as http.Agent;
    } else if (server.protocol === 'http:') {
      agent = new http.Agent({ keepAlive: true });
    } else {
      const tls: https.AgentOptions = { keepAlive: true };
      if (opts.ca !== undefined) tls.ca = opts.ca;
      if (opts.cert !== undefined) tls.cert = opts.cert;
      if (opts.key !== undefined) tls.key = opts.key;
      if (opts.pfx !== undefined) tls.pfx = opts.pfx;
      if (opts.passphrase !== undefined) tls.passphrase = opts.passphrase;
      if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
      if (opts.servername !== undefined) tls.servername = opts.servername;
      agent = new https.Agent(tls);
    }
    const context = config.getContextObject(config.getCurrentContext());
    return new KubeClient(config, agent, { headers: headersOf(opts), fetchedAt: performance.now() }, options, context?.namespace || undefined);
  }

  /** The API server's URL. */
  get server(): string {
    return this.base.origin;
  }

  /** Ends every request in flight and closes every connection; the client is unusable afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const req of this.inFlight) req.destroy(new Error('client closed'));
    this.inFlight.clear();
    this.agent.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One request; resolves with the parsed JSON body, rejects with ApiError or TransportError. */
  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    try {
      return await this.attempt<T>(method, path, options);
    } catch (error) {
      // Credentials may have expired (rotated token file, short-lived exec token): refresh once.
      if (!(error instanceof ApiError && error.code === 401)) throw error;
      await this.refreshCredentials(true);
      return this.attempt<T>(method, path, options);
    }
  }

  private async attempt<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const fullPath = path + queryString(options.query);
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const headers: Record<string, string> = { ...(await this.headers()), Accept: 'application/json' };
    if (body !== undefined) {
      headers['Content-Type'] = options.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const verb = options.verb ?? method;
    const started = performance.now();
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 30_000;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        this.options.observer?.request?.(verb, error instanceof ApiError ? error.code : 'error', performance.now() - started);
        reject(error);
      };
      const req = this.open(method, fullPath, headers, options.signal, timeoutMs, fail);
      if (!req) return;
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => {});
        res.on('close', () => {
          if (!res.complete) fail(new TransportError(method, path, 'response cut off'));
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) {
            fail(new ApiError({ method, path, code, status: asStatus(text), retryAfterSeconds: retryAfter(res), body: text }));
            return;
          }
          let value: unknown;
          try {
            value = text === '' ? undefined : JSON.parse(text);
          } catch (error) {
            fail(new TransportError(method, path, `response is not JSON (${(error as Error).message})`));
            return;
          }
          if (settled) return;
          settled = true;
          this.options.observer?.request?.(verb, code, performance.now() - started);
          resolve(value as T);
        });
      });
      req.end(body);
    });
  }

  /**
   * A streaming GET (a watch): each complete line of the body goes to `onLine` as it arrives.
   * Resolves when the server ends the body or our deadline passes; rejects with ApiError for a
   * non-200 answer, TransportError when the connection fails, the signal's reason when aborted.
   */
  async stream(path: string, onLine: (line: string) => void, options: StreamOptions = {}): Promise<StreamEnd> {
    const fullPath = path + queryString(options.query);
    const headers: Record<string, string> = { ...(await this.headers()), Accept: 'application/json' };
    const started = performance.now();
    const maxLine = options.maxLineBytes ?? 64 * 2 ** 20;
    return new Promise<StreamEnd>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        this.options.observer?.request?.('WATCH', error instanceof ApiError ? error.code : 'error', performance.now() - started);
        reject(error);
      };
      const finish = (end: StreamEnd): void => {
        if (settled) return;
        settled = true;
        this.options.observer?.request?.('WATCH', 200, performance.now() - started);
        resolve(end);
      };
      let deadline: NodeJS.Timeout | undefined;
      const req = this.open('GET', fullPath, headers, options.signal, 0, (error) => {
        clearTimeout(deadline);
        fail(error);
      });
      if (!req) return;
      if (options.deadlineMs !== undefined) {
        deadline = setTimeout(() => {
          finish('deadline');
          req.destroy();
        }, options.deadlineMs);
      }
      req.on('response', (res) => {
        const code = res.statusCode ?? 0;
        if (code !== 200) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            clearTimeout(deadline);
            const text = Buffer.concat(chunks).toString('utf8');
            fail(new ApiError({ method: 'GET', path, code, status: asStatus(text), retryAfterSeconds: retryAfter(res), body: text }));
          });
          return;
        }
        options.onOpen?.();
        let pending: Buffer | undefined;
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          const data = pending ? Buffer.concat([pending, chunk]) : chunk;
          let start = 0;
          for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
            if (nl > start) onLine(data.toString('utf8', start, nl));
            start = nl + 1;
            if (settled) return;
          }
          pending = start < data.length ? data.subarray(start) : undefined;
          if (pending && pending.length > maxLine) {
            // A server that never ends its line would otherwise grow this buffer without bound.
            fail(new TransportError('GET', path, `watch line longer than ${maxLine} bytes`));
            req.destroy();
          }
        });
        res.on('end', () => {
          clearTimeout(deadline);
          if (pending && pending.length > 0 && !settled) onLine(pending.toString('utf8'));
          finish('end');
        });
        res.on('error', () => {});
        res.on('close', () => {
          clearTimeout(deadline);
          // Closed before the body was complete: the connection was cut (reset, outage, restart).
          if (!res.complete) fail(new TransportError('GET', path, 'watch stream cut off'));
        });
      });
      req.end();
    });
  }

  /** Starts a request; failures (network, timeout, abort) go to `fail`. Undefined if it could not start. */
  private open(
    method: string,
    fullPath: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    timeoutMs: number,
    fail: (error: Error) => void,
  ): http.ClientRequest | undefined {
    const path = fullPath.split('?')[0] ?? fullPath;
    if (this.closed) {
      fail(new TransportError(method, path, 'client is closed'));
      return undefined;
    }
    if (signal?.aborted) {
      fail(signal.reason as Error);
      return undefined;
    }
    const url = new URL(fullPath, this.base);
    const req = this.transport.request(url, { method, headers: { 'User-Agent': this.options.userAgent ?? 'lb-k8s-watch', ...headers }, agent: this.agent });
    this.inFlight.add(req);
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      req.destroy();
      fail(signal?.reason as Error);
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.inFlight.delete(req);
    };
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        req.destroy();
        fail(new TransportError(method, path, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      cleanup();
      fail(new TransportError(method, path, error.message, { cause: error }));
    });
    req.on('close', cleanup);
    return req;
  }

  private async headers(): Promise<Record<string, string>> {
    await this.refreshCredentials(false);
    return this.credentials.headers;
  }

  private async refreshCredentials(force: boolean): Promise<void> {
    const age = performance.now() - this.credentials.fetchedAt;
    if (!force && age < (this.options.authRefreshMs ?? 60_000)) return;
    const opts: https.RequestOptions = {};
    await this.config.applyToHTTPSOptions(opts);
    // applyToHTTPSOptions also builds an agent; ours is kept, that one is dropped unused.
    if (opts.agent && opts.agent !== this.agent && typeof (opts.agent as http.Agent).destroy === 'function') (opts.agent as http.Agent).destroy();
    this.credentials = { headers: headersOf(opts), fetchedAt: performance.now() };
  }

  // Typed verbs over a ResourceType.

  get<T extends KubeObject>(type: ResourceType<T>, namespace: string | undefined, name: string, options: RequestControl = {}): Promise<T> {
    return this.request<T>('GET', objectPath(type, namespace, name), { verb: 'GET', ...control(options) });
  }

  async list<T extends KubeObject>(type: ResourceType<T>, options: ListOptions = {}): Promise<ObjectList<T>> {
    const list = await this.request<ObjectList<T>>('GET', collectionPath(type, options.namespace), {
      verb: 'LIST',
      query: {
        labelSelector: options.labelSelector || undefined,
        fieldSelector: options.fieldSelector || undefined,
        limit: options.limit,
        continue: options.continue,
        resourceVersion: options.resourceVersion,
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!list || !Array.isArray(list.items) || typeof list.metadata !== 'object' || list.metadata === null) {
      throw new TransportError('GET', collectionPath(type, options.namespace), 'list response has no items array or metadata');
    }
    // The server leaves kind and apiVersion off list items; watch events carry them. Make both alike.
    const apiVersion = apiVersionOf(type);
    for (const item of list.items) {
      if (item.kind === undefined) item.kind = type.kind;
      if (item.apiVersion === undefined) item.apiVersion = apiVersion;
    }
    return list;
  }

  create<T extends KubeObject>(type: ResourceType<T>, obj: T, options: RequestControl & { dryRun?: boolean; fieldManager?: string } = {}): Promise<T> {
    return this.request<T>('POST', collectionPath(type, obj.metadata?.namespace ?? this.requireNamespace(type, obj)), {
      verb: 'CREATE',
      ...control(options),
      body: { apiVersion: apiVersionOf(type), kind: type.kind, ...obj },
      query: { dryRun: options.dryRun ? 'All' : undefined, fieldManager: options.fieldManager },
    });
  }

  /** PUT; carries the object's resourceVersion, so a stale object fails with 409 Conflict. */
  update<T extends KubeObject>(type: ResourceType<T>, obj: T, options: RequestControl & { subresource?: string; fieldManager?: string } = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new TypeError(`update ${type.kind}: metadata.name is required`);
    return this.request<T>('PUT', objectPath(type, obj.metadata?.namespace, name, options.subresource), {
      verb: 'UPDATE',
      ...control(options),
      body: { apiVersion: apiVersionOf(type), kind: type.kind, ...obj },
      query: { fieldManager: options.fieldManager },
    });
  }

  patch<T extends KubeObject>(
    type: ResourceType<T>,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    options: RequestControl & { patchType?: PatchType; subresource?: string; fieldManager?: string } = {},
  ): Promise<T> {
    return this.request<T>('PATCH', objectPath(type, namespace, name, options.subresource), {
      verb: 'PATCH',
      ...control(options),
      body: patch,
      contentType: PATCH_CONTENT_TYPES[options.patchType ?? 'merge'],
      query: { fieldManager: options.fieldManager },
    });
  }

  async delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: RequestControl & { preconditions?: { resourceVersion?: string; uid?: string } } = {},
  ): Promise<void> {
    await this.request<unknown>('DELETE', objectPath(type, namespace, name), {
      verb: 'DELETE',
      ...control(options),
      ...(options.preconditions ? { body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: options.preconditions } } : {}),
    });
  }

  private requireNamespace(type: ResourceType, obj: KubeObject): string | undefined {
    if (!type.namespaced) return undefined;
    if (this.namespace) return this.namespace;
    throw new TypeError(`create ${type.kind} '${obj.metadata?.name ?? obj.metadata?.generateName ?? ''}': metadata.namespace is required`);
  }
}
