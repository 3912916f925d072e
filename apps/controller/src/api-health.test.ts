import { describe, expect, it } from 'vitest';
import { ApiHealth, type WatchState } from './api-health.js';

const watch = (resource: string, failingSince?: number, error?: string): WatchState => ({ resource, failingSince, lastError: error === undefined ? undefined : new Error(error) });

describe('ApiHealth', () => {
  it('stays quiet for a blip, warns past the threshold, repeats while it lasts, and says when the API is back', () => {
    const health = new ApiHealth({ thresholdMs: 5000, repeatMs: 30_000 });
    expect(health.check(0, [watch('services'), watch('nodes')])).toEqual({ healthy: true, failingSeconds: 0 });
    expect(health.check(4000, [watch('services', 1000, 'connect ECONNREFUSED'), watch('nodes')])).toEqual({ healthy: true, failingSeconds: 3 });

    const lost = health.check(7000, [watch('services', 1000, 'connect ECONNREFUSED'), watch('nodes', 2000, 'connect ECONNREFUSED')]);
    expect(lost).toEqual({
      healthy: false,
      failingSeconds: 6,
      log: {
        level: 'warn',
        message: 'Kubernetes API unreachable: watches failing, serving from the cache',
        fields: { failingSeconds: 6, resources: ['services', 'nodes'], error: 'connect ECONNREFUSED' },
      },
    });
    expect(health.check(8000, [watch('services', 1000, 'x')])).toEqual({ healthy: false, failingSeconds: 7 });
    expect(health.check(37_000, [watch('services', 1000, 'x')]).log?.fields).toMatchObject({ failingSeconds: 36 });

    expect(health.check(40_000, [watch('services'), watch('nodes')])).toEqual({
      healthy: true,
      failingSeconds: 0,
      log: { level: 'info', message: 'Kubernetes API reachable again', fields: { outageSeconds: 39 } },
    });
    expect(health.check(41_000, [watch('services')])).toEqual({ healthy: true, failingSeconds: 0 });
  });
});
