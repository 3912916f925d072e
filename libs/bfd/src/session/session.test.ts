import { describe, expect, it } from 'vitest';
import { type ControlPacket } from '../codec/control-packet.js';
import { Diagnostic } from '../codec/constants.js';
import { packetOf } from '../../test/helpers/packets.js';
import { SessionPair, seededRandom } from '../../test/helpers/session-pair.js';
import { jitteredInterval } from './jitter.js';
import { Session, SessionOptionsError, type SessionAction } from './session.js';

const sends = (actions: readonly SessionAction[]): ControlPacket[] => actions.flatMap((a) => (a.type === 'send' ? [a.packet] : []));

const peerPacket = (change: Partial<ControlPacket> = {}): ControlPacket => packetOf({ myDiscriminator: 77, requiredMinRxInterval: 100_000, ...change });

const newSession = (options: Partial<ConstructorParameters<typeof Session>[0]> = {}): Session =>
  new Session({ localDiscriminator: 1, desiredMinTxInterval: 100, requiredMinRxInterval: 100, detectMultiplier: 3, random: seededRandom(7), ...options });

describe('Session: start and roles (RFC 5880 §6.1, §6.8.3, §6.8.7)', () => {
  it('an active session sends at once, Down, slow start 1 s, Your Discriminator 0, C bit clear', () => {
    const [packet] = sends(newSession().start(0));
    expect(packet).toMatchObject({ state: 'Down', yourDiscriminator: 0, myDiscriminator: 1, desiredMinTxInterval: 1_000_000, requiredMinRxInterval: 100_000, poll: false, final: false, controlPlaneIndependent: false });
  });

  it('a passive session says nothing until the peer has, then answers', () => {
    const session = newSession({ passive: true });
    expect(sends(session.start(0))).toEqual([]);
    expect(sends(session.tick(5000))).toEqual([]);
    expect(session.deadline).toBe(Infinity);
    const reply = sends(session.receive(peerPacket(), 5000));
    expect(reply).toHaveLength(1);
    expect(reply[0]).toMatchObject({ state: 'Init', yourDiscriminator: 77 });
  });

  it('a passive session falls silent again once the peer has been gone a detection time', () => {
    const pair = new SessionPair({}, { passive: true });
    pair.run(5000);
    expect(pair.b.state).toBe('Up');
    pair.cut.a = true;
    pair.run(6000);
    expect(pair.b.state).toBe('Down');
    const lastFromB = pair.packetsFrom('b').at(-1)!.at;
    pair.run(20_000);
    expect(pair.packetsFrom('b').at(-1)!.at).toBe(lastFromB);
    expect(pair.b.remoteDiscriminator).toBe(0);
  });

  it('two passive sessions never start (at least one side must be active)', () => {
    const pair = new SessionPair({ passive: true }, { passive: true });
    pair.run(10_000);
    expect(pair.sent).toEqual([]);
  });

  it('refuses bad options with every problem at once', () => {
    expect(() => new Session({ localDiscriminator: 0, desiredMinTxInterval: 0, requiredMinRxInterval: -1, detectMultiplier: 256 })).toThrow(SessionOptionsError);
    try {
      new Session({ localDiscriminator: 0, desiredMinTxInterval: 0, requiredMinRxInterval: -1, detectMultiplier: 256 });
    } catch (error) {
      expect((error as SessionOptionsError).problems).toHaveLength(4);
    }
  });
});

