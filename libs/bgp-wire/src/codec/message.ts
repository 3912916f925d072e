import { type DecodeContext } from './attributes.js';
import { readU16, writeU16 } from './bytes.js';
import {
  ErrorCode,
  HEADER_LENGTH,
  HeaderErrorSubcode,
  MARKER_LENGTH,
  MAX_EXTENDED_MESSAGE_LENGTH,
  MAX_MESSAGE_LENGTH,
  MessageType,
  RouteRefreshErrorSubcode,
} from './constants.js';
import { BgpError } from './errors.js';
import { type NotificationMessage, decodeNotificationBody, encodeNotificationBody, notificationBodyLength } from './notification.js';
import { type OpenMessage, decodeOpenBody, encodeOpenBody, openBodyLength } from './open.js';
import { type RouteRefreshMessage, decodeRouteRefreshBody, encodeRouteRefreshBody } from './route-refresh.js';
import { type UpdateMessage, decodeUpdateBody, encodeUpdateBody, updateBodyLength } from './update.js';

export interface KeepaliveMessage {
  readonly type: 'keepalive';
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

const typeCodes: Record<BgpMessage['type'], number> = {
  open: MessageType.OPEN,
  update: MessageType.UPDATE,
  notification: MessageType.NOTIFICATION,
  keepalive: MessageType.KEEPALIVE,
  'route-refresh': MessageType.ROUTE_REFRESH,
};

function bodyLength(message: BgpMessage): number {
  switch (message.type) {
    case 'open':
      return openBodyLength(message);
    case 'update':
      return updateBodyLength(message);
    case 'notification':
      return notificationBodyLength(message);
    case 'keepalive':
      return 0;
    case 'route-refresh':
      return 4;
  }
}

/** Bytes `encode` writes for `message`, header included. */
export function encodingLength(message: BgpMessage): number {
  return HEADER_LENGTH + bodyLength(message);
}

/**
 * Writes `message` (header included) into `buf` at `offset`, allocating a buffer when none is
 * given; returns the buffer and sets `encode.bytes`. Throws TypeError/RangeError for values that
 * cannot be encoded (a malformed address, a message over 65535 bytes): those are caller bugs.
 */
export function encode(message: BgpMessage, buf?: Uint8Array, offset = 0): Uint8Array {
  const length = encodingLength(message);
  if (length > MAX_EXTENDED_MESSAGE_LENGTH) throw new RangeError(`${message.type} message would be ${length} bytes, more than 65535`);
  const out = buf ?? new Uint8Array(length);
  if (out.length - offset < length) throw new RangeError(`buffer has ${out.length - offset} bytes at offset ${offset}, message needs ${length}`);
  out.fill(0xff, offset, offset + MARKER_LENGTH);
  writeU16(out, offset + 16, length);
  out[offset + 18] = typeCodes[message.type];
  const body = offset + HEADER_LENGTH;
  switch (message.type) {
    case 'open':
      encodeOpenBody(message, out, body);
      break;
    case 'update':
      encodeUpdateBody(message, out, body);
      break;
    case 'notification':
      encodeNotificationBody(message, out, body);
      break;
    case 'route-refresh':
      encodeRouteRefreshBody(message, out, body);
      break;
    case 'keepalive':
      break;
  }
  encode.bytes = length;
  return out;
}
encode.bytes = 0;

/**
 * Total length of the message starting at `offset` as its header says, or undefined when fewer
 * than 19 bytes are available. Used to cut a TCP stream into messages; does not validate.
 */
export function messageLength(buf: Uint8Array, offset = 0, end = buf.length): number | undefined {
  return end - offset < HEADER_LENGTH ? undefined : readU16(buf, offset + 16);
}

const minimumLength: Record<number, number> = {
  [MessageType.OPEN]: 29,
  [MessageType.UPDATE]: 23,
  [MessageType.NOTIFICATION]: 21,
  [MessageType.KEEPALIVE]: 19,
  [MessageType.ROUTE_REFRESH]: 23,
};

/**
 * Decodes one message at `offset` (header included) and sets `decode.bytes` to its length.
 * Returns a BgpError, never throws, for anything malformed: RFC 4271 §6.1 header errors, the
 * per-type checks, and RFC 7606 UPDATE handling.
 */
export function decode(buf: Uint8Array, offset = 0, end = buf.length, ctx: DecodeContext = {}): BgpMessage | BgpError {
  decode.bytes = 0;
  const headerError = (subcode: number, reason: string, at: number, data?: Uint8Array): BgpError =>
    new BgpError({ code: ErrorCode.MESSAGE_HEADER, subcode, reason, offset: at, ...(data ? { data } : {}) });
  const available = Math.min(end, buf.length) - offset;
  if (offset < 0 || available < HEADER_LENGTH) {
    return headerError(HeaderErrorSubcode.BAD_MESSAGE_LENGTH, `${Math.max(0, available)} bytes, fewer than the 19-byte header`, Math.max(0, offset));
  }
  for (let i = 0; i < MARKER_LENGTH; i++) {
    if (buf[offset + i] !== 0xff) return headerError(HeaderErrorSubcode.CONNECTION_NOT_SYNCHRONIZED, 'marker is not all ones', offset + i);
  }
  const length = readU16(buf, offset + 16);
  const type = buf[offset + 18] as number;
  const lengthData = buf.slice(offset + 16, offset + 18);
  const max = ctx.extendedMessage === true && type !== MessageType.OPEN && type !== MessageType.KEEPALIVE ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
  if (length < HEADER_LENGTH || length > max) {
    return headerError(HeaderErrorSubcode.BAD_MESSAGE_LENGTH, `length ${length} outside 19..${max}`, offset + 16, lengthData);
  }
  const minimum = minimumLength[type];
  if (minimum === undefined) return headerError(HeaderErrorSubcode.BAD_MESSAGE_TYPE, `message type ${type} is not 1-5`, offset + 18, Uint8Array.of(type));
  if (type === MessageType.ROUTE_REFRESH && length !== minimum) {
    // RFC 7313 §5 gives ROUTE-REFRESH its own error code.
    return new BgpError({
      code: ErrorCode.ROUTE_REFRESH_MESSAGE,
      subcode: RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH,
      reason: `ROUTE-REFRESH length ${length}, must be 23`,
      offset: offset + 16,
      data: buf.slice(offset, offset + Math.min(length, available)),
    });
  }
  if (length < minimum || (type === MessageType.KEEPALIVE && length !== minimum)) {
    return headerError(HeaderErrorSubcode.BAD_MESSAGE_LENGTH, `length ${length} is wrong for message type ${type}`, offset + 16, lengthData);
  }
  if (length > available) {
    return headerError(HeaderErrorSubcode.BAD_MESSAGE_LENGTH, `header says ${length} bytes, only ${available} available`, offset + 16, lengthData);
  }
  const body = offset + HEADER_LENGTH;
  const bodyEnd = offset + length;
  let message: BgpMessage | BgpError;
  switch (type) {
    case MessageType.OPEN:
      message = decodeOpenBody(buf, body, bodyEnd);
      break;
    case MessageType.UPDATE:
      message = decodeUpdateBody(buf, body, bodyEnd, ctx);
      break;
    case MessageType.NOTIFICATION:
      message = decodeNotificationBody(buf, body, bodyEnd);
      break;
    case MessageType.ROUTE_REFRESH:
      message = decodeRouteRefreshBody(buf, body);
      break;
    default:
      message = { type: 'keepalive' };
  }
  decode.bytes = length;
  return message;
}
decode.bytes = 0;
