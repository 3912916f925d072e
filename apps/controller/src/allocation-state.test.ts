import { describe, expect, it } from 'vitest';
import { compile, type CompiledConfig } from '@lb/config-schema';
import { AllocationState, type ReconcileContext, type ServiceState } from './allocation-state.js';

function config(yaml: string): CompiledConfig {
  const result = compile(yaml);
  if (!result.ok) throw new Error(result.error.issues.map((e) => e.message).join('\n'));
  return result.value;
}

const POOLS = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: main, namespace: metallb-system}
spec:
  addresses: [10.0.0.0/30, fd00::/126]
---
apiVersion: network.deckhouse.io/v1alpha1
kind: MetalLoadBalancerClass
metadata: {name: edge}
spec:
  type: L2
  addressPool: [192.168.2.100-192.168.2.110]
  nodeSelector: {role: edge}
`;

const service = (name: string, extra: { spec?: Record<string, unknown>; annotations?: Record<string, string>; ingress?: string[] } = {}): ServiceState => ({
  metadata: { name, namespace: 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { type: 'LoadBalancer', ports: [{ protocol: 'TCP', port: 80 }], ...extra.spec },
  ...(extra.ingress ? { status: { loadBalancer: { ingress: extra.ingress.map((ip) => ({ ip })) } } } : {}),
});

const context = (nodes = 3): ReconcileContext => ({ namespaceLabels: {}, classNodeCount: () => nodes });

describe('AllocationState', () => {
  it('waits for a configuration before touching any Service', () => {
    const state = new AllocationState();
    expect(state.reconcile(service('a'), context())).toEqual({ kind: 'waiting', reason: 'no valid configuration yet' });
  });

  it('assigns, keeps on a second pass, and releases a Service that stops being LoadBalancer', () => {
    const state = new AllocationState();
    state.setConfig(config(POOLS));
    expect(state.reconcile(service('a'), context())).toMatchObject({ kind: 'assigned', pool: 'main', addresses: ['10.0.0.0'], changed: true, wanted: 1 });
    expect(state.reconcile(service('a'), context())).toMatchObject({ kind: 'assigned', addresses: ['10.0.0.0'], changed: false });
    expect(state.reconcile(service('a', { spec: { type: 'ClusterIP' } }), context())).toMatchObject({ kind: 'not-ours', clear: true });
    expect(state.held('default/a')).toEqual([]);
  });

  it('leaves Services of another load balancer class alone without clearing them', () => {
    const state = new AllocationState();
    state.setConfig(config(POOLS));
    expect(state.reconcile(service('other', { spec: { loadBalancerClass: 'someone-else' } }), context())).toMatchObject({ kind: 'not-ours', clear: false });
  });

  it('restores the addresses a Service shows, before anything new is handed out', () => {
    const state = new AllocationState();
    state.setConfig(config(POOLS));
    expect(state.restore(service('old', { ingress: ['10.0.0.2'] }), context())).toBe(true);
    expect(state.reconcile(service('new'), context())).toMatchObject({ addresses: ['10.0.0.0'] });
    expect(state.reconcile(service('old', { ingress: ['10.0.0.2'] }), context())).toMatchObject({ addresses: ['10.0.0.2'], changed: false });
    // An address outside every pool cannot be restored; the Service will be reconciled anew.
    expect(state.restore(service('lost', { ingress: ['172.16.0.1'] }), context())).toBe(false);
  });

  it('caps a class Service at one address per node, and says how many were asked for', () => {
    const state = new AllocationState();
    state.setConfig(config(POOLS));
    const web = service('web', { spec: { loadBalancerClass: 'edge' }, annotations: { 'network.deckhouse.io/l2-load-balancer-external-ips-count': '3' } });
    expect(state.reconcile(web, context(2))).toMatchObject({
      kind: 'assigned',
      className: 'edge',
      addresses: ['192.168.2.100', '192.168.2.101'],
      wanted: 3,
    });
    expect(state.reconcile(web, context(3))).toMatchObject({ addresses: ['192.168.2.100', '192.168.2.101', '192.168.2.102'], wanted: 3 });
  });

  it("refuses a plain Service asking for a class's address", () => {
    const state = new AllocationState();
    state.setConfig(config(POOLS));
    const outcome = state.reconcile(service('sneaky', { annotations: { 'metallb.io/loadBalancerIPs': '192.168.2.105' } }), context());
    expect(outcome).toMatchObject({ kind: 'failed' });
    expect(outcome.kind === 'failed' && outcome.message).toBe("192.168.2.105 belongs to MetalLoadBalancerClass 'edge'; set spec.loadBalancerClass to use it");
    expect(state.held('default/sneaky')).toEqual([]);
  });

  it('reports annotation errors as a failure naming the annotation', () => {
    const state = new AllocationState();
    state.setConfig(config(POOLS));
    const outcome = state.reconcile(service('bad', { annotations: { 'metallb.io/loadBalancerIPs': 'not-an-ip' } }), context());
    expect(outcome.kind).toBe('failed');
    expect(outcome.kind === 'failed' && outcome.message).toMatch(/^metallb\.io\/loadBalancerIPs: /);
  });

  it('reports what a configuration change released', () => {
    const state = new AllocationState();
    state.setConfig(config(POOLS));
    state.reconcile(service('a'), context());
    const { released } = state.setConfig(config(POOLS.replace('[10.0.0.0/30, fd00::/126]', '[10.0.1.0/30]')));
    expect(released.map((r) => [r.service, r.reason])).toEqual([['default/a', '10.0.0.0 is no longer in any pool']]);
  });
});
