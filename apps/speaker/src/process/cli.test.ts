import { describe, expect, it } from 'vitest';
import { parseHostPort, parseOptions } from './cli.js';

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

  it('parses host:port forms', () => {
    expect(parseHostPort('[::1]:7472')).toEqual({ host: '::1', port: 7472 });
    expect(parseHostPort(':9')).toEqual({ host: '0.0.0.0', port: 9 });
    expect(parseHostPort('h:70000')).toBeUndefined();
  });
});
