import { copyBytes, readU16, readU32, writeU16, writeU32 } from './bytes.js';
import { CapabilityCode } from './constants.js';

export interface AfiSafi {
  readonly afi: number;
  readonly safi: number;
}

/** RFC 7911 Send/Receive field: 1 receive, 2 send, 3 both. */
export type AddPathMode = 1 | 2 | 3;

/**
 * One OPEN capability. Each known code decodes to a typed value only when its bytes have the
 * canonical shape; anything else (odd length, reserved bits set, non-ASCII names, unknown codes)
 * becomes `unknown` with the bytes kept, so every OPEN re-encodes byte for byte.
 */
export type Capability =
  | ({ readonly type: 'multiprotocol' } & AfiSafi)
  | { readonly type: 'route-refresh' }
  | { readonly type: 'extended-next-hop'; readonly entries: readonly (AfiSafi & { readonly nextHopAfi: number })[] }
  | { readonly type: 'extended-message' }
  | {
      readonly type: 'graceful-restart';
      /** Upper four bits of the first octet: 0x8 Restart State (R), 0x4 Notification (N, RFC 8538). */
      readonly flags: number;
      /** Seconds, 0..4095. */
      readonly restartTime: number;
      /** Per family; `flags` 0x80 is Forwarding State (F). */
      readonly families: readonly (AfiSafi & { readonly flags: number })[];
    }
  | { readonly type: 'four-octet-as'; readonly asn: number }
  | { readonly type: 'add-path'; readonly families: readonly (AfiSafi & { readonly mode: AddPathMode })[] }
  | { readonly type: 'enhanced-route-refresh' }
  | { readonly type: 'fqdn'; readonly hostname: string; readonly domain: string }
  | { readonly type: 'unknown'; readonly code: number; readonly data: Uint8Array };

export const GracefulRestartFlag = { RESTART_STATE: 0x8, NOTIFICATION: 0x4 } as const;
export const GracefulRestartFamilyFlag = { FORWARDING_STATE: 0x80 } as const;

/** Capability code of a value (the wire code for `unknown`). */
export function capabilityCode(cap: Capability): number {
  switch (cap.type) {
    case 'multiprotocol':
      return CapabilityCode.MULTIPROTOCOL;
    case 'route-refresh':
      return CapabilityCode.ROUTE_REFRESH;
    case 'extended-next-hop':
      return CapabilityCode.EXTENDED_NEXT_HOP;
    case 'extended-message':
      return CapabilityCode.EXTENDED_MESSAGE;
    case 'graceful-restart':
      return CapabilityCode.GRACEFUL_RESTART;
    case 'four-octet-as':
      return CapabilityCode.FOUR_OCTET_AS;
    case 'add-path':
      return CapabilityCode.ADD_PATH;
    case 'enhanced-route-refresh':
      return CapabilityCode.ENHANCED_ROUTE_REFRESH;
    case 'fqdn':
      return CapabilityCode.FQDN;
    case 'unknown':
      return cap.code;
  }
}

function valueLength(cap: Capability): number {
  switch (cap.type) {
    case 'multiprotocol':
      return 4;
    case 'route-refresh':
    case 'extended-message':
    case 'enhanced-route-refresh':
      return 0;
    case 'extended-next-hop':
      return 6 * cap.entries.length;
    case 'graceful-restart':
      return 2 + 4 * cap.families.length;
    case 'four-octet-as':
      return 4;
    case 'add-path':
      return 4 * cap.families.length;
    case 'fqdn':
      return asciiLength(cap.hostname) + asciiLength(cap.domain);
    case 'unknown':
      return cap.data.length;
  }
}

/** Bytes of one capability TLV (code, length, value). */
export function capabilityEncodingLength(cap: Capability): number {
  return 2 + valueLength(cap);
}

export function encodeCapability(cap: Capability, buf: Uint8Array, offset: number): number {
  const length = valueLength(cap);
  if (length > 255) throw new RangeError(`capability ${capabilityCode(cap)} value is ${length} bytes, more than 255`);
  buf[offset] = capabilityCode(cap);
  buf[offset + 1] = length;
  let at = offset + 2;
  switch (cap.type) {
    case 'multiprotocol':
      writeU16(buf, at, cap.afi);
      buf[at + 2] = 0;
      buf[at + 3] = cap.safi;
      break;
    case 'extended-next-hop':
      for (const e of cap.entries) {
        writeU16(buf, at, e.afi);
        writeU16(buf, at + 2, e.safi);
        writeU16(buf, at + 4, e.nextHopAfi);
        at += 6;
      }
      break;
    case 'graceful-restart':
      writeU16(buf, at, ((cap.flags & 0xf) << 12) | (cap.restartTime & 0xfff));
      at += 2;
      for (const f of cap.families) {
        writeU16(buf, at, f.afi);
        buf[at + 2] = f.safi;
        buf[at + 3] = f.flags;
        at += 4;
      }
      break;
    case 'four-octet-as':
      writeU32(buf, at, cap.asn);
      break;
    case 'add-path':
      for (const f of cap.families) {
        writeU16(buf, at, f.afi);
        buf[at + 2] = f.safi;
        buf[at + 3] = f.mode;
        at += 4;
      }
      break;
    case 'fqdn':
      at = writeAscii(cap.domain, buf, writeAscii(cap.hostname, buf, at));
      break;
    case 'unknown':
      buf.set(cap.data, at);
      break;
    default:
      break;
  }
  return offset + 2 + length;
}

