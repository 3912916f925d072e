import { describe, expect, it } from 'vitest';
import { Allocator } from './allocator.js';
import { type AllocationErrorKind } from './errors.js';
import { type PoolSpec } from './pool.js';
import { type AllocationRequest } from './request.js';

/**
 * Each case is a list of ordered steps against one allocator, written the way the rules read:
 * "s1 takes .4, s2 cannot, s1 releases, s2 can".
 */
type Request = Partial<AllocationRequest> & { service: string };
type Outcome = { addresses: string[]; pool?: string; changed?: boolean; missing?: number } | { fails: AllocationErrorKind; message?: RegExp };
type Step =
  | { allocate: Request; expect: Outcome }
  | { assign: Request; addresses: string[]; expect: Outcome }
  | { release: string; expect?: string[] | undefined }
  | {
      setPools: PoolSpec[];
      released?: Array<[service: string, reason: RegExp]>;
      moved?: Array<{ from: string; to: string; services: string[] }>;
      errors?: Array<[pool: string, path: string, message: RegExp]>;
    }
  | { stats: { pool: string; family: 'IPv4' | 'IPv6'; total: bigint; inUse: number; free: bigint } }
  | { holds: string; addresses: string[] | undefined; pool?: string };

interface Case {
  name: string;
  pools: PoolSpec[];
  steps: Step[];
}

const svc = (name: string, extra: Omit<Request, 'service'> = {}): Request => ({ service: `default/${name}`, ...extra });
const tcp = (port: number) => ({ protocol: 'TCP', port });

