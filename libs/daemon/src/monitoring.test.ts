import { Registry, Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startMonitoring, type Monitoring } from './monitoring.js';

describe('startMonitoring', () => {
  let monitoring: Monitoring | undefined;
  afterEach(async () => {
    await monitoring?.close();
    monitoring = undefined;
  });

  const start = async (ready: boolean, beforeScrape?: () => Promise<void>): Promise<string> => {
    const registry = new Registry();
    new Counter({ name: 'daemon_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    monitoring = await startMonitoring({ host: '127.0.0.1', port: 0, registry, ready: () => ready, ...(beforeScrape ? { beforeScrape } : {}) });
    return `http://127.0.0.1:${monitoring.port}`;
  };

  const cases = [
    { path: '/metrics', ready: true, status: 200, body: /daemon_test_total 3/ },
    { path: '/metrics?x=1', ready: false, status: 200, body: /daemon_test_total 3/ },
    { path: '/healthz', ready: false, status: 200, body: /ok/ },
    { path: '/readyz', ready: true, status: 200, body: /ok/ },
    { path: '/readyz', ready: false, status: 503, body: /not ready/ },
    { path: '/other', ready: true, status: 404, body: /try \/metrics/ },
  ];
  it.each(cases)('$path (ready: $ready) → $status', async ({ path, ready, status, body }) => {
    const base = await start(ready);
    const response = await fetch(base + path);
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(body);
  });
  expect(cases.length).toBeGreaterThan(0);

  it('refreshes before a scrape, and a failed refresh still serves the metrics', async () => {
    let refreshed = 0;
    const base = await start(true, async () => {
      refreshed += 1;
      if (refreshed > 1) throw new Error('worker gone');
    });
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    expect(refreshed).toBe(2);
  });

  it('sends the families kept outside the registry after it, every chunk, also past a full socket buffer', async () => {
    const registry = new Registry();
    new Counter({ name: 'daemon_test_total', help: 'a test counter', registers: [registry] }).inc(3);
    const series = 50_000;
    function* families(): Generator<string> {
      yield '# HELP daemon_test_per_ip a family with a series per address\n# TYPE daemon_test_per_ip gauge\n';
      for (let i = 0; i < series; i += 1000) {
        yield Array.from({ length: 1000 }, (_, k) => `daemon_test_per_ip{ip="10.0.${(i + k) >> 8}.${(i + k) & 255}"} ${i + k}\n`).join('');
      }
    }
    monitoring = await startMonitoring({ host: '127.0.0.1', port: 0, registry, ready: () => true, families });
    const text = await (await fetch(`http://127.0.0.1:${monitoring.port}/metrics`)).text();
    const lines = text.split('\n');
    expect(lines).toContain('daemon_test_total 3');
    expect(lines.indexOf('daemon_test_total 3')).toBeLessThan(lines.indexOf('# HELP daemon_test_per_ip a family with a series per address'));
    expect(lines.filter((l) => l.startsWith('daemon_test_per_ip{'))).toHaveLength(series);
    expect(text).toContain(`daemon_test_per_ip{ip="10.0.195.79"} ${series - 1}\n`);
  });

  it('closes with a keep-alive connection open', async () => {
    const base = await start(true);
    await fetch(`${base}/healthz`, { keepalive: true });
    await monitoring?.close();
    monitoring = undefined;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
