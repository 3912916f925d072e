import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type PathAttribute, type DecodeContext } from './attributes.js';
import { fromHex, toHex } from './bytes.js';
import { type Capability } from './capabilities.js';
import { formatCommunity, formatExtendedCommunity, formatLargeCommunity } from './communities.js';
import { describeError } from './constants.js';
import { type BgpMessage, decode, encode, encodingLength } from './message.js';
import { type Nlri } from './nlri.js';
import { openCapabilities } from './open.js';
import { endOfRibFamily, type UpdateMessage } from './update.js';
import { decodeVpnNextHop, decodeVpnNlri } from './vpn.js';
import { vectorsDir } from '@lb/testdata';

// Real messages with their documented meaning (the project's shared test data).
const vectorsPath = resolve(vectorsDir(), 'bgp.json');

interface Vector {
  name: string;
  hex: string;
  decode_context: { four_octet_as: boolean | null; add_path_ipv4_unicast: boolean };
  decoded: Record<string, unknown> & { type: string; length: number };
}

const vectors = (JSON.parse(readFileSync(vectorsPath, 'utf8')) as { vectors: Vector[] }).vectors;

function contextOf(v: Vector): DecodeContext {
  return {
    ...(v.decode_context.four_octet_as === false ? { fourOctetAs: false } : {}),
    ...(v.decode_context.add_path_ipv4_unicast ? { addPath: { ipv4Unicast: true } } : {}),
  };
}

const hex8 = (n: number): string => `0x${n.toString(16)}`;
const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
const nlriText = (n: Nlri): string => (n.pathId === undefined ? n.prefix : `${n.prefix} (path-id ${n.pathId})`);

/** Writes a capability the way the vectors file spells it. */
function capabilityText(c: Capability): string {
  switch (c.type) {
    case 'multiprotocol':
      return `MP(afi=${c.afi},safi=${c.safi})`;
    case 'route-refresh':
      return 'ROUTE_REFRESH';
    case 'enhanced-route-refresh':
      return 'ENHANCED_ROUTE_REFRESH';
    case 'extended-message':
      return 'EXTENDED_MESSAGE';
    case 'four-octet-as':
      return `FOUR_OCTET_AS(${c.asn})`;
    case 'graceful-restart':
      return `GRACEFUL_RESTART(flags=${hex8(c.flags)},time=${c.restartTime},afs=[${c.families.map((f) => `${f.afi}/${f.safi}:${hex2(f.flags)}`).join(' ')}])`;
    case 'add-path':
      return `ADD_PATH(${c.families.map((f) => `${f.afi}/${f.safi}:${['', 'recv', 'send', 'both'][f.mode]}`).join(' ')})`;
    case 'extended-next-hop':
      return `EXTENDED_NEXTHOP(${c.entries.map((e) => `${e.afi}/${e.safi}->nh_afi ${e.nextHopAfi}`).join(' ')})`;
    case 'fqdn':
      return `FQDN(host='${c.hostname}',domain='${c.domain}')`;
    case 'unknown':
      if (c.code === 128 && c.data.length === 0) return 'ROUTE_REFRESH_CISCO(128)';
      if (c.code === 131) return `MULTISESSION_CISCO(131)(0x${toHex(c.data)})`;
      return `UNKNOWN(${c.code})`;
  }
}

function attributeShape(a: PathAttribute): Record<string, unknown> {
  const flags = hex2(a.flags ?? -1);
  switch (a.type) {
    case 'origin':
      return { type: 'ORIGIN', flags, value: a.origin.toUpperCase() };
    case 'as-path':
      return { type: 'AS_PATH', flags, asn_width: a.asWidth, segments: a.segments.map((s) => s.asns.join(' ')) };
    case 'as4-path':
      return { type: 'AS4_PATH', flags, value: a.segments.map((s) => s.asns.join(' ')) };
    case 'next-hop':
      return { type: 'NEXT_HOP', flags, value: a.nextHop };
    case 'med':
      return { type: 'MED', flags, value: a.med };
    case 'local-pref':
      return { type: 'LOCAL_PREF', flags, value: a.localPref };
    case 'communities':
      return { type: 'COMMUNITIES', flags, value: a.communities.map(formatCommunity) };
    case 'large-communities':
      return { type: 'LARGE_COMMUNITIES', flags, value: a.communities.map(formatLargeCommunity) };
    case 'extended-communities':
      return { type: 'EXTENDED_COMMUNITIES', flags, value: a.communities.map(formatExtendedCommunity) };
    case 'mp-reach':
      return { type: 'MP_REACH_NLRI', flags, afi: a.afi, safi: a.safi, next_hop: a.nextHops, reserved: a.reserved, nlri: a.nlri.map(nlriText) };
    case 'mp-reach-raw': {
      const nextHop = decodeVpnNextHop(a.nextHop);
      const routes = decodeVpnNlri(a.afi, a.nlri) ?? [];
      return {
        type: 'MP_REACH_NLRI',
        flags,
        afi: a.afi,
        safi: a.safi,
        next_hop: nextHop ? [`RD${nextHop.routeDistinguisher === '0:0' ? '0' : nextHop.routeDistinguisher} ${nextHop.address}`] : [],
        reserved: a.reserved,
        nlri: routes.map((r) => `RD ${r.routeDistinguisher} ${r.prefix} label [${r.labels.join(' ')}]`),
      };
    }
    case 'mp-unreach':
      return { type: 'MP_UNREACH_NLRI', flags, afi: a.afi, safi: a.safi, withdrawn: a.withdrawn.map(nlriText) };
    default:
      return { type: a.type };
  }
}

