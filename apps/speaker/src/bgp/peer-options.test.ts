import { describe, expect, it } from 'vitest';
import { type DesiredPrefix } from './desired.js';
import { routesOf, sameRoutes, sessionOptions, type SessionOptionsInput } from './peer-options.js';
import { type PeerSession } from './sessions.js';

const session: PeerSession = {
  myASN: 64512,
  peerASN: 64513,
  internal: false,
  peerAddress: '172.30.0.3',
  peerPort: 179,
  sourceAddress: undefined,
  routerID: undefined,
  holdTime: 90,
  keepaliveTime: 30,
  connectTime: undefined,
  ebgpMultiHop: false,
  password: undefined,
  bfdProfile: undefined,
  enableGracefulRestart: false,
  families: ['IPv4'],
};
const input: SessionOptionsInput = { session, localAddress: '172.30.0.11', node: {}, nodeName: 'lb-node-1', restartTime: 120, restarting: false, nativeSockopt: true };

describe('sessionOptions', () => {
  const cases: Array<{ name: string; change: Partial<Omit<SessionOptionsInput, 'session'>> & { session?: Partial<PeerSession> }; want: Record<string, unknown> }> = [
    { name: 'eBGP to a neighbour: TTL 1, router ID from the local IPv4 address', change: {}, want: { ttl: 1, routerId: '172.30.0.11', peerAs: 64513, holdTime: 90, keepaliveTime: 30, mode: 'active', families: ['ipv4-unicast'] } },
    { name: 'eBGP multihop: TTL 255', change: { session: { ebgpMultiHop: true } }, want: { ttl: 255 } },
    { name: 'iBGP: no TTL', change: { session: { internal: true, peerASN: 64512 } }, want: { ttl: undefined } },
    { name: 'routerID given', change: { session: { routerID: '10.0.0.1' } }, want: { routerId: '10.0.0.1' } },
    { name: 'keepalive 0 leaves the default', change: { session: { keepaliveTime: 0, holdTime: 540 } }, want: { keepaliveTime: undefined, holdTime: 540 } },
    { name: 'connectTime is the retry interval', change: { session: { connectTime: 2 } }, want: { connectRetryTime: 2, maxConnectRetryTime: 2 } },
    { name: 'sourceAddress binds the connection', change: { session: { sourceAddress: '172.30.0.11' } }, want: { localAddress: '172.30.0.11' } },
    { name: 'password', change: { session: { password: 'pw' } }, want: { password: 'pw' } },
    { name: 'graceful restart', change: { session: { enableGracefulRestart: true }, restarting: true }, want: { gracefulRestart: { restartTime: 120, restarting: true, forwardingState: true } } },
    { name: 'dual stack', change: { session: { families: ['IPv4', 'IPv6'] } }, want: { families: ['ipv4-unicast', 'ipv6-unicast'] } },
    { name: 'IPv6 session, router ID from the node', change: { localAddress: 'fd30::11', node: { IPv4: '172.30.0.11' }, session: { peerAddress: 'fd30::3' } }, want: { routerId: '172.30.0.11' } },
  ];
  it.each(cases)('$name', ({ change, want }) => {
    const built = sessionOptions({ ...input, ...change, session: { ...session, ...change.session } });
    if ('error' in built) throw new Error(built.error);
    for (const [key, value] of Object.entries(want)) expect((built.options as Record<string, unknown>)[key], key).toEqual(value);
  });
  it('has cases', () => expect(cases.length).toBeGreaterThan(0));

  it('without the native addon: a password cannot be honoured, a TTL is a warning', () => {
    expect(sessionOptions({ ...input, nativeSockopt: false, session: { ...session, password: 'pw' } })).toEqual({ error: expect.stringContaining('TCP MD5') });
    const built = sessionOptions({ ...input, nativeSockopt: false });
    expect('error' in built ? built.error : built.warnings).toEqual([expect.stringContaining('TTL 1')]);
  });

  it('next hops: the session address for its family, the node address for the other', () => {
    const built = sessionOptions({ ...input, node: { IPv6: 'fd30::11' } });
    expect('error' in built ? built.error : built.nextHops).toEqual({ IPv4: '172.30.0.11', IPv6: 'fd30::11' });
    const alone = sessionOptions(input);
    expect('error' in alone ? alone.error : alone.nextHops).toEqual({ IPv4: '172.30.0.11', IPv6: '172.30.0.11' });
  });

  it('a node without IPv4 gets a stable router ID from its name', () => {
    const make = () => sessionOptions({ ...input, localAddress: 'fd30::11', session: { ...session, peerAddress: 'fd30::3' } });
    const [a, b] = [make(), make()];
    if ('error' in a || 'error' in b) throw new Error('refused');
    expect(a.options.routerId).toBe(b.options.routerId);
    expect(a.options.routerId).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });
});

