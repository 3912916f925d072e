import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HelpRequested, parseHostPort, parseOptions } from './cli.js';

describe('parseOptions', () => {
  it('reads MetalLB\'s environment variables, flags winning', async () => {
    const options = await parseOptions(['--ml-bindport', '8000'], {
      METALLB_NODE_NAME: 'n1',
      METALLB_HOST: '10.0.0.1',
      METALLB_ML_BIND_PORT: '7000',
      METALLB_ML_SECRET_KEY_PATH: '/etc/ml_secret_key',
      METALLB_ML_LABELS: 'app=metallb,component=speaker',
      METALLB_NAMESPACE: 'lb',
      METALLB_LB_CLASS: 'ours',
      METALLB_IGNORE_EXCLUDE_LB: 'true',
      METALLB_LOG_LEVEL: 'debug',
    });
    expect(options).toMatchObject({
      nodeName: 'n1',
      host: '10.0.0.1',
      mlBindPort: 8000,
      mlSecretKeyPath: '/etc/ml_secret_key',
      mlLabels: 'app=metallb,component=speaker',
      mlNamespace: 'lb',
      namespace: 'lb',
      lbClass: 'ours',
      ignoreExcludeLB: true,
      logLevel: 'debug',
      metricsHost: '127.0.0.1',
      metricsPort: 7472,
    });
  });

  it('refuses bad input with every problem at once', async () => {
    await expect(parseOptions(['--ml-bindport', '0', '--metrics-bind-address', 'nowhere', '--exclude-interfaces', '('], {})).rejects.toThrow(
      /--node-name \(or METALLB_NODE_NAME\) is required\n--ml-bindport must be a port number.*\n--metrics-bind-address must be host:port.*\n--exclude-interfaces is not a regular expression/,
    );
  });

  it('answers --help with the help text, needing no other flag, and refuses unknown arguments with it', async () => {
    await expect(parseOptions(['--help'], {})).rejects.toBeInstanceOf(HelpRequested);
    await expect(parseOptions(['-h', '--bogus'], {})).rejects.toThrow(/Unknown argument: bogus/);
  });

  it('parses host:port forms', () => {
    expect(parseHostPort('[::1]:7472')).toEqual({ host: '::1', port: 7472 });
    expect(parseHostPort(':9')).toEqual({ host: '0.0.0.0', port: 9 });
    expect(parseHostPort('h:70000')).toBeUndefined();
  });
});

describe('lb-speaker (the bin)', () => {
  const bin = join(import.meta.dirname, '..', '..', 'bin', 'lb-speaker.mjs');
  const run = (args: readonly string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, METALLB_NODE_NAME: '', KUBECONFIG: '' } });

  it.each([
    [['--bogus'], /Unknown argument: bogus/],
    [['--node-name', 'n1', 'stray'], /Unknown argument: stray/],
    [['--node-name', 'n1', '--bogus', '--help'], /Unknown argument: bogus/],
    [['--help', '--bogus'], /Unknown argument: bogus/],
    [['--node-name', 'n1', '--ml-bindport', '0'], /--ml-bindport must be a port number/],
  ])('exits 2 with the problem on stderr for %j', (args, message) => {
    const r = run(args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Run with --help/);
    expect(r.status).toBe(2);
  });

  it('prints the help on stdout and exits 0 for --help alone', () => {
    const r = run(['--help']);
    expect(r.stdout).toMatch(/--node-name/);
    expect(r.status).toBe(0);
  });
});
