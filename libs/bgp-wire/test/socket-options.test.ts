import { describe, expect, it } from 'vitest';
import { startFrr, startGobgpd, waitForNeighbor } from '@lb/netlab';
import { cleanupAfterEach } from './helpers/cleanup.js';
import { SpeakerProcess } from './helpers/speaker.js';
import { type TwoNodes, twoNodes } from './helpers/topology.js';

const started = cleanupAfterEach();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function speaker(n: TwoNodes, options: Record<string, unknown>, listen?: { port: number; host: string }): Promise<SpeakerProcess> {
  const s = await SpeakerProcess.start(
    n.lab,
    n.speakerNs,
    { localAs: 64512, peerAs: 64513, routerId: n.speaker.v4, peerAddress: n.peer.v4, connectRetryTime: 1, connectTimeoutMs: 2000, ...options },
    listen,
  );
  started.speakers.push(s);
  return s;
}

describe('TCP MD5 (RFC 2385) against gobgpd', () => {
  it('comes up when both sides use the same password', async () => {
    const net = started.track(twoNodes('md5a', ['gobgpd', 'gobgp']));
    const daemon = startGobgpd(net.lab, net.peerNs, { asn: 64513, routerId: net.peer.v4, neighbors: [{ address: net.speaker.v4, asn: 64512, passive: true, password: 'lb-secret' }] });
    const s = await speaker(net, { mode: 'active', password: 'lb-secret' });
    await s.waitForState('established');
    await waitForNeighbor(daemon, net.speaker.v4, 'established');
  });

  it('stays down with a wrong password: the peer kernel drops our SYNs', async () => {
    const net = started.track(twoNodes('md5b', ['gobgpd', 'gobgp']));
    const daemon = startGobgpd(net.lab, net.peerNs, { asn: 64513, routerId: net.peer.v4, neighbors: [{ address: net.speaker.v4, asn: 64512, passive: true, password: 'lb-secret' }] });
    const s = await speaker(net, { mode: 'active', password: 'not-the-secret' });
    await s.waitForEvent('a failed connection attempt', (e) => e.type === 'state' && e.reason !== undefined && e.reason.startsWith('connect failed'), 15_000);
    await sleep(3000);
    const { state, stats } = await s.stats();
    expect(state).not.toBe('established');
    expect(stats.sent.open).toBe(0);
    expect(daemon.neighborState(net.speaker.v4)).not.toBe('established');
  });

  it('accepts a signed inbound connection on the shared listener (passive mode, FRR connecting)', async () => {
    const net = started.track(twoNodes('md5c', ['bgpd', 'vtysh']));
    const s = await speaker(net, { mode: 'passive', password: 'lb-secret' }, { port: 179, host: '::' });
    const daemon = startFrr(net.lab, net.peerNs, { asn: 64513, routerId: net.peer.v4, neighbors: [{ address: net.speaker.v4, asn: 64512, password: 'lb-secret' }] });
    await s.waitForState('established', 30_000);
    await waitForNeighbor(daemon, net.speaker.v4, 'established');
  });
});

describe('IP TTL (eBGP multihop / GTSM) against FRR ttl-security', () => {
  it('comes up when we send TTL 255', async () => {
    const net = started.track(twoNodes('ttla', ['bgpd', 'vtysh']));
    const daemon = startFrr(net.lab, net.peerNs, { asn: 64513, routerId: net.peer.v4, neighbors: [{ address: net.speaker.v4, asn: 64512, passive: true, ttlSecurity: true }] });
    const s = await speaker(net, { mode: 'active', ttl: 255 });
    await s.waitForState('established', 30_000);
    await waitForNeighbor(daemon, net.speaker.v4, 'established');
  });

  it('is refused with the default TTL', async () => {
    const net = started.track(twoNodes('ttlb', ['bgpd', 'vtysh']));
    const daemon = startFrr(net.lab, net.peerNs, { asn: 64513, routerId: net.peer.v4, neighbors: [{ address: net.speaker.v4, asn: 64512, passive: true, ttlSecurity: true }] });
    const s = await speaker(net, { mode: 'active', ttl: 64 });
    await s.waitForEvent('a connection attempt', (e) => e.type === 'connecting');
    await s.setRoutes('ipv4-unicast', [{ prefix: '198.51.100.20/32', nextHop: net.speaker.v4 }]);
    // FRR drops our segments below TTL 254 (IP_MINTTL), so it never reaches Established and takes
    // no route from us. FRR sets IP_MINTTL on the accepted socket, so under load our OPEN can slip
    // in before it and our side may see FRR's OPEN and KEEPALIVE; our KEEPALIVE never gets through,
    // so FRR's view is the one that shows the refusal.
    const states = new Set<string>();
    for (const deadline = Date.now() + 6000; Date.now() < deadline; await sleep(500)) states.add(daemon.neighborState(net.speaker.v4));
    expect([...states]).not.toContain('established');
    expect(daemon.acceptedCount(net.speaker.v4, 'ipv4-unicast')).toBe(0);
  });
});