const cases: Case[] = [
  {
    name: 'hands out addresses lowest first, .0 included unless avoided, until the pool is full',
    pools: [{ name: 'a', addresses: ['10.0.0.0/31', '10.0.0.8-10.0.0.8'] }],
    steps: [
      { allocate: svc('s1'), expect: { addresses: ['10.0.0.0'], pool: 'a' } },
      { allocate: svc('s2'), expect: { addresses: ['10.0.0.1'] } },
      { allocate: svc('s3'), expect: { addresses: ['10.0.0.8'] } },
      { allocate: svc('s4'), expect: { fails: 'NoAddressAvailable', message: /no pool that serves default\/s4 has a free IPv4 address \(tried 'a'\)/ } },
      { release: 'default/s2', expect: ['10.0.0.1'] },
      { allocate: svc('s4'), expect: { addresses: ['10.0.0.1'] } },
    ],
  },
  {
    name: 'a requested address: s1 takes .4, s2 cannot, s1 releases, s2 can',
    pools: [{ name: 'a', addresses: ['10.0.0.0/24'] }],
    steps: [
      { allocate: svc('s1', { requestedIPs: ['10.0.0.4'] }), expect: { addresses: ['10.0.0.4'] } },
      {
        allocate: svc('s2', { requestedIPs: ['10.0.0.4'] }),
        expect: { fails: 'AddressInUse', message: /^10\.0\.0\.4 is in use by default\/s1, which does not allow sharing$/ },
      },
      { release: 'default/s1' },
      { allocate: svc('s2', { requestedIPs: ['10.0.0.4'] }), expect: { addresses: ['10.0.0.4'] } },
      { allocate: svc('s3'), expect: { addresses: ['10.0.0.0'] } },
      { allocate: svc('s4'), expect: { addresses: ['10.0.0.1'] } },
    ],
  },
  {
    name: 'automatic allocation skips addresses taken by request',
    pools: [{ name: 'a', addresses: ['10.0.0.0/30'] }],
    steps: [
      { allocate: svc('pinned', { requestedIPs: ['10.0.0.1'] }), expect: { addresses: ['10.0.0.1'] } },
      { allocate: svc('s1'), expect: { addresses: ['10.0.0.0'] } },
      { allocate: svc('s2'), expect: { addresses: ['10.0.0.2'] } },
    ],
  },
  {
    name: 'avoidBuggyIPs never hands out .0 or .255 and refuses them when asked',
    pools: [{ name: 'a', addresses: ['10.0.0.254-10.0.1.1'], avoidBuggyIPs: true }],
    steps: [
      { allocate: svc('s1'), expect: { addresses: ['10.0.0.254'] } },
      { allocate: svc('s2'), expect: { addresses: ['10.0.1.1'] } },
      { allocate: svc('s3'), expect: { fails: 'NoAddressAvailable' } },
      {
        allocate: svc('s4', { requestedIPs: ['10.0.1.0'] }),
        expect: { fails: 'AddressAvoided', message: /^10\.0\.1\.0 ends in \.0 or \.255, which pool 'a' avoids \(avoidBuggyIPs\)$/ },
      },
      { stats: { pool: 'a', family: 'IPv4', total: 2n, inUse: 2, free: 0n } },
    ],
  },
  {
    name: 'autoAssign false: skipped automatically, used when the pool or an address is asked for',
    pools: [
      { name: 'reserved', addresses: ['10.0.0.0/30'], autoAssign: false },
      { name: 'cheap', addresses: ['10.1.0.0/30'] },
    ],
    steps: [
      { allocate: svc('s1'), expect: { addresses: ['10.1.0.0'], pool: 'cheap' } },
      { allocate: svc('s2', { requestedPool: 'reserved' }), expect: { addresses: ['10.0.0.0'], pool: 'reserved' } },
      { allocate: svc('s3', { requestedIPs: ['10.0.0.3'] }), expect: { addresses: ['10.0.0.3'], pool: 'reserved' } },
    ],
  },
  {
    name: 'requested pool: unknown, exhausted',
    pools: [{ name: 'blue', addresses: ['10.0.0.1', 'fd00::/127'] }],
    steps: [
      { allocate: svc('s1', { requestedPool: 'green' }), expect: { fails: 'UnknownPool', message: /^pool 'green' does not exist$/ } },
      { allocate: svc('s1', { requestedPool: 'blue' }), expect: { addresses: ['10.0.0.1'] } },
      { allocate: svc('s2', { requestedPool: 'blue' }), expect: { fails: 'PoolExhausted', message: /^pool 'blue' has no free IPv4 address$/ } },
      { allocate: svc('v6a', { requestedPool: 'blue', ipFamilies: ['IPv6'] }), expect: { addresses: ['fd00::'] } },
      { allocate: svc('v6b', { requestedPool: 'blue', ipFamilies: ['IPv6'] }), expect: { addresses: ['fd00::1'] } },
      { allocate: svc('v6c', { requestedPool: 'blue', ipFamilies: ['IPv6'] }), expect: { fails: 'PoolExhausted', message: /^pool 'blue' has no free IPv6 address$/ } },
    ],
  },
  {
    name: 'requested addresses must be in a pool, and in the requested pool',
    pools: [
      { name: 'a', addresses: ['10.0.0.0/28'] },
      { name: 'b', addresses: ['10.0.1.0/28'] },
    ],
    steps: [
      { allocate: svc('s1', { requestedIPs: ['192.168.0.1'] }), expect: { fails: 'AddressNotInAnyPool', message: /^192\.168\.0\.1 is not in any pool$/ } },
      {
        allocate: svc('s1', { requestedIPs: ['10.0.0.5'], requestedPool: 'b' }),
        expect: { fails: 'AddressNotInRequestedPool', message: /^10\.0\.0\.5 is in pool 'a' but the service asked for pool 'b'$/ },
      },
      { allocate: svc('s1', { requestedIPs: ['10.0.1.5'], requestedPool: 'b' }), expect: { addresses: ['10.0.1.5'], pool: 'b' } },
      {
        allocate: svc('dual', { requestedIPs: ['10.0.0.1', '10.0.1.1'] }),
        expect: { fails: 'InvalidRequest', message: /must be one IPv4 and one IPv6/ },
      },
    ],
  },
  {
    name: 'requested addresses of two pools are refused',
    pools: [
      { name: 'a', addresses: ['10.0.0.0/28'] },
      { name: 'b', addresses: ['fd00::/120'] },
    ],
    steps: [
      {
        allocate: svc('s1', { requestedIPs: ['10.0.0.1', 'fd00::1'], ipFamilyPolicy: 'RequireDualStack' }),
        expect: { fails: 'AddressesInDifferentPools', message: /^10\.0\.0\.1 is in pool 'a' but fd00::1 is in pool 'b'$/ },
      },
    ],
  },
  {
    name: 'namespace serviceAllocation: by list and by selector; other namespaces fall through',
    pools: [
      { name: 'general', addresses: ['10.9.0.0/24'] },
      { name: 'team-a-pool', addresses: ['10.1.0.0/24'], serviceAllocation: { priority: 50, namespaces: ['team-a'] } },
      {
        name: 'myapp-pool',
        addresses: ['192.168.20.0/24'],
        serviceAllocation: { priority: 50, namespaceSelectors: [{ matchLabels: { app: 'myapp' } }] },
      },
    ],
    steps: [
      { allocate: { service: 'team-a/web' }, expect: { addresses: ['10.1.0.0'], pool: 'team-a-pool' } },
      { allocate: { service: 'team-b/web' }, expect: { addresses: ['10.9.0.0'], pool: 'general' } },
      { allocate: { service: 'shop/web', namespaceLabels: { app: 'myapp' } }, expect: { addresses: ['192.168.20.0'], pool: 'myapp-pool' } },
      {
        allocate: { service: 'team-b/api', requestedPool: 'team-a-pool' },
        expect: { fails: 'PoolNotAllowed', message: /^pool 'team-a-pool' does not serve namespace 'team-b'/ },
      },
      {
        allocate: { service: 'team-b/api', requestedIPs: ['10.1.0.9'] },
        expect: { fails: 'PoolNotAllowed', message: /does not serve namespace 'team-b'/ },
      },
      { allocate: { service: 'team-a/api', requestedIPs: ['10.1.0.9'] }, expect: { addresses: ['10.1.0.9'] } },
    ],
  },
  {
    name: 'service selectors with every operator',
    pools: [
      { name: 'fallback', addresses: ['10.9.0.0/24'] },
      {
        name: 'bar-pool',
        addresses: ['10.1.0.0/24'],
        serviceAllocation: { priority: 1, serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'In', values: ['bar'] }] }] },
      },
      {
        name: 'exists-pool',
        addresses: ['10.2.0.0/24'],
        serviceAllocation: {
          priority: 2,
          serviceSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'legacy', operator: 'DoesNotExist' }] }],
        },
      },
      {
        name: 'notin-pool',
        addresses: ['10.3.0.0/24'],
        serviceAllocation: { priority: 3, serviceSelectors: [{ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }] },
      },
    ],
    steps: [
      { allocate: svc('a', { serviceLabels: { app: 'bar', env: 'prod' } }), expect: { pool: 'bar-pool', addresses: ['10.1.0.0'] } },
      { allocate: svc('b', { serviceLabels: { tier: 'web', env: 'prod' } }), expect: { pool: 'exists-pool', addresses: ['10.2.0.0'] } },
      { allocate: svc('c', { serviceLabels: { tier: 'web', legacy: 'y', env: 'prod' } }), expect: { pool: 'fallback', addresses: ['10.9.0.0'] } },
      { allocate: svc('d', { serviceLabels: { env: 'dev' } }), expect: { pool: 'notin-pool', addresses: ['10.3.0.0'] } },
      { allocate: svc('e'), expect: { pool: 'notin-pool', addresses: ['10.3.0.1'] } },
      {
        allocate: svc('f', { serviceLabels: { env: 'prod' }, requestedPool: 'bar-pool' }),
        expect: { fails: 'PoolNotAllowed', message: /serves only services matching its serviceAllocation\.serviceSelectors/ },
      },
    ],
  },
  {
    name: 'priority order: lower first, unset after numbers, pools without serviceAllocation last, ties by name',
    pools: [
      { name: 'zz-plain', addresses: ['10.5.0.0/32'] },
      { name: 'aa-plain', addresses: ['10.4.0.0/32'] },
      { name: 'unset', addresses: ['10.3.0.0/32'], serviceAllocation: { namespaces: ['default'] } },
      { name: 'p20', addresses: ['10.2.0.0/32'], serviceAllocation: { priority: 20 } },
      { name: 'p10', addresses: ['10.1.0.0/32'], serviceAllocation: { priority: 10 } },
    ],
    steps: [
      { allocate: svc('s1'), expect: { pool: 'p10', addresses: ['10.1.0.0'] } },
      { allocate: svc('s2'), expect: { pool: 'p20', addresses: ['10.2.0.0'] } },
      { allocate: svc('s3'), expect: { pool: 'unset', addresses: ['10.3.0.0'] } },
      { allocate: svc('s4'), expect: { pool: 'aa-plain', addresses: ['10.4.0.0'] } },
      { allocate: svc('s5'), expect: { pool: 'zz-plain', addresses: ['10.5.0.0'] } },
      { allocate: { service: 'other/s6' }, expect: { fails: 'NoAddressAvailable' } },
    ],
  },
  {
    name: 'sharing: same key, same backend, no common port; automatic choice joins the lowest compatible address',
    pools: [{ name: 'a', addresses: ['10.0.0.0/29'] }],
    steps: [
      { allocate: svc('web-tcp', { sharingKey: 'k', ports: [tcp(80)] }), expect: { addresses: ['10.0.0.0'] } },
      { allocate: svc('web-tls', { sharingKey: 'k', ports: [tcp(443)] }), expect: { addresses: ['10.0.0.0'] } },
      { allocate: svc('web-dns', { sharingKey: 'k', ports: [{ protocol: 'UDP', port: 80 }] }), expect: { addresses: ['10.0.0.0'] } },
      { allocate: svc('web-again', { sharingKey: 'k', ports: [tcp(80)] }), expect: { addresses: ['10.0.0.1'] } },
      { allocate: svc('other-key', { sharingKey: 'z', ports: [tcp(22)] }), expect: { addresses: ['10.0.0.2'] } },
      { allocate: svc('no-key'), expect: { addresses: ['10.0.0.3'] } },
      { stats: { pool: 'a', family: 'IPv4', total: 8n, inUse: 4, free: 4n } },
      { holds: 'default/web-tls', addresses: ['10.0.0.0'] },
      { release: 'default/web-tcp' },
      { release: 'default/web-tls' },
      { stats: { pool: 'a', family: 'IPv4', total: 8n, inUse: 4, free: 4n } },
      { release: 'default/web-dns' },
      { stats: { pool: 'a', family: 'IPv4', total: 8n, inUse: 3, free: 5n } },
      { allocate: svc('next'), expect: { addresses: ['10.0.0.0'] } },
    ],
  },
  {
    name: 'sharing refusals name the reason',
    pools: [{ name: 'a', addresses: ['10.0.0.0/29'] }],
    steps: [
      { allocate: svc('s1', { sharingKey: 'k', ports: [tcp(80)], backendKey: 'app=web' }), expect: { addresses: ['10.0.0.0'] } },
      {
        allocate: svc('s2', { requestedIPs: ['10.0.0.0'], sharingKey: 'other', ports: [tcp(81)], backendKey: 'app=web' }),
        expect: { fails: 'SharingKeyMismatch', message: /^10\.0\.0\.0 is shared under key 'k' by default\/s1, not 'other'$/ },
      },
      {
        allocate: svc('s2', { requestedIPs: ['10.0.0.0'], ports: [tcp(81)] }),
        expect: { fails: 'AddressInUse', message: /default\/s2 has no allow-shared-ip key/ },
      },
      {
        allocate: svc('s2', { requestedIPs: ['10.0.0.0'], sharingKey: 'k', ports: [tcp(81)], backendKey: 'app=db' }),
        expect: { fails: 'BackendKeyMismatch', message: /pod selector 'app=web'/ },
      },
      {
        allocate: svc('s2', { requestedIPs: ['10.0.0.0'], sharingKey: 'k', ports: [tcp(80)], backendKey: 'app=web' }),
        expect: { fails: 'PortInUse', message: /^port TCP\/80 is already in use on 10\.0\.0\.0 by default\/s1$/ },
      },
      {
        allocate: svc('s2', { requestedIPs: ['10.0.0.0'], sharingKey: 'k', ports: [tcp(81)], backendKey: 'app=web' }),
        expect: { addresses: ['10.0.0.0'] },
      },
    ],
  },
  {
    name: 'a sole holder may change its sharing key in place; a shared one moves',
    pools: [{ name: 'a', addresses: ['10.0.0.0/29'] }],
    steps: [
      { allocate: svc('s1', { sharingKey: 'k', ports: [tcp(80)] }), expect: { addresses: ['10.0.0.0'] } },
      { allocate: svc('s1', { sharingKey: 'k2', ports: [tcp(80)] }), expect: { addresses: ['10.0.0.0'], changed: false } },
      { allocate: svc('s1', { ports: [tcp(80)] }), expect: { addresses: ['10.0.0.0'], changed: false } },
      { allocate: svc('s1', { sharingKey: 'k', ports: [tcp(80)] }), expect: { addresses: ['10.0.0.0'], changed: false } },
      { allocate: svc('s2', { sharingKey: 'k', ports: [tcp(443)] }), expect: { addresses: ['10.0.0.0'] } },
      { allocate: svc('s1', { sharingKey: 'k3', ports: [tcp(80)] }), expect: { addresses: ['10.0.0.1'], changed: true } },
      { holds: 'default/s2', addresses: ['10.0.0.0'] },
    ],
  },
  {
    name: 'RequireDualStack takes both families from one pool',
    pools: [
      { name: 'a-v4only', addresses: ['10.0.0.0/30'] },
      { name: 'b-mixed', addresses: ['10.1.0.0/30', 'fd00::/126'] },
      { name: 'c-v6only', addresses: ['fd01::/126'] },
    ],
    steps: [
      { allocate: svc('d1', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] }), expect: { pool: 'b-mixed', addresses: ['10.1.0.0', 'fd00::'] } },
      { allocate: svc('d2', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] }), expect: { pool: 'b-mixed', addresses: ['fd00::1', '10.1.0.1'] } },
      { allocate: svc('v6', { ipFamilies: ['IPv6'] }), expect: { pool: 'b-mixed', addresses: ['fd00::2'] } },
      { allocate: svc('v4', { ipFamilies: ['IPv4'] }), expect: { pool: 'a-v4only', addresses: ['10.0.0.0'] } },
      {
        allocate: svc('both', { ipFamilyPolicy: 'RequireDualStack', requestedIPs: ['10.1.0.3', 'fd00::3'] }),
        expect: { pool: 'b-mixed', addresses: ['10.1.0.3', 'fd00::3'] },
      },
      { allocate: svc('d3', { ipFamilyPolicy: 'RequireDualStack' }), expect: { fails: 'NoAddressAvailable', message: /IPv4 and IPv6/ } },
      { release: 'default/v6' },
      { allocate: svc('d3', { ipFamilyPolicy: 'RequireDualStack' }), expect: { pool: 'b-mixed', addresses: ['10.1.0.2', 'fd00::2'] } },
    ],
  },
  {
    name: 'RequireDualStack fails without a pool holding both families',
    pools: [
      { name: 'v4', addresses: ['10.0.0.0/30'] },
      { name: 'v6', addresses: ['fd01::/126'] },
    ],
    steps: [
      {
        allocate: svc('d', { ipFamilyPolicy: 'RequireDualStack' }),
        expect: { fails: 'NoAddressAvailable', message: /has a free IPv4 and IPv6 addresses/ },
      },
      {
        allocate: svc('d', { ipFamilyPolicy: 'RequireDualStack', requestedPool: 'v4' }),
        expect: { fails: 'PoolExhausted', message: /^pool 'v4' has no free IPv6 address$/ },
      },
    ],
  },
  {
    name: 'PreferDualStack falls back to the primary family and later adds the other from the same pool',
    pools: [{ name: 'a', addresses: ['10.0.0.0/30'] }],
    steps: [
      {
        allocate: svc('p', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] }),
        expect: { pool: 'a', addresses: ['10.0.0.0'], missing: 1 },
      },
      { setPools: [{ name: 'a', addresses: ['10.0.0.0/30', 'fd00::/126'] }] },
      {
        allocate: svc('p', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] }),
        expect: { pool: 'a', addresses: ['10.0.0.0', 'fd00::'], changed: true, missing: 0 },
      },
      {
        allocate: svc('p', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] }),
        expect: { addresses: ['10.0.0.0', 'fd00::'], changed: false },
      },
    ],
  },
  {
    name: 'PreferDualStack takes the secondary family when no pool has the primary',
    pools: [{ name: 'v6', addresses: ['fd00::/126'] }],
    steps: [
      { allocate: svc('p', { ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] }), expect: { pool: 'v6', addresses: ['fd00::'] } },
      { allocate: svc('s'), expect: { fails: 'NoAddressAvailable' } },
    ],
  },
  {
    name: 'requested addresses must match the service families',
    pools: [{ name: 'a', addresses: ['10.0.0.0/30', 'fd00::/126'] }],
    steps: [
      { allocate: svc('s', { requestedIPs: ['fd00::1'], ipFamilies: ['IPv4'] }), expect: { fails: 'InvalidRequest', message: /do not match the service's IP families/ } },
      { allocate: svc('s', { requestedIPs: ['fd00::1'] }), expect: { addresses: ['fd00::1'] } },
      { allocate: svc('r', { requestedIPs: ['10.0.0.1'], ipFamilyPolicy: 'RequireDualStack' }), expect: { fails: 'InvalidRequest' } },
      { allocate: svc('p', { requestedIPs: ['10.0.0.1'], ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] }), expect: { addresses: ['10.0.0.1'] } },
    ],
  },
  {
    name: 'a count of addresses per family, partly served when the pool runs short, topped up later',
    pools: [{ name: 'class', addresses: ['10.0.0.0/30'] }],
    steps: [
      { allocate: svc('three', { count: 3 }), expect: { addresses: ['10.0.0.0', '10.0.0.1', '10.0.0.2'], missing: 0 } },
      { allocate: svc('other', { count: 3 }), expect: { addresses: ['10.0.0.3'], missing: 2 } },
      { release: 'default/three' },
      { allocate: svc('other', { count: 3 }), expect: { addresses: ['10.0.0.3', '10.0.0.0', '10.0.0.1'], missing: 0, changed: true } },
      { allocate: svc('other', { count: 1 }), expect: { addresses: ['10.0.0.3'], changed: true } },
      { stats: { pool: 'class', family: 'IPv4', total: 4n, inUse: 1, free: 3n } },
    ],
  },
  {
    name: 'a changed request moves the service: other requested address, other pool',
    pools: [
      { name: 'a', addresses: ['10.0.0.0/30'] },
      { name: 'b', addresses: ['10.0.1.0/30'], autoAssign: false },
    ],
    steps: [
      { allocate: svc('s'), expect: { addresses: ['10.0.0.0'], pool: 'a' } },
      { allocate: svc('s'), expect: { addresses: ['10.0.0.0'], changed: false } },
      { allocate: svc('s', { requestedPool: 'b' }), expect: { addresses: ['10.0.1.0'], pool: 'b', changed: true } },
      { allocate: svc('s', { requestedIPs: ['10.0.0.2'] }), expect: { addresses: ['10.0.0.2'], pool: 'a', changed: true } },
      { allocate: svc('t'), expect: { addresses: ['10.0.0.0'] } },
    ],
  },
  {
    name: 'restore: existing holders first, nothing moves, conflicts refused, selectors not re-applied',
    pools: [
      { name: 'a', addresses: ['10.0.0.0/29'] },
      { name: 'tenant', addresses: ['10.0.1.0/29'], serviceAllocation: { namespaces: ['tenant'] } },
    ],
    steps: [
      { assign: svc('s1'), addresses: ['10.0.0.5'], expect: { addresses: ['10.0.0.5'], pool: 'a' } },
      { assign: svc('s2'), addresses: ['10.0.0.0'], expect: { addresses: ['10.0.0.0'] } },
      { assign: svc('legacy'), addresses: ['10.0.1.3'], expect: { addresses: ['10.0.1.3'], pool: 'tenant' } },
      { assign: svc('s3'), addresses: ['10.0.0.5'], expect: { fails: 'AddressInUse' } },
      { assign: svc('s4'), addresses: ['10.0.0.5', 'x'], expect: { fails: 'InvalidRequest', message: /'x' is not an IP address/ } },
      { assign: svc('s1'), addresses: ['10.0.0.5'], expect: { addresses: ['10.0.0.5'], changed: false } },
      { allocate: svc('new1'), expect: { addresses: ['10.0.0.1'] } },
      { allocate: svc('new2'), expect: { addresses: ['10.0.0.2'] } },
    ],
  },
  {
    name: 'setPools keeps valid assignments, frees shrunk, vanished and now-avoided ones, follows a rename',
    pools: [
      { name: 'a', addresses: ['10.0.0.0/24'] },
      { name: 'gone', addresses: ['10.0.9.0/30'] },
    ],
    steps: [
      { assign: svc('low'), addresses: ['10.0.0.5'], expect: { addresses: ['10.0.0.5'] } },
      { assign: svc('high'), addresses: ['10.0.0.200'], expect: { addresses: ['10.0.0.200'] } },
      { assign: svc('zero'), addresses: ['10.0.0.0'], expect: { addresses: ['10.0.0.0'] } },
      { assign: svc('g'), addresses: ['10.0.9.1'], expect: { addresses: ['10.0.9.1'] } },
      {
        setPools: [{ name: 'a', addresses: ['10.0.0.0/25'] }],
        released: [
          ['default/high', /^10\.0\.0\.200 is no longer in any pool$/],
          ['default/g', /^10\.0\.9\.1 is no longer in any pool$/],
        ],
      },
      { holds: 'default/low', addresses: ['10.0.0.5'], pool: 'a' },
      { setPools: [{ name: 'renamed', addresses: ['10.0.0.0/25'] }], moved: [{ from: 'a', to: 'renamed', services: ['default/zero', 'default/low'] }] },
      { holds: 'default/low', addresses: ['10.0.0.5'], pool: 'renamed' },
      {
        setPools: [{ name: 'renamed', addresses: ['10.0.0.0-10.0.0.127'], avoidBuggyIPs: true }],
        released: [['default/zero', /^10\.0\.0\.0 ends in \.0 or \.255, which pool 'renamed' now avoids \(avoidBuggyIPs\)$/]],
      },
      { holds: 'default/low', addresses: ['10.0.0.5'], pool: 'renamed' },
      { setPools: [{ name: 'renamed', addresses: ['10.0.0.0-10.0.0.127'], avoidBuggyIPs: false }] },
      { allocate: svc('next'), expect: { addresses: ['10.0.0.0'] } },
      {
        setPools: [
          { name: 'x', addresses: ['10.0.0.0/26'] },
          { name: 'y', addresses: ['10.0.0.64/26'] },
        ],
        moved: [{ from: 'renamed', to: 'x', services: ['default/next', 'default/low'] }],
      },
      { stats: { pool: 'x', family: 'IPv4', total: 64n, inUse: 2, free: 62n } },
      { stats: { pool: 'y', family: 'IPv4', total: 64n, inUse: 0, free: 64n } },
    ],
  },
  {
    name: 'setPools frees a dual-stack service whose families land in different pools',
    pools: [{ name: 'a', addresses: ['10.0.0.0/30', 'fd00::/126'] }],
    steps: [
      { allocate: svc('d', { ipFamilyPolicy: 'RequireDualStack' }), expect: { addresses: ['10.0.0.0', 'fd00::'] } },
      {
        setPools: [
          { name: 'a', addresses: ['10.0.0.0/30'] },
          { name: 'b', addresses: ['fd00::/126'] },
        ],
        released: [['default/d', /now in different pools/]],
      },
      { stats: { pool: 'b', family: 'IPv6', total: 4n, inUse: 0, free: 4n } },
    ],
  },
  {
    name: 'invalid pools are refused with every error at once and change nothing',
    pools: [{ name: 'a', addresses: ['10.0.0.0/30'] }],
    steps: [
      { allocate: svc('s'), expect: { addresses: ['10.0.0.0'] } },
      {
        setPools: [
          { name: 'a', addresses: ['172.16.16.150-172.16.16.20'] },
          { name: 'b', addresses: [] },
          { name: 'c', addresses: ['10.0.0.0/24', '10.0.0.128/25'] },
          { name: 'c', addresses: ['bogus/99'] },
          { name: 'd', addresses: ['192.168.0.0/16'], serviceAllocation: { priority: -1, namespaces: ['x', 'x'] } },
        ],
        errors: [
          ['a', 'addresses[0]', /starts after it ends/],
          ['b', 'addresses', /pool has no addresses/],
          ['c', 'name', /duplicate pool name 'c'/],
          ['c', 'addresses[0]', /'bogus' is not an IP address/],
          ['d', 'serviceAllocation.priority', /non-negative integer/],
          ['d', 'serviceAllocation.namespaces[1]', /duplicate namespace 'x'/],
          ['c', 'addresses', /10\.0\.0\.128\/25 overlaps 10\.0\.0\.0\/24 in the same pool/],
        ],
      },
      { holds: 'default/s', addresses: ['10.0.0.0'], pool: 'a' },
      {
        setPools: [
          { name: 'a', addresses: ['10.0.0.0/24'] },
          { name: 'b', addresses: ['10.0.0.7'] },
        ],
        errors: [['b', 'addresses', /10\.0\.0\.7 overlaps 10\.0\.0\.0\/24 of pool 'a'/]],
      },
    ],
  },
  {
    name: 'exact statistics for an IPv6 /64 and a mixed pool',
    pools: [{ name: 'big', addresses: ['2001:db8::/64', '10.0.0.0/16'], avoidBuggyIPs: true }],
    steps: [
      { allocate: svc('v6', { ipFamilies: ['IPv6'] }), expect: { addresses: ['2001:db8::'] } },
      { allocate: svc('v4'), expect: { addresses: ['10.0.0.1'] } },
      { stats: { pool: 'big', family: 'IPv6', total: 2n ** 64n, inUse: 1, free: 2n ** 64n - 1n } },
      { stats: { pool: 'big', family: 'IPv4', total: 65536n - 512n, inUse: 1, free: 65536n - 513n } },
      { allocate: svc('far', { requestedIPs: ['2001:db8::ffff:ffff:ffff:ffff'] }), expect: { addresses: ['2001:db8::ffff:ffff:ffff:ffff'] } },
      { stats: { pool: 'big', family: 'IPv6', total: 2n ** 64n, inUse: 2, free: 2n ** 64n - 2n } },
      { release: 'default/far' },
      { stats: { pool: 'big', family: 'IPv6', total: 2n ** 64n, inUse: 1, free: 2n ** 64n - 1n } },
    ],
  },
  {
    name: 'a reserved pool refuses everyone else up front, by address, by name and automatically',
    pools: [
      { name: 'plain', addresses: ['10.0.0.0/31'] },
      { name: 'class:edge', addresses: ['192.168.2.100-192.168.2.101'], autoAssign: true, reservedFor: "MetalLoadBalancerClass 'edge'" },
    ],
    steps: [
      {
        allocate: svc('sneaky', { requestedIPs: ['192.168.2.100'] }),
        expect: { fails: 'PoolReserved', message: /^192\.168\.2\.100 belongs to MetalLoadBalancerClass 'edge'$/ },
      },
      { holds: 'default/sneaky', addresses: undefined },
      { allocate: svc('named', { requestedPool: 'class:edge' }), expect: { fails: 'PoolReserved', message: /^pool 'class:edge' belongs to MetalLoadBalancerClass 'edge'$/ } },
      // autoAssign does not open a reserved pool: automatic choice skips it.
      { allocate: svc('p1'), expect: { addresses: ['10.0.0.0'], pool: 'plain' } },
      { allocate: svc('p2'), expect: { addresses: ['10.0.0.1'] } },
      { allocate: svc('p3'), expect: { fails: 'NoAddressAvailable', message: /tried 'plain'\)$/ } },
      { allocate: svc('web', { requestedPool: 'class:edge', reservation: "MetalLoadBalancerClass 'edge'" }), expect: { addresses: ['192.168.2.100'], pool: 'class:edge' } },
      // Restoring a reserved address without the reservation is refused too.
      { assign: svc('old'), addresses: ['192.168.2.101'], expect: { fails: 'PoolReserved' } },
      { assign: svc('old', { reservation: "MetalLoadBalancerClass 'edge'" }), addresses: ['192.168.2.101'], expect: { addresses: ['192.168.2.101'] } },
      // Kept while the reservation holds; asked for without it, refused and released.
      { allocate: svc('web', { requestedPool: 'class:edge', reservation: "MetalLoadBalancerClass 'edge'" }), expect: { addresses: ['192.168.2.100'], changed: false } },
      { allocate: svc('web', { requestedIPs: ['192.168.2.100'] }), expect: { fails: 'PoolReserved' } },
      { holds: 'default/web', addresses: undefined },
    ],
  },
  {
    name: 'a range that becomes reserved is taken from the services without the reservation',
    pools: [{ name: 'a', addresses: ['10.0.0.0/30'] }],
    steps: [
      { allocate: svc('plain'), expect: { addresses: ['10.0.0.0'] } },
      { allocate: svc('member', { reservation: 'tenant x' }), expect: { addresses: ['10.0.0.1'] } },
      { setPools: [{ name: 'a', addresses: ['10.0.0.0/30'], reservedFor: 'tenant x' }], released: [['default/plain', /^10\.0\.0\.0 now belongs to tenant x$/]] },
      { holds: 'default/member', addresses: ['10.0.0.1'] },
      { setPools: [{ name: 'a', addresses: ['10.0.0.0/30'], reservedFor: '' }], errors: [['a', 'reservedFor', /non-empty string/]] },
    ],
  },
  {
    name: "refusals name services of the requester's namespace only; others are 'another Service'",
    pools: [{ name: 'a', addresses: ['10.0.0.0/30'] }],
    steps: [
      { allocate: { service: 'bulk2/s000', requestedIPs: ['10.0.0.1'] }, expect: { addresses: ['10.0.0.1'] } },
      { allocate: { service: 'faults/x', requestedIPs: ['10.0.0.1'] }, expect: { fails: 'AddressInUse', message: /^10\.0\.0\.1 is in use by another Service, which does not allow sharing$/ } },
      { allocate: { service: 'bulk2/y', requestedIPs: ['10.0.0.1'] }, expect: { fails: 'AddressInUse', message: /^10\.0\.0\.1 is in use by bulk2\/s000, which does not allow sharing$/ } },
      { allocate: { service: 'm/a', sharingKey: 'k', ports: [tcp(80)] }, expect: { addresses: ['10.0.0.0'] } },
      { allocate: { service: 'n/b', sharingKey: 'k', ports: [tcp(80)], requestedIPs: ['10.0.0.0'] }, expect: { fails: 'PortInUse', message: /^port TCP\/80 is already in use on 10\.0\.0\.0 by another Service$/ } },
      { allocate: { service: 'n/c', sharingKey: 'j', requestedIPs: ['10.0.0.0'] }, expect: { fails: 'SharingKeyMismatch', message: /by another Service, not 'j'$/ } },
    ],
  },
  {
    name: 'bad requests are refused, not thrown',
    pools: [{ name: 'a', addresses: ['10.0.0.0/30'] }],
    steps: [
      { allocate: { service: 'no-namespace' }, expect: { fails: 'InvalidRequest', message: /must be 'namespace\/name'/ } },
      { allocate: svc('s', { requestedIPs: ['10.0.0.300'] }), expect: { fails: 'InvalidRequest', message: /'10\.0\.0\.300' is not an IP address/ } },
      { allocate: svc('s', { count: 0 }), expect: { fails: 'InvalidRequest', message: /positive integer/ } },
      { allocate: svc('s', { requestedIPs: ['10.0.0.1', 'fd00::1', '10.0.0.2'] }), expect: { fails: 'InvalidRequest', message: /at most two/ } },
      { allocate: svc('s', { ipFamilyPolicy: 'Sometimes' as never }), expect: { fails: 'InvalidRequest', message: /unknown ipFamilyPolicy/ } },
      { allocate: svc('s', { ports: [{ protocol: 'TCP', port: 70000 }] }), expect: { fails: 'InvalidRequest', message: /ports\[0\]/ } },
      { release: 'default/never', expect: undefined },
    ],
  },
];

