import { describe, expect, it } from 'vitest';
import { type PathAttribute } from '../codec/attributes.js';
import { toHex } from '../codec/bytes.js';
import { type BgpMessage, decode, encode } from '../codec/message.js';
import { openCapabilities } from '../codec/open.js';
import { type SessionConfig } from './config.js';
import { Session } from './session.js';
import { type SessionAction, type SessionEvent } from './types.js';

const A: SessionConfig = { localAs: 64512, peerAs: 64513, routerId: '10.0.0.1', random: () => 0 };
const B: SessionConfig = { localAs: 64513, peerAs: 64512, routerId: '10.0.0.2', mode: 'passive', random: () => 0 };

/** Splits a byte batch into messages and decodes each (the test's view of the wire). */
function messages(bytes: Uint8Array, ctx: Parameters<typeof decode>[3] = {}): BgpMessage[] {
  const out: BgpMessage[] = [];
  for (let at = 0; at < bytes.length; ) {
    const m = decode(bytes, at, bytes.length, ctx);
    if (!m.ok) throw new Error(m.error.message);
    out.push(m.value);
    at += m.length;
  }
  return out;
}

/**
 * Two sessions joined by an in-memory "network": a connect from one side opens connection 1 on
 * both, bytes flow until nothing is left to deliver. Timers are recorded, never run by themselves.
 */
class Pair {
  readonly timers = { a: new Map<string, number>(), b: new Map<string, number>() };
  readonly events = { a: [] as SessionEvent[], b: [] as SessionEvent[] };
  /** Messages each side received, decoded. */
  readonly wire = { a: [] as BgpMessage[], b: [] as BgpMessage[] };
  private queue: { to: 'a' | 'b'; action: SessionAction }[] = [];
  private open = false;
  constructor(
    readonly a: Session,
    readonly b: Session,
  ) {}

  feed(side: 'a' | 'b', actions: SessionAction[]): void {
    for (const action of actions) this.queue.push({ to: side, action });
    this.pump();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const { to: side, action } = this.queue.shift() as { to: 'a' | 'b'; action: SessionAction };
      const other: 'a' | 'b' = side === 'a' ? 'b' : 'a';
      const session = side === 'a' ? this.a : this.b;
      const peer = side === 'a' ? this.b : this.a;
      switch (action.type) {
        case 'connect':
          if (peer.state === 'idle' || peer.config.mode === 'active') {
            this.queue.push(...session.handle({ type: 'connect-failed', reason: 'refused' }).map((x) => ({ to: side, action: x })));
          } else {
            this.open = true;
            this.queue.push(...session.handle({ type: 'connection-open', connection: 1, direction: 'outbound' }).map((x) => ({ to: side, action: x })));
            this.queue.push(...peer.handle({ type: 'connection-open', connection: 1, direction: 'inbound' }).map((x) => ({ to: other, action: x })));
          }
          break;
        case 'send': {
          if (!this.open) break;
          const ctx = peer.negotiated?.decodeContext ?? {};
          this.wire[other].push(...messages(action.bytes, ctx));
          this.queue.push(...peer.handle({ type: 'data', connection: 1, bytes: action.bytes }).map((x) => ({ to: other, action: x })));
          break;
        }
        case 'close':
          if (this.open) {
            this.open = false;
            this.queue.push(...peer.handle({ type: 'connection-closed', connection: 1 }).map((x) => ({ to: other, action: x })));
          }
          break;
        case 'timer':
          if (action.ms === null) this.timers[side].delete(action.timer);
          else this.timers[side].set(action.timer, action.ms);
          break;
        case 'event':
          this.events[side].push(action.event);
          break;
      }
    }
  }

  fire(side: 'a' | 'b', timer: string): void {
    expect(this.timers[side].has(timer)).toBe(true);
    this.timers[side].delete(timer);
    this.feed(side, (side === 'a' ? this.a : this.b).handle({ type: 'timer', timer }));
  }

  establish(): this {
    this.feed('b', this.b.handle({ type: 'start' }));
    this.feed('a', this.a.handle({ type: 'start' }));
    expect(this.a.state).toBe('established');
    expect(this.b.state).toBe('established');
    return this;
  }
}

