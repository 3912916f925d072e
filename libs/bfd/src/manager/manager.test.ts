import { describe, expect, expectTypeOf, it } from 'vitest';
import { type CompiledBfdProfile } from '@lb/config-schema';
import { controlPacket } from '../codec/control-packet.js';
import { ManagerPair } from '../../test/helpers/manager-pair.js';
import { packetOf } from '../../test/helpers/packets.js';
import { SessionManager, type SessionSpec } from './manager.js';
import { type BfdProfile } from './profile.js';

const spec = (local: string, peer: string, extra: Partial<SessionSpec> = {}): SessionSpec => ({ localAddress: local, peerAddress: peer, profile: { receiveInterval: 100, transmitInterval: 100 }, ...extra });

function connected(options: ConstructorParameters<typeof ManagerPair>[0] = {}, extra: Partial<SessionSpec> = {}): ManagerPair & { keyA: string; keyB: string } {
  const pair = new ManagerPair(options);
  const a = pair.a.add(spec('10.0.0.1', '10.0.0.2', extra), 0);
  const b = pair.b.add(spec('10.0.0.2', '10.0.0.1', extra), 0);
  if (!a.ok || !b.ok) throw new Error('add failed');
  pair.handle('a', a.value.actions);
  pair.handle('b', b.value.actions);
  return Object.assign(pair, { keyA: a.value.session, keyB: b.value.session });
}

describe('SessionManager: configuration', () => {
  it('accepts a CompiledBfdProfile from @lb/config-schema as is', () => {
    expectTypeOf<CompiledBfdProfile>().toExtend<BfdProfile>();
  });

  it('applies MetalLB defaults (300/300 ms, ×3, echo 50 ms, TTL 254)', () => {
    const manager = new SessionManager();
    const added = manager.add({ localAddress: '192.0.2.1', peerAddress: '192.0.2.2' }, 0);
    expect(added.ok).toBe(true);
    expect(manager.sessions()[0]).toMatchObject({
      session: 'single-hop 192.0.2.1 -> 192.0.2.2',
      family: 'IPv4',
      profile: { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3, echoInterval: 50, echoMode: false, passiveMode: false, minimumTtl: 254 },
    });
  });

  it('rejects a bad spec with every problem at once, each naming its field', () => {
    const manager = new SessionManager();
    const result = manager.add({ localAddress: '10.0.0.300', peerAddress: 'fe80::zz', profile: { receiveInterval: 0, detectMultiplier: 1.5, echoMode: 'yes' as unknown as boolean, minimumTtl: 256 } }, 0);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual([
      'peerAddress: "fe80::zz" is not an IP address',
      'localAddress: "10.0.0.300" is not an IP address',
      'profile.receiveInterval: 0 must be an integer from 1 to 4294967 ms',
      'profile.detectMultiplier: 1.5 must be an integer from 1 to 255',
      'profile.minimumTtl: 256 must be an integer from 1 to 255',
      'profile.echoMode: "yes" must be true or false',
    ]);
  });

  it.each([
    ['multihop echo', { multihop: true, profile: { echoMode: true } }, 'the echo function runs on single-hop sessions only'],
    ['IPv6 echo', { localAddress: 'fd00::1', peerAddress: 'fd00::2', profile: { echoMode: true } }, 'IPv4 sessions only'],
    ['mixed families', { peerAddress: 'fd00::2' }, 'is IPv4 but peerAddress fd00::2 is IPv6'],
  ] as const)('refuses %s clearly', (_name, change, message) => {
    const result = new SessionManager().add({ ...spec('10.0.0.1', '10.0.0.2'), ...change }, 0);
    expect(!result.ok && result.error.join('\n')).toContain(message);
  });

  it('refuses echoMode when the transport cannot send echo packets, saying why', () => {
    const manager = new SessionManager({ echo: { available: false, reason: 'the native addon @lb/bfd-socket is not installed' } });
    const result = manager.add(spec('10.0.0.1', '10.0.0.2', { profile: { echoMode: true } }), 0);
    expect(result).toEqual({ ok: false, error: ['profile.echoMode: echo packets cannot be sent here: the native addon @lb/bfd-socket is not installed'] });
  });

  it('refuses a second session for the same addresses; canonical text makes them the same', () => {
    const manager = new SessionManager();
    expect(manager.add(spec('fd00::1', 'fd00::2'), 0).ok).toBe(true);
    expect(manager.add(spec('fd00:0::1', 'FD00::2'), 0)).toEqual({ ok: false, error: ['a session single-hop fd00::1 -> fd00::2 exists already'] });
    expect(manager.add(spec('fd00::1', 'fd00::2', { multihop: true }), 0).ok).toBe(true);
  });
});

