import { Gauge, type Registry } from 'prom-client';
import { type PoolStatistics } from '@lb/ipam';

/**
 * MetalLB's allocator gauges, by the names its dashboards and alerts use. Totals of huge IPv6
 * pools exceed what a float holds exactly; Prometheus stores floats anyway.
 */
export class AllocatorMetrics {
  private readonly gauges: Record<'total' | 'inUse' | 'v4Total' | 'v6Total' | 'v4InUse' | 'v6InUse' | 'services', Gauge<'pool'>>;
  private known = new Set<string>();

  constructor(registry: Registry) {
    const gauge = (name: string, help: string): Gauge<'pool'> =>
      new Gauge({ name: `metallb_allocator_${name}`, help, labelNames: ['pool'], registers: [registry] });
    this.gauges = {
      total: gauge('addresses_total', 'Number of usable IP addresses, per pool'),
      inUse: gauge('addresses_in_use_total', 'Number of IP addresses in use, per pool'),
      v4Total: gauge('ipv4_addresses_total', 'Number of usable IPv4 addresses, per pool'),
      v6Total: gauge('ipv6_addresses_total', 'Number of usable IPv6 addresses, per pool'),
      v4InUse: gauge('ipv4_addresses_in_use_total', 'Number of IPv4 addresses in use, per pool'),
      v6InUse: gauge('ipv6_addresses_in_use_total', 'Number of IPv6 addresses in use, per pool'),
      services: gauge('services_allocated_total', 'Number of services allocated, per pool'),
    };
  }

  /** Sets every gauge from the allocator's statistics; pools that vanished lose their series. */
  update(statistics: readonly PoolStatistics[], servicesPerPool: ReadonlyMap<string, number>): void {
    const pools = new Set(statistics.map((s) => s.pool));
    for (const gone of this.known) {
      if (pools.has(gone)) continue;
      for (const gauge of Object.values(this.gauges)) gauge.remove({ pool: gone });
    }
    this.known = pools;
    for (const pool of pools) {
      const v4 = statistics.find((s) => s.pool === pool && s.family === 'IPv4');
      const v6 = statistics.find((s) => s.pool === pool && s.family === 'IPv6');
      const labels = { pool };
      this.gauges.v4Total.set(labels, Number(v4?.total ?? 0n));
      this.gauges.v6Total.set(labels, Number(v6?.total ?? 0n));
      this.gauges.total.set(labels, Number((v4?.total ?? 0n) + (v6?.total ?? 0n)));
      this.gauges.v4InUse.set(labels, v4?.inUse ?? 0);
      this.gauges.v6InUse.set(labels, v6?.inUse ?? 0);
      this.gauges.inUse.set(labels, (v4?.inUse ?? 0) + (v6?.inUse ?? 0));
      this.gauges.services.set(labels, servicesPerPool.get(pool) ?? 0);
    }
  }
}

/** Whether the Kubernetes API answers the controller's watches (not a MetalLB metric; MetalLB has none). */
export class ApiHealthMetrics {
  private readonly healthy: Gauge;
  private readonly failing: Gauge;

  constructor(registry: Registry) {
    this.healthy = new Gauge({
      name: 'lb_controller_api_healthy',
      help: '0 while watches of the Kubernetes API have failed for longer than 5 s (the controller runs on its cache), 1 otherwise.',
      registers: [registry],
    });
    this.failing = new Gauge({
      name: 'lb_controller_watch_failing_seconds',
      help: 'Seconds the longest-failing watch of the Kubernetes API has been failing; 0 while every watch works.',
      registers: [registry],
    });
    this.healthy.set(1);
    this.failing.set(0);
  }

  update(healthy: boolean, failingSeconds: number): void {
    this.healthy.set(healthy ? 1 : 0);
    this.failing.set(failingSeconds);
  }
}
