/**
 * The baseline: MetalLB's allocation algorithm, which walks each CIDR of each pool from its first
 * address and stops at the first one that is free (or shareable). Kept deliberately simple; the
 * property tests check that the real allocator picks the same addresses, and the benchmark
 * measures how much faster it does so. Single-family, IPv4, no sharing: what the comparisons need.
 */
export interface ScanPool {
  readonly name: string;
  /** Inclusive [first, last] as IPv4 numbers, in declaration order. */
  readonly ranges: ReadonlyArray<readonly [number, number]>;
  readonly avoidBuggyIPs: boolean;
}

export class ScanAllocator {
  private readonly held = new Map<number, string>();
  private readonly byService = new Map<string, number>();

  constructor(private readonly pools: readonly ScanPool[]) {}

  allocate(service: string): number | undefined {
    const existing = this.byService.get(service);
    if (existing !== undefined) return existing;
    for (const pool of this.pools) {
      for (const [first, last] of pool.ranges) {
        for (let ip = first; ip <= last; ip++) {
          const low = ip & 0xff;
          if (pool.avoidBuggyIPs && (low === 0 || low === 255)) continue;
          if (this.held.has(ip)) continue;
          this.held.set(ip, service);
          this.byService.set(service, ip);
          return ip;
        }
      }
    }
    return undefined;
  }

  release(service: string): void {
    const ip = this.byService.get(service);
    if (ip === undefined) return;
    this.byService.delete(service);
    this.held.delete(ip);
  }
}

export function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}
