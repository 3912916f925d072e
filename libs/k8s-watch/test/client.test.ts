// The HTTP adapter against a hand-driven HTTP server, for what kube-sim cannot be made to do:
// garbled watch lines, lines split across packets, a watch that never ends, and wrong answers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, Informer, httpListWatcher, KubeClient, loadKubeConfig, type Service, Services, TransportError } from '../src/index.js';
import { waitFor } from './helpers.js';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

let server: Server | undefined;
let client: KubeClient | undefined;
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  client?.close();
  client = undefined;
  if (server) {
    server.closeAllConnections();
    await new Promise((r) => server!.close(r));
  }
  server = undefined;
});

async function serve(route: Route): Promise<KubeClient> {
  server = createServer((req, res) => route(req, res, new URL(req.url ?? '/', 'http://x')));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const kubeconfigYaml = `
apiVersion: v1
kind: Config
clusters: [{ name: raw, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]
users: [{ name: raw, user: { token: secret } }]
contexts: [{ name: raw, context: { cluster: raw, user: raw, namespace: team-a } }]
current-context: raw
`;
  client = await KubeClient.fromKubeConfig(loadKubeConfig({ kubeconfigYaml }), { requestTimeoutMs: 500 });
  return client;
}

const svc = (name: string, rv: string): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', resourceVersion: rv } });
const line = (type: string, obj: unknown): string => `${JSON.stringify({ type, object: obj })}\n`;

describe('KubeClient over HTTP', () => {
  it('sends the bearer token and reads the context namespace', async () => {
    let auth: string | undefined;
    const c = await serve((req, res) => {
      auth = req.headers.authorization;
      res.end(JSON.stringify({ kind: 'ServiceList', metadata: { resourceVersion: '1' }, items: [{ metadata: { name: 'a' } }] }));
    });
    const list = await c.list(Services);
    expect(auth).toBe('Bearer secret');
    expect(c.namespace).toBe('team-a');
    // List items get the kind and apiVersion that the server leaves off.
    expect(list.items[0]).toEqual({ kind: 'Service', apiVersion: 'v1', metadata: { name: 'a' } });
  });

  it('turns error answers into ApiError with the Status and Retry-After', async () => {
    let calls = 0;
    const c = await serve((req, res) => {
      calls++;
      if (req.url?.includes('unauth')) {
        res.writeHead(401).end('Unauthorized');
        return;
      }
      res.writeHead(429, { 'Retry-After': '3', 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'TooManyRequests', message: 'slow down', code: 429 }));
    });
    const error = await c.request('GET', '/api/v1/namespaces/x/services/y').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 429, reason: 'TooManyRequests', retryAfterSeconds: 3, message: 'GET /api/v1/namespaces/x/services/y: 429 TooManyRequests: slow down' });
    calls = 0;
    const unauthorized = await c.request('GET', '/unauth').catch((e: unknown) => e);
    expect(unauthorized).toMatchObject({ code: 401, message: 'GET /unauth: 401 Unauthorized' });
    // A 401 is retried once with freshly loaded credentials.
    expect(calls).toBe(2);
  });

  it('reports garbage bodies, timeouts and refused connections as TransportError', async () => {
    const c = await serve((req, res) => {
      if (req.url?.includes('garbage')) res.end('{"items": [');
      else if (req.url?.includes('cut')) {
        res.writeHead(200, { 'Content-Length': '100' });
        res.write('{"items"');
        setTimeout(() => res.socket?.destroy(), 20);
      }
      // Otherwise never answer.
    });
    await expect(c.request('GET', '/garbage')).rejects.toThrow(/GET \/garbage: response is not JSON/);
    await expect(c.request('GET', '/cut')).rejects.toThrow(/GET \/cut: response cut off/);
    await expect(c.request('GET', '/silent')).rejects.toThrow(/GET \/silent: no answer within 500 ms/);
    const refused = await KubeClient.fromKubeConfig(
      loadKubeConfig({ kubeconfigYaml: 'clusters: [{name: c, cluster: {server: "http://127.0.0.1:1", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n' }),
    );
    const e = await refused.request('GET', '/api').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TransportError);
    expect((e as Error).message).toMatch(/GET \/api: connect ECONNREFUSED/);
    refused.close();
  });

  it('informer: drops a garbled watch line, counts it, and resumes from the last good version', async () => {
    const watches: string[] = [];
    const c = await serve((req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') {
        res.end(JSON.stringify({ kind: 'ServiceList', metadata: { resourceVersion: '10' }, items: [svc('a', '5')] }));
        return;
      }
      watches.push(url.searchParams.get('resourceVersion') ?? '');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      if (watches.length === 1) {
        // One event split across two packets, then garbage.
        const first = line('ADDED', svc('b', '11'));
        res.write(first.slice(0, 20));
        setTimeout(() => {
          res.write(first.slice(20));
          res.write('{"type":"MODIFIED","object":{"metadata":{"name":"b"\n');
          res.write(line('ADDED', svc('never', '13')));
        }, 30);
      } else {
        res.write(line('ADDED', svc('c', '12')));
      }
    });
    const counts = { malformed: 0 };
    const informer = new Informer<Service>(httpListWatcher(c, Services), { backoff: { initialMs: 10, maxMs: 50 }, observer: { malformed: () => counts.malformed++ } });
    stops.push(() => informer.stop());
    informer.start();
    await waitFor(() => informer.cache.has('default/c'), 5000, 'the second watch');
    expect(watches).toEqual(['10', '11']);
    expect(counts.malformed).toBe(1);
    expect([...informer.cache.keys()].sort()).toEqual(['default/a', 'default/b', 'default/c']);
  });

  it('ends a watch that the server never ends, at its own deadline', async () => {
    const c = await serve((_req, res) => {
      res.writeHead(200);
      res.write(line('ADDED', svc('a', '2')));
    });
    const lines: string[] = [];
    const end = await c.stream('/api/v1/services', (l) => lines.push(l), { query: { watch: 'true' }, deadlineMs: 200 });
    expect(end).toBe('deadline');
    expect(lines).toHaveLength(1);
  });

  it('ends a watch whose line never ends', async () => {
    const c = await serve((_req, res) => {
      res.writeHead(200);
      res.write('{"type":"ADDED","object":{"metadata":{"name":"' + 'x'.repeat(600));
      setTimeout(() => res.write('y'.repeat(600)), 20);
    });
    await expect(c.stream('/watch', () => {}, { maxLineBytes: 1000 })).rejects.toThrow(/GET \/watch: watch line longer than 1000 bytes/);
  });

  it('close() ends requests in flight', async () => {
    const c = await serve(() => {});
    const pending = c.request('GET', '/hang', { timeoutMs: 10_000 });
    const watch = c.stream('/watch', () => {});
    await new Promise((r) => setTimeout(r, 50));
    c.close();
    await expect(pending).rejects.toThrow(TransportError);
    await expect(watch).rejects.toThrow(TransportError);
    await expect(c.request('GET', '/x')).rejects.toThrow(/client is closed/);
  });
});
