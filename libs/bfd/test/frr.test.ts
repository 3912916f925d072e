// Interoperability with FRR's bfdd (Debian's frr 8.4) in network namespaces: one lab for the
// whole file, one address pair per test. Our manager runs in its own process in the `us`
// namespace. Needs root; fails (never skips) without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, type BfddPeerConfig } from '@lb/netlab';
import { controlPacket, type SessionInfo } from '@lb/bfd';
import { OurBfd } from './helpers/our-process.js';
import { packetOf } from './helpers/packets.js';
import { bfdLab, type BfdLab } from './helpers/topology.js';

let net: BfdLab;
let ours: OurBfd;

const fast = { receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3 };

beforeAll(async () => {
  net = bfdLab('bf');
  ours = OurBfd.start(net.lab, net.us);
  expect(await ours.status()).toMatchObject({ transport: 'native', ttlChecked: true, echoAvailable: true });
});

afterAll(async () => {
  await ours?.stop();
  await net?.lab.cleanup();
});

/** Configures FRR's side of pair `n` and our session for it; resolves when both say up. */
async function upPair(n: number, profile: object = fast, frr: Partial<BfddPeerConfig> = {}, family: 4 | 6 = 4): Promise<{ key: string; ours: string; theirs: string }> {
  const pair = family === 4 ? net.pair(n) : net.pair6(n);
  net.bfdd.addPeer({ peer: pair.ours, local: pair.theirs, receiveInterval: 100, transmitInterval: 100, detectMultiplier: 3, ...frr });
  const key = await ours.add({ localAddress: pair.ours, peerAddress: pair.theirs, profile });
  await ours.waitFor('up', key, { timeoutMs: 10_000 });
  await frrStatus(pair, 'up');
  return { key, ...pair };
}

function frrStatus(pair: { ours: string; theirs: string }, status: string, timeoutMs = 10_000): Promise<unknown> {
  return waitFor(`FRR's session with ${pair.ours} ${status}`, () => net.bfdd.peer(pair.ours, pair.theirs)?.status === status, { timeoutMs, intervalMs: 100 });
}

async function settled(key: string, check: (s: SessionInfo) => boolean, what: string): Promise<SessionInfo> {
  return waitFor(what, async () => {
    const s = await ours.session(key);
    return check(s) ? s : undefined;
  }, { timeoutMs: 10_000, intervalMs: 200 });
}

