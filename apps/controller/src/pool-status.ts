// Pool status: each IPAddressPool's assigned and available counts, and MetalLB's allocator gauges,
// from the service loop's allocator. Written a moment after changes settle, only where they differ.
import { type KubeClient, type KubeObject } from '@lb/k8s-watch';
import { type PoolStatistics } from '@lb/ipam';
import { type Logger } from './log.js';
import { type AllocatorMetrics } from './metrics.js';
import { IPAddressPools, type IPAddressPoolStatus } from './resources.js';
import { type ServiceLoop } from './service-loop.js';

/** A burst of assignments is written once. */
const SETTLE_MS = 500;

export interface PoolStatusDeps {
  readonly client: KubeClient;
  readonly log: Logger;
  readonly metrics: AllocatorMetrics;
  /** The configuration objects as cached now (the IPAddressPools among them). */
  readonly objects: () => readonly KubeObject[];
}

export class PoolStatusWriter {
  private timer: NodeJS.Timeout | undefined;
  private loop: ServiceLoop | undefined;

  constructor(private readonly deps: PoolStatusDeps) {}

  /** Writes from this loop's allocator from now on (a leader's term); undefined stops writing. */
  follow(loop: ServiceLoop | undefined): void {
    this.loop = loop;
    if (!loop) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Something was allocated or released: write soon. */
  schedule(): void {
    if (this.timer || !this.loop) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.write().catch((error: unknown) => this.deps.log.warn('pool status write failed', { error: error instanceof Error ? error.message : String(error) }));
    }, SETTLE_MS);
  }

  private async write(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    const stats = loop.statistics();
    this.deps.metrics.update(stats, loop.servicesPerPool());
    const config = loop.configuration;
    if (!config) return;
    const objects = this.deps.objects();
    for (const pool of config.pools) {
      if (pool.className !== undefined || !pool.source.namespace) continue;
      const object = objects.find((o) => o.kind === 'IPAddressPool' && o.metadata?.name === pool.source.name && o.metadata?.namespace === pool.source.namespace) as
        | (KubeObject & { status?: Partial<IPAddressPoolStatus> })
        | undefined;
      if (!object) continue;
      const status = poolStatus(stats, pool.name);
      const current = object.status ?? {};
      if (
        current.assignedIPv4 === status.assignedIPv4 &&
        current.assignedIPv6 === status.assignedIPv6 &&
        current.availableIPv4 === status.availableIPv4 &&
        current.availableIPv6 === status.availableIPv6
      ) {
        continue;
      }
      await this.deps.client.patch(IPAddressPools, pool.source.namespace, pool.source.name, { status }, { subresource: 'status' });
    }
  }
}

/** IPAddressPool status counts; availability beyond 2^53-1 (an IPv6 /64) is reported as that. */
export function poolStatus(stats: readonly PoolStatistics[], pool: string): IPAddressPoolStatus {
  const of = (family: 'IPv4' | 'IPv6'): PoolStatistics | undefined => stats.find((s) => s.pool === pool && s.family === family);
  const cap = (n: bigint): number => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n));
  return {
    assignedIPv4: of('IPv4')?.inUse ?? 0,
    assignedIPv6: of('IPv6')?.inUse ?? 0,
    availableIPv4: cap(of('IPv4')?.free ?? 0n),
    availableIPv6: cap(of('IPv6')?.free ?? 0n),
  };
}
