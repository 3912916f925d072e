import { readU16, writeU16 } from './bytes.js';

/** RFC 2918 ROUTE-REFRESH; `subtype` is RFC 7313's: 0 request, 1 BoRR, 2 EoRR. */
export interface RouteRefreshMessage {
  readonly type: 'route-refresh';
  readonly afi: number;
  readonly safi: number;
  readonly subtype: number;
}

export const RouteRefreshSubtype = { REQUEST: 0, BEGIN: 1, END: 2 } as const;

export function encodeRouteRefreshBody(rr: RouteRefreshMessage, buf: Uint8Array, offset: number): number {
  writeU16(buf, offset, rr.afi);
  buf[offset + 2] = rr.subtype;
  buf[offset + 3] = rr.safi;
  return offset + 4;
}

export function decodeRouteRefreshBody(buf: Uint8Array, start: number): RouteRefreshMessage {
  return { type: 'route-refresh', afi: readU16(buf, start), subtype: buf[start + 2] as number, safi: buf[start + 3] as number };
}
