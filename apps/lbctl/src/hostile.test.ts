// A dump is user input: objects of the right kind with fields of the wrong shape must give an
// answer (or a clear refusal), never an exception.
import { describe, expect, it } from 'vitest';
import { clusterStatus } from './status.js';
import { explainService } from './explain.js';
import { planChange } from './plan.js';
import { renderExplanation } from './render-explain.js';
import { renderPlan } from './render-plan.js';
import { renderStatus } from './render-status.js';
import { snapshotFromObjects } from './snapshot.js';
import * as f from '../test/fixtures.js';

const hostile: Array<Record<string, unknown>> = [
  { apiVersion: 'v1', kind: 'Service', metadata: 'oops' },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'a' }, spec: 5, status: [] },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'y', namespace: 'a' }, spec: { type: 'LoadBalancer', ports: 'eighty' }, status: { loadBalancer: { ingress: [{ hostname: 'h' }, 7, null] } } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'z', namespace: 'a', annotations: { 'metallb.io/loadBalancerIPs': '' } }, spec: { type: 'LoadBalancer', ipFamilies: ['IPv9'] }, status: { loadBalancer: { ingress: [{ ip: 'not-an-ip' }] } } },
  { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', labels: 'none' }, status: { conditions: 'bad' }, spec: { taints: [{}] } },
  { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'metallb-system', labels: { 'app.kubernetes.io/component': 'speaker' } }, status: { conditions: {} } },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'e', namespace: 'a', labels: { 'kubernetes.io/service-name': 'y' } }, endpoints: 'none' },
  { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceL2Status', metadata: { name: 's', namespace: 'metallb-system' }, status: { interfaces: 'eth0' } },
  { apiVersion: 'metallb.io/v1beta1', kind: 'ServiceBGPStatus', metadata: { name: 'b', namespace: 'metallb-system', labels: { 'metallb.io/service-name': 'y', 'metallb.io/service-namespace': 'a' } }, status: { peers: 'r1' } },
  { apiVersion: 'frrk8s.metallb.io/v1beta1', kind: 'BGPSessionState', metadata: { name: 'ss', namespace: 'metallb-system' }, status: 'up' },
  { apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev', namespace: 'a' }, involvedObject: { kind: 'Service', name: 'y' }, count: 'many' },
  { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bad', namespace: 'metallb-system' }, spec: { addresses: 'all' } },
];

describe('hostile input', () => {
  expect(hostile.length).toBeGreaterThan(0);
  const valid = [f.pool('one', ['10.0.0.0/30']), f.l2('l2')];

  it.each(['a/x', 'a/y', 'a/z', 'a/none'])('explain %s answers', (key) => {
    for (const config of [[], valid]) {
      const snapshot = snapshotFromObjects([...config, ...hostile]);
      const e = explainService(snapshot, key);
      expect(typeof e.summary).toBe('string');
      expect(() => renderExplanation(e)).not.toThrow();
    }
  });

  it('status and plan answer', () => {
    const snapshot = snapshotFromObjects([...valid, ...hostile.filter((o) => o['kind'] !== 'IPAddressPool')]);
    expect(() => renderStatus(clusterStatus(snapshot))).not.toThrow();
    expect(() => renderPlan(planChange(snapshot, [f.pool('one', ['10.0.0.0/31']), { kind: 'IPAddressPool', spec: null }, 'text', null]))).not.toThrow();
  });
});
