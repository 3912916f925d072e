// A small tour of @lb/ipam: run with `npx tsx --conditions=development libs/ipam/examples/allocate.ts`.
import { Allocator } from '../src/index.js';

const allocator = new Allocator();
const pools = allocator.setPools([
  { name: 'first-pool', addresses: ['10.220.2.214-10.220.2.214'] },
  { name: 'cheap', addresses: ['172.16.16.150-172.16.16.200', 'fc00:f853:ccd:e799::/124'] },
  { name: 'ippool-ns-service-alloc-sample', addresses: ['192.168.20.0/24'], serviceAllocation: { priority: 50, namespaces: ['namespace-a'] } },
]);
if (!pools.ok) {
  console.error(pools.error.message);
  process.exit(1);
}

const show = (what: string, result: ReturnType<Allocator['allocate']>): void => {
  console.log(result.ok ? `${what.padEnd(34)} → ${result.value.addresses.join(', ')} (pool ${result.value.pool})` : `${what.padEnd(34)} ✗ ${result.error.message}`);
};
show('demo/nginx-service', allocator.allocate({ service: 'demo/nginx-service' }));
show('namespace-a/web', allocator.allocate({ service: 'namespace-a/web' }));
show('demo/dual (RequireDualStack)', allocator.allocate({ service: 'demo/dual', ipFamilyPolicy: 'RequireDualStack' }));
show('demo/tcp (allow-shared-ip: web)', allocator.allocate({ service: 'demo/tcp', sharingKey: 'web', ports: [{ protocol: 'TCP', port: 80 }] }));
show('demo/udp (allow-shared-ip: web)', allocator.allocate({ service: 'demo/udp', sharingKey: 'web', ports: [{ protocol: 'UDP', port: 80 }] }));
show('demo/pinned 10.220.2.214', allocator.allocate({ service: 'demo/pinned', requestedIPs: ['10.220.2.214'] }));
show('demo/late 10.220.2.214', allocator.allocate({ service: 'demo/late', requestedIPs: ['10.220.2.214'] }));
for (const s of allocator.statistics()) if (s.total > 0n) console.log(`  ${s.pool} ${s.family}: ${s.inUse} in use of ${s.total}`);
