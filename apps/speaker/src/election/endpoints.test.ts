import { describe, expect, it } from 'vitest';
import { endpointCanServe, endpointsByService, endpointsOf } from './endpoints.js';

describe('endpointCanServe (MetalLB)', () => {
  const cases: Array<[string, Parameters<typeof endpointCanServe>[0], boolean]> = [
    ['no conditions', undefined, true],
    ['ready absent', {}, true],
    ['ready', { ready: true }, true],
    ['not ready', { ready: false }, false],
    ['not ready but serving (terminating during a rollout)', { ready: false, serving: true, terminating: true }, true],
    ['not ready, not serving', { ready: false, serving: false }, false],
  ];
  it.each(cases)('%s → %s', (_name, conditions, expected) => expect(endpointCanServe(conditions)).toBe(expected));
});

describe('endpointsByService', () => {
  it('groups slices by the service-name label and namespace, and keeps nodes with a serving endpoint', () => {
    const index = endpointsByService([
      { metadata: { namespace: 'a', labels: { 'kubernetes.io/service-name': 'web' } }, endpoints: [{ nodeName: 'n1' }, { nodeName: 'n2', conditions: { ready: false } }] },
      { metadata: { namespace: 'a', labels: { 'kubernetes.io/service-name': 'web' } }, endpoints: [{ nodeName: 'n3', conditions: { ready: true } }, {}] },
      { metadata: { namespace: 'b', labels: { 'kubernetes.io/service-name': 'web' } }, endpoints: [{ nodeName: 'n9', conditions: { ready: false } }] },
      { metadata: { namespace: 'a' }, endpoints: [{ nodeName: 'x' }] },
    ]);
    expect(endpointsOf(index, 'a/web')).toEqual({ any: true, nodes: new Set(['n1', 'n3']) });
    expect(endpointsOf(index, 'b/web')).toEqual({ any: false, nodes: new Set() });
    expect(endpointsOf(index, 'c/none').any).toBe(false);
  });
});