describe('Session: three-way handshake (RFC 5880 §6.2, §6.8.6)', () => {
  it('Down -> Init -> Up on one side, Down -> Up on the other, within two packet exchanges', () => {
    const pair = new SessionPair({}, {}, 1, { b: false });
    pair.run(10);
    pair.handle('b', pair.b.start(pair.now));
    pair.run(100);
    expect(pair.states('a').map((s) => s.to)).toEqual(['Up']);
    expect(pair.states('b').map((s) => s.to)).toEqual(['Init', 'Up']);
    expect(pair.states('b').at(-1)!.at).toBeLessThan(20);
    expect(pair.a.state).toBe('Up');
  });

  it('both starting at once: each goes Init then Up', () => {
    const pair = new SessionPair({}, {});
    pair.run(50);
    expect(pair.states('a').map((s) => s.to)).toEqual(['Init', 'Up']);
    expect(pair.states('b').map((s) => s.to)).toEqual(['Init', 'Up']);
  });

  it('after Up, a Poll Sequence moves both off slow start to the configured intervals', () => {
    const pair = new SessionPair({}, {});
    pair.run(3000);
    const upAt = pair.states('a').at(-1)!.at;
    const polls = pair.packetsFrom('a').filter((s) => s.packet.poll);
    expect(polls.length).toBeGreaterThan(0);
    expect(polls[0]!.packet).toMatchObject({ state: 'Up', desiredMinTxInterval: 100_000 });
    const finals = pair.packetsFrom('b').filter((s) => s.packet.final);
    expect(finals.length).toBeGreaterThan(0);
    expect(pair.a.pollInProgress).toBe(false);
    expect(pair.a.negotiated()).toMatchObject({ transmitInterval: 100, detectionTime: 300 });
    // Packets after the Final come at 75..100 % of 100 ms.
    const late = pair.packetsFrom('a', upAt + 200).map((s) => s.at);
    const gaps = late.slice(1).map((t, i) => t - late[i]!);
    expect(gaps.length).toBeGreaterThan(20);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(75);
      expect(gap).toBeLessThanOrEqual(100);
    }
  });

  it('a restarted peer (Down while we are Up) takes the session down with diagnostic 3', () => {
    const pair = new SessionPair({}, {});
    pair.run(2000);
    const fresh = newSession({ localDiscriminator: 0x0c });
    const down = pair.a.receive({ ...sends(fresh.start(pair.now))[0]!, yourDiscriminator: 0 }, pair.now);
    expect(down.find((a) => a.type === 'state')).toMatchObject({ from: 'Up', to: 'Down', cause: 'neighbor-down', diagnostic: Diagnostic.NeighborSignaledSessionDown });
  });
});

describe('Session: detection (RFC 5880 §6.8.4)', () => {
  it('declares Down with diagnostic 1 after the detection time, not before', () => {
    const pair = new SessionPair({}, {});
    pair.run(2000);
    pair.cut.b = true;
    const lastFromB = pair.packetsFrom('b').at(-1)!.at;
    pair.run(3000);
    const down = pair.states('a').at(-1)!;
    expect(down).toMatchObject({ to: 'Down', cause: 'detection-time-expired', diagnostic: 1 });
    // 3 × 100 ms after the last packet arrived (1 ms link delay).
    expect(down.at - (lastFromB + 1)).toBeCloseTo(300, 6);
    // The peer learns from our diagnostic-1 packets and goes down too.
    pair.cut.b = false;
    pair.run(3100);
    expect(pair.b.remoteDiagnostic).toBe(1);
  });

  it('uses the larger of our Required Min RX and the peer Desired Min TX, times the peer multiplier', () => {
    const pair = new SessionPair({ requiredMinRxInterval: 300 }, { desiredMinTxInterval: 50, detectMultiplier: 5 });
    pair.run(3000);
    expect(pair.a.negotiated()).toMatchObject({ detectionTime: 1500, remoteDetectMultiplier: 5 });
    // And the peer transmits at our slower receive rate.
    expect(pair.b.negotiated().transmitInterval).toBe(300);
  });

  it('comes back up by itself when the path heals', () => {
    const pair = new SessionPair({}, {});
    pair.run(2000);
    pair.cut.a = pair.cut.b = true;
    pair.run(3000);
    pair.cut.a = pair.cut.b = false;
    pair.run(8000);
    expect([pair.a.state, pair.b.state]).toEqual(['Up', 'Up']);
  });
});

