// Wire format of a membership message (big-endian; the HMAC tag is appended by auth.ts):
//
//   u8 version | u8 body type | u16 body length
//   name sender | name recipient                      (name = u8 length, printable ASCII)
//   u64 epoch | u32 sequence | u64 timestamp | u32 incarnation | u32 hold-down ms
//   body (body length bytes)
//   u8 update count | updates: name member, u64 epoch, u32 incarnation, u8 status, u32 hold-down ms
//
// The body length lets a receiver skip (and keep) a body type it does not know.
import { DecodeError, type DecodeResult } from './errors.js';
import { BODY_CODES, PROTOCOL_VERSION, type Body, type Header, type KnownBodyType, type Message, type Update } from './messages.js';

const FIXED_HEADER = 4 + 8 + 4 + 8 + 4 + 4;
const UPDATE_FIXED = 8 + 4 + 1 + 4;
export const MAX_NAME_LENGTH = 255;
export const MAX_UPDATES = 255;
const TWO_32 = 2 ** 32;

const CODE_TO_TYPE = new Map<number, KnownBodyType>(Object.entries(BODY_CODES).map(([type, code]) => [code, type as KnownBodyType]));

function nameLength(name: string): number {
  return 1 + name.length;
}

function bodyLength(body: Body): number {
  switch (body.type) {
    case 'heartbeat':
    case 'sync-request':
      return 4;
    case 'ping':
    case 'ack':
      return 4;
    case 'probe-request':
      return 4 + nameLength(body.target);
    case 'probe-reply':
      return 4 + nameLength(body.target) + 1 + 8 + 4;
    case 'news':
    case 'join':
      return 0;
    case 'unknown':
      return body.payload.length;
  }
}

function encodingLength(message: Message): number {
  const { header } = message;
  let length = FIXED_HEADER + nameLength(header.sender) + nameLength(header.recipient) + bodyLength(message.body) + 1;
  for (const update of message.updates) length += nameLength(update.member) + UPDATE_FIXED;
  return length;
}

/** Bytes one update adds to a message: what a sender budgets when filling a datagram. */
export function updateEncodingLength(update: Update): number {
  return nameLength(update.member) + UPDATE_FIXED;
}

// Encode-side checks throw: a bad value here is the caller's bug, not the network's.
function checkName(name: string, what: string): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !/^[\x21-\x7e]+$/.test(name)) {
    throw new RangeError(`${what} '${name}' must be 1 to ${MAX_NAME_LENGTH} printable ASCII characters`);
  }
}

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new RangeError(`${what} ${value} is outside 0..${max}`);
}

class Writer {
  constructor(
    readonly buf: Uint8Array,
    public at: number,
  ) {}

  u8(value: number): void {
    this.buf[this.at++] = value;
  }

  u16(value: number): void {
    this.buf[this.at++] = value >>> 8;
    this.buf[this.at++] = value & 0xff;
  }

  u32(value: number): void {
    this.buf[this.at++] = value >>> 24;
    this.buf[this.at++] = (value >>> 16) & 0xff;
    this.buf[this.at++] = (value >>> 8) & 0xff;
    this.buf[this.at++] = value & 0xff;
  }

  u64(value: number): void {
    this.u32(Math.floor(value / TWO_32));
    this.u32(value % TWO_32);
  }

  name(value: string, what: string): void {
    checkName(value, what);
    this.u8(value.length);
    for (let i = 0; i < value.length; i++) this.buf[this.at++] = value.charCodeAt(i);
  }
}