/**
 * Decodes the value bytes of capability `code` in [start, end). Never fails: a value that does
 * not have its code's canonical shape comes back as `unknown`.
 */
export function decodeCapability(code: number, buf: Uint8Array, start: number, end: number): Capability {
  const length = end - start;
  const raw = (): Capability => ({ type: 'unknown', code, data: copyBytes(buf, start, end) });
  switch (code) {
    case CapabilityCode.MULTIPROTOCOL:
      if (length !== 4 || buf[start + 2] !== 0) return raw();
      return { type: 'multiprotocol', afi: readU16(buf, start), safi: buf[start + 3] as number };
    case CapabilityCode.ROUTE_REFRESH:
      return length === 0 ? { type: 'route-refresh' } : raw();
    case CapabilityCode.EXTENDED_MESSAGE:
      return length === 0 ? { type: 'extended-message' } : raw();
    case CapabilityCode.ENHANCED_ROUTE_REFRESH:
      return length === 0 ? { type: 'enhanced-route-refresh' } : raw();
    case CapabilityCode.EXTENDED_NEXT_HOP: {
      if (length === 0 || length % 6 !== 0) return raw();
      const entries: (AfiSafi & { nextHopAfi: number })[] = [];
      for (let at = start; at < end; at += 6) {
        entries.push({ afi: readU16(buf, at), safi: readU16(buf, at + 2), nextHopAfi: readU16(buf, at + 4) });
      }
      return { type: 'extended-next-hop', entries };
    }
    case CapabilityCode.GRACEFUL_RESTART: {
      if (length < 2 || (length - 2) % 4 !== 0) return raw();
      const head = readU16(buf, start);
      const families: (AfiSafi & { flags: number })[] = [];
      for (let at = start + 2; at < end; at += 4) {
        families.push({ afi: readU16(buf, at), safi: buf[at + 2] as number, flags: buf[at + 3] as number });
      }
      return { type: 'graceful-restart', flags: head >> 12, restartTime: head & 0xfff, families };
    }
    case CapabilityCode.FOUR_OCTET_AS:
      return length === 4 ? { type: 'four-octet-as', asn: readU32(buf, start) } : raw();
    case CapabilityCode.ADD_PATH: {
      if (length === 0 || length % 4 !== 0) return raw();
      const families: (AfiSafi & { mode: AddPathMode })[] = [];
      for (let at = start; at < end; at += 4) {
        const mode = buf[at + 3] as number;
        if (mode < 1 || mode > 3) return raw();
        families.push({ afi: readU16(buf, at), safi: buf[at + 2] as number, mode: mode as AddPathMode });
      }
      return { type: 'add-path', families };
    }
    case CapabilityCode.FQDN: {
      const hostLength = buf[start] as number;
      const domainAt = start + 1 + hostLength;
      if (length < 2 || domainAt >= end || domainAt + 1 + (buf[domainAt] as number) !== end) return raw();
      const hostname = readAscii(buf, start + 1, domainAt);
      const domain = readAscii(buf, domainAt + 1, end);
      if (hostname === undefined || domain === undefined) return raw();
      return { type: 'fqdn', hostname, domain };
    }
    default:
      return raw();
  }
}

function asciiLength(text: string): number {
  return 1 + text.length;
}

function writeAscii(text: string, buf: Uint8Array, at: number): number {
  if (text.length > 255) throw new RangeError(`FQDN label ${JSON.stringify(text.slice(0, 20))}... is longer than 255`);
  buf[at] = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || c < 0x20) throw new RangeError(`FQDN ${JSON.stringify(text)} has a non-printable-ASCII character`);
    buf[at + 1 + i] = c;
  }
  return at + 1 + text.length;
}

function readAscii(buf: Uint8Array, start: number, end: number): string | undefined {
  let out = '';
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c > 0x7e || c < 0x20) return undefined;
    out += String.fromCharCode(c);
  }
  return out;
}
