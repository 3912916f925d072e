import { type LargeCommunity } from './attributes.js';
import { formatIPv4, writeIPv4 } from '@lb/ip';
import { readU16, readU32 } from './bytes.js';

/** RFC 1997 and IANA well-known communities, by the names routers print. */
export const WellKnownCommunity = {
  GRACEFUL_SHUTDOWN: 0xffff0000,
  ACCEPT_OWN: 0xffff0001,
  LLGR_STALE: 0xffff0006,
  NO_LLGR: 0xffff0007,
  BLACKHOLE: 0xffff029a,
  NO_EXPORT: 0xffffff01,
  NO_ADVERTISE: 0xffffff02,
  NO_EXPORT_SUBCONFED: 0xffffff03,
  NO_PEER: 0xffffff04,
} as const;

const namesByValue = new Map<number, string>(Object.entries(WellKnownCommunity).map(([name, value]) => [value, name]));

/** "NO_EXPORT" for a well-known value, otherwise "asn:value". */
export function formatCommunity(value: number): string {
  return namesByValue.get(value) ?? `${value >>> 16}:${value & 0xffff}`;
}

/**
 * "65000:100", or a well-known name in either spelling ("NO_EXPORT", "no-export"); undefined
 * when the text is neither.
 */
export function parseCommunity(text: string): number | undefined {
  const named = (WellKnownCommunity as Record<string, number>)[text.toUpperCase().replace(/-/g, '_')];
  if (named !== undefined) return named;
  const match = /^(\d{1,5}):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const high = Number(match[1]);
  const low = Number(match[2]);
  if (high > 0xffff || low > 0xffff) return undefined;
  return ((high << 16) | low) >>> 0;
}

export function formatLargeCommunity(c: LargeCommunity): string {
  return `${c.globalAdmin}:${c.localData1}:${c.localData2}`;
}

/** "global:local1:local2" (MetalLB's "large:" prefix accepted); undefined when invalid. */
export function parseLargeCommunity(text: string): LargeCommunity | undefined {
  const match = /^(?:large:)?(\d{1,10}):(\d{1,10}):(\d{1,10})$/i.exec(text);
  if (!match) return undefined;
  const [globalAdmin, localData1, localData2] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (globalAdmin > 0xffffffff || localData1 > 0xffffffff || localData2 > 0xffffffff) return undefined;
  return { globalAdmin, localData1, localData2 };
}

/**
 * Route targets and sites of origin in the usual "RT:asn:value" / "SoO:ip:value" text; other
 * extended communities as 16 hex digits.
 */
export function formatExtendedCommunity(c: Uint8Array): string {
  const type = c[0] as number;
  const subtype = c[1] as number;
  const kind = subtype === 0x02 ? 'RT' : subtype === 0x03 ? 'SoO' : undefined;
  if (kind !== undefined && c.length === 8) {
    if (type === 0x00 || type === 0x40) return `${kind}:${readU16(c, 2)}:${readU32(c, 4)}`;
    if (type === 0x01 || type === 0x41) return `${kind}:${formatIPv4(c, 2)}:${readU16(c, 6)}`;
    if (type === 0x02 || type === 0x42) return `${kind}:${readU32(c, 2)}:${readU16(c, 6)}`;
  }
  return Array.from(c, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** An 8-byte route target: 2-octet AS form when `admin` fits, else IPv4 or 4-octet AS form. */
export function routeTarget(admin: number | string, value: number): Uint8Array {
  const out = new Uint8Array(8);
  out[1] = 0x02;
  if (typeof admin === 'string') {
    out[0] = 0x01;
    if (!writeIPv4(admin, out, 2)) throw new TypeError(`route target admin ${JSON.stringify(admin)} is not IPv4`);
    out[6] = value >>> 8;
    out[7] = value & 0xff;
  } else if (admin <= 0xffff) {
    out[2] = admin >>> 8;
    out[3] = admin & 0xff;
    new DataView(out.buffer).setUint32(4, value);
  } else {
    out[0] = 0x02;
    new DataView(out.buffer).setUint32(2, admin);
    out[6] = value >>> 8;
    out[7] = value & 0xff;
  }
  return out;
}