describe('interoperability with FRR bfdd', { timeout: 60_000 }, () => {
  it('comes Up over IPv4 and IPv6; both sides agree on discriminators and timers', async () => {
    const v4 = await upPair(1);
    const v6 = await upPair(1, fast, {}, 6);
    for (const { key, ours: mine, theirs } of [v4, v6]) {
      const s = await settled(key, (x) => !x.pollInProgress && x.timers.transmitInterval === 100, `${key} off slow start`);
      const frr = net.bfdd.peer(mine, theirs)!;
      expect(frr['remote-id']).toBe(s.localDiscriminator);
      expect(frr.id).toBe(s.remoteDiscriminator);
      expect(frr).toMatchObject({ 'remote-receive-interval': 100, 'remote-transmit-interval': 100, 'remote-detect-multiplier': 3, 'remote-echo-receive-interval': 0 });
      expect(s.timers).toMatchObject({ transmitInterval: 100, detectionTime: 300, remoteDetectMultiplier: 3 });
      expect(s.stats.droppedTtl).toBe(0);
    }
    expect(v6.key).toBe('single-hop fd77::1 -> fd77::65');
  });

  it('negotiates timers both ways, each change by a Poll Sequence answered with Final', async () => {
    const { key, ours: mine, theirs } = await upPair(2);
    const before = await settled(key, (s) => !s.pollInProgress && s.timers.transmitInterval === 100, 'slow start over');

    // Ours slower: our Poll, FRR's Final; FRR now sends at our 300 ms and expects 300 ms from us.
    expect(await ours.request({ cmd: 'update', session: key, profile: { receiveInterval: 300, transmitInterval: 300 } })).toMatchObject({ ok: true });
    const slowerOurs = await settled(key, (s) => !s.pollInProgress && s.timers.transmitInterval === 300, 'our Poll answered');
    expect(slowerOurs.stats.pollsStarted).toBe(before.stats.pollsStarted + 1);
    expect(slowerOurs.timers.detectionTime).toBe(900);
    await waitFor('FRR sees our 300 ms', () => net.bfdd.peer(mine, theirs)?.['remote-transmit-interval'] === 300);
    const rate = await receivedRate(key, mine, theirs);
    expect(rate.ours).toBeGreaterThan(2.5); // ~3.8/s at 300 ms less jitter
    expect(rate.ours).toBeLessThan(5);
    expect(rate.frr).toBeLessThan(5);

    // Theirs slower: FRR's Poll, our Final.
    await ours.request({ cmd: 'update', session: key, profile: fast });
    await settled(key, (s) => !s.pollInProgress && s.timers.transmitInterval === 100, 'back to 100 ms');
    const finalsBefore = (await ours.session(key)).stats.finalsSent;
    net.bfdd.configurePeer({ peer: mine, local: theirs }, ['receive-interval 300', 'transmit-interval 300']);
    const slowerTheirs = await settled(key, (s) => s.timers.transmitInterval === 300 && s.timers.remoteDesiredMinTxInterval === 300, 'FRR Poll seen');
    expect(slowerTheirs.stats.finalsSent).toBeGreaterThan(finalsBefore);
    expect(slowerTheirs.timers).toMatchObject({ transmitInterval: 300, detectionTime: 900, remoteRequiredMinRxInterval: 300 });
    expect(slowerTheirs.state).toBe('Up');
    expect(ours.eventsOf('down', key)).toHaveLength(0);
  });

  it('SIGSTOP of bfdd: we report down within our detection time (diagnostic 1), and recover after SIGCONT', async () => {
    const { key } = await upPair(3);
    await settled(key, (s) => !s.pollInProgress && s.timers.detectionTime === 300, '3 x 100 ms in force');
    const frozenAt = Date.now();
    net.bfdd.pause();
    try {
      const down = await ours.waitFor('down', key, { since: frozenAt, timeoutMs: 5000 });
      expect(down.event).toMatchObject({ cause: 'detection-time-expired', diagnostic: 1 });
      const last = (down.event as { lastReceivedAt?: number }).lastReceivedAt!;
      // Detection runs from the last packet: 300 ms, plus timer and IPC slack.
      expect(down.at - last).toBeGreaterThanOrEqual(299);
      expect(down.at - last).toBeLessThan(360);
      expect(down.at - frozenAt).toBeLessThan(360);
    } finally {
      net.bfdd.resume();
    }
    await ours.waitFor('up', key, { since: frozenAt, timeoutMs: 10_000 });
  });

  it('link down: both sides report down; link up: both come back', async () => {
    const { key, ours: mine, theirs } = await upPair(4);
    const cutAt = Date.now();
    net.lab.ns(net.us, 'ip', ['link', 'set', net.usLink, 'down']);
    try {
      const down = await ours.waitFor('down', key, { since: cutAt, timeoutMs: 5000 });
      expect(down.event).toMatchObject({ cause: 'detection-time-expired' });
      await frrStatus({ ours: mine, theirs }, 'down', 5000);
    } finally {
      net.lab.ns(net.us, 'ip', ['link', 'set', net.usLink, 'up']);
    }
    await ours.waitFor('up', key, { since: cutAt, timeoutMs: 15_000 });
    await frrStatus({ ours: mine, theirs }, 'up');
  });

  it('drops and counts a single-hop packet that arrives with TTL 254; the same packet with TTL 255 is obeyed', async () => {
    const { key, ours: mine, theirs } = await upPair(5);
    const s = await ours.session(key);
    const spoof = Buffer.from(
      controlPacket.encode(packetOf({ diagnostic: 7, state: 'AdminDown', myDiscriminator: s.remoteDiscriminator, yourDiscriminator: s.localDiscriminator })),
    ).toString('hex');
    const sendFromFrr = (ttl: number): void => {
      // From FRR's address and namespace, as bfdd would send it, but with the TTL we choose.
      const script = `const b=require('@lb/bfd-socket');const s=b.open({family:4,address:'${theirs}',port:0,ttl:${ttl}},()=>{});const e=b.send(s.id,Buffer.from('${spoof}','hex'),'${mine}',3784);b.close(s.id);if(e)process.exit(1)`;
      net.lab.ns(net.frr, process.execPath, ['-e', script]);
    };
    const countersBefore = await ours.counters();
    sendFromFrr(254);
    const after = await settled(key, (x) => x.stats.droppedTtl === 1, 'the TTL 254 packet counted');
    expect(after.state).toBe('Up');
    expect((await ours.counters()).dropped.ttl).toBe(countersBefore.dropped.ttl + 1);

    const sentAt = Date.now();
    sendFromFrr(255);
    const down = await ours.waitFor('down', key, { since: sentAt - 5, timeoutMs: 3000 });
    expect(down.event).toMatchObject({ cause: 'neighbor-admin-down', diagnostic: 3 });
    await ours.waitFor('up', key, { since: down.at, timeoutMs: 10_000 });
  });

  it('passive mode: sends nothing until FRR speaks, then comes Up', async () => {
    const pair = net.pair(6);
    const key = await ours.add({ localAddress: pair.ours, peerAddress: pair.theirs, profile: { ...fast, passiveMode: true } });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const silent = await ours.session(key);
    expect(silent).toMatchObject({ state: 'Down', stats: { controlSent: 0, controlReceived: 0 } });
    net.bfdd.addPeer({ peer: pair.ours, local: pair.theirs, ...{ receiveInterval: 100, transmitInterval: 100 } });
    await ours.waitFor('up', key, { timeoutMs: 10_000 });
    await frrStatus(pair, 'up');
  });

  it('admin down from either side, with the diagnostics each side reports', async () => {
    const { key, ours: mine, theirs } = await upPair(7);
    let since = Date.now();
    expect(await ours.request({ cmd: 'admin-down', session: key })).toMatchObject({ ok: true });
    await waitFor('FRR sees our AdminDown', () => {
      const p = net.bfdd.peer(mine, theirs);
      return p?.status === 'down' && p['remote-diagnostic'] === 'administratively down';
    });
    expect(net.bfdd.peer(mine, theirs)?.diagnostic).toBe('neighbor signaled session down');
    expect((await ours.waitFor('down', key, { since })).event).toMatchObject({ cause: 'admin-down', diagnostic: 7, to: 'AdminDown' });
    await ours.request({ cmd: 'admin-up', session: key });
    await ours.waitFor('up', key, { since });
    await frrStatus({ ours: mine, theirs }, 'up');

    since = Date.now();
    net.bfdd.configurePeer({ peer: mine, local: theirs }, ['shutdown']);
    const down = await ours.waitFor('down', key, { since });
    // FRR 8.4 sends AdminDown with diagnostic 0 rather than 7 (administratively down).
    expect(down.event).toMatchObject({ cause: 'neighbor-admin-down', diagnostic: 3, to: 'Down' });
    net.bfdd.configurePeer({ peer: mine, local: theirs }, ['no shutdown']);
    await ours.waitFor('up', key, { since: down.at });
  });

  it('echo function: FRR forwards our echo packets back; when its forwarding stops we go down with diagnostic 2', async () => {
    net.lab.ns(net.frr, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    const { key } = await upPair(8, { ...fast, echoMode: true, echoInterval: 50 }, { echoReceiveInterval: 50 });
    const looping = await settled(key, (s) => s.stats.echoReceived > 20, 'echo packets coming back');
    expect(looping.timers).toMatchObject({ echoInterval: 50, echoDetectionTime: 150 });
    // RFC 5880 §6.8.3: control packets slow to 1 s while echo carries the detection.
    await settled(key, (s) => s.timers.detectionTime === 3000 && !s.pollInProgress, 'control slowed under echo');
    const stoppedAt = Date.now();
    net.lab.ns(net.frr, 'sysctl', ['-qw', 'net.ipv4.ip_forward=0']);
    try {
      const down = await ours.waitFor('down', key, { since: stoppedAt, timeoutMs: 3000 });
      expect(down.event).toMatchObject({ cause: 'echo-failed', diagnostic: 2 });
      expect(down.at - stoppedAt).toBeLessThan(250);
    } finally {
      net.lab.ns(net.frr, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    }
    await ours.waitFor('up', key, { since: stoppedAt, timeoutMs: 10_000 });
    await ours.request({ cmd: 'remove', session: key, immediately: true });
  });

  it('multihop through a router (TTL 254 arrives): Up with minimumTtl 254, dropped and down with 255', async () => {
    const { ours: mine, theirs } = net.multihop;
    net.bfdd.addPeer({ peer: mine, local: theirs, multihop: true, receiveInterval: 100, transmitInterval: 100, minimumTtl: 254 });
    const key = await ours.add({ localAddress: mine, peerAddress: theirs, multihop: true, profile: { ...fast, minimumTtl: 254 } });
    expect(key).toBe('multihop 10.78.0.1 -> 10.79.0.2');
    await ours.waitFor('up', key, { timeoutMs: 10_000 });
    await waitFor('FRR multihop up', () => net.bfdd.peers().find((p) => p.multihop && p.peer === mine)?.status === 'up');
    const since = Date.now();
    await ours.request({ cmd: 'update', session: key, profile: { ...fast, minimumTtl: 255 } });
    const down = await ours.waitFor('down', key, { since, timeoutMs: 5000 });
    expect(down.event).toMatchObject({ cause: 'detection-time-expired' });
    expect((await ours.session(key)).stats.droppedTtl).toBeGreaterThan(0);
  });

  it('kill -9 of our process: FRR reports down within its detection time', async () => {
    const { ours: mine, theirs } = await upPair(9);
    await waitFor('FRR off slow start', () => net.bfdd.peer(mine, theirs)?.['remote-transmit-interval'] === 100);
    const killedAt = Date.now();
    ours.process.child.kill('SIGKILL');
    await frrStatus({ ours: mine, theirs }, 'down', 5000);
    const change = await waitFor('FRR logs the change', () => net.bfdd.stateChanges().find((c) => c.peer === mine && c.to === 'down' && c.at >= killedAt - 5));
    expect(change.reason).toBe('control-expired');
    // FRR's detection time: 3 x max(its 100 ms, our 100 ms); FRR logs at millisecond precision.
    expect(change.at - killedAt).toBeLessThanOrEqual(300 + 40);
  });
});

/** Control packets per second each way over ~3 s, from our counters and FRR's. */
async function receivedRate(key: string, mine: string, theirs: string): Promise<{ ours: number; frr: number }> {
  const frrIn = () => net.bfdd.counters().find((c) => c.peer === mine && c.local === theirs)!['control-packet-input'];
  const a0 = (await ours.session(key)).stats.controlReceived;
  const f0 = frrIn();
  const t0 = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const seconds = (Date.now() - t0) / 1000;
  return { ours: (frrIn() - f0) / seconds, frr: ((await ours.session(key)).stats.controlReceived - a0) / seconds };
}
