import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Registry } from 'prom-client';

export interface MonitoringOptions {
  readonly host: string;
  /** 0 picks a free port; the one taken is returned. */
  readonly port: number;
  readonly registry: Registry;
  /** Whether /readyz answers 200: the process does what it is there for. */
  readonly ready: () => boolean;
  /** Refreshes what the metrics read (counters kept in another thread) before a scrape; its failure does not fail the scrape. */
  readonly beforeScrape?: () => Promise<void>;
}

export interface Monitoring {
  readonly port: number;
  /** Closes the listener and every open connection (a scraper's keep-alive would hold the process otherwise). */
  close(): Promise<void>;
}

/** /metrics for Prometheus, /healthz (the process answers) and /readyz (it is ready to serve). */
export async function startMonitoring(options: MonitoringOptions): Promise<Monitoring> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/metrics') {
      (options.beforeScrape ?? (() => Promise.resolve()))()
        .catch(() => undefined)
        .then(() => options.registry.metrics())
        .then(
          (text) => {
            res.writeHead(200, { 'Content-Type': options.registry.contentType });
            res.end(text);
          },
          (error: unknown) => {
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end(String(error));
          },
        );
      return;
    }
    if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' || options.ready();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
      res.end(ok ? 'ok\n' : 'not ready\n');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found: try /metrics, /healthz or /readyz\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
