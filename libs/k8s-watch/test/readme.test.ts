// The README's example (examples/controller.ts) against kube-sim: two instances, one leads and
// assigns addresses; when it stops, the other takes over and carries on.
import { start } from '@lb/kube-sim';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { runController } from '../examples/controller.js';
import { type Event, type Service } from '../src/index.js';
import { service, waitFor } from './helpers.js';

describe('README example', () => {
  it('assigns addresses while leading, and a second instance takes over', { timeout: 60_000 }, async () => {
    const sim = await start();
    const lb = (name: string): Service => ({ ...service(name), spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80, protocol: 'TCP' }] } });
    const ingress = (name: string): string | undefined => (sim.store.get('services', name, 'default') as Service).status?.loadBalancer?.ingress?.[0]?.ip;
    try {
      await sim.store.create(lb('web') as never);
      const first = new AbortController();
      const second = new AbortController();
      const registry = new Registry();
      const a = runController({ kubeconfig: sim.kubeconfigPath, identity: 'a', addresses: ['192.0.2.1'], signal: first.signal, registry });
      await waitFor(() => ingress('web') === '192.0.2.1', 10_000, 'web to get an address');
      expect(await registry.metrics()).toContain('lb_k8s_workqueue_adds_total{name="services"}');
      const b = runController({ kubeconfig: sim.kubeconfigPath, identity: 'b', addresses: ['192.0.2.2'], signal: second.signal });
      first.abort();
      await a;
      await sim.store.create(lb('db') as never);
      await waitFor(() => ingress('db') === '192.0.2.2', 20_000, 'db to get an address from the new leader');
      second.abort();
      await b;
      const events = sim.store.list('events', 'default') as Event[];
      expect(events.map((e) => `${e.involvedObject.name} ${e.reason} ${e.message}`).sort()).toEqual(['db IPAllocated Assigned IP ["192.0.2.2"]', 'web IPAllocated Assigned IP ["192.0.2.1"]']);
    } finally {
      await sim.stop();
    }
  });
});
