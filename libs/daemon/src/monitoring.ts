import { createServer, type ServerResponse } from 'node:http';
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
  /**
   * Metric families kept outside the registry, as exposition text in chunks, sent after the
   * registry's. For families with a series per address: a registry holds each series as objects
   * and builds every value of every family before it writes one, which for 10,000 addresses costs
   * more memory than all the rest of a speaker's metrics.
   */
  readonly families?: () => Iterable<string>;
}

export interface Monitoring {
  readonly port: number;
  /** Closes the listener and every open connection (a scraper's keep-alive would hold the process otherwise). */
  close(): Promise<void>;
}

/**
 * Writes `chunks` to `res`, waiting whenever the socket's buffer is full: a slow scraper then holds
 * one chunk in memory, not the whole text. Stops if the scraper goes away.
 */
async function writeChunks(res: ServerResponse, chunks: Iterable<string>): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
}

function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
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
          async (text) => {
            res.writeHead(200, { 'Content-Type': options.registry.contentType });
            res.write(text.endsWith('\n') || !options.families ? text : `${text}\n`);
            if (options.families) await writeChunks(res, options.families());
            res.end();
          },
          (error: unknown) => {
            res.writeHead(500, { 'Content-Type': 'text/plain' });
            res.end(String(error));
          },
        )
        .catch((error: unknown) => res.destroy(error as Error));
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
