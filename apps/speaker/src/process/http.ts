import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Registry } from 'prom-client';

export interface MonitoringOptions {
  readonly host: string;
  readonly port: number;
  readonly registry: Registry;
  readonly ready: () => boolean;
  /** Refreshes what the metrics read (the layer 2 worker's counters) before a scrape. */
  readonly beforeScrape?: () => Promise<void>;
}

/** /metrics for Prometheus, /healthz (the process answers), /readyz (it answers ARP for what it owns). */
export async function startMonitoring(options: MonitoringOptions): Promise<{ port: number; close: () => Promise<void> }> {
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
            res.writeHead(500);
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