/** The decoded message in the vectors file's vocabulary. */
function shape(m: BgpMessage, length: number): Record<string, unknown> {
  switch (m.type) {
    case 'keepalive':
      return { type: 'KEEPALIVE', length };
    case 'open':
      return {
        type: 'OPEN',
        length,
        version: m.version,
        my_as: m.myAs,
        hold_time: m.holdTime,
        bgp_id: m.bgpId,
        opt_param_len: length - 29,
        capabilities: openCapabilities(m).map(capabilityText),
      };
    case 'update':
      return {
        type: 'UPDATE',
        length,
        withdrawn: m.withdrawn.map(nlriText),
        attributes: m.attributes.map(attributeShape),
        nlri: m.nlri.map(nlriText),
      };
    case 'notification':
      return {
        type: 'NOTIFICATION',
        length,
        error_code: m.code,
        error_subcode: m.subcode,
        data: toHex(m.data),
        ...(m.shutdownCommunication === undefined ? {} : { shutdown_communication: m.shutdownCommunication }),
      };
    case 'route-refresh':
      return { type: 'ROUTE-REFRESH', length, afi: m.afi, subtype: m.subtype, safi: m.safi };
  }
}

/** The vector's documented meaning without its free-text notes. */
function expected(v: Vector): Record<string, unknown> {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'note' && k !== 'meaning').map(([k, x]) => [k, strip(x)]));
    }
    return value;
  };
  return strip(v.decoded) as Record<string, unknown>;
}

describe('shared BGP vectors', () => {
  it('has vectors to check', () => {
    expect(vectors.length).toBeGreaterThan(0);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s decodes to its documented meaning and re-encodes identically', (_name, v) => {
    const bytes = fromHex(v.hex);
    expect(bytes).toBeDefined();
    const decoded = decode(bytes as Uint8Array, 0, v.hex.length / 2, contextOf(v));
    if (!decoded.ok) throw new Error(decoded.error.message);
    const message = decoded.value;
    expect(decoded.length).toBe(v.decoded.length);
    expect(shape(message, decoded.length)).toEqual(expected(v));
    expect(encodingLength(message)).toBe(v.decoded.length);
    expect(toHex(encode(message))).toBe(v.hex);
    // Encoding into a larger buffer at an offset leaves the bytes around it alone.
    const big = new Uint8Array(v.decoded.length + 10).fill(0xaa);
    encode(message, big, 5);
    expect(toHex(big.subarray(5, 5 + v.decoded.length))).toBe(v.hex);
    expect(big[4]).toBe(0xaa);
    expect(big[5 + v.decoded.length]).toBe(0xaa);
  });

  it('names the NOTIFICATION errors as the vectors do', () => {
    const notifications = vectors.filter((v) => v.decoded.type === 'NOTIFICATION');
    expect(notifications.length).toBeGreaterThan(0);
    for (const v of notifications) {
      const name = describeError(v.decoded['error_code'] as number, v.decoded['error_subcode'] as number).replace(' / ', '/');
      expect(name.endsWith(v.decoded['meaning'] as string)).toBe(true);
    }
  });

  it('recognises both End-of-RIB markers', () => {
    const eors = vectors.filter((v) => v.name.startsWith('end_of_rib'));
    expect(eors.length).toBe(2);
    const families = eors.map((v) => endOfRibFamily((decode(fromHex(v.hex) as Uint8Array) as { value: UpdateMessage }).value));
    expect(families).toEqual([
      { afi: 1, safi: 1 },
      { afi: 2, safi: 1 },
    ]);
  });
});
