// A plain HTTP proxy in front of kube-sim that records every request's method and URL: what a
// process asks the API server for, to be checked against the chart's RBAC rules.
import { createServer, request, type Server } from 'node:http';
import { request as requestTls } from 'node:https';
import { type AddressInfo } from 'node:net';

export interface RecordingProxy {
  readonly url: string;
  readonly requests: Array<{ method: string; url: string }>;
  close(): Promise<void>;
}

export interface RecordingProxyOptions {
  /** Address to listen on; default 127.0.0.1 (a lab's management address for node namespaces). */
  readonly host?: string;
  /** The CA of an HTTPS upstream (kube-sim as a lab runs it). */
  readonly ca?: string;
}

export async function recordingProxy(target: string, options: RecordingProxyOptions = {}): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const host = options.host ?? '127.0.0.1';
  const send = upstream.protocol === 'https:' ? requestTls : request;
  const requests: Array<{ method: string; url: string }> = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? 'GET', url: req.url ?? '/' });
    const forward = send(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host }, ...(options.ca ? { ca: options.ca } : {}) },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
    res.on('close', () => forward.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
