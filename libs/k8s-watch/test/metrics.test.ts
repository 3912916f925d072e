// Metrics as Prometheus scrapes them, from a real informer, queue, client and elector on kube-sim.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { connect, InformerFactory, LeaderElector, runWorkers, Services, WatchMetrics, WorkQueue } from '../src/index.js';
import { createServices, harness, waitFor } from './helpers.js';

describe('metrics', () => {
  it('counts watch, queue, request and election activity', async () => {
    const h = await harness();
    const registry = new Registry();
    const metrics = WatchMetrics.for(registry);
    expect(WatchMetrics.for(registry)).toBe(metrics);
    const client = await connect({ kubeconfig: h.sim.kubeconfigPath }, { observer: metrics.requestObserver() });
    try {
      await createServices(h.sim, 20);
      const factory = new InformerFactory(client, { metrics });
      const services = factory.informer(Services);
      const queue = new WorkQueue<string>({ observer: metrics.queue('services') });
      services.addHandlers({ onAdd: (s) => queue.add(`${s.metadata?.namespace}/${s.metadata?.name}`) });
      let processed = 0;
      const workers = runWorkers(queue, { handler: () => void processed++ });
      const elector = new LeaderElector({ client, namespace: 'default', name: 'm', identity: 'me', leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 200, observer: metrics.leaderElection('m') });
      elector.start();
      factory.start();
      await factory.synced();
      await waitFor(() => processed === 20 && elector.isLeader(), 5000, 'work and leadership');
      h.sim.faults.closeWatches();
      await waitFor(() => h.sim.watchCount > 0, 5000, 'the watch');
      const text = await registry.metrics();
      expect(text).toContain('lb_k8s_informer_objects{resource="services"} 20');
      expect(text).toContain('lb_k8s_informer_lists_total{resource="services"} 1');
      expect(text).toMatch(/lb_k8s_watch_restarts_total\{resource="services",reason="closed"\} [1-9]/);
      expect(text).toContain('lb_k8s_workqueue_adds_total{name="services"} 20');
      expect(text).toContain('lb_k8s_workqueue_depth{name="services"} 0');
      expect(text).toMatch(/lb_k8s_workqueue_queue_duration_seconds_count\{name="services"\} 20/);
      expect(text).toMatch(/lb_k8s_requests_total\{verb="LIST",code="200"\} 1/);
      expect(text).toContain('lb_k8s_leader_is_leader{lease="m"} 1');
      await elector.stop();
      expect(await registry.metrics()).toContain('lb_k8s_leader_is_leader{lease="m"} 0');
      await factory.stop();
      await queue.shutDown();
      await workers;
    } finally {
      client.close();
      await h.close();
    }
  });
});