describe('Allocator rules, step by step', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  it.each(cases)('$name', ({ pools, steps }) => {
    const allocator = new Allocator();
    const initial = allocator.setPools(pools);
    expect(initial.ok, JSON.stringify(initial)).toBe(true);
    steps.forEach((step, index) => {
      const at = `step ${index + 1}: ${JSON.stringify(step, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof RegExp ? String(v) : v))}`;
      if ('allocate' in step || 'assign' in step) {
        const result = 'allocate' in step ? allocator.allocate(step.allocate) : allocator.assign(step.assign, step.addresses);
        const expected = step.expect;
        if ('fails' in expected) {
          expect(result.ok, at).toBe(false);
          if (result.ok) return;
          expect(result.error.kind, `${at}\n${result.error.message}`).toBe(expected.fails);
          if (expected.message) expect(result.error.message, at).toMatch(expected.message);
        } else {
          expect(result.ok, `${at}\n${result.ok ? '' : result.error.message}`).toBe(true);
          if (!result.ok) return;
          expect(result.value.addresses, at).toEqual(expected.addresses);
          if (expected.pool !== undefined) expect(result.value.pool, at).toBe(expected.pool);
          if (expected.changed !== undefined) expect(result.value.changed, at).toBe(expected.changed);
          if (expected.missing !== undefined) expect(result.value.missing, at).toBe(expected.missing);
        }
      } else if ('release' in step) {
        const released = allocator.release(step.release);
        if ('expect' in step) expect(released?.addresses, at).toEqual(step.expect);
      } else if ('setPools' in step) {
        const result = allocator.setPools(step.setPools);
        if (step.errors) {
          expect(result.ok, at).toBe(false);
          if (result.ok) return;
          expect(result.error.issues.map((e) => [e.pool, e.path]), at).toEqual(step.errors.map(([pool, path]) => [pool, path]));
          result.error.issues.forEach((e, i) => expect(e.message, at).toMatch(step.errors?.[i]?.[2] as RegExp));
          return;
        }
        expect(result.ok, `${at}\n${JSON.stringify(result)}`).toBe(true);
        if (!result.ok) return;
        expect(result.value.released.map((r) => r.service), at).toEqual((step.released ?? []).map(([s]) => s));
        result.value.released.forEach((r, i) => expect(r.reason, at).toMatch(step.released?.[i]?.[1] as RegExp));
        if (step.moved) expect(result.value.moved, at).toEqual(step.moved);
      } else if ('stats' in step) {
        const stats = allocator.statistics().find((s) => s.pool === step.stats.pool && s.family === step.stats.family);
        expect(stats, at).toEqual(step.stats);
      } else {
        const held = allocator.get(step.holds);
        expect(held?.addresses, at).toEqual(step.addresses);
        if (step.pool !== undefined) expect(held?.pool, at).toBe(step.pool);
      }
    });
  });
});

