// The wire protocol seen by any client: authentication, Status bodies, watch streams (bookmarks,
// 410 Gone, selector transitions, timeouts), paging, dry runs, strict field validation, tables,
// and injected faults (500, 429 with Retry-After, delays).
import { connect } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KubeSim, start } from '../src/index.js';
import { eventually } from './helpers.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: Record<string, unknown>;
}

function call(sim: KubeSim, method: string, path: string, opts: { body?: unknown; contentType?: string; accept?: string; token?: string | null } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
    const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
    if (opts.token !== null) headers['authorization'] = `Bearer ${opts.token ?? sim.token}`;
    if (body !== undefined) {
      headers['content-type'] = opts.contentType ?? 'application/json';
      headers['content-length'] = String(Buffer.byteLength(body));
    }
    const req = httpsRequest(`${sim.url}${path}`, { method, headers, ca: sim.ca }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          // not JSON (healthz)
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface WatchStream {
  events: Array<{ type: string; object: Record<string, unknown> }>;
  ended: boolean;
  close(): void;
}

function watch(sim: KubeSim, path: string): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const stream: WatchStream = { events: [], ended: false, close: () => undefined };
    const req = httpsRequest(`${sim.url}${path}`, { headers: { authorization: `Bearer ${sim.token}` }, ca: sim.ca }, (res) => {
      let buffer = '';
      res.on('data', (d: Buffer) => {
        buffer += d.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          stream.events.push(JSON.parse(buffer.slice(0, nl)) as WatchStream['events'][number]);
          buffer = buffer.slice(nl + 1);
        }
      });
      res.on('end', () => (stream.ended = true));
      res.on('close', () => (stream.ended = true));
      resolve(stream);
    });
    stream.close = () => req.destroy();
    req.on('error', (err) => (stream.ended ? undefined : reject(err)));
    req.end();
  });
}

const cm = (name: string, labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data: { k: name } });
const CM = '/api/v1/namespaces/default/configmaps';

