// BgpMode against FRR (zebra, bgpd, bfdd) in network namespaces: three nodes each running the real
// desiredBgp() + BgpMode in a process of their own (test/bgp-driver.ts), the router installing
// ECMP routes in its kernel. One lab for the file. Needs root; ~60 s.
import { ClusterLab, requireNetworkLab, waitFor, type RibRoute } from '@lb/netlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { node, service, slice } from './fixtures.js';
import { Driver, type ApiObjects } from './bgp-harness.js';

const CONFIG = `
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: first-pool, namespace: metallb-system }
spec: { addresses: [192.168.10.0/24, 'fc00:f853:ccd:e799::/124'] }
---
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: { name: aggregated, namespace: metallb-system }
spec: { addresses: [192.168.9.0/28] }
---
apiVersion: metallb.io/v1beta1
kind: BFDProfile
metadata: { name: fast, namespace: metallb-system }
spec: { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 }
---
apiVersion: metallb.io/v1beta2
kind: BGPPeer
metadata: { name: router, namespace: metallb-system }
spec: { myASN: 64512, peerASN: 64512, peerAddress: 172.30.0.3, holdTime: 9s, bfdProfile: fast, dualStackAddressFamily: true, enableGracefulRestart: true }
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: tagged, namespace: metallb-system }
spec:
  ipAddressPools: [first-pool]
  communities: ['64512:100', 'large:64512:7:9', NO_ADVERTISE]
  localPref: 150
---
apiVersion: metallb.io/v1beta1
kind: BGPAdvertisement
metadata: { name: aggregated, namespace: metallb-system }
spec:
  ipAddressPools: [aggregated]
  aggregationLength: 28
  nodeSelectors: [{ matchLabels: { rack: a } }]
---
apiVersion: metallb.io/v1beta1
kind: Community
metadata: { name: aliases, namespace: metallb-system }
spec: { communities: [{ name: NO_ADVERTISE, value: '65535:65282' }] }
`;

const NODES = [node('lb-node-1', { rack: 'a' }), node('lb-node-2', { rack: 'a' }), node('lb-node-3', { rack: 'b' })];
const ALL = ['172.30.0.11', '172.30.0.12', '172.30.0.13'];

