import { afterAll, describe, expect, it } from 'vitest';
import { type BgpDaemon, type BgpFamily, type RibRoute, startBird, startFrr, startGobgpd, waitFor, waitForNeighbor } from '@lb/netlab';
import { type Route } from '@lb/bgp-wire';
import { SpeakerProcess } from './helpers/speaker.js';
import { type TwoNodes, twoNodes } from './helpers/topology.js';

const SPEAKER_AS = 64512;
const daemons = {
  gobgpd: { tools: ['gobgpd', 'gobgp'], start: startGobgpd },
  frr: { tools: ['bgpd', 'vtysh'], start: startFrr },
  bird: { tools: ['bird', 'birdc'], start: startBird },
} as const;

const cases = (['gobgpd', 'frr', 'bird'] as const).flatMap((daemon) => (['ebgp', 'ibgp'] as const).map((kind) => [daemon, kind] as const));

/** What each of our two sessions (IPv4 and IPv6 transport) announces: both families on both. */
function routesFor(transport: 'v4' | 'v6', kind: 'ebgp' | 'ibgp'): Record<BgpFamily, Route[]> {
  const n = transport === 'v4' ? 1 : 2;
  const common = {
    communities: ['65000:100', 'no-export'],
    largeCommunities: ['65000:1:2'],
    med: 20 + n,
    ...(kind === 'ibgp' ? { localPref: 200 + n } : {}),
  };
  return {
    'ipv4-unicast': [{ prefix: `198.51.100.${n}/32`, nextHop: '10.70.0.1', ...common }],
    'ipv6-unicast': [{ prefix: `2001:db8:100::${n}/128`, nextHop: 'fd70::1', ...common }],
  };
}

function expectAttributes(route: RibRoute | undefined, sent: Route, kind: 'ebgp' | 'ibgp'): void {
  expect(route, `route ${sent.prefix}`).toBeDefined();
  expect(route?.nextHops[0]).toBe(sent.nextHop);
  expect(route?.communities).toEqual(['65000:100', '65535:65281']);
  expect(route?.largeCommunities).toEqual(['65000:1:2']);
  expect(route?.med).toBe(sent.med);
  if (kind === 'ibgp') {
    expect(route?.localPref).toBe(sent.localPref);
    expect(route?.asPath).toEqual([]);
  } else {
    expect(route?.asPath).toEqual([SPEAKER_AS]);
  }
}

describe.each(cases)('interop with %s (%s)', (daemonName, kind) => {
  let net: TwoNodes;
  let daemon: BgpDaemon;
  const speakers: SpeakerProcess[] = [];
  afterAll(async () => {
    for (const s of speakers) await s.stop().catch(() => undefined);
    await net?.lab.cleanup();
  });

  it('reaches Established over IPv4 and IPv6 transport, and carries both families on each', async () => {
    const spec = daemons[daemonName];
    net = twoNodes(`i${daemonName.slice(0, 2)}${kind[0]}`, [...spec.tools]);
    const peerAs = kind === 'ibgp' ? SPEAKER_AS : 64513;
    daemon = spec.start(net.lab, net.peerNs, {
      asn: peerAs,
      routerId: net.peer.v4,
      neighbors: [net.speaker.v4, net.speaker.v6].map((address) => ({ address, asn: SPEAKER_AS, passive: true, holdTime: 9 })),
    });
    for (const transport of ['v4', 'v6'] as const) {
      speakers.push(
        await SpeakerProcess.start(net.lab, net.speakerNs, {
          localAs: SPEAKER_AS,
          peerAs,
          routerId: net.speaker.v4,
          peerAddress: net.peer[transport],
          localAddress: net.speaker[transport],
          mode: 'active',
          connectRetryTime: 1,
          holdTime: 9,
        }),
      );
    }
    for (const s of speakers) await s.waitForState('established', 30_000);
    await waitForNeighbor(daemon, net.speaker.v4, 'established');
    await waitForNeighbor(daemon, net.speaker.v6, 'established');

    const sent = { v4: routesFor('v4', kind), v6: routesFor('v6', kind) };
    for (const [i, transport] of (['v4', 'v6'] as const).entries()) {
      for (const family of ['ipv4-unicast', 'ipv6-unicast'] as const) await speakers[i]?.setRoutes(family, sent[transport][family]);
    }
    for (const family of ['ipv4-unicast', 'ipv6-unicast'] as const) {
      const rib = await waitFor(`${daemonName} ${family} routes`, () => {
        const routes = daemon.routes(family);
        return routes.length >= 2 ? routes : undefined;
      });
      for (const transport of ['v4', 'v6'] as const) {
        const route = sent[transport][family][0] as Route;
        expectAttributes(
          rib.find((r) => r.prefix === route.prefix),
          route,
          kind,
        );
      }
    }
  });

  it('carries IPv4 routes with an IPv6 next hop over the IPv6 session (RFC 8950)', async () => {
    const v6Session = speakers[1] as SpeakerProcess;
    const { negotiated } = (await v6Session.call({ cmd: 'stats', peer: 0 })) as { negotiated: { ipv4OverIpv6NextHop: boolean } };
    expect(negotiated.ipv4OverIpv6NextHop).toBe(true);
    await v6Session.setRoutes('ipv4-unicast', [{ prefix: '198.51.100.200/32', nextHop: net.speaker.v6 }]);
    const route = await waitFor(`${daemonName} RFC 8950 route`, () => daemon.routes('ipv4-unicast').find((r) => r.prefix === '198.51.100.200/32'));
    expect(route.nextHops[0]).toBe(net.speaker.v6);
  });

  it('withdraws routes the speaker no longer announces', async () => {
    for (const s of speakers) {
      await s.setRoutes('ipv4-unicast', []);
      await s.setRoutes('ipv6-unicast', []);
    }
    for (const family of ['ipv4-unicast', 'ipv6-unicast'] as const) {
      await waitFor(`${daemonName} ${family} withdrawn`, () => daemon.routes(family).filter((r) => r.prefix.startsWith('198.51.100.') || r.prefix.startsWith('2001:db8:100::')).length === 0);
    }
    const stats = await speakers[0]?.stats();
    expect(stats?.stats.announcedPrefixes).toBe(0);
    expect(stats?.stats.sent.update).toBeGreaterThanOrEqual(4);
  });
});