describe('HTTP protocol', () => {
  let sim: KubeSim;
  beforeAll(async () => {
    sim = await start({ bookmarkIntervalMs: 100, historyWindow: 50 });
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('demands the bearer token, except for /version and health checks', async () => {
    expect((await call(sim, 'GET', '/api/v1/namespaces', { token: null })).json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    expect((await call(sim, 'GET', '/api/v1/namespaces', { token: 'nope' })).status).toBe(401);
    expect((await call(sim, 'GET', '/version', { token: null })).json).toMatchObject({ major: '1', gitVersion: expect.stringMatching(/^v1\./) as unknown });
    expect((await call(sim, 'GET', '/healthz', { token: null })).body).toBe('ok');
  });

  it('answers unknown paths and bad requests with Status bodies', async () => {
    const cases: Array<[string, string, unknown, number, string]> = [
      ['GET', '/api/v1/nonsense', undefined, 404, 'NotFound'],
      ['GET', '/apis/nope.example.com/v1', undefined, 404, 'NotFound'],
      ['POST', CM, '{not json', 400, 'BadRequest'],
      ['POST', CM, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }, 400, 'BadRequest'],
      ['POST', CM, { apiVersion: 'v2', kind: 'ConfigMap', metadata: { name: 'x' } }, 400, 'BadRequest'],
      ['POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }, 422, 'Invalid'],
      ['GET', `${CM}?labelSelector=a%20in%20(`, undefined, 400, 'BadRequest'],
      ['GET', `${CM}?fieldSelector=spec.foo%3Dx`, undefined, 400, 'BadRequest'],
      ['PATCH', `${CM}/missing`, '{}', 404, 'NotFound'],
    ];
    for (const [method, path, body, code, reason] of cases) {
      const r = await call(sim, method, path, { body, contentType: method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' });
      expect({ method, path, status: r.status, kind: r.json['kind'], reason: r.json['reason'] }).toEqual({ method, path, status: code, kind: 'Status', reason });
    }
    expect(cases.length).toBeGreaterThan(0);
  });

  it('pages lists and keeps one resourceVersion across pages', async () => {
    for (let i = 0; i < 7; i++) expect((await call(sim, 'POST', CM, { body: cm(`page-${i}`) })).status).toBe(201);
    const names: string[] = [];
    let cont = '';
    let rv = '';
    let pages = 0;
    do {
      const r = await call(sim, 'GET', `${CM}?labelSelector=&limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      const meta = r.json['metadata'] as { resourceVersion: string; continue?: string };
      rv ||= meta.resourceVersion;
      expect(meta.resourceVersion).toBe(rv);
      names.push(...(r.json['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name));
      cont = meta.continue ?? '';
      pages++;
    } while (cont);
    expect(pages).toBe(3);
    expect(names.filter((n) => n.startsWith('page-'))).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4', 'page-5', 'page-6']);
  });

  it('streams watch events with bookmarks, and turns label changes into ADDED/DELETED', async () => {
    const w = await watch(sim, `${CM}?watch=1&allowWatchBookmarks=true&labelSelector=team%3Dblue`);
    try {
      await call(sim, 'POST', CM, { body: cm('w1', { team: 'blue' }) });
      await call(sim, 'POST', CM, { body: cm('w2', { team: 'red' }) });
      await call(sim, 'PATCH', `${CM}/w2`, { body: { metadata: { labels: { team: 'blue' } } }, contentType: 'application/merge-patch+json' });
      await call(sim, 'PATCH', `${CM}/w1`, { body: { metadata: { labels: { team: 'red' } } }, contentType: 'application/merge-patch+json' });
      await eventually(() => w.events.filter((e) => e.type !== 'BOOKMARK').length >= 3 && w.events.some((e) => e.type === 'BOOKMARK'), 'events and a bookmark');
      const changes = w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${(e.object['metadata'] as { name: string }).name}`);
      expect(changes).toEqual(['ADDED w1', 'ADDED w2', 'DELETED w1']);
      const bookmark = w.events.find((e) => e.type === 'BOOKMARK');
      expect(bookmark?.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: expect.stringMatching(/^\d+$/) as unknown } });
    } finally {
      w.close();
    }
  });

  it('replays history from a resourceVersion, and answers 410 Gone once it is compacted', async () => {
    const start = (await call(sim, 'GET', CM)).json['metadata'] as { resourceVersion: string };
    await call(sim, 'POST', CM, { body: cm('replayed') });
    const w = await watch(sim, `${CM}?watch=true&resourceVersion=${start.resourceVersion}`);
    await eventually(() => w.events.length === 1, 'the replayed event');
    expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'replayed' } } });
    w.close();
    // The history window is 50 events: push the old version out of it.
    for (let i = 0; i < 60; i++) await sim.store.update({ ...cm('replayed'), metadata: { name: 'replayed', namespace: 'default' }, data: { i: String(i) } });
    const gone = await watch(sim, `${CM}?watch=true&resourceVersion=${start.resourceVersion}`);
    await eventually(() => gone.ended, 'the expired watch to end');
    expect(gone.events).toEqual([{ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/) as unknown, reason: 'Expired', code: 410 } }]);
  });

  it('starts a watch from "0" with the current objects, and ends it after timeoutSeconds', async () => {
    const w = await watch(sim, `${CM}?watch=true&resourceVersion=0&timeoutSeconds=1&fieldSelector=metadata.name%3Dpage-3`);
    await eventually(() => w.ended, 'the timeout', 5000);
    expect(w.events.map((e) => `${e.type} ${(e.object['metadata'] as { name: string }).name}`)).toEqual(['ADDED page-3']);
  });

  it('sends initial events and an initial-events-end bookmark when asked (watch-list)', async () => {
    const w = await watch(sim, `${CM}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&labelSelector=team`);
    try {
      await eventually(() => w.events.some((e) => e.type === 'BOOKMARK'), 'the bookmark');
      expect(w.events[w.events.length - 1]?.object).toMatchObject({ metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } });
      expect(w.events.filter((e) => e.type === 'ADDED')).toHaveLength(2);
    } finally {
      w.close();
    }
  });

  it('does not persist dry runs, and warns about or refuses unknown fields of custom resources', async () => {
    const dry = await call(sim, 'POST', `${CM}?dryRun=All`, { body: cm('dry') });
    expect(dry.status).toBe(201);
    expect(sim.store.get('configmaps', 'dry')).toBeUndefined();
    await sim.store.apply(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: things, kind: Thing}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, properties: {a: {type: string}}}}}}}
