// BgpMode against BIRD 2 over iBGP with graceful restart: a node running desiredBgp() + BgpMode in a
// process (test/bgp-driver.ts), BIRD in the LAN client's namespace. One lab; needs root; ~8 s.
import { ClusterLab, requireNetworkLab, startBird, waitFor, waitForNeighbor, type BgpDaemon } from '@lb/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Driver, type ApiObjects } from './bgp-harness.js';
import { node, service, slice } from './fixtures.js';

const CONFIG = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: first-pool, namespace: metallb-system }
spec: { addresses: [192.168.10.0/24] }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: bird, namespace: metallb-system }
spec: { myASN: 64512, peerASN: 64512, peerAddress: 172.30.0.100, connectTime: 1s, enableGracefulRestart: true }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: tagged, namespace: metallb-system }
spec: { communities: ['64512:100', 'large:64512:7:9'], localPref: 150 }
`;

describe('BgpMode against BIRD 2 (iBGP, graceful restart)', () => {
  let c: ClusterLab;
  let bird: BgpDaemon;
  const drivers: Driver[] = [];
  const objects: ApiObjects = {
    services: [service('web', { ips: ['192.168.10.5'] }), service('api', { ips: ['192.168.10.6'] })],
    endpointSlices: [slice('web', ['lb-node-1']), slice('api', ['lb-node-1'])],
    nodes: [node('lb-node-1')],
  };
  const route = (prefix: string) => bird.routes('ipv4-unicast').find((r) => r.prefix === prefix);

  beforeAll(async () => {
    requireNetworkLab(['bird', 'birdc']);
    c = await ClusterLab.start({ tag: 'bgb', nodes: 1, kubeSim: false, router: false });
    bird = startBird(c.lab, c.clientNs, {
      asn: 64512,
      routerId: '172.30.0.100',
      neighbors: [{ address: '172.30.0.11', asn: 64512, passive: true, families: ['ipv4-unicast'], gracefulRestart: true }],
    });
    drivers.push(await Driver.start(c, 0));
    drivers[0]?.update(CONFIG, objects);
  }, 60_000);
  afterAll(async () => {
    for (const d of drivers) await d.process.stop(2000);
    await bird?.stop();
    await c?.cleanup();
  });

  it('announces with communities, large communities and LOCAL_PREF (iBGP)', async () => {
    await waitForNeighbor(bird, '172.30.0.11', 'established');
    const web = await waitFor('the route at BIRD', () => route('192.168.10.5/32'), { timeoutMs: 10_000, intervalMs: 250 });
    expect(web).toMatchObject({ nextHops: ['172.30.0.11'], asPath: [], localPref: 150, communities: ['64512:100'], largeCommunities: ['64512:7:9'] });
    expect(route('192.168.10.6/32')).toBeDefined();
  }, 30_000);

  it('keeps the routes across a restart, then takes the restarted speaker\'s set', async () => {
    await drivers[0]?.stop(0, 'restart');
    // BIRD keeps them while it waits for the speaker to come back (without graceful restart they
    // would go with the session); its route listing does not mark them stale.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(bird.neighborState('172.30.0.11')).not.toBe('established');
    expect(route('192.168.10.5/32')).toBeDefined();
    expect(route('192.168.10.6/32')).toBeDefined();
    const restarted = await Driver.start(c, 0, { BGP_RESTARTING: '1' });
    drivers.push(restarted);
    // The restarted speaker no longer announces `api`: BIRD drops it at End-of-RIB, keeps `web`.
    restarted.update(CONFIG, { ...objects, services: objects.services.slice(0, 1), endpointSlices: objects.endpointSlices.slice(0, 1) });
    await waitForNeighbor(bird, '172.30.0.11', 'established');
    await waitFor('api gone at BIRD, web kept', () => route('192.168.10.6/32') === undefined && route('192.168.10.5/32') !== undefined, { timeoutMs: 15_000, intervalMs: 200 });
  }, 40_000);

  it('withdraws on SIGTERM-style stop', async () => {
    await drivers.at(-1)?.stop(0);
    await waitFor('routes withdrawn at BIRD', () => bird.routes('ipv4-unicast').every((r) => !r.prefix.startsWith('192.168.10.')), { timeoutMs: 10_000, intervalMs: 250 });
  }, 30_000);
});
