// MetalLB's Kubernetes client metrics (metallb_k8s_client_*), with the names its dashboards and
// alerts use. They live in the app that keeps MetalLB's names; @lb/k8s-watch has its own, neutral ones.
import { Counter, Gauge, type Registry } from 'prom-client';

/** MetalLB's Kubernetes client metrics, with the names its dashboards and alerts use. */
export class MetalLBClientMetrics {
  readonly configLoaded: Gauge;
  readonly configStale: Gauge;
  readonly updates: Counter;
  readonly updateErrors: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.configLoaded = new Gauge({ name: 'metallb_k8s_client_config_loaded_bool', help: '1 once a configuration has loaded successfully.', registers });
    this.configStale = new Gauge({ name: 'metallb_k8s_client_config_stale_bool', help: '1 while running on an older configuration because the latest failed to load.', registers });
    this.updates = new Counter({ name: 'metallb_k8s_client_updates_total', help: 'Kubernetes object updates processed.', registers });
    this.updateErrors = new Counter({ name: 'metallb_k8s_client_update_errors_total', help: 'Kubernetes object updates whose processing failed.', registers });
    this.configLoaded.set(0);
    this.configStale.set(0);
  }

  /** One object update was processed; `ok` false counts it as an error too. */
  updateProcessed(ok: boolean): void {
    this.updates.inc();
    if (!ok) this.updateErrors.inc();
  }

  /** The configuration loaded: loaded, and no longer stale. */
  configLoadSucceeded(): void {
    this.configLoaded.set(1);
    this.configStale.set(0);
  }

  /** The latest configuration failed to load: whatever runs is stale. */
  configLoadFailed(): void {
    this.configStale.set(1);
  }
}

/** Registers MetalLB's four client metrics on `registry`. */
export function registerMetalLBClientMetrics(registry: Registry): MetalLBClientMetrics {
  return new MetalLBClientMetrics(registry);
}