describe('Session: Poll Sequence for timer changes (RFC 5880 §6.5, §6.8.3)', () => {
  it('a slower Desired Min TX is advertised with P at once but used only after the Final', () => {
    const pair = new SessionPair({}, {});
    pair.run(2000);
    pair.cut.b = true; // hold the Final back
    pair.handle('a', pair.a.setTimers({ desiredMinTxInterval: 400, requiredMinRxInterval: 100, detectMultiplier: 3 }, pair.now));
    pair.run(2300);
    const during = pair.packetsFrom('a', 2000);
    expect(during.every((s) => s.packet.poll && s.packet.desiredMinTxInterval === 400_000)).toBe(true);
    expect(during.length).toBeGreaterThanOrEqual(3); // still at ~100 ms
    pair.run(2290 + 0.5);
    pair.cut.b = false;
    pair.run(4000);
    expect(pair.a.pollInProgress).toBe(false);
    expect(pair.a.negotiated().transmitInterval).toBe(400);
    const after = pair.packetsFrom('a', 3000).map((s) => s.at);
    expect(Math.min(...after.slice(1).map((t, i) => t - after[i]!))).toBeGreaterThanOrEqual(300);
    // The peer's detection time follows our advertisement at once: 3 × 400 ms.
    expect(pair.b.negotiated().detectionTime).toBe(1200);
    expect(pair.a.state).toBe('Up');
  });

  it('a faster Required Min RX keeps the old detection time until the Final', () => {
    const pair = new SessionPair({ requiredMinRxInterval: 300 }, {});
    pair.run(3000);
    expect(pair.a.negotiated().detectionTime).toBe(900);
    pair.cut.b = true;
    pair.handle('a', pair.a.setTimers({ desiredMinTxInterval: 100, requiredMinRxInterval: 100, detectMultiplier: 3 }, pair.now));
    expect(pair.a.negotiated().detectionTime).toBe(900);
    pair.run(3150);
    pair.cut.b = false;
    pair.run(3600);
    expect(pair.a.negotiated().detectionTime).toBe(300);
    expect(pair.a.state).toBe('Up');
  });

  it('answers a Poll at once with Final and without P, whatever its own timers', () => {
    const session = newSession();
    session.start(0);
    session.receive(peerPacket(), 10);
    session.receive(peerPacket({ state: 'Init', yourDiscriminator: 1 }), 20);
    expect(session.state).toBe('Up');
    expect(session.pollInProgress).toBe(true);
    const [reply] = sends(session.receive(peerPacket({ state: 'Up', yourDiscriminator: 1, poll: true, desiredMinTxInterval: 50_000 }), 30));
    expect(reply).toMatchObject({ final: true, poll: false, state: 'Up' });
  });

  it('a second change during a Poll runs its own Poll after the first ends and one more packet arrives', () => {
    const pair = new SessionPair({}, {});
    pair.run(2000);
    const pollsBefore = pair.a.stats.pollsStarted;
    pair.handle('a', pair.a.setTimers({ desiredMinTxInterval: 200, requiredMinRxInterval: 100, detectMultiplier: 3 }, pair.now));
    pair.handle('a', pair.a.setTimers({ desiredMinTxInterval: 300, requiredMinRxInterval: 100, detectMultiplier: 3 }, pair.now));
    pair.run(4000);
    expect(pair.a.stats.pollsStarted).toBe(pollsBefore + 2);
    expect(pair.a.pollInProgress).toBe(false);
    expect(pair.a.negotiated().transmitInterval).toBe(300);
  });

  it('never sets P and F together', () => {
    const pair = new SessionPair({}, {});
    pair.handle('a', pair.a.setTimers({ desiredMinTxInterval: 50, requiredMinRxInterval: 50, detectMultiplier: 3 }, 0));
    pair.run(5000);
    expect(pair.sent.length).toBeGreaterThan(50);
    expect(pair.sent.some((s) => s.packet.poll && s.packet.final)).toBe(false);
  });
});

describe('Session: transmission rules (RFC 5880 §6.8.7)', () => {
  it.each([
    [3, 0.75, 1.0],
    [1, 0.75, 0.9],
  ])('jitter with detect multiplier %i stays within %f..%f of the interval', (multiplier, low, high) => {
    const random = seededRandom(3);
    for (let i = 0; i < 2000; i++) {
      const value = jitteredInterval(100, multiplier, random);
      expect(value).toBeGreaterThanOrEqual(100 * low);
      expect(value).toBeLessThan(100 * high);
    }
    expect(jitteredInterval(100, multiplier, () => 0)).toBe(100 * low);
  });

  it('sends nothing periodically while the peer asks for Required Min RX 0, but still answers Polls', () => {
    const session = newSession();
    session.start(0);
    session.receive(peerPacket({ requiredMinRxInterval: 0 }), 10);
    expect(session.deadline).toBe(10 + 3000); // only the detection timer
    expect(sends(session.tick(2000))).toEqual([]);
    expect(sends(session.receive(peerPacket({ requiredMinRxInterval: 0, poll: true }), 2100))[0]).toMatchObject({ final: true });
  });

  it('ceases periodic packets while the remote is in Demand mode and both are Up', () => {
    const session = newSession();
    session.start(0);
    session.receive(peerPacket({ state: 'Init', yourDiscriminator: 1 }), 10);
    expect(session.state).toBe('Up');
    session.receive(peerPacket({ state: 'Up', yourDiscriminator: 1, final: true }), 20);
    session.receive(peerPacket({ state: 'Up', yourDiscriminator: 1, demand: true }), 30);
    expect(session.pollInProgress).toBe(false);
    expect(session.deadline).toBe(30 + 3000); // only the detection timer
    expect(sends(session.tick(2000)).length).toBe(0);
  });

  it('discards packets with the A bit: no authentication is configured', () => {
    const session = newSession();
    session.start(0);
    const actions = session.receive(peerPacket({ authentication: { kind: 'simple-password', keyId: 1, password: new Uint8Array([1]) } }), 10);
    expect(actions).toContainEqual({ type: 'dropped', reason: 'authentication' });
    expect(session.remoteDiscriminator).toBe(0);
  });

  it('announces its deadline as a timer action whenever it moves', () => {
    const session = newSession();
    const actions = session.start(0);
    expect(actions.at(-1)).toEqual({ type: 'timer', at: session.deadline });
    expect(session.deadline).toBeGreaterThanOrEqual(750);
  });
});