const updatesTo = (list: BgpMessage[]): Extract<BgpMessage, { type: 'update' }>[] =>
  list.filter((m): m is Extract<BgpMessage, { type: 'update' }> => m.type === 'update');

function attr<T extends PathAttribute['type']>(m: { attributes: readonly PathAttribute[] }, type: T): Extract<PathAttribute, { type: T }> | undefined {
  return m.attributes.find((a): a is Extract<PathAttribute, { type: T }> => a.type === type);
}

describe('Session', () => {
  it('establishes, negotiates capabilities and sends End-of-RIB for each family', () => {
    const pair = new Pair(new Session(A), new Session(B)).establish();
    const n = pair.a.negotiated;
    expect(n?.families).toEqual(['ipv4-unicast', 'ipv6-unicast']);
    expect(n).toMatchObject({ fourOctetAs: true, holdTime: 90, keepaliveTime: 30, extendedMessage: true, ipv4OverIpv6NextHop: true, enhancedRouteRefresh: true });
    expect(pair.events.b.filter((e) => e.type === 'end-of-rib-received').map((e) => (e as { family: string }).family)).toEqual(['ipv4-unicast', 'ipv6-unicast']);
    // Hold timer at the negotiated value; keepalives at a third of it.
    expect(pair.timers.a.get('hold:1')).toBe(90_000);
    expect(pair.timers.a.get('keepalive:1')).toBe(30_000);
    expect(pair.a.stats()).toMatchObject({ established: true, sent: { open: 1, keepalive: 1, update: 2 }, received: { open: 1, keepalive: 1, update: 2 } });
  });

  it('announces only differences, packed into as few UPDATEs as fit', () => {
    const pair = new Pair(new Session({ ...A, extendedMessage: false }), new Session(B)).establish();
    const routes = Array.from({ length: 2000 }, (_, i) => ({ prefix: `10.${i >> 8}.${i & 255}.1/32`, nextHop: '192.0.2.1', communities: ['65000:1'] }));
    const first = pair.a.setRoutes('ipv4-unicast', routes);
    expect(first.ok).toBe(true);
    if (first.ok) pair.feed('a', first.value);
    let updates = updatesTo(pair.wire.b).filter((u) => u.nlri.length > 0);
    // 4096 - 23 header/lengths - attributes (~29) leaves ~808 five-byte /32s per UPDATE.
    expect(updates.length).toBe(3);
    expect(updates.reduce((n, u) => n + u.nlri.length, 0)).toBe(2000);
    for (const u of updates) expect(encode(u).length).toBeLessThanOrEqual(4096);
    expect(pair.b.stats().receivedPrefixes).toBe(2000);
    expect(pair.a.stats().announcedPrefixes).toBe(2000);

    pair.wire.b.length = 0;
    const changed = [...routes.slice(1, 1999), { prefix: '10.200.0.1/32', nextHop: '192.0.2.1' }];
    changed[0] = { ...routes[1]!, communities: ['65000:2'] };
    const second = pair.a.setRoutes('ipv4-unicast', changed);
    if (second.ok) pair.feed('a', second.value);
    updates = updatesTo(pair.wire.b);
    expect(updates.flatMap((u) => u.withdrawn.map((w) => w.prefix)).sort()).toEqual(['10.0.0.1/32', '10.7.207.1/32']);
    expect(updates.flatMap((u) => u.nlri.map((x) => x.prefix)).sort()).toEqual(['10.0.1.1/32', '10.200.0.1/32']);
    expect(updates.length).toBe(3);
  });

  it('a frozen route set given to several sessions is compiled once and announced by each as its own', () => {
    const routes = Object.freeze(Array.from({ length: 1000 }, (_, i) => ({ prefix: `10.1.${i >> 8}.${i & 255}/32`, nextHop: '192.0.2.1', localPref: 300 })));
    const ebgp = [new Pair(new Session(A), new Session(B)).establish(), new Pair(new Session(A), new Session(B)).establish()];
    const ibgp = new Pair(new Session({ ...A, peerAs: 64512 }), new Session({ ...B, localAs: 64512 })).establish();
    for (const pair of [...ebgp, ibgp]) {
      const result = pair.a.setRoutes('ipv4-unicast', routes);
      expect(result.ok).toBe(true);
      if (result.ok) pair.feed('a', result.value);
      expect(pair.b.stats().receivedPrefixes).toBe(1000);
    }
    const rib = (pair: Pair) => (pair.a as unknown as { rib: { desired: Map<string, unknown> } }).rib.desired.get('ipv4-unicast');
    expect(rib(ebgp[0]!)).toBe(rib(ebgp[1]!));
    // iBGP checks LOCAL_PREF sizes its own way: its own compilation, its UPDATEs carry it.
    expect(rib(ibgp)).not.toBe(rib(ebgp[0]!));
    expect(attr(updatesTo(ibgp.wire.b).find((u) => u.nlri.length > 0)!, 'local-pref')?.localPref).toBe(300);
    // A set that is not frozen is compiled by each session (the caller may change it).
    const open = [...routes];
    for (const pair of ebgp) pair.a.setRoutes('ipv4-unicast', open);
    expect(rib(ebgp[0]!)).not.toBe(rib(ebgp[1]!));
  });

  it('a new set that shares frozen routes with an earlier one compiles only the new routes, and sends only the change', () => {
    const route = (i: number) => Object.freeze({ prefix: `10.2.${i >> 8}.${i & 255}/32`, nextHop: '192.0.2.1' });
    const first = Array.from({ length: 500 }, (_, i) => route(i));
    const pair = new Pair(new Session(A), new Session(B)).establish();
    const rib = () => (pair.a as unknown as { rib: { desired: Map<string, unknown> } }).rib.desired.get('ipv4-unicast') as Map<string, unknown>;
    const send = (routes: ReadonlyArray<{ prefix: string; nextHop: string }>) => {
      const result = pair.a.setRoutes('ipv4-unicast', routes);
      expect(result.ok).toBe(true);
      if (result.ok) pair.feed('a', result.value);
    };
    send(Object.freeze([...first]));
    const compiledFirst = rib().get('10.2.0.7/32');
    const before = updatesTo(pair.wire.b).length;
    // One route more, one less: a new array (as a speaker builds per change) of the same route objects.
    send(Object.freeze([...first.slice(1), route(500)]));
    expect(rib().get('10.2.0.7/32')).toBe(compiledFirst);
    const updates = updatesTo(pair.wire.b).slice(before);
    expect(updates.flatMap((u) => u.nlri.map((x) => x.prefix))).toEqual(['10.2.1.244/32']);
    expect(updates.flatMap((u) => u.withdrawn.map((w) => w.prefix))).toEqual(['10.2.0.0/32']);
    expect(pair.a.stats().announcedPrefixes).toBe(500);
    // A cached route still counts for duplicates: the set is refused whole.
    const twice = pair.a.setRoutes('ipv4-unicast', Object.freeze([first[3]!, first[3]!]));
    expect(twice.ok).toBe(false);
    if (!twice.ok) expect(twice.error.message).toMatch(/10\.2\.0\.3\/32 appears more than once/);
  });

  it('carries communities, large communities, MED and (iBGP only) LOCAL_PREF, in IPv4 and IPv6', () => {
    const ibgp = new Pair(new Session({ ...A, peerAs: 64512 }), new Session({ ...B, localAs: 64512 })).establish();
    const route = { nextHop: '192.0.2.1', communities: ['65000:100', 'no-export'], largeCommunities: ['65000:1:2'], med: 5, localPref: 300 };
    const r4 = ibgp.a.setRoutes('ipv4-unicast', [{ prefix: '198.51.100.7/32', ...route }]);
    const r6 = ibgp.a.setRoutes('ipv6-unicast', [{ prefix: '2001:db8::7/128', ...route, nextHop: '2001:db8::1' }]);
    if (r4.ok && r6.ok) ibgp.feed('a', [...r4.value, ...r6.value]);
    const [v4, v6] = updatesTo(ibgp.wire.b).filter((u) => u.nlri.length > 0 || attr(u, 'mp-reach'));
    expect(v4?.nlri).toEqual([{ prefix: '198.51.100.7/32' }]);
    expect(attr(v4!, 'local-pref')?.localPref).toBe(300);
    expect(attr(v4!, 'as-path')?.segments).toEqual([]);
    expect(attr(v4!, 'communities')?.communities).toEqual([65000 * 65536 + 100, 0xffffff01]);
    expect(attr(v4!, 'large-communities')?.communities).toEqual([{ globalAdmin: 65000, localData1: 1, localData2: 2 }]);
    expect(attr(v4!, 'med')?.med).toBe(5);
    expect(attr(v6!, 'mp-reach')).toMatchObject({ afi: 2, nextHops: ['2001:db8::1'], nlri: [{ prefix: '2001:db8::7/128' }] });
    // MP_REACH_NLRI goes first (RFC 7606 §5.1).
    expect(v6!.attributes[0]?.type).toBe('mp-reach');

    const ebgp = new Pair(new Session(A), new Session(B)).establish();
    const e4 = ebgp.a.setRoutes('ipv4-unicast', [{ prefix: '198.51.100.7/32', ...route }]);
    if (e4.ok) ebgp.feed('a', e4.value);
    const [u] = updatesTo(ebgp.wire.b).filter((x) => x.nlri.length > 0);
    expect(attr(u!, 'local-pref')).toBeUndefined();
    expect(attr(u!, 'as-path')?.segments).toEqual([{ type: 'sequence', asns: [64512] }]);
  });

  it('sends IPv4 routes with an IPv6 next hop only when RFC 8950 was negotiated', () => {
    const withEnh = new Pair(new Session(A), new Session(B)).establish();
    const r = withEnh.a.setRoutes('ipv4-unicast', [{ prefix: '198.51.100.7/32', nextHop: '2001:db8::1' }]);
    if (r.ok) withEnh.feed('a', r.value);
    const [u] = updatesTo(withEnh.wire.b).filter((x) => attr(x, 'mp-reach'));
    expect(attr(u!, 'mp-reach')).toMatchObject({ afi: 1, safi: 1, nextHops: ['2001:db8::1'], nlri: [{ prefix: '198.51.100.7/32' }] });

    const without = new Pair(new Session(A), new Session({ ...B, extendedNextHop: false })).establish();
    const r2 = without.a.setRoutes('ipv4-unicast', [{ prefix: '198.51.100.7/32', nextHop: '2001:db8::1' }]);
    if (r2.ok) without.feed('a', r2.value);
    expect(without.events.a.find((e) => e.type === 'routes-unsendable')).toMatchObject({ prefixes: ['198.51.100.7/32'] });
    expect(without.a.stats().pendingPrefixes).toBe(1);
  });

  it('speaks 2-octet AS to an old peer: AS_TRANS in AS_PATH, the real AS in AS4_PATH', () => {
    // Our sessions always offer capability 65, so the old peer is a hand-made OPEN without it.
    const s = new Session({ ...A, localAs: 4200000001 });
    const actions = [...s.handle({ type: 'start' }), ...s.handle({ type: 'connection-open', connection: 7, direction: 'outbound' })];
    const ourOpen = messages((actions.find((x) => x.type === 'send') as { bytes: Uint8Array }).bytes)[0];
    expect(ourOpen).toMatchObject({ type: 'open', myAs: 23456 });
    const theirOpen = encode({
      type: 'open',
      version: 4,
      myAs: 64513,
      holdTime: 30,
      bgpId: '10.0.0.2',
      parameters: [{ type: 'capabilities', capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }] }],
    });
    s.handle({ type: 'data', connection: 7, bytes: theirOpen });
    s.handle({ type: 'data', connection: 7, bytes: encode({ type: 'keepalive' }) });
    expect(s.state).toBe('established');
    expect(s.negotiated).toMatchObject({ fourOctetAs: false, families: ['ipv4-unicast'], holdTime: 30, keepaliveTime: 10 });
    const r = s.setRoutes('ipv4-unicast', [{ prefix: '203.0.113.1/32', nextHop: '192.0.2.1' }]);
    if (!r.ok) throw new Error(r.error.message);
    const bytes = (r.value.find((x) => x.type === 'send') as { bytes: Uint8Array }).bytes;
    const [u] = updatesTo(messages(bytes, { fourOctetAs: false }));
    expect(attr(u!, 'as-path')).toMatchObject({ asWidth: 2, segments: [{ type: 'sequence', asns: [23456] }] });
    expect(attr(u!, 'as4-path')?.segments).toEqual([{ type: 'sequence', asns: [4200000001] }]);
  });

  it('reads UPDATEs that arrive in the same segment as the OPEN under the negotiated context', () => {
    const s = new Session(A);
    s.handle({ type: 'start' });
    s.handle({ type: 'connection-open', connection: 1, direction: 'outbound' });
    // A 2-octet peer: OPEN without capability 65, KEEPALIVE and an UPDATE with a 2-octet AS_PATH, all at once.
    const open = encode({ type: 'open', version: 4, myAs: 64513, holdTime: 90, bgpId: '10.0.0.2', parameters: [] });
    const update = encode({
      type: 'update',
      withdrawn: [],
      attributes: [{ type: 'origin', origin: 'igp' }, { type: 'as-path', asWidth: 2, segments: [{ type: 'sequence', asns: [64513, 65000, 65001] }] }, { type: 'next-hop', nextHop: '10.0.0.2' }],
      nlri: [{ prefix: '203.0.113.0/24' }],
    });
    const actions = s.handle({ type: 'data', connection: 1, bytes: Uint8Array.from([...open, ...encode({ type: 'keepalive' }), ...update]) });
    expect(actions.some((x) => x.type === 'close')).toBe(false);
    expect(s.state).toBe('established');
    expect(s.stats()).toMatchObject({ receivedPrefixes: 1, malformedUpdates: 0 });
  });

  it('rejects a wrong peer AS with OPEN Message Error / Bad Peer AS', () => {
    const pair = new Pair(new Session(A), new Session({ ...B, peerAs: 65000 }));
    pair.feed('b', pair.b.handle({ type: 'start' }));
    pair.feed('a', pair.a.handle({ type: 'start' }));
    const sent = pair.events.b.find((e) => e.type === 'notification-sent');
    expect(sent).toMatchObject({ notification: { code: 2, subcode: 2 } });
    expect(toHex((sent as { notification: { data: Uint8Array } }).notification.data)).toBe('fc00');
    expect(pair.events.a.find((e) => e.type === 'notification-received')).toBeDefined();
    expect(pair.a.state).toBe('active');
    expect(pair.timers.a.has('connect-retry')).toBe(true);
  });

  it('resets the session with Hold Timer Expired when the peer goes quiet', () => {
    const pair = new Pair(new Session(A), new Session(B)).establish();
    pair.fire('a', 'hold:1');
    const sent = pair.events.a.find((e) => e.type === 'notification-sent');
    expect(sent).toMatchObject({ notification: { code: 4, subcode: 0 } });
    expect(pair.b.state).toBe('active');
    expect(pair.a.state).toBe('active');
    expect(pair.a.stats().announcedPrefixes).toBe(0);
    // ...and comes back when the retry timer fires.
    pair.fire('a', 'connect-retry');
    expect(pair.a.state).toBe('established');
  });

  it('keeps sending KEEPALIVEs at the keepalive interval', () => {
    const pair = new Pair(new Session({ ...A, holdTime: 9 }), new Session(B)).establish();
    expect(pair.timers.a.get('keepalive:1')).toBe(3000);
    const before = pair.b.stats().received.keepalive;
    pair.fire('a', 'keepalive:1');
    expect(pair.b.stats().received.keepalive).toBe(before + 1);
    expect(pair.timers.a.get('keepalive:1')).toBe(3000);
  });

  it('backs off connect retries (doubling, capped) with jitter', () => {
    let r = 0;
    const s = new Session({ ...A, connectRetryTime: 2, maxConnectRetryTime: 10, random: () => r });
    s.handle({ type: 'start' });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      r = i % 2 === 0 ? 0 : 0.999;
      const actions = s.handle({ type: 'connect-failed', reason: 'ECONNREFUSED' });
      const timer = actions.find((x): x is Extract<SessionAction, { type: 'timer' }> => x.type === 'timer' && x.timer === 'connect-retry');
      delays.push(timer?.ms ?? -1);
      expect(s.handle({ type: 'timer', timer: 'connect-retry' }).some((x) => x.type === 'connect')).toBe(true);
    }
    // 2, 4, 8, 10, 10 s times a jitter factor in [0.75, 1).
    expect(delays).toEqual([1500, 3999, 6000, 9998, 7500]);
  });

  it('does not connect in passive mode and refuses inbound in active mode', () => {
    const passive = new Session({ ...A, mode: 'passive' });
    expect(passive.handle({ type: 'start' }).some((x) => x.type === 'connect')).toBe(false);
    expect(passive.state).toBe('active');
    const active = new Session({ ...A, mode: 'active' });
    active.handle({ type: 'start' });
    expect(active.handle({ type: 'connection-open', connection: 3, direction: 'inbound' })).toContainEqual({ type: 'close', connection: 3 });
  });

  it('resolves a connection collision in favour of the higher BGP identifier', () => {
    for (const [ours, theirs, survivor] of [
      ['10.0.0.9', '10.0.0.2', 'outbound'],
      ['10.0.0.1', '10.0.0.2', 'inbound'],
    ] as const) {
      const s = new Session({ ...A, routerId: ours });
      s.handle({ type: 'start' });
      s.handle({ type: 'connection-open', connection: 1, direction: 'outbound' });
      s.handle({ type: 'connection-open', connection: 2, direction: 'inbound' });
      const open = encode({ type: 'open', version: 4, myAs: 64513, holdTime: 90, bgpId: theirs, parameters: [] });
      const actions = s.handle({ type: 'data', connection: 1, bytes: open });
      const closed = actions.find((x) => x.type === 'close') as { connection: number } | undefined;
      expect(closed?.connection).toBe(survivor === 'outbound' ? 2 : 1);
      const notification = actions.find((x) => x.type === 'event' && x.event.type === 'notification-sent') as { event: { notification: { code: number; subcode: number } } };
      expect(notification.event.notification).toMatchObject({ code: 6, subcode: 7 });
    }
  });

  it('keeps an Established connection when a colliding one opened before it brings its OPEN late', () => {
    // Our identifier is the lower one, so without the Established rule the inbound would win.
    const s = new Session({ ...A, routerId: '10.0.0.1' });
    s.handle({ type: 'start' });
    s.handle({ type: 'connection-open', connection: 1, direction: 'outbound' });
    const open = encode({ type: 'open', version: 4, myAs: 64513, holdTime: 90, bgpId: '10.0.0.2', parameters: [] });
    s.handle({ type: 'data', connection: 1, bytes: open });
    s.handle({ type: 'connection-open', connection: 2, direction: 'inbound' });
    s.handle({ type: 'data', connection: 1, bytes: encode({ type: 'keepalive' }) });
    expect(s.state).toBe('established');
    const actions = s.handle({ type: 'data', connection: 2, bytes: open });
    expect(actions.filter((x) => x.type === 'close')).toEqual([{ type: 'close', connection: 2 }]);
    expect(actions.find((x) => x.type === 'event' && x.event.type === 'notification-sent')).toMatchObject({ event: { notification: { code: 6, subcode: 7 } } });
    expect(s.state).toBe('established');
    expect(s.stats().establishedTransitions).toBe(1);
  });

  it('answers ROUTE-REFRESH by resending the family between BoRR and EoRR', () => {
    const pair = new Pair(new Session(A), new Session(B)).establish();
    const r = pair.a.setRoutes('ipv6-unicast', [{ prefix: '2001:db8::1/128', nextHop: '2001:db8::ff' }]);
    if (r.ok) pair.feed('a', r.value);
    pair.wire.b.length = 0;
    pair.feed('a', pair.a.handle({ type: 'data', connection: 1, bytes: encode({ type: 'route-refresh', afi: 2, safi: 1, subtype: 0 }) }));
    expect(pair.wire.b.map((m) => m.type)).toEqual(['route-refresh', 'update', 'route-refresh']);
    expect(pair.wire.b.map((m) => (m.type === 'route-refresh' ? m.subtype : -1))).toEqual([1, -1, 2]);
  });

  it('answers a malformed UPDATE with the matching NOTIFICATION, and survives a treat-as-withdraw one', () => {
    const pair = new Pair(new Session(A), new Session(B)).establish();
    // ORIGIN with value 9: treat-as-withdraw, the session stays up.
    const badOrigin = encode({ type: 'update', withdrawn: [], attributes: [{ type: 'unknown', flags: 0x40, code: 1, data: Uint8Array.of(9) }, { type: 'as-path', segments: [] }, { type: 'next-hop', nextHop: '10.0.0.2' }], nlri: [{ prefix: '10.9.0.0/16' }] });
    pair.feed('a', pair.a.handle({ type: 'data', connection: 1, bytes: badOrigin }));
    expect(pair.a.state).toBe('established');
    expect(pair.a.stats().malformedUpdates).toBe(1);
    // NLRI /40: Invalid Network Field, session reset.
    const bad = encode({ type: 'update', withdrawn: [], attributes: [], nlri: [] });
    const broken = Uint8Array.from([...bad, 40, 1, 2, 3, 4, 5]);
    broken[17] = broken.length;
    pair.feed('a', pair.a.handle({ type: 'data', connection: 1, bytes: broken }));
    expect(pair.events.a.find((e) => e.type === 'notification-sent')).toMatchObject({ notification: { code: 3, subcode: 10 } });
    expect(pair.a.state).toBe('active');
  });

  it('stops gracefully without a NOTIFICATION when graceful restart was negotiated', () => {
    const gr = { restartTime: 120 };
    const pair = new Pair(new Session({ ...A, gracefulRestart: gr }), new Session({ ...B, gracefulRestart: gr })).establish();
    expect(pair.a.negotiated?.gracefulRestart).toBe(true);
    pair.feed('a', pair.a.handle({ type: 'stop', graceful: true }));
    expect(pair.events.a.some((e) => e.type === 'notification-sent')).toBe(false);
    expect(pair.a.state).toBe('idle');

    const plain = new Pair(new Session(A), new Session(B)).establish();
    plain.feed('a', plain.a.handle({ type: 'stop', graceful: true, reason: 'node drained' }));
    expect(plain.events.b.find((e) => e.type === 'notification-received')).toMatchObject({
      notification: { code: 6, subcode: 2, shutdownCommunication: 'node drained' },
    });
  });

  it('advertises graceful restart with the restart time, R bit when restarting and F bit per family', () => {
    const s = new Session({ ...A, gracefulRestart: { restartTime: 300, restarting: true } });
    s.handle({ type: 'start' });
    const send = s.handle({ type: 'connection-open', connection: 1, direction: 'outbound' }).find((x) => x.type === 'send') as { bytes: Uint8Array };
    const [open] = messages(send.bytes);
    const gr = open?.type === 'open' ? openCapabilities(open).find((c) => c.type === 'graceful-restart') : undefined;
    expect(gr).toEqual({
      type: 'graceful-restart',
      flags: 0x8,
      restartTime: 300,
      families: [
        { afi: 1, safi: 1, flags: 0x80 },
        { afi: 2, safi: 1, flags: 0x80 },
      ],
    });
  });

  it('sets the R bit only until the session is first established: a later reconnection is not a restart', () => {
    const gr = { restartTime: 120, restarting: true };
    const pair = new Pair(new Session({ ...A, gracefulRestart: gr }), new Session({ ...B, gracefulRestart: { restartTime: 120 } })).establish();
    pair.fire('a', 'hold:1');
    pair.fire('a', 'connect-retry');
    expect(pair.a.state).toBe('established');
    const restartFlags = pair.wire.b
      .filter((m) => m.type === 'open')
      .map((open) => (openCapabilities(open).find((c) => c.type === 'graceful-restart') as { flags: number }).flags);
    expect(restartFlags).toEqual([0x8, 0]);
  });

  it('puts path ids on NLRI when ADD-PATH send is negotiated', () => {
    const pair = new Pair(new Session({ ...A, addPath: 'send' }), new Session({ ...B, addPath: 'receive' })).establish();
    expect(pair.a.negotiated?.addPathSend).toEqual(['ipv4-unicast', 'ipv6-unicast']);
    const r = pair.a.setRoutes('ipv4-unicast', [{ prefix: '10.1.1.1/32', nextHop: '192.0.2.1' }]);
    if (r.ok) pair.feed('a', r.value);
    const [u] = updatesTo(pair.wire.b).filter((x) => x.nlri.length > 0);
    expect(u?.nlri).toEqual([{ prefix: '10.1.1.1/32', pathId: 1 }]);
    expect(pair.b.stats().receivedPrefixes).toBe(1);
  });

  it('rejects a route set with every problem listed and applies none of it', () => {
    const s = new Session(A);
    const result = s.setRoutes('ipv4-unicast', [
      { prefix: '10.0.0.1/24', nextHop: '192.0.2.1' },
      { prefix: '2001:db8::/64', nextHop: 'nope' },
      { prefix: '10.0.0.2/32', nextHop: '192.0.2.1', communities: ['70000:1'], med: -1 },
      { prefix: '10.0.0.3/32', nextHop: '192.0.2.1' },
      { prefix: '10.0.0.3/32', nextHop: '192.0.2.2' },
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.issues).toEqual([
        'routes[0] ("10.0.0.1/24"): prefix has host bits set past /24',
        'routes[1] ("2001:db8::/64"): prefix is IPv6, family is ipv4-unicast',
        'routes[1] ("2001:db8::/64"): nextHop "nope" is not an IP address',
        'routes[2] ("10.0.0.2/32"): community "70000:1" is not "asn:value", a well-known name or a 32-bit number',
        'routes[2] ("10.0.0.2/32"): med -1 is not a 32-bit unsigned integer',
        'routes[4] ("10.0.0.3/32"): prefix 10.0.0.3/32 appears more than once',
      ]);
    }
    expect(s.stats().pendingPrefixes).toBe(0);
  });

  it('refuses a route whose UPDATE would not fit in 4096 bytes, before and after establishment, without throwing', () => {
    // 1,100 communities are 4,400 bytes of COMMUNITIES alone: no UPDATE without RFC 8654 holds them.
    const many = Array.from({ length: 1100 }, (_, i) => `65000:${i}`);
    const route = { prefix: '198.51.100.7/32', nextHop: '192.0.2.1', communities: many };
    const before = new Session({ ...A, extendedMessage: false });
    const refused = before.setRoutes('ipv4-unicast', [route]);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.kind).toBe('invalid-routes');
      expect(refused.error.issues).toHaveLength(1);
      expect(refused.error.issues[0]).toMatch(/^routes\[0\] \("198\.51\.100\.7\/32"\): an UPDATE announcing it would be \d+ bytes, more than the 4096/);
    }
    // Established, with and without extended messages: refused the same way, nothing sent.
    for (const extendedMessage of [false, true]) {
      const pair = new Pair(new Session({ ...A, extendedMessage }), new Session(B)).establish();
      const sentBefore = pair.a.stats().sent.total;
      let result: ReturnType<Session['setRoutes']> | undefined;
      expect(() => (result = pair.a.setRoutes('ipv4-unicast', [route]))).not.toThrow();
      expect(result?.ok).toBe(false);
      expect(pair.a.stats().sent.total).toBe(sentBefore);
      expect(pair.a.state).toBe('established');
    }
  });

  it('sends the largest route that fits, communities intact', () => {
    const pair = new Pair(new Session({ ...A, extendedMessage: false }), new Session(B)).establish();
    const communities = Array.from({ length: 1000 }, (_, i) => ((65000 << 16) | i) >>> 0);
    const result = pair.a.setRoutes('ipv4-unicast', [{ prefix: '198.51.100.7/32', nextHop: '192.0.2.1', communities }]);
    expect(result.ok).toBe(true);
    if (result.ok) pair.feed('a', result.value);
    const [update] = updatesTo(pair.wire.b).filter((u) => u.nlri.length > 0);
    expect(attr(update!, 'communities')?.communities).toEqual(communities);
  });

  it('refuses routes for a family the session does not carry, naming the kind', () => {
    const result = new Session({ ...A, families: ['ipv4-unicast'] }).setRoutes('ipv6-unicast', [{ prefix: '2001:db8::1/128', nextHop: '2001:db8::a' }]);
    expect(result).toMatchObject({ ok: false, error: { kind: 'family-not-configured' } });
  });

  it('rejects a bad config with every problem at once', () => {
    expect(() => new Session({ localAs: 0, peerAs: 1, routerId: '0.0.0.0', holdTime: 2, gracefulRestart: { restartTime: 5000 } })).toThrow(
      /localAs: 0 is not an AS number[\s\S]*routerId[\s\S]*holdTime: 2[\s\S]*gracefulRestart.restartTime: 5000/,
    );
  });
});
