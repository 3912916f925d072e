import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startFrr, startGobgpd, startBird, waitFor, waitForNeighbor, type BgpDaemon } from '@lb/netlab';
import { cleanupAfterEach } from './helpers/cleanup.js';
import { SpeakerProcess } from './helpers/speaker.js';
import { type TwoNodes, twoNodes } from './helpers/topology.js';

const rawPeer = new URL('./fixtures/raw-peer.ts', import.meta.url).pathname;
const corpus = (JSON.parse(readFileSync(new URL('./corpus/malformed.json', import.meta.url), 'utf8')) as { cases: { name: string; hex: string; expect: { code?: number; subcode?: number; action?: string; data?: string } }[] }).cases;

const started = cleanupAfterEach();

async function startSpeaker(n: TwoNodes, options: Partial<Parameters<typeof SpeakerProcess.start>[2]> = {}): Promise<SpeakerProcess> {
  const speaker = await SpeakerProcess.start(n.lab, n.speakerNs, {
    localAs: 64512,
    peerAs: 64513,
    routerId: n.speaker.v4,
    peerAddress: n.peer.v4,
    mode: 'active',
    connectRetryTime: 1,
    ...options,
  });
  started.speakers.push(speaker);
  return speaker;
}

describe('failures', () => {
  it('resets the session when the peer is frozen with SIGSTOP and our hold timer expires', async () => {
    const net = started.track(twoNodes('fstp', ['gobgpd', 'gobgp']));
    const daemon = startGobgpd(net.lab, net.peerNs, { asn: 64513, routerId: net.peer.v4, neighbors: [{ address: net.speaker.v4, asn: 64512, passive: true, holdTime: 30 }] });
    const speaker = await startSpeaker(net, { holdTime: 3 });
    await speaker.waitForState('established');
    const frozenAt = Date.now();
    daemon.pause();
    try {
      const { event } = await speaker.waitForEvent('hold timer NOTIFICATION', (e) => e.type === 'notification-sent', 10_000);
      expect(event).toMatchObject({ notification: { code: 4, subcode: 0 }, reason: 'hold timer expired' });
      // Negotiated hold time is 3 s; the last KEEPALIVE before the freeze came up to 1 s earlier.
      expect(Date.now() - frozenAt).toBeGreaterThan(1500);
      const { stats, state } = await speaker.stats();
      expect(state).not.toBe('established');
      expect(stats.sent.notification).toBe(1);
    } finally {
      daemon.resume();
    }
    // Once the router thaws, the session comes back by itself.
    await waitForNeighbor(daemon, net.speaker.v4, 'established', 30_000);
  });

  it('answers malformed UPDATEs from a raw peer with the right NOTIFICATION (and treat-as-withdraw ones with none)', async () => {
    const net = started.track(twoNodes('fraw'));
    const picked = ['update_nlri_prefix_33', 'unrecognized_well_known', 'mp_reach_bad_next_hop_length', 'update_attribute_length_too_long', 'origin_value_3'];
    const cases = picked.map((name) => corpus.find((c) => c.name === name)!);
    expect(cases.every(Boolean)).toBe(true);
    const peer = net.lab.spawn(net.peerNs, process.execPath, ['--conditions=development', '--import', 'tsx', rawPeer, '179', '64513', net.peer.v4, ...cases.map((c) => c.hex)]);
    await new Promise((r) => setTimeout(r, 1000));
    const speaker = await startSpeaker(net);
    const lines = await waitFor(
      'raw peer results',
      () => {
        const out = peer.output().trim().split('\n').filter((l) => l.startsWith('{'));
        return out.length === cases.length ? out : undefined;
      },
      { timeoutMs: 40_000 },
    );
    const results = lines.map((l) => JSON.parse(l) as { case: string; outcome: string; received: { type: string; code?: number; subcode?: number; data?: string }[] });
    cases.forEach((c, i) => {
      const result = results[i]!;
      expect(result.case).toBe(c.hex);
      if (c.expect.action === 'session-reset') {
        const n = result.received.find((r) => r.type === 'notification');
        expect(n, c.name).toMatchObject({ code: c.expect.code, subcode: c.expect.subcode });
        if (c.expect.data !== undefined) expect(n?.data).toBe(c.expect.data);
      } else {
        expect(result.outcome, c.name).toBe('no-notification');
      }
    });
    const { stats } = await speaker.stats();
    expect(stats.malformedUpdates).toBe(1);
    expect(stats.sent.notification).toBe(4);
  });

  it.each(['gobgpd', 'frr', 'bird'] as const)('keeps our routes at %s (stale, no withdrawal) while our process restarts with graceful restart', async (kind) => {
    const tools = { gobgpd: ['gobgpd', 'gobgp'], frr: ['bgpd', 'vtysh'], bird: ['bird', 'birdc'] }[kind];
    const net = started.track(twoNodes(`fgr${kind[0]}`, tools));
    const start = { gobgpd: startGobgpd, frr: startFrr, bird: startBird }[kind];
    const daemon: BgpDaemon = start(net.lab, net.peerNs, {
      asn: 64513,
      routerId: net.peer.v4,
      neighbors: [{ address: net.speaker.v4, asn: 64512, passive: true, gracefulRestart: true }],
    });
    const routes = [
      { prefix: '198.51.100.10/32', nextHop: net.speaker.v4 },
      { prefix: '198.51.100.11/32', nextHop: net.speaker.v4 },
    ];
    const gracefulRestart = { restartTime: 60 };
    const first = await startSpeaker(net, { gracefulRestart });
    await first.waitForState('established');
    await first.setRoutes('ipv4-unicast', routes);
    await waitFor(`${kind} holds our routes`, () => daemon.routes('ipv4-unicast').length === 2);
    expect((await first.stats()).stats).toMatchObject({ established: true });

    // The old process goes away without a NOTIFICATION (what a SIGTERM'd speaker does).
    await first.stop({ graceful: true });
    started.speakers.splice(started.speakers.indexOf(first), 1);
    const seen: number[] = [];
    let stale = false;
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const rib = daemon.routes('ipv4-unicast');
      seen.push(rib.length);
      stale ||= rib.some((r) => r.stale);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(Math.min(...seen)).toBe(2);
    if (kind !== 'bird') expect(stale).toBe(true);

    const second = await startSpeaker(net, { gracefulRestart: { ...gracefulRestart, restarting: true } });
    await second.setRoutes('ipv4-unicast', routes);
    await second.waitForState('established');
    await second.waitForEvent('End-of-RIB sent', (e) => e.type === 'end-of-rib-sent' && e.family === 'ipv4-unicast');
    await waitFor(`${kind} routes fresh again`, () => {
      const rib = daemon.routes('ipv4-unicast');
      seen.push(rib.length);
      return rib.length === 2 && rib.every((r) => !r.stale);
    });
    expect(Math.min(...seen)).toBe(2);
  });
});
