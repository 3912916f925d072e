import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerMetalLBClientMetrics } from './client-metrics.js';

// Moved here from @lb/k8s-watch with the metrics themselves.
describe('MetalLB client metrics', () => {
  it("registers MetalLB's client metrics under their names", async () => {
    const registry = new Registry();
    const m = registerMetalLBClientMetrics(registry);
    m.updateProcessed(true);
    m.updateProcessed(false);
    m.configLoadSucceeded();
    m.configLoadFailed();
    const text = await registry.metrics();
    expect(text).toContain('metallb_k8s_client_updates_total 2');
    expect(text).toContain('metallb_k8s_client_update_errors_total 1');
    expect(text).toContain('metallb_k8s_client_config_loaded_bool 1');
    expect(text).toContain('metallb_k8s_client_config_stale_bool 1');
    expect(() => registerMetalLBClientMetrics(registry)).toThrow(/already been registered/);
  });
});
