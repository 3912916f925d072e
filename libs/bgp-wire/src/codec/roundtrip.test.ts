import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AsPathSegment, type PathAttribute } from './attributes.js';
import { toHex } from './bytes.js';
import { type Capability } from './capabilities.js';
import { formatIPv4, formatIPv6 } from '@lb/ip';
import { type BgpMessage, decode, encode, encodingLength } from './message.js';
import { type Nlri } from './nlri.js';
import { type OpenMessage } from './open.js';
import { type UpdateMessage } from './update.js';

const u8 = fc.integer({ min: 0, max: 255 });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => formatIPv4(b));
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => formatIPv6(b));

/** A prefix whose bytes past its significant octets are zero, as the wire can carry. */
function prefix(family: 4 | 6): fc.Arbitrary<string> {
  const size = family === 4 ? 4 : 16;
  return fc.tuple(fc.uint8Array({ minLength: size, maxLength: size }), fc.integer({ min: 0, max: size * 8 })).map(([bytes, length]) => {
    const copy = bytes.slice();
    copy.fill(0, (length + 7) >> 3);
    return `${family === 4 ? formatIPv4(copy) : formatIPv6(copy)}/${length}`;
  });
}

function nlriList(family: 4 | 6, addPath: boolean, max = 20): fc.Arbitrary<Nlri[]> {
  const one = addPath ? fc.record({ prefix: prefix(family), pathId: u32 }) : fc.record({ prefix: prefix(family) });
  return fc.array(one, { maxLength: max });
}

const segment: fc.Arbitrary<AsPathSegment> = fc.record({
  type: fc.constantFrom('set', 'sequence', 'confed-sequence', 'confed-set'),
  asns: fc.array(u32, { minLength: 1, maxLength: 10 }),
});

