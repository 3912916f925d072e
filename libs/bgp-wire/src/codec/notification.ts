import { copyBytes } from './bytes.js';
import { CeaseSubcode, ErrorCode, describeError } from './constants.js';

export interface NotificationMessage {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  /**
   * RFC 8203/9003 shutdown communication, present on decode when a Cease / Administrative
   * Shutdown or Reset carries a well-formed one. Encoding always writes `data`.
   */
  readonly shutdownCommunication?: string;
}

/** RFC 9003 allows up to 255 bytes of UTF-8 (RFC 8203 had 128). */
const MAX_COMMUNICATION_BYTES = 255;

export function notificationBodyLength(n: NotificationMessage): number {
  return 2 + n.data.length;
}

export function encodeNotificationBody(n: NotificationMessage, buf: Uint8Array, offset: number): number {
  buf[offset] = n.code;
  buf[offset + 1] = n.subcode;
  buf.set(n.data, offset + 2);
  return offset + 2 + n.data.length;
}

export function decodeNotificationBody(buf: Uint8Array, start: number, end: number): NotificationMessage {
  const code = buf[start] as number;
  const subcode = buf[start + 1] as number;
  const data = copyBytes(buf, start + 2, end);
  const communication = readShutdownCommunication(code, subcode, data);
  return communication === undefined
    ? { type: 'notification', code, subcode, data }
    : { type: 'notification', code, subcode, data, shutdownCommunication: communication };
}

function readShutdownCommunication(code: number, subcode: number, data: Uint8Array): string | undefined {
  if (code !== ErrorCode.CEASE) return undefined;
  if (subcode !== CeaseSubcode.ADMINISTRATIVE_SHUTDOWN && subcode !== CeaseSubcode.ADMINISTRATIVE_RESET) return undefined;
  const length = data[0];
  if (length === undefined || length === 0 || length + 1 > data.length) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data.subarray(1, 1 + length));
  } catch {
    return undefined;
  }
}

/** A NOTIFICATION value. */
export function notification(code: number, subcode: number, data: Uint8Array = new Uint8Array(0)): NotificationMessage {
  return { type: 'notification', code, subcode, data };
}

/**
 * Cease with an RFC 8203/9003 shutdown communication; the text is cut at a character boundary
 * to fit 255 UTF-8 bytes.
 */
export function shutdownNotification(text: string, subcode: number = CeaseSubcode.ADMINISTRATIVE_SHUTDOWN): NotificationMessage {
  const encoder = new TextEncoder();
  let bytes = encoder.encode(text);
  let cut = text;
  while (bytes.length > MAX_COMMUNICATION_BYTES) {
    cut = cut.slice(0, -1);
    bytes = encoder.encode(cut);
  }
  const data = new Uint8Array(1 + bytes.length);
  data[0] = bytes.length;
  data.set(bytes, 1);
  return { type: 'notification', code: ErrorCode.CEASE, subcode, data, ...(bytes.length > 0 ? { shutdownCommunication: cut } : {}) };
}

/** "Cease / Administrative Shutdown: going away" and the like, for logs and events. */
export function describeNotification(n: NotificationMessage): string {
  const base = describeError(n.code, n.subcode);
  return n.shutdownCommunication ? `${base}: ${n.shutdownCommunication}` : base;
}