function encode(message: Message, buf?: Uint8Array, offset = 0): Uint8Array {
  const { header, body, updates } = message;
  if (updates.length > MAX_UPDATES) throw new RangeError(`${updates.length} updates; a message carries at most ${MAX_UPDATES}`);
  checkUint(header.epoch, Number.MAX_SAFE_INTEGER, 'epoch');
  checkUint(header.timestamp, Number.MAX_SAFE_INTEGER, 'timestamp');
  checkUint(header.sequence, TWO_32 - 1, 'sequence');
  checkUint(header.incarnation, TWO_32 - 1, 'incarnation');
  checkUint(header.holdDownMs, TWO_32 - 1, 'hold-down');
  const length = encodingLength(message);
  const out = buf ?? new Uint8Array(length + offset);
  if (out.length - offset < length) throw new RangeError(`buffer has ${out.length - offset} bytes from offset ${offset}, the message needs ${length}`);
  const w = new Writer(out, offset);
  const code = body.type === 'unknown' ? body.code : BODY_CODES[body.type];
  checkUint(code, 0xff, 'body type');
  w.u8(PROTOCOL_VERSION);
  w.u8(code);
  w.u16(bodyLength(body));
  w.name(header.sender, 'sender');
  w.name(header.recipient, 'recipient');
  w.u64(header.epoch);
  w.u32(header.sequence);
  w.u64(header.timestamp);
  w.u32(header.incarnation);
  w.u32(header.holdDownMs);
  encodeBody(w, body);
  w.u8(updates.length);
  for (const update of updates) {
    checkUint(update.epoch, Number.MAX_SAFE_INTEGER, 'update epoch');
    checkUint(update.incarnation, TWO_32 - 1, 'update incarnation');
    checkUint(update.status, 0xff, 'update status');
    checkUint(update.holdDownMs, TWO_32 - 1, 'update hold-down');
    w.name(update.member, 'update member');
    w.u64(update.epoch);
    w.u32(update.incarnation);
    w.u8(update.status);
    w.u32(update.holdDownMs);
  }
  return out;
}

function encodeBody(w: Writer, body: Body): void {
  switch (body.type) {
    case 'heartbeat':
    case 'sync-request':
      checkUint(body.digest, TWO_32 - 1, 'digest');
      w.u32(body.digest);
      return;
    case 'ping':
    case 'ack':
      checkUint(body.probe, TWO_32 - 1, 'probe id');
      w.u32(body.probe);
      return;
    case 'probe-request':
      checkUint(body.probe, TWO_32 - 1, 'probe id');
      w.u32(body.probe);
      w.name(body.target, 'target');
      return;
    case 'probe-reply':
      checkUint(body.probe, TWO_32 - 1, 'probe id');
      checkUint(body.targetEpoch, Number.MAX_SAFE_INTEGER, 'target epoch');
      checkUint(body.targetIncarnation, TWO_32 - 1, 'target incarnation');
      w.u32(body.probe);
      w.name(body.target, 'target');
      w.u8(body.alive ? 1 : 0);
      w.u64(body.targetEpoch);
      w.u32(body.targetIncarnation);
      return;
    case 'news':
    case 'join':
      return;
    case 'unknown':
      if (body.payload.length > 0xffff) throw new RangeError(`unknown body of ${body.payload.length} bytes; at most 65535`);
      w.buf.set(body.payload, w.at);
      w.at += body.payload.length;
      return;
  }
}

/** Reads fields in order, remembering the first failure; callers check `failed` before using values. */
class Reader {
  failed: DecodeError | undefined;

  constructor(
    private readonly buf: Uint8Array,
    public at: number,
    public end: number,
  ) {}

  private need(bytes: number, what: string): boolean {
    if (this.failed) return false;
    if (this.end - this.at < bytes) {
      this.failed = new DecodeError('truncated', this.at, `${what} needs ${bytes} bytes, ${this.end - this.at} left`);
      return false;
    }
    return true;
  }

  u8(what: string): number {
    if (!this.need(1, what)) return 0;
    return this.buf[this.at++] as number;
  }

  u16(what: string): number {
    if (!this.need(2, what)) return 0;
    const value = ((this.buf[this.at] as number) << 8) | (this.buf[this.at + 1] as number);
    this.at += 2;
    return value;
  }

  u32(what: string): number {
    if (!this.need(4, what)) return 0;
    const b = this.buf;
    const value = (b[this.at] as number) * 0x1000000 + (((b[this.at + 1] as number) << 16) | ((b[this.at + 2] as number) << 8) | (b[this.at + 3] as number));
    this.at += 4;
    return value;
  }

  u64(what: string): number {
    const start = this.at;
    const high = this.u32(what);
    const low = this.u32(what);
    if (this.failed) return 0;
    if (high >= 2 ** 21) {
      this.failed = new DecodeError('bad-number', start, `${what} exceeds 2^53`);
      return 0;
    }
    return high * TWO_32 + low;
  }

