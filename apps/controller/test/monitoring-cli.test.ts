// What operators see of the process: /metrics with MetalLB's names (so existing dashboards and
// alerts work), /healthz and /readyz, JSON log lines, --help, and bad flags refused with exit code 2.
import { execFile } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPool, bin, ensureNamespace, loadBalancerService, TestBed, unassigned, waitFor } from './harness.js';

function runBin(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 30_000, env }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

/** `name{labels} value` lines of the Prometheus text format, by series. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

describe('monitoring', () => {
  const bed = new TestBed();
  afterAll(() => bed.cleanup());

  it("/metrics shows MetalLB's names and values; /healthz and /readyz answer; logs are JSON lines", { timeout: 60_000 }, async () => {
    const sim = await bed.sim();
    await applyPool(sim, 'watched', ['10.50.0.0/29', 'fd00:50::/125']);
    await ensureNamespace(sim, 'apps');
    await sim.store.create(loadBalancerService('apps', 'one'));
    await sim.store.create(loadBalancerService('apps', 'two'));
    const dual = loadBalancerService('apps', 'dual') as { spec: Record<string, unknown> };
    Object.assign(dual.spec, { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] });
    await sim.store.create(dual);

    const controller = await bed.controller(sim, { args: ['--log-level', 'debug'] });
    await controller.ready();
    await waitFor(() => unassigned(sim, 'apps').length === 0, 15_000, 'every Service to have an address');

    const expected: Record<string, number> = {
      'metallb_allocator_addresses_total{pool="watched"}': 16,
      'metallb_allocator_addresses_in_use_total{pool="watched"}': 4,
      'metallb_allocator_ipv4_addresses_total{pool="watched"}': 8,
      'metallb_allocator_ipv4_addresses_in_use_total{pool="watched"}': 3,
      'metallb_allocator_ipv6_addresses_total{pool="watched"}': 8,
      'metallb_allocator_ipv6_addresses_in_use_total{pool="watched"}': 1,
      metallb_k8s_client_config_loaded_bool: 1,
      metallb_k8s_client_config_stale_bool: 0,
    };
    const names = Object.keys(expected);
    expect(names.length).toBeGreaterThan(0);
    let metrics = new Map<string, number>();
    const mismatches = (): string[] => names.filter((n) => metrics.get(n) !== expected[n]).map((n) => `${n}=${metrics.get(n)} (want ${expected[n]})`);
    await waitFor(async () => {
      const response = await controller.get('/metrics');
      metrics = parseMetrics(response.body);
      return response.status === 200 && mismatches().length === 0;
    }, 10_000, 'the allocator metrics', () => mismatches().join(', '));
    expect(metrics.get('metallb_k8s_client_updates_total')).toBeGreaterThanOrEqual(3);

    // A configuration that fails to load: the old one runs on, stale.
    await applyPool(sim, 'clash', ['10.50.0.4/30']);
    await waitFor(async () => parseMetrics((await controller.get('/metrics')).body).get('metallb_k8s_client_config_stale_bool') === 1, 10_000, 'config_stale_bool 1');
    expect(parseMetrics((await controller.get('/metrics')).body).get('metallb_k8s_client_config_loaded_bool')).toBe(1);

    expect(await controller.get('/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await controller.get('/readyz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await controller.get('/nothing-here')).status).toBe(404);

    expect(controller.strayLines).toEqual([]);
    expect(controller.logs.length).toBeGreaterThan(5);
    for (const line of controller.logs) {
      expect(['debug', 'info', 'warn', 'error']).toContain(line.level);
      expect(Number.isNaN(Date.parse(line.time))).toBe(false);
      expect(line.msg.length).toBeGreaterThan(0);
    }
    expect(controller.logs.some((l) => l.level === 'error' && l.msg.includes('configuration invalid'))).toBe(true);
  });

  it('/readyz says 503 while the configuration cannot be read (no CRDs), and SIGTERM still stops it cleanly', { timeout: 60_000 }, async () => {
    const sim = await bed.sim({ crds: false });
    const controller = await bed.controller(sim);
    expect((await controller.get('/healthz')).status).toBe(200);
    expect(await controller.get('/readyz')).toEqual({ status: 503, body: 'not ready\n' });
    const started = performance.now();
    expect(await controller.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(controller.logs.some((l) => l.msg === 'controller stopped')).toBe(true);
  });
});

describe('the command line', () => {
  it('--help explains each flag', async () => {
    const help = await runBin(['--help']);
    expect(help.code).toBe(0);
    const flags = [
      'kubeconfig',
      'namespace',
      'lb-class',
      'metrics-host',
      'metrics-port',
      'webhook-port',
      'webhook-cert-dir',
      'webhook-configuration',
      'webhook-service',
      'leader-elect',
      'lease-name',
      'lease-namespace',
      'lease-duration',
      'renew-deadline',
      'retry-period',
      'identity',
      'log-level',
    ];
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) {
      // The flag's line carries the start of its explanation.
      const line = help.stdout.split('\n').find((l) => new RegExp(`^\\s+--${flag}\\s`).test(l));
      expect(line, `--${flag} in --help`).toBeDefined();
      expect((line ?? '').replace(`--${flag}`, '').trim().length, `--${flag} explained`).toBeGreaterThan(15);
    }
  });

  it('--help answers with an unusable TMPDIR: nothing is compiled at run time', async () => {
    // A file where a directory should be: unwritable for root too.
    const help = await runBin(['--help'], { ...process.env, TMPDIR: bin });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--kubeconfig');
  });

  const bad: Array<[readonly string[], string]> = [
    [['--bogus'], 'Unknown argument: bogus'],
    [['--metrics-port', '99999'], '--metrics-port must be a port number (0-65535), got 99999'],
    [['--webhook-port', 'https'], '--webhook-port must be a number'],
    [['--metrics-port', '0', '--metrics-port', '7472'], '--metrics-port was given more than once (0, 7472)'],
    [['--log-level', 'loud'], 'Given: "loud", Choices: "debug", "info", "warn", "error"'],
    [['--lease-duration', '5', '--renew-deadline', '5'], '--renew-deadline must be less than --lease-duration'],
    [['--retry-period', '0'], '--retry-period must be positive'],
  ];

  it.each(bad)('%j is refused with a clear error and exit code 2', async (args, message) => {
    const result = await runBin(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.startsWith('lb-controller: ')).toBe(true);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Run with --help for the options.');
  });

  it('reports every bad flag at once', async () => {
    const result = await runBin(['--metrics-port', '-1', '--retry-period', '-2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--metrics-port must be a port number');
    expect(result.stderr).toContain('--retry-period must be positive');
  });
});