describe('Session: administrative control (RFC 5880 §6.8.16)', () => {
  it('our AdminDown takes the peer down with diagnostic 3; AdminUp brings both back', () => {
    const pair = new SessionPair({}, {});
    pair.run(2000);
    pair.handle('a', pair.a.adminDown(pair.now));
    pair.run(2010);
    expect(pair.packetsFrom('a').at(-1)!.packet).toMatchObject({ state: 'AdminDown', diagnostic: Diagnostic.AdministrativelyDown });
    expect(pair.states('b').at(-1)).toMatchObject({ to: 'Down', cause: 'neighbor-admin-down', diagnostic: 3 });
    pair.run(6000);
    // The peer's packets do not move an AdminDown session, and it detects nothing.
    expect(pair.a.state).toBe('AdminDown');
    expect(pair.b.state).toBe('Down');
    pair.handle('a', pair.a.adminUp(pair.now));
    pair.run(9000);
    expect([pair.a.state, pair.b.state]).toEqual(['Up', 'Up']);
  });

  it('a session created AdminDown sends AdminDown packets until enabled', () => {
    const pair = new SessionPair({ adminDown: true }, {});
    pair.run(3000);
    expect(pair.packetsFrom('a').every((s) => s.packet.state === 'AdminDown')).toBe(true);
    expect(pair.b.state).toBe('Down');
  });
});

describe('Session: echo function (RFC 5880 §6.4, §6.8.5, §6.8.9)', () => {
  it('runs only when Up and the peer loops echoes; slows the peer control packets to 1 s meanwhile', () => {
    const pair = new SessionPair({ echo: { interval: 50 } }, { echo: { interval: 50 } });
    pair.run(3000);
    expect(pair.a.echoActive).toBe(true);
    expect(pair.a.negotiated()).toMatchObject({ echoInterval: 50, echoDetectionTime: 150 });
    // RFC 5880 §6.8.3: Required Min RX of 1 s while echo detects failures.
    expect(pair.packetsFrom('a').at(-1)!.packet.requiredMinRxInterval).toBe(1_000_000);
    expect(pair.b.negotiated().transmitInterval).toBe(1000);
    expect(pair.a.stats.echoReceived).toBeGreaterThan(20);
  });

  it('lost echoes take the session down with diagnostic 2 within the echo detection time', () => {
    const pair = new SessionPair({ echo: { interval: 50 } }, { echo: { interval: 50 } });
    pair.run(3000);
    pair.echoCut.a = true;
    pair.run(3300);
    const down = pair.states('a').find((s) => s.at > 3000)!;
    expect(down).toMatchObject({ to: 'Down', cause: 'echo-failed', diagnostic: Diagnostic.EchoFunctionFailed });
    expect(down.at - 3000).toBeLessThanOrEqual(152);
  });

  it('sends no echo to a peer that advertises Required Min Echo RX 0', () => {
    const pair = new SessionPair({ echo: { interval: 50 } }, {});
    pair.run(3000);
    expect(pair.a.state).toBe('Up');
    expect(pair.a.echoActive).toBe(false);
    expect(pair.a.stats.echoSent).toBe(0);
  });

  it('uses the slower of our echo interval and the one the peer asks for', () => {
    const pair = new SessionPair({ echo: { interval: 50 } }, { echo: { interval: 200 } });
    pair.run(3000);
    expect(pair.a.negotiated().echoInterval).toBe(200);
  });
});