describe('Allocator queries', () => {
  it('reports holders and pools of an address', () => {
    const allocator = new Allocator();
    allocator.setPools([{ name: 'a', addresses: ['10.0.0.0/24'], avoidBuggyIPs: true }]);
    allocator.allocate({ service: 'x/one', sharingKey: 'k', ports: [{ protocol: 'TCP', port: 1 }] });
    allocator.allocate({ service: 'x/two', sharingKey: 'k', ports: [{ protocol: 'TCP', port: 2 }] });
    expect(allocator.holdersOf('10.0.0.1')).toEqual(['x/one', 'x/two']);
    expect(allocator.poolOf('10.0.0.1')).toBe('a');
    expect(allocator.poolOf('10.0.0.0')).toBeUndefined();
    expect(allocator.poolOf('192.168.0.1')).toBeUndefined();
    expect(allocator.holdersOf('nonsense')).toEqual([]);
    expect(allocator.size).toBe(2);
    expect(allocator.poolNames()).toEqual(['a']);
    expect(allocator.servicesPerPool()).toEqual(new Map([['a', 2]]));
  });

  it('names every holder in the error, whatever its namespace, for logs', () => {
    const allocator = new Allocator();
    allocator.setPools([{ name: 'a', addresses: ['10.0.0.0/30'] }]);
    allocator.allocate({ service: 'bulk2/s000', requestedIPs: ['10.0.0.1'] });
    const result = allocator.allocate({ service: 'faults/x', requestedIPs: ['10.0.0.1'] });
    expect(result.ok ? undefined : result.error).toEqual({ kind: 'AddressInUse', message: '10.0.0.1 is in use by another Service, which does not allow sharing', holders: ['bulk2/s000'] });
  });
});
