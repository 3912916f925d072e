import { describe, expect, it } from 'vitest';
import { environmentVariable, parseOptions } from './cli.js';

describe('controller flags from the environment', () => {
  const cases: ReadonlyArray<{ name: string; argv: string[]; env: Record<string, string>; expected: Record<string, unknown> }> = [
    { name: 'a flag from its variable', argv: [], env: { LB_LOG_LEVEL: 'debug' }, expected: { logLevel: 'debug' } },
    { name: 'a number from its variable', argv: [], env: { LB_METRICS_PORT: '9000' }, expected: { metricsPort: 9000 } },
    { name: 'the default number of workers', argv: [], env: {}, expected: { workers: 128 } },
    { name: 'workers from the command line', argv: ['--workers', '16'], env: {}, expected: { workers: 16 } },
    { name: 'a boolean from its variable', argv: [], env: { LB_LEADER_ELECT: 'true' }, expected: { leaderElect: true } },
    { name: 'the command line wins', argv: ['--log-level=warn'], env: { LB_LOG_LEVEL: 'debug' }, expected: { logLevel: 'warn' } },
    { name: 'the command line wins, space-separated', argv: ['--namespace', 'a'], env: { LB_NAMESPACE: 'b' }, expected: { namespaces: ['a'] } },
    {
      name: "Kubernetes' service variables are ignored",
      argv: [],
      env: { LB_WEBHOOK_SERVICE_SERVICE_HOST: '10.0.0.1', LB_WEBHOOK_SERVICE_PORT: 'tcp://10.0.0.1:443', LB_PORT: 'tcp://10.0.0.2:80' },
      expected: { webhookServiceName: 'metallb-webhook-service', metricsPort: 7472 },
    },
  ];
  it.each(cases)('$name', async ({ argv, env, expected }) => {
    expect(await parseOptions(argv, env)).toMatchObject(expected);
  });
  expect(cases.length).toBeGreaterThan(0);

  it('names variables after flags', () => {
    expect(environmentVariable('lease-duration')).toBe('LB_LEASE_DURATION');
  });

  it('still refuses an unknown flag and a bad value from a variable', async () => {
    await expect(parseOptions(['--bogus-flag'], {})).rejects.toThrow(/bogus-flag/);
    await expect(parseOptions([], { LB_METRICS_PORT: 'many' })).rejects.toThrow(/--metrics-port must be a number/);
    await expect(parseOptions(['--workers', '0'], {})).rejects.toThrow(/--workers must be a whole number from 1 to 10000, got 0/);
    await expect(parseOptions(['--workers', '2.5'], {})).rejects.toThrow(/--workers must be a whole number/);
  });
});
