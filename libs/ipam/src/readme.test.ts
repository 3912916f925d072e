import { describe, expect, it } from 'vitest';
import { Allocator } from './index.js';

// The example in README.md, kept working.
describe('README example', () => {
  it('behaves as documented', () => {
    const allocator = new Allocator();
    const pools = allocator.setPools([
      { name: 'cheap', addresses: ['192.168.10.0/24', '192.168.9.1-192.168.9.5', 'fc00:f853:ccd:e799::/124'] },
      { name: 'tenant-a', addresses: ['10.1.0.0/24'], serviceAllocation: { priority: 50, namespaces: ['team-a'] } },
    ]);
    expect(pools.ok).toBe(true);
    expect(allocator.allocate({ service: 'team-a/web' })).toMatchObject({ ok: true, value: { pool: 'tenant-a', addresses: ['10.1.0.0'], changed: true, missing: 0 } });
    expect(allocator.allocate({ service: 'demo/nginx', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] })).toMatchObject({
      ok: true,
      value: { pool: 'cheap', addresses: ['192.168.10.0', 'fc00:f853:ccd:e799::'] },
    });
    expect(allocator.allocate({ service: 'demo/other', requestedIPs: ['10.1.0.5'], requestedPool: 'cheap' })).toEqual({
      ok: false,
      error: { kind: 'AddressNotInRequestedPool', message: "10.1.0.5 is in pool 'tenant-a' but the service asked for pool 'cheap'" },
    });
    expect(allocator.statistics()[0]).toEqual({ pool: 'cheap', family: 'IPv4', total: 261n, inUse: 1, free: 260n });
  });
});
