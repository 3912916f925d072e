// BgpMode against FRR (zebra, bgpd, bfdd) in network namespaces: three nodes each running the real
// desiredBgp() + BgpMode in a process of their own (test/bgp-driver.ts), the router installing
// ECMP routes in its kernel. One lab for the file. Needs root; ~60 s.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
spec: { myASN: 64512, peerASN: 64512, peerAddress: 172.30.0.3, holdTime: 9s, connectTime: 1s, bfdProfile: fast, dualStackAddressFamily: true, enableGracefulRestart: true }
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
    if (process.env['BGP_TEST_LOGS']) {
      drivers.forEach((d, i) => writeFileSync(join(process.env['BGP_TEST_LOGS'] as string, `driver-${i}.log`), d.process.output()));
      if (c?.router) writeFileSync(join(process.env['BGP_TEST_LOGS'], 'bgpd.log'), c.router.output());
    }
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
    // BFD comes up after BGP (its handshake starts at the 1 s slow-start rate): wait for it.
    await waitFor('BFD up on node 1', async () => (await drivers[0]!.status()).sessions[0]?.bfdStatus === 'Up', { timeoutMs: 15_000, intervalMs: 250 });
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

  const routerConfig = (...lines: string[]): void => {
    const dir = join(c.lab.workDir, `frr-router-${c.routerNs}`);
    c.lab.ns(c.routerNs as string, 'vtysh', ['--vty_socket', dir, '-d', 'bgpd', '-c', 'configure terminal', '-c', 'router bgp 64512', ...lines.flatMap((l) => ['-c', l])]);
  };
  const established = (address: string): boolean => c.router?.neighborState(address) === 'established';

  it('a changed peer setting (BFD profile removed) resets the session; graceful restart keeps the routes across kill -9 and restart', async () => {
    const noBfd = CONFIG.replace(' bfdProfile: fast,', '');
    for (const d of drivers) d.update(noBfd, base);
    await waitFor('sessions without BFD', async () => (await Promise.all(drivers.map((d) => d.status()))).every((s) => s.sessions[0]?.bfdStatus === 'N/A' && s.sessions[0].bgpStatus === 'Established'), {
      timeoutMs: 30_000,
      intervalMs: 500,
    });
    await waitFor('every node announcing again', () => nextHops('192.168.10.5/32').length === 3, { timeoutMs: 30_000, intervalMs: 250 });
    // kill -9 of node 3's speaker: the router keeps its routes (stale) while it restarts.
    drivers[2]!.process.child.kill('SIGKILL');
    const lost: number[] = [];
    const watch = setInterval(() => {
      if (!nextHops('192.168.10.5/32').includes('172.30.0.13')) lost.push(performance.now());
    }, 100);
    try {
      await new Promise((r) => setTimeout(r, 1500));
      expect(routes().some((r) => r.prefix === '192.168.10.5/32' && r.nextHops.includes('172.30.0.13') && r.stale)).toBe(true);
      drivers[2] = await Driver.start(c, 2, { BGP_RESTARTING: '1' });
      drivers[2].update(noBfd, base);
      await waitFor('node 3 re-established, its routes fresh', () => established('172.30.0.13') && !routes().some((r) => r.stale), { timeoutMs: 30_000, intervalMs: 250 });
      // Started within its restart time, the new process says so in its first OPEN (RFC 4724's R bit).
      expect(c.router?.restartStateBit('172.30.0.13')).toBe(true);
    } finally {
      clearInterval(watch);
    }
    expect(lost).toEqual([]);
    expect(nextHops('192.168.10.5/32')).toEqual(ALL);
  }, 90_000);

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

  it('TCP MD5 with the password from a kubernetes.io/basic-auth Secret', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bgp-pw', namespace: 'metallb-system' }, type: 'kubernetes.io/basic-auth', data: { password: Buffer.from('s3cret').toString('base64') } };
    const withSecret = CONFIG.replace('enableGracefulRestart: true }', 'enableGracefulRestart: true, passwordSecret: { name: bgp-pw } }');
    routerConfig('neighbor speakers password s3cret');
    c.router?.vtysh('clear bgp *');
    drivers[0]!.update(withSecret, { ...base, secrets: [secret] });
    // Last in the file: FRR keeps MD5 on its listening socket for the range once set, so the lab is not restored.
    await waitFor('node 1 established with MD5', () => established('172.30.0.11') && nextHops('192.168.10.6/32').length === 1, { timeoutMs: 20_000, intervalMs: 200 });
    // Node 3 has no password: the router's kernel drops its segments.
    expect(established('172.30.0.13')).toBe(false);
    const status = await drivers[0]!.status();
    expect(status.sessions[0]).toMatchObject({ bgpStatus: 'Established', problems: [] });
  }, 60_000);
});