describe('BgpMode against FRR', () => {
  let c: ClusterLab;
  const drivers: Driver[] = [];
  const routes = (family: 'ipv4-unicast' | 'ipv6-unicast' = 'ipv4-unicast'): RibRoute[] => c.router?.routes(family) ?? [];
  const nextHops = (prefix: string): string[] => (c.router?.kernelNextHops(prefix) ?? []).sort();
  const updateAll = (objects: ApiObjects): void => {
    for (const d of drivers) d.update(CONFIG, objects);
  };
  const base: ApiObjects = {
    services: [
      service('web', { ips: ['192.168.10.5', 'fc00:f853:ccd:e799::5'] }),
      service('local', { ips: ['192.168.10.6'], local: true }),
      service('agg', { ips: ['192.168.9.3'] }),
    ],
    endpointSlices: [slice('web', ['lb-node-2']), slice('local', ['lb-node-1']), slice('agg', ['lb-node-3'])],
    nodes: NODES,
  };

  beforeAll(async () => {
    requireNetworkLab(['zebra', 'bgpd', 'bfdd', 'vtysh']);
    c = await ClusterLab.start({ tag: 'sbg', kubeSim: false, router: { bfd: { receiveMs: 100, transmitMs: 100, multiplier: 3 }, extraConfig: ['bgp graceful-restart'] } });
    for (let i = 0; i < 3; i++) drivers.push(await Driver.start(c, i));
    updateAll(base);
  }, 90_000);
  afterAll(async () => {
    for (const d of drivers) await d.process.stop(2000);
    await c?.cleanup();
  });

  it('the router learns every prefix from the right nodes, with communities and LOCAL_PREF, and installs ECMP', async () => {
    await waitFor('ECMP for 192.168.10.5/32', () => nextHops('192.168.10.5/32').length === 3, { timeoutMs: 30_000, intervalMs: 250 });
    expect(nextHops('192.168.10.5/32')).toEqual(ALL);
    // ETP Local: only the node with the endpoint.
    await waitFor('192.168.10.6 via node 1', () => nextHops('192.168.10.6/32').length > 0, { timeoutMs: 10_000, intervalMs: 250 });
    expect(nextHops('192.168.10.6/32')).toEqual(['172.30.0.11']);
    // Aggregated to /28 and only from rack a.
    await waitFor('192.168.9.0/28', () => nextHops('192.168.9.0/28').length === 2, { timeoutMs: 10_000, intervalMs: 250 });
    expect(nextHops('192.168.9.0/28')).toEqual(['172.30.0.11', '172.30.0.12']);
    const web = routes().filter((r) => r.prefix === '192.168.10.5/32');
    expect(web).toHaveLength(3);
    for (const r of web) {
      expect(r.localPref).toBe(150);
      expect([...r.communities].sort()).toEqual(['64512:100', '65535:65282']);
      expect(r.largeCommunities).toEqual(['64512:7:9']);
    }
    const v6 = routes('ipv6-unicast').filter((r) => r.prefix === 'fc00:f853:ccd:e799::5/128');
    expect(v6).toHaveLength(3);
    const status = await drivers[0]!.status();
    expect(status.sessions).toMatchObject([{ peer: 'router', bgpStatus: 'Established', bfdStatus: 'Up', problems: [] }]);
    expect(status.metrics).toMatch(/metallb_bgp_session_up\{peer="172.30.0.3"\} 1/);
    expect(status.metrics).toMatch(/metallb_bfd_session_up\{peer="172.30.0.3"\} 1/);
    expect(status.metrics).toMatch(/metallb_bgp_announced_prefixes_total\{peer="172.30.0.3"\} 4/);
    expect(status.metrics).toMatch(/metallb_bgp_updates_total\{peer="172.30.0.3"\} [1-9]/);
  }, 60_000);

  it('withdraws when the endpoints become unready, and when the Service goes', async () => {
    updateAll({ ...base, endpointSlices: [slice('web', [], { notReady: ['lb-node-2'] }), ...base.endpointSlices.slice(1)] });
    await waitFor('192.168.10.5 withdrawn', () => nextHops('192.168.10.5/32').length === 0, { timeoutMs: 5_000, intervalMs: 100 });
    updateAll({ ...base, services: base.services.filter((s) => s.metadata?.name !== 'local') });
    await waitFor('192.168.10.6 withdrawn', () => nextHops('192.168.10.6/32').length === 0, { timeoutMs: 5_000, intervalMs: 100 });
    updateAll(base);
    await waitFor('both back', () => nextHops('192.168.10.5/32').length === 3 && nextHops('192.168.10.6/32').length === 1, { timeoutMs: 5_000, intervalMs: 100 });
  }, 30_000);

  it('BFD: a frozen node loses its paths at the router within a second', async () => {
    const frozenAt = performance.now();
    c.freeze(2);
    try {
      await waitFor('node 3 gone from the ECMP route', () => !nextHops('192.168.10.5/32').includes('172.30.0.13'), { timeoutMs: 5_000, intervalMs: 20 });
      const elapsed = performance.now() - frozenAt;
      console.log(`BFD: router dropped the frozen node's path after ${elapsed.toFixed(0)} ms`);
      expect(elapsed).toBeLessThan(1500);
    } finally {
      c.thaw(2);
    }
    await waitFor('node 3 back', () => nextHops('192.168.10.5/32').length === 3, { timeoutMs: 20_000, intervalMs: 200 });
  }, 40_000);

  it('graceful shutdown: withdraws, drains, then closes the session', async () => {
    const d = drivers[1]!;
    const stopping = d.stop(2, 'withdraw');
    const asked = performance.now();
    await waitFor('node 2 withdrawn', () => !nextHops('192.168.10.5/32').includes('172.30.0.12'), { timeoutMs: 3_000, intervalMs: 50 });
    const withdrawnAfter = performance.now() - asked;
    // Still established during the drain: the router keeps the session while traffic moves.
    expect(c.router?.neighborState('172.30.0.12')).toBe('established');
    await stopping;
    console.log(`graceful shutdown: withdrawn after ${withdrawnAfter.toFixed(0)} ms, session closed after the 2 s drain`);
    await waitFor('session closed', () => c.router?.neighborState('172.30.0.12') !== 'established', { timeoutMs: 5_000, intervalMs: 100 });
    expect(nextHops('192.168.10.5/32')).toEqual(['172.30.0.11', '172.30.0.13']);
  }, 30_000);
});
