// BgpMode against GoBGP over eBGP, one session per family (IPv4 and IPv6 transport): a node running
// desiredBgp() + BgpMode in a process (test/bgp-driver.ts), gobgpd in the LAN client's namespace.
// One lab; needs root; ~20 s.
import { ClusterLab, requireNetworkLab, startGobgpd, waitFor, waitForNeighbor, type BgpDaemon } from '@lb/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Driver, type ApiObjects } from './bgp-harness.js';
import { node, service, slice } from './fixtures.js';

const CONFIG = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: first-pool, namespace: metallb-system }
spec: { addresses: [192.168.10.0/24, 'fc00:f853:ccd:e799::/124'] }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: gobgp-v4, namespace: metallb-system }
spec: { myASN: 64512, peerASN: 64513, peerAddress: 172.30.0.100, connectTime: 1s }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: gobgp-v6, namespace: metallb-system }
spec: { myASN: 64512, peerASN: 64513, peerAddress: 'fd30::100', connectTime: 1s }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: tagged, namespace: metallb-system }
spec: { communities: ['64512:100', 'large:64512:7:9'], localPref: 150 }
`;

describe('BgpMode against GoBGP (eBGP, IPv4 and IPv6 sessions)', () => {
  let c: ClusterLab;
  let gobgp: BgpDaemon;
  let driver: Driver;
  const objects: ApiObjects = {
    services: [service('web', { ips: ['192.168.10.5', 'fc00:f853:ccd:e799::5'] })],
    endpointSlices: [slice('web', ['lb-node-1'])],
    nodes: [node('lb-node-1')],
  };

  beforeAll(async () => {
    requireNetworkLab(['gobgpd', 'gobgp']);
    c = await ClusterLab.start({ tag: 'sbg', nodes: 1, kubeSim: false, router: false });
    gobgp = startGobgpd(c.lab, c.clientNs, {
      asn: 64513,
      routerId: '172.30.0.100',
      neighbors: [
        { address: '172.30.0.11', asn: 64512, passive: true, families: ['ipv4-unicast'] },
        { address: 'fd30::11', asn: 64512, passive: true, families: ['ipv6-unicast'] },
      ],
    });
    driver = await Driver.start(c, 0);
    driver.update(CONFIG, objects);
  }, 60_000);
  afterAll(async () => {
    await driver?.process.stop(2000);
    await gobgp?.stop();
    await c?.cleanup();
  });

  it('announces each family on its session, communities and large communities but no LOCAL_PREF (eBGP)', async () => {
    await waitForNeighbor(gobgp, '172.30.0.11', 'established');
    await waitForNeighbor(gobgp, 'fd30::11', 'established');
    const v4 = await waitFor('the IPv4 route at GoBGP', () => gobgp.routes('ipv4-unicast').find((r) => r.prefix === '192.168.10.5/32'), { timeoutMs: 10_000, intervalMs: 250 });
    expect(v4).toMatchObject({ nextHops: ['172.30.0.11'], asPath: [64512], communities: ['64512:100'], largeCommunities: ['64512:7:9'] });
    expect(v4.localPref).toBeUndefined();
    const v6 = await waitFor('the IPv6 route at GoBGP', () => gobgp.routes('ipv6-unicast').find((r) => r.prefix === 'fc00:f853:ccd:e799::5/128'), { timeoutMs: 10_000, intervalMs: 250 });
    expect(v6).toMatchObject({ nextHops: ['fd30::11'], communities: ['64512:100'] });
    // Without dualStackAddressFamily each session carries its own family only.
    expect(gobgp.routes('ipv6-unicast')).toHaveLength(1);
    expect(gobgp.routes('ipv4-unicast')).toHaveLength(1);
    const status = await driver.status();
    expect(status.sessions.map((s) => [s.peer, s.bgpStatus])).toEqual([
      ['gobgp-v4', 'Established'],
      ['gobgp-v6', 'Established'],
    ]);
    expect(status.metrics).toMatch(/metallb_bgp_session_up\{peer="fd30::100"\} 1/);
  }, 60_000);

  it('withdraws on SIGTERM-style stop', async () => {
    await driver.stop(0);
    await waitFor('routes withdrawn at GoBGP', () => gobgp.routes('ipv4-unicast').length === 0 && gobgp.routes('ipv6-unicast').length === 0, { timeoutMs: 10_000, intervalMs: 250 });
  }, 30_000);
});