describe('SessionManager: two nodes', () => {
  it('comes Up on both and tells the speaker, with the negotiated timers', () => {
    const pair = connected();
    pair.run(3000);
    const [up] = pair.eventsOf('a', 'up');
    expect(up).toMatchObject({ type: 'up', session: 'single-hop 10.0.0.1 -> 10.0.0.2', peerAddress: '10.0.0.2', localAddress: '10.0.0.1', multihop: false, family: 'IPv4' });
    expect(pair.a.session(pair.keyA)).toMatchObject({ state: 'Up', timers: { transmitInterval: 100, detectionTime: 300 } });
    expect(pair.a.counters).toMatchObject({ up: 1, down: 0 });
    expect(pair.a.counters.controlOut).toBeGreaterThan(20);
    expect(pair.b.counters.controlIn).toBe(pair.a.counters.controlOut);
  });

  it('reports down with the cause, both diagnostics and a readable reason', () => {
    const pair = connected();
    pair.run(2000);
    pair.cut = true;
    pair.run(2500);
    const [down] = pair.eventsOf('a', 'down');
    expect(down).toMatchObject({ type: 'down', from: 'Up', to: 'Down', cause: 'detection-time-expired', diagnostic: 1 });
    expect(down && 'reason' in down && down.reason).toBe('no control packet from the peer for a detection time (diagnostic 1: control detection time expired)');
  });

  it('drops and counts a single-hop packet that arrives with TTL 254, and never lets it touch the session', () => {
    const pair = connected();
    pair.run(2000);
    const info = pair.a.session(pair.keyA)!;
    const spoof = controlPacket.encode(packetOf({ state: 'AdminDown', myDiscriminator: info.remoteDiscriminator, yourDiscriminator: info.localDiscriminator }));
    pair.deliver('a', { bytes: spoof, sourceAddress: '10.0.0.2', sourcePort: 49152, destinationAddress: '10.0.0.1', multihop: false, ttl: 254 });
    expect(pair.a.counters.dropped.ttl).toBe(1);
    expect(pair.a.session(pair.keyA)).toMatchObject({ state: 'Up', stats: { droppedTtl: 1 } });
  });

  it('multihop: accepts TTL down to minimumTtl, drops and counts below it', () => {
    const pair = connected({}, { multihop: true, profile: { receiveInterval: 100, transmitInterval: 100, minimumTtl: 250 } });
    pair.ttl = { a: 250, b: 250 };
    pair.run(3000);
    expect(pair.a.session(pair.keyA)?.state).toBe('Up');
    pair.ttl = { a: 249, b: 249 };
    pair.run(3500);
    expect(pair.a.session(pair.keyA)?.state).toBe('Down');
    expect(pair.a.counters.dropped.ttl).toBeGreaterThan(0);
  });

  it('counts packets it could not check the TTL of (a socket without the native addon)', () => {
    const pair = connected();
    pair.ttl = { a: undefined, b: undefined };
    pair.run(1000);
    expect(pair.a.session(pair.keyA)?.state).toBe('Up');
    // All but the first packet, which was on its way before the TTL went missing.
    expect(pair.a.counters.ttlUnchecked).toBe(pair.a.counters.controlIn - 1);
  });

  it('demultiplexes: unknown discriminator, wrong peer, no session for the addresses, malformed', () => {
    const pair = connected();
    pair.run(2000);
    const info = pair.a.session(pair.keyA)!;
    const packet = (your: number, state: 'Down' | 'Up') =>
      controlPacket.encode(packetOf({ state, myDiscriminator: 99, yourDiscriminator: your }));
    const at = (bytes: Uint8Array, source = '10.0.0.2', destination = '10.0.0.1') => pair.deliver('a', { bytes, sourceAddress: source, sourcePort: 50000, destinationAddress: destination, multihop: false, ttl: 255 });
    at(packet(12345, 'Up'));
    at(packet(info.localDiscriminator, 'Up'), '10.0.0.9');
    at(packet(0, 'Down'), '10.0.0.9');
    at(packet(0, 'Up'));
    at(new Uint8Array([0x40, 0, 0, 0]));
    at(Uint8Array.from([...packet(5, 'Up').subarray(0, 20)]));
    expect(pair.a.counters.dropped).toMatchObject({ 'no-session': 2, 'wrong-peer': 1, 'zero-your-discriminator': 1, malformed: 2 });
    expect(pair.a.counters.malformed).toMatchObject({ truncated: 2 });
    expect(pair.a.session(pair.keyA)?.state).toBe('Up');
  });

  it('remove: sends AdminDown (the peer reports why), then forgets the session after a detection time', () => {
    const pair = connected();
    pair.run(2000);
    const removed = pair.a.remove(pair.keyA, pair.now);
    expect(removed.ok).toBe(true);
    if (removed.ok) pair.handle('a', removed.value);
    pair.run(2010);
    expect(pair.eventsOf('b', 'down')[0]).toMatchObject({ cause: 'neighbor-admin-down', diagnostic: 3, remoteDiagnostic: 7 });
    expect(pair.a.session(pair.keyA)?.removing).toBe(true);
    pair.run(4000);
    expect(pair.eventsOf('a', 'removed')).toHaveLength(0);
    // AdminDown goes out at the slow-start rate (1 s) three times before the session is forgotten.
    pair.run(5100);
    expect(pair.eventsOf('a', 'removed')).toHaveLength(1);
    expect(pair.a.size).toBe(0);
    expect(pair.b.session(pair.keyB)?.state).toBe('Down');
  });

  it('update: a new interval runs a Poll; echoMode and passiveMode changes are refused', () => {
    const pair = connected();
    pair.run(2000);
    const result = pair.a.update(pair.keyA, { receiveInterval: 100, transmitInterval: 250 }, pair.now);
    expect(result.ok).toBe(true);
    if (result.ok) pair.handle('a', result.value);
    pair.run(3000);
    expect(pair.a.session(pair.keyA)?.timers.transmitInterval).toBe(250);
    expect(pair.b.session(pair.keyB)?.timers.detectionTime).toBe(750);
    expect(pair.a.update(pair.keyA, { passiveMode: true }, pair.now)).toEqual({ ok: false, error: ['profile.passiveMode: changing it needs a new session (remove and add)'] });
  });

  it('admin down and up from the speaker', () => {
    const pair = connected();
    pair.run(2000);
    const down = pair.b.adminDown(pair.keyB, pair.now);
    if (down.ok) pair.handle('b', down.value);
    pair.run(3000);
    expect(pair.eventsOf('a', 'down')[0]).toMatchObject({ cause: 'neighbor-admin-down' });
    expect(pair.eventsOf('b', 'down')[0]).toMatchObject({ cause: 'admin-down', diagnostic: 7 });
    const up = pair.b.adminUp(pair.keyB, pair.now);
    if (up.ok) pair.handle('b', up.value);
    pair.run(6000);
    expect(pair.eventsOf('a', 'up')).toHaveLength(2);
  });

  it('echo: looped echoes keep it Up; the manager counts them', () => {
    const pair = connected({}, { profile: { receiveInterval: 100, transmitInterval: 100, echoMode: true, echoInterval: 50 } });
    pair.run(5000);
    expect(pair.a.session(pair.keyA)).toMatchObject({ state: 'Up', timers: { echoInterval: 50 } });
    expect(pair.a.counters.echoIn).toBeGreaterThan(40);
    expect(pair.a.counters.echoOut).toBeGreaterThanOrEqual(pair.a.counters.echoIn);
  });

  it('hundreds of sessions on one clock: all Up, none falsely Down over a virtual minute', () => {
    const pair = new ManagerPair();
    const count = 300;
    for (let i = 0; i < count; i++) {
      const local = `10.1.${i >> 8}.${i & 0xff}`;
      const peer = `10.2.${i >> 8}.${i & 0xff}`;
      const profile = { receiveInterval: 300, transmitInterval: 300 };
      const a = pair.a.add({ localAddress: local, peerAddress: peer, profile }, 0);
      const b = pair.b.add({ localAddress: peer, peerAddress: local, profile }, 0);
      if (a.ok) pair.handle('a', a.value.actions);
      if (b.ok) pair.handle('b', b.value.actions);
    }
    pair.run(60_000);
    expect(pair.a.counters.up).toBe(count);
    expect(pair.a.counters.down + pair.b.counters.down).toBe(0);
    expect(pair.a.sessions().every((s) => s.state === 'Up')).toBe(true);
  });
});