`);
    const thing = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 't' }, spec: { a: 'x', b: 1 } };
    const strict = await call(sim, 'POST', '/apis/example.com/v1/namespaces/default/things?fieldValidation=Strict', { body: thing });
    expect(strict.json).toMatchObject({ code: 400, reason: 'BadRequest', message: 'Thing in version "v1" cannot be handled as a Thing: strict decoding error: unknown field "spec.b"' });
    const warn = await call(sim, 'POST', '/apis/example.com/v1/namespaces/default/things', { body: thing });
    expect(warn.status).toBe(201);
    expect(warn.headers['warning']).toBe('299 - "unknown field \\"spec.b\\""');
    expect(warn.json['spec']).toEqual({ a: 'x' });
  });

  it('streams core/v1 Events to events.k8s.io/v1 watchers, converted', async () => {
    const w = await watch(sim, '/apis/events.k8s.io/v1/namespaces/default/events?watch=true&resourceVersion=' + String(sim.store.resourceVersion));
    const core = await watch(sim, '/api/v1/namespaces/default/events?watch=true&resourceVersion=' + String(sim.store.resourceVersion));
    try {
      await call(sim, 'POST', '/api/v1/namespaces/default/events', { body: { apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev' }, involvedObject: { kind: 'Service', name: 'web' }, message: 'allocated', reason: 'IPAllocated', type: 'Normal' } });
      await eventually(() => w.events.length === 1 && core.events.length === 1, 'the event on both streams');
      expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { apiVersion: 'events.k8s.io/v1', regarding: { name: 'web' }, note: 'allocated' } });
      expect(core.events[0]).toMatchObject({ type: 'ADDED', object: { apiVersion: 'v1', involvedObject: { name: 'web' }, message: 'allocated' } });
    } finally {
      w.close();
      core.close();
    }
  });

  it('serves Tables when asked', async () => {
    const r = await call(sim, 'GET', `${CM}/page-1`, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(r.json).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', columnDefinitions: [{ name: 'Name' }, { name: 'Data' }, { name: 'Age' }], rows: [{ cells: ['page-1', 1, expect.stringMatching(/^\d+s$/) as unknown] }] });
  });

  it('checks delete preconditions', async () => {
    const r = await call(sim, 'DELETE', `${CM}/page-0`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } } });
    expect(r.json).toMatchObject({ code: 409, reason: 'Conflict' });
    const ok = await call(sim, 'DELETE', `${CM}/page-0`);
    expect(ok.json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'page-0', kind: 'configmaps' } });
  });

  it("answers in JSON when protobuf is offered first (client-go's typed clients), 406 when it is all that is offered", async () => {
    const offered = await call(sim, 'GET', `${CM}/page-1`, { accept: 'application/vnd.kubernetes.protobuf, application/json' });
    expect(offered.headers['content-type']).toBe('application/json');
    expect(offered.json).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'page-1' } });
    expect((await call(sim, 'GET', `${CM}/page-1`, { accept: 'application/vnd.kubernetes.protobuf' })).status).toBe(406);
  });

  it('reads a protobuf DeleteOptions (a typed delete, as helm uninstall sends it) and applies its preconditions', async () => {
    // Length-delimited protobuf field n: tag, length, bytes (every length here is < 128).
    const field = (n: number, value: Buffer | string): Buffer => {
      const bytes = Buffer.from(value);
      return Buffer.concat([Buffer.from([n * 8 + 2, bytes.length]), bytes]);
    };
    const deleteOptions = (raw: Buffer): Buffer => Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, Buffer.concat([field(1, 'v1'), field(2, 'DeleteOptions')])), field(2, raw)]);
    const protobuf = 'application/vnd.kubernetes.protobuf';
    const refused = await call(sim, 'DELETE', `${CM}/page-1`, { body: deleteOptions(field(2, field(1, 'not-the-uid'))), contentType: protobuf });
    expect(refused.json).toMatchObject({ code: 409, reason: 'Conflict' });
    const dryRun = await call(sim, 'DELETE', `${CM}/page-1`, { body: deleteOptions(field(5, 'All')), contentType: protobuf });
    expect(dryRun.status).toBe(200);
    expect(sim.store.get('configmaps', 'page-1', 'default')).toBeDefined();
    const deleted = await call(sim, 'DELETE', `${CM}/page-1`, { body: deleteOptions(Buffer.alloc(0)), contentType: protobuf });
    expect(deleted.json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'page-1' } });
    expect(sim.store.get('configmaps', 'page-1', 'default')).toBeUndefined();
  });

  it('injects failures, 429s with Retry-After, and delays', async () => {
    sim.faults.failRequests({ status: 500, count: 1, path: '/configmaps' });
    expect((await call(sim, 'GET', CM)).json).toMatchObject({ code: 500, reason: 'InternalError' });
    expect((await call(sim, 'GET', CM)).status).toBe(200);
    sim.faults.failRequests({ status: 429, retryAfterSeconds: 3, count: 2, method: 'POST' });
    const throttled = await call(sim, 'POST', CM, { body: cm('throttled') });
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('3');
    expect(throttled.json).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 3 } });
    expect((await call(sim, 'GET', CM)).status).toBe(200);
    sim.faults.delayRequests(300, { count: 1 });
    const t0 = Date.now();
    await call(sim, 'GET', CM);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    sim.faults.clear();
    expect((await call(sim, 'POST', CM, { body: cm('throttled') })).status).toBe(201);
  });
});

describe('stop()', () => {
  // A connection that never sends a request (or never finishes its TLS handshake) is invisible to
  // closeAllConnections(); stop() must still end at once rather than wait for the client.
  it.each([['HTTPS', true], ['HTTP', false]] as const)('ends at once with a silent %s connection open', async (_name, https) => {
    const sim = await start({ https });
    const port = Number(new URL(sim.url).port);
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const started = Date.now();
    await sim.stop();
    await closed;
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