  name(what: string): string {
    const start = this.at;
    const length = this.u8(`${what} length`);
    if (this.failed) return '';
    if (length === 0) {
      this.failed = new DecodeError('bad-name', start, `${what} is empty`);
      return '';
    }
    if (!this.need(length, what)) return '';
    let text = '';
    for (let i = 0; i < length; i++) {
      const c = this.buf[this.at + i] as number;
      if (c < 0x21 || c > 0x7e) {
        this.failed = new DecodeError('bad-name', this.at + i, `${what} has byte 0x${c.toString(16).padStart(2, '0')}, not printable ASCII`);
        return '';
      }
      text += String.fromCharCode(c);
    }
    this.at += length;
    return text;
  }

  /** A copy: a Buffer's `slice` is a view, and a decoded payload must outlive the datagram's buffer. */
  bytes(length: number, what: string): Uint8Array {
    if (!this.need(length, what)) return new Uint8Array(0);
    const out = new Uint8Array(length);
    out.set(this.buf.subarray(this.at, this.at + length));
    this.at += length;
    return out;
  }
}

/** The whole of `buf[offset, end)` is one message: bytes after the last update are refused. */
function decode(buf: Uint8Array, offset = 0, end = buf.length): DecodeResult<Message> {
  const message = read(buf, offset, end);
  return message instanceof DecodeError ? { ok: false, error: message } : { ok: true, value: message, length: end - offset };
}

function read(buf: Uint8Array, offset: number, end: number): Message | DecodeError {
  const r = new Reader(buf, offset, end);
  const version = r.u8('version');
  if (r.failed) return r.failed;
  if (version !== PROTOCOL_VERSION) return new DecodeError('unsupported-version', offset, `version ${version}; this speaker speaks ${PROTOCOL_VERSION}`);
  const code = r.u8('body type');
  const length = r.u16('body length');
  const header: Header = {
    sender: r.name('sender'),
    recipient: r.name('recipient'),
    epoch: r.u64('epoch'),
    sequence: r.u32('sequence'),
    timestamp: r.u64('timestamp'),
    incarnation: r.u32('incarnation'),
    holdDownMs: r.u32('hold-down'),
  };
  if (r.failed) return r.failed;
  const bodyStart = r.at;
  if (end - bodyStart < length) return new DecodeError('truncated', bodyStart, `body of ${length} bytes, ${end - bodyStart} left`);
  const body = decodeBody(new Reader(buf, bodyStart, bodyStart + length), code, length);
  if (body instanceof DecodeError) return body;
  r.at = bodyStart + length;
  const count = r.u8('update count');
  const updates: Update[] = [];
  for (let i = 0; i < count && !r.failed; i++) {
    updates.push({
      member: r.name(`update ${i} member`),
      epoch: r.u64(`update ${i} epoch`),
      incarnation: r.u32(`update ${i} incarnation`),
      status: r.u8(`update ${i} status`),
      holdDownMs: r.u32(`update ${i} hold-down`),
    });
  }
  if (r.failed) return r.failed;
  if (r.at !== end) return new DecodeError('trailing-bytes', r.at, `${end - r.at} bytes after the last update`);
  return { header, body, updates };
}

function decodeBody(r: Reader, code: number, length: number): Body | DecodeError {
  const type = CODE_TO_TYPE.get(code);
  let body: Body;
  switch (type) {
    case undefined:
      return { type: 'unknown', code, payload: r.bytes(length, 'body') };
    case 'heartbeat':
    case 'sync-request':
      body = { type, digest: r.u32('digest') };
      break;
    case 'ping':
    case 'ack':
      body = { type, probe: r.u32('probe id') };
      break;
    case 'probe-request':
      body = { type, probe: r.u32('probe id'), target: r.name('target') };
      break;
    case 'probe-reply': {
      const probe = r.u32('probe id');
      const target = r.name('target');
      const alive = r.u8('verdict') === 1;
      body = { type, probe, target, alive, targetEpoch: r.u64('target epoch'), targetIncarnation: r.u32('target incarnation') };
      break;
    }
    case 'news':
    case 'join':
      body = { type };
      break;
  }
  if (r.failed) {
    const failed = r.failed;
    return failed.kind === 'truncated' ? new DecodeError('bad-body-length', failed.offset, `${type} body of ${length} bytes is too short: ${failed.message}`) : failed;
  }
  if (r.at !== r.end) return new DecodeError('bad-body-length', r.at, `${type} body of ${length} bytes has ${r.end - r.at} extra`);
  return body;
}

/** Codec for one membership message (without the HMAC tag: see auth.ts). */
export const membershipMessage = {
  encode,
  decode,
  encodingLength,
} as const;
