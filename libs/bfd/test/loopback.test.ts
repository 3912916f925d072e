// BfdManager over loopback in this process, on ports of its own (no root, no namespace): the
// native transport's TTL check, and the node:dgram fallback and what it says it loses.
import { afterEach, describe, expect, it } from 'vitest';
import { BfdManager, type BfdManagerOptions } from '@lb/bfd/node';
import { loadNativeSocket } from '../src/node/native.js';
import { controlPacket } from '../src/index.js';
import { Lab, waitFor } from '@lb/netlab';
import { OurBfd } from './helpers/our-process.js';
import { packetOf } from './helpers/packets.js';

const managers: BfdManager[] = [];
afterEach(async () => {
  for (const m of managers.splice(0)) await m.close();
});

/** Ports away from BFD's own, so that a BFD daemon on the host is never disturbed. */
function ports(): NonNullable<BfdManagerOptions['ports']> {
  const base = 20_000 + Math.floor(Math.random() * 20_000);
  return { singleHop: base, multihop: base + 1, echo: base + 2 };
}

async function pairUp(options: BfdManagerOptions): Promise<{ manager: BfdManager; key: string; warnings: string[] }> {
  const manager = new BfdManager(options);
  managers.push(manager);
  const warnings: string[] = [];
  manager.on('warning', ({ message }) => warnings.push(message));
  const profile = { receiveInterval: 50, transmitInterval: 50 };
  const a = await manager.addSession({ localAddress: '127.0.0.1', peerAddress: '127.0.0.2', profile });
  if (!a.ok) throw new Error(a.error.join('; '));
  const bothUp = new Promise<void>((resolve) => {
    let ups = 0;
    manager.on('up', () => ++ups === 2 && resolve());
  });
  await manager.addSession({ localAddress: '127.0.0.2', peerAddress: '127.0.0.1', profile });
  await bothUp;
  return { manager, key: a.value, warnings };
}

describe('BfdManager over loopback', () => {
  it('native: comes Up; a datagram with TTL 254 is dropped and counted', async () => {
    const loaded = loadNativeSocket();
    if (!('native' in loaded)) throw new Error(`@lb/bfd-socket must be built for this test: ${loaded.error}`);
    const port = ports();
    const { manager, key } = await pairUp({ transport: 'native', ports: port });
    expect(manager.status).toEqual({ transport: 'native', ttlChecked: true, limitation: undefined, echoAvailable: true });
    const s = manager.session(key)!;
    const sender = loaded.native.open({ family: 4, address: '127.0.0.2', port: 0, ttl: 254, receiveTtl: false }, () => undefined);
    try {
      const spoof = controlPacket.encode(packetOf({ state: 'AdminDown', myDiscriminator: s.remoteDiscriminator, yourDiscriminator: s.localDiscriminator }));
      expect(loaded.native.send(sender.id, spoof, '127.0.0.1', port.singleHop!)).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      loaded.native.close(sender.id);
    }
    expect(manager.counters().dropped.ttl).toBe(1);
    expect(manager.session(key)).toMatchObject({ state: 'Up', stats: { droppedTtl: 1 } });
    expect(manager.counters().ttlUnchecked).toBe(0);
  });

  it('node:dgram fallback: comes Up, says which protection is lost, counts unchecked packets, refuses echo', async () => {
    const { manager, key, warnings } = await pairUp({ transport: 'dgram', ports: ports() });
    expect(manager.status).toMatchObject({ transport: 'dgram', ttlChecked: false, echoAvailable: false });
    expect(warnings.join('\n')).toMatch(/GTSM protection lost/);
    expect(manager.session(key)?.state).toBe('Up');
    expect(manager.counters().ttlUnchecked).toBeGreaterThan(0);
    const echo = await manager.addSession({ localAddress: '127.0.0.3', peerAddress: '127.0.0.4', profile: { echoMode: true } });
    expect(echo.ok).toBe(false);
    expect(!echo.ok && echo.error[0]).toMatch(/^profile\.echoMode: echo packets cannot be sent here: node:dgram was chosen/);
  });

  it('refuses a session whose socket cannot be opened, naming the error', async () => {
    const manager = new BfdManager({ transport: 'native', ports: ports() });
    managers.push(manager);
    // 192.0.2.1 (TEST-NET-1) is no local address: bind fails with EADDRNOTAVAIL.
    const result = await manager.addSession({ localAddress: '192.0.2.1', peerAddress: '192.0.2.2' });
    expect(result).toEqual({ ok: false, error: [expect.stringMatching(/cannot open the sockets of single-hop 192\.0\.2\.1 -> 192\.0\.2\.2: .*EADDRNOTAVAIL/)] });
    expect(manager.sessions()).toEqual([]);
  });
});

describe('a stalled event loop', () => {
  it('reads what arrived during the stall before it runs detection timers: no detection-time Down', { timeout: 20_000 }, async () => {
    const port = ports();
    const profile = { receiveInterval: 50, transmitInterval: 50, detectMultiplier: 3 };
    // The peer runs in another process, so that it keeps sending while this one is stalled.
    const lab = new Lab('bfst');
    const peer = OurBfd.start(lab, null, { ports: port });
    try {
      const peerKey = await peer.add({ localAddress: '127.0.0.2', peerAddress: '127.0.0.1', profile });
      const manager = new BfdManager({ ports: port });
      managers.push(manager);
      const downs: string[] = [];
      manager.on('down', (e) => downs.push(e.cause));
      const added = await manager.addSession({ localAddress: '127.0.0.1', peerAddress: '127.0.0.2', profile });
      if (!added.ok) throw new Error(added.error.join('; '));
      await peer.waitFor('up', peerKey, { timeoutMs: 10_000 });
      await waitFor('3 x 50 ms in force', () => manager.session(added.value)?.timers.detectionTime === 150 && !manager.session(added.value)?.pollInProgress);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const stallUntil = performance.now() + 400; // well past the 150 ms detection time
      while (performance.now() < stallUntil);
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The peer heard nothing from us for 400 ms and rightly went down (we then hear its Down);
      // what must not happen is our own detection firing while its packets wait in our socket.
      expect(downs).not.toContain('detection-time-expired');
      expect(downs.length).toBeGreaterThan(0);
    } finally {
      await peer.stop();
      await lab.cleanup();
    }
  });
});
