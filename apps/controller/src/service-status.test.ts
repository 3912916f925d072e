import { describe, expect, it } from 'vitest';
import { type ServiceOutcome, type ServiceState } from './service-outcome.js';
import { POOL_ANNOTATION, serviceWrites } from './service-status.js';

const NOW = '2026-11-22T10:00:00Z';
const svc = (ingress: string[] = [], annotations: Record<string, string> = {}, conditions: unknown[] = []): ServiceState => ({
  metadata: { name: 'web', namespace: 'shop', annotations },
  spec: { type: 'LoadBalancer' },
  status: { loadBalancer: ingress.length ? { ingress: ingress.map((ip) => ({ ip })) } : {}, ...(conditions.length ? { conditions } : {}) },
});
const assigned = (addresses: string[], extra: Partial<Extract<ServiceOutcome, { kind: 'assigned' }>> = {}): ServiceOutcome => ({
  kind: 'assigned',
  pool: 'main',
  addresses,
  changed: true,
  wanted: addresses.length,
  className: undefined,
  issues: [],
  ...extra,
});

describe('serviceWrites', () => {
  it('writes the address, the pool annotation and an IPAllocated event for a new assignment', () => {
    expect(serviceWrites(svc(), assigned(['10.0.0.1']), NOW)).toEqual({
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.1' }] } },
      annotations: { [POOL_ANNOTATION]: 'main' },
      events: [{ type: 'Normal', reason: 'IPAllocated', message: 'Assigned IP ["10.0.0.1"]' }],
    });
  });

  it('writes nothing when the Service already shows the assignment', () => {
    expect(serviceWrites(svc(['10.0.0.1'], { [POOL_ANNOTATION]: 'main' }), assigned(['10.0.0.1'], { changed: false }), NOW)).toEqual({
      status: undefined,
      annotations: undefined,
      events: [],
    });
  });

  it('clears the address and annotation, with a Warning, when allocation fails', () => {
    const writes = serviceWrites(svc(['10.0.0.1'], { [POOL_ANNOTATION]: 'main' }), { kind: 'failed', message: "pool 'main' has no free IPv4 address", wanted: 1, className: undefined, issues: [] }, NOW);
    expect(writes.status).toEqual({ loadBalancer: {} });
    expect(writes.annotations).toEqual({ [POOL_ANNOTATION]: null });
    // The reason first, then MetalLB's words naming the Service.
    expect(writes.events).toEqual([{ type: 'Warning', reason: 'AllocationFailed', message: 'pool \'main\' has no free IPv4 address. Failed to allocate IP for "shop/web"' }]);
  });

  it('clears a Service that is no LoadBalancer any more, and leaves other classes untouched', () => {
    expect(serviceWrites(svc(['10.0.0.1'], { [POOL_ANNOTATION]: 'main' }), { kind: 'not-ours', reason: 'type is ClusterIP', clear: true }, NOW)).toMatchObject({
      status: { loadBalancer: {} },
      annotations: { [POOL_ANNOTATION]: null },
    });
    expect(serviceWrites(svc(['10.9.9.9']), { kind: 'not-ours', reason: 'other class', clear: false }, NOW)).toEqual({ status: undefined, annotations: undefined, events: [] });
  });

  it('sets the class conditions, "2 of 3", and keeps a condition transition time while it holds', () => {
    const outcome = assigned(['192.168.2.100', '192.168.2.101'], { className: 'edge', pool: 'class:edge', wanted: 3 });
    const first = serviceWrites(svc(), outcome, NOW);
    expect(first.annotations).toBeUndefined();
    expect(first.status?.conditions).toEqual([
      { type: 'AllPublicIPsAssigned', status: 'False', reason: 'NotAllIPsAssigned', message: '2 of 3 public IPs were assigned', lastTransitionTime: NOW },
      { type: 'network.deckhouse.io/load-balancer-class', status: 'True', reason: 'LoadBalancerClassBound', message: 'edge', lastTransitionTime: NOW },
    ]);
    expect(first.events.map((e) => e.reason)).toEqual(['IPAllocated', 'NotAllIPsAssigned']);
    const unchanged = assigned(['192.168.2.100', '192.168.2.101'], { className: 'edge', pool: 'class:edge', wanted: 3, changed: false });
    const again = serviceWrites(svc(['192.168.2.100', '192.168.2.101'], {}, first.status?.conditions ?? []), unchanged, '2026-11-22T11:00:00Z');
    expect(again.status).toBeUndefined();
  });

  it('turns deprecated-annotation issues into Warning events and drops the deprecated pool annotation', () => {
    const outcome = assigned(['10.0.0.1'], {
      changed: false,
      issues: [{ severity: 'warning', annotation: 'metallb.universe.tf/address-pool', message: 'deprecated: use metallb.io/address-pool' }],
    });
    const writes = serviceWrites(svc(['10.0.0.1'], { [POOL_ANNOTATION]: 'main', 'metallb.universe.tf/ip-allocated-from-pool': 'main' }), outcome, NOW);
    expect(writes.annotations).toEqual({ 'metallb.universe.tf/ip-allocated-from-pool': null });
    expect(writes.events).toEqual([{ type: 'Warning', reason: 'DeprecatedAnnotation', message: 'metallb.universe.tf/address-pool: deprecated: use metallb.io/address-pool' }]);
  });
});