const capability: fc.Arbitrary<Capability> = fc.oneof(
  fc.record({ type: fc.constant('multiprotocol' as const), afi: u16, safi: u8 }),
  fc.constant({ type: 'route-refresh' as const }),
  fc.constant({ type: 'enhanced-route-refresh' as const }),
  fc.constant({ type: 'extended-message' as const }),
  fc.record({ type: fc.constant('four-octet-as' as const), asn: u32 }),
  fc.record({
    type: fc.constant('graceful-restart' as const),
    flags: fc.integer({ min: 0, max: 15 }),
    restartTime: fc.integer({ min: 0, max: 4095 }),
    families: fc.array(fc.record({ afi: u16, safi: u8, flags: u8 }), { maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('add-path' as const),
    families: fc.array(fc.record({ afi: u16, safi: u8, mode: fc.constantFrom(1 as const, 2 as const, 3 as const) }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('extended-next-hop' as const),
    entries: fc.array(fc.record({ afi: u16, safi: u16, nextHopAfi: u16 }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    type: fc.constant('fqdn' as const),
    hostname: fc.stringMatching(/^[a-z0-9.-]{0,30}$/),
    domain: fc.stringMatching(/^[a-z0-9.-]{0,30}$/),
  }),
  fc.record({ type: fc.constant('unknown' as const), code: fc.integer({ min: 200, max: 255 }), data: fc.uint8Array({ maxLength: 20 }) }),
);

const open: fc.Arbitrary<OpenMessage> = fc.record({
  type: fc.constant('open' as const),
  version: fc.constant(4),
  myAs: u16,
  holdTime: fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 0xffff })),
  bgpId: ipv4.filter((id) => id !== '0.0.0.0'),
  parameters: fc.array(
    fc.oneof(
      fc.record({ type: fc.constant('capabilities' as const), capabilities: fc.array(capability, { maxLength: 4 }) }),
      fc.record({ type: fc.constant('unknown' as const), code: fc.integer({ min: 3, max: 254 }), data: fc.uint8Array({ maxLength: 8 }) }),
    ),
    { maxLength: 3 },
  ),
});

interface UpdateShape {
  fourOctetAs: boolean;
  addPath4: boolean;
  addPath6: boolean;
}

/** A well-formed UPDATE (every RFC 7606 check passes) plus the context it is decoded under. */
const update: fc.Arbitrary<[UpdateMessage, UpdateShape]> = fc
  .record({ fourOctetAs: fc.boolean(), addPath4: fc.boolean(), addPath6: fc.boolean() })
  .chain((shape) =>
    fc
      .record({
        withdrawn: nlriList(4, shape.addPath4),
        nlri: nlriList(4, shape.addPath4),
        origin: fc.constantFrom('igp' as const, 'egp' as const, 'incomplete' as const),
        asPath: fc.array(segment, { maxLength: 3 }),
        nextHop: ipv4,
        med: fc.option(u32, { nil: undefined }),
        localPref: fc.option(u32, { nil: undefined }),
        atomic: fc.boolean(),
        communities: fc.array(u32, { maxLength: 8 }),
        large: fc.array(fc.record({ globalAdmin: u32, localData1: u32, localData2: u32 }), { maxLength: 5 }),
        extended: fc.array(fc.uint8Array({ minLength: 8, maxLength: 8 }), { maxLength: 3 }),
        clusterIds: fc.array(ipv4, { maxLength: 3 }),
        as4Path: fc.array(segment, { maxLength: 2 }),
        mpReach: fc.option(
          fc.oneof(
            fc.record({ afi: fc.constant(2), nextHops: fc.oneof(fc.tuple(ipv6), fc.tuple(ipv6, ipv6)), nlri: nlriList(6, shape.addPath6) }),
            fc.record({ afi: fc.constant(1), nextHops: fc.oneof(fc.tuple(ipv4), fc.tuple(ipv6)), nlri: nlriList(4, shape.addPath4) }),
          ),
          { nil: undefined },
        ),
        mpUnreach: fc.option(nlriList(6, shape.addPath6), { nil: undefined }),
        unknown: fc.option(fc.record({ code: fc.integer({ min: 100, max: 200 }), data: fc.uint8Array({ maxLength: 300 }) }), { nil: undefined }),
      })
      .map((r) => {
        const attributes: PathAttribute[] = [];
        const announces = r.nlri.length > 0 || r.mpReach !== undefined;
        if (announces || r.asPath.length % 2 === 0) {
          attributes.push({ type: 'origin', origin: r.origin });
          attributes.push({ type: 'as-path', asWidth: shape.fourOctetAs ? 4 : 2, segments: shape.fourOctetAs ? r.asPath : r.asPath.map(clamp16) });
        }
        if (r.nlri.length > 0 || r.atomic) attributes.push({ type: 'next-hop', nextHop: r.nextHop });
        if (r.med !== undefined) attributes.push({ type: 'med', med: r.med });
        if (r.localPref !== undefined) attributes.push({ type: 'local-pref', localPref: r.localPref });
        if (r.atomic) attributes.push({ type: 'atomic-aggregate' });
        if (r.communities.length) attributes.push({ type: 'communities', communities: r.communities });
        if (r.large.length) attributes.push({ type: 'large-communities', communities: r.large });
        if (r.extended.length) attributes.push({ type: 'extended-communities', communities: r.extended });
        if (r.clusterIds.length) attributes.push({ type: 'cluster-list', clusterIds: r.clusterIds });
        if (r.as4Path.length) attributes.push({ type: 'as4-path', segments: r.as4Path });
        if (r.mpReach) attributes.push({ type: 'mp-reach', afi: r.mpReach.afi, safi: 1, nextHops: r.mpReach.nextHops, reserved: 0, nlri: r.mpReach.nlri });
        if (r.mpUnreach) attributes.push({ type: 'mp-unreach', afi: 2, safi: 1, withdrawn: r.mpUnreach });
        if (r.unknown) attributes.push({ type: 'unknown', flags: 0xc0, code: r.unknown.code, data: r.unknown.data });
        const message: UpdateMessage = { type: 'update', withdrawn: r.withdrawn, attributes, nlri: r.nlri };
        return [message, shape] as [UpdateMessage, UpdateShape];
      }),
  );

function clamp16(s: AsPathSegment): AsPathSegment {
  return { type: s.type, asns: s.asns.map((a) => a & 0xffff) };
}

/**
 * Compares values ignoring the fields the encoder fills in by default (flags, reserved) and the
 * type code decoded attributes carry (the type names it; an unknown attribute's code is compared).
 */
function normalize(value: unknown): unknown {
  if (value instanceof Uint8Array) return toHex(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const known = (value as { type?: unknown }).type !== 'unknown';
    const entries = Object.entries(value).filter(([k]) => k !== 'flags' && k !== 'reserved' && !(k === 'code' && known));
    return Object.fromEntries(entries.map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}

function roundTrip(message: BgpMessage, ctx: Parameters<typeof decode>[3]): void {
  const bytes = encode(message);
  expect(bytes.length).toBe(encodingLength(message));
  const decoded = decode(bytes, 0, bytes.length, ctx);
  if (!decoded.ok) throw new Error(decoded.error.message);
  expect(normalize(decoded.value)).toEqual(normalize(message));
  expect(toHex(encode(decoded.value))).toBe(toHex(bytes));
}

describe('round trip', () => {
  it('OPEN messages', () => {
    fc.assert(fc.property(open, (m) => roundTrip(m, {})), { numRuns: 500 });
  });

  it('UPDATE messages under every negotiated context', () => {
    fc.assert(
      fc.property(update, ([m, shape]) =>
        roundTrip(m, { fourOctetAs: shape.fourOctetAs, extendedMessage: true, addPath: { ipv4Unicast: shape.addPath4, ipv6Unicast: shape.addPath6 } }),
      ),
      { numRuns: 500 },
    );
  });

  it('NOTIFICATION, KEEPALIVE and ROUTE-REFRESH', () => {
    const other: fc.Arbitrary<BgpMessage> = fc.oneof(
      fc.record({ type: fc.constant('notification' as const), code: fc.integer({ min: 1, max: 5 }), subcode: u8, data: fc.uint8Array({ maxLength: 50 }) }),
      fc.constant({ type: 'keepalive' as const }),
      fc.record({ type: fc.constant('route-refresh' as const), afi: u16, safi: u8, subtype: u8 }),
    );
    fc.assert(fc.property(other, (m) => roundTrip(m, {})), { numRuns: 300 });
  });
});