describe('routesOf', () => {
  const prefixes: DesiredPrefix[] = [
    { prefix: '192.0.2.5/32', family: 'IPv4', communities: ['64512:1'], largeCommunities: ['1:2:3'], localPref: 150, services: ['a/b'] },
    { prefix: '192.0.2.6/32', family: 'IPv4', communities: [], largeCommunities: [], localPref: undefined, services: ['a/c'] },
    { prefix: '2001:db8::1/128', family: 'IPv6', communities: [], largeCommunities: [], localPref: undefined, services: ['a/b'] },
  ];
  it('one family, with its attributes', () => {
    expect(routesOf(prefixes, 'IPv4', '10.0.0.1')).toEqual([
      { prefix: '192.0.2.5/32', nextHop: '10.0.0.1', communities: ['64512:1'], largeCommunities: ['1:2:3'], localPref: 150 },
      { prefix: '192.0.2.6/32', nextHop: '10.0.0.1' },
    ]);
    expect(routesOf(prefixes, 'IPv6', 'fd00::1')).toEqual([{ prefix: '2001:db8::1/128', nextHop: 'fd00::1' }]);
  });
  it('graceful shutdown adds the community and LOCAL_PREF 0 (RFC 8326)', () => {
    expect(routesOf(prefixes, 'IPv4', '10.0.0.1', { gracefulShutdown: true })[1]).toEqual({ prefix: '192.0.2.6/32', nextHop: '10.0.0.1', communities: ['GRACEFUL_SHUTDOWN'], localPref: 0 });
  });
  it('with a memo, a prefix seen before gives the same frozen route (what @lb/bgp-wire compiles once)', () => {
    const memo = new WeakMap<DesiredPrefix, ReturnType<typeof routesOf>[number]>();
    const first = routesOf(prefixes, 'IPv4', '10.0.0.1', { memo });
    const added: DesiredPrefix = { prefix: '192.0.2.7/32', family: 'IPv4', communities: [], largeCommunities: [], localPref: undefined, services: ['a/d'] };
    const second = routesOf([...prefixes, added], 'IPv4', '10.0.0.1', { memo });
    expect(second.slice(0, 2)).toEqual(first);
    second.slice(0, 2).forEach((route, i) => expect(route).toBe(first[i]));
    for (const route of second) expect(Object.isFrozen(route)).toBe(true);
  });
});

describe('sameRoutes', () => {
  const a = { prefix: '10.0.0.1/32', nextHop: '172.30.0.11', communities: ['64512:1'], localPref: 100 };
  const cases: Array<{ name: string; before: Array<Record<string, unknown>> | undefined; after: Array<Record<string, unknown>>; want: boolean }> = [
    { name: 'nothing sent yet', before: undefined, after: [], want: false },
    { name: 'equal, new objects', before: [{ ...a, communities: ['64512:1'] }], after: [a], want: true },
    { name: 'one more route', before: [a], after: [a, { ...a, prefix: '10.0.0.2/32' }], want: false },
    { name: 'next hop changed', before: [a], after: [{ ...a, nextHop: '172.30.0.12' }], want: false },
    { name: 'community added', before: [a], after: [{ ...a, communities: ['64512:1', '64512:2'] }], want: false },
    { name: 'communities gone', before: [a], after: [{ ...a, communities: undefined }], want: false },
    { name: 'local preference changed', before: [a], after: [{ ...a, localPref: 0 }], want: false },
    { name: 'large community added', before: [a], after: [{ ...a, largeCommunities: ['1:2:3'] }], want: false },
  ];
  it.each(cases)('$name', ({ before, after, want }) => {
    expect(sameRoutes(before as never, after as never)).toBe(want);
  });
});
