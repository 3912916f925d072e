import { type DecodeContext, type DecodedPathAttribute } from './attributes.js';
import { copyBytes, readU16, writeU16 } from './bytes.js';
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

/** A message as `decode` returns it: UPDATE attributes carry their type code and flags. */
export type DecodedMessage = OpenMessage | UpdateMessage<DecodedPathAttribute> | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/** `decode`'s answer: the message and the bytes it took, or what the NOTIFICATION for it would say. */
export type DecodeResult = { readonly ok: true; readonly value: DecodedMessage; readonly length: number } | { readonly ok: false; readonly error: BgpError };

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
 * Writes `message` (header included) into `buf` at `offset`, allocating a buffer of exactly
 * `encodingLength(message)` bytes when none is given; returns the buffer. The bytes written are
 * `encodingLength(message)`. Throws TypeError/RangeError for values that
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
  return out;
}

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
 * Decodes one message at `offset` (header included): the message and its length, or a BgpError
 * for anything malformed (RFC 4271 §6.1 header errors, the per-type checks, RFC 7606 UPDATE
 * handling). Never throws; what it returns is copied out of `buf`, which the caller may reuse.
 */
export function decode(buf: Uint8Array, offset = 0, end = buf.length, ctx: DecodeContext = {}): DecodeResult {
  const message = decodeMessage(buf, offset, end, ctx);
  return message instanceof BgpError ? { ok: false, error: message } : { ok: true, value: message, length: readU16(buf, offset + 16) };
}

function decodeMessage(buf: Uint8Array, offset: number, end: number, ctx: DecodeContext): DecodedMessage | BgpError {
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
  const lengthData = copyBytes(buf, offset + 16, offset + 18);
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
      data: copyBytes(buf, offset, offset + Math.min(length, available)),
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
  let message: DecodedMessage | BgpError;
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
  return message;
}
