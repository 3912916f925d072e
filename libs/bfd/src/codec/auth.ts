// RFC 5880 §4.2-4.4: the optional authentication section. It is decoded into its fields and
// re-encoded byte for byte; this library does not verify or produce digests (sessions that would
// need them are refused at configuration time), so the fields are all a caller gets.
import { BfdDecodeError } from './errors.js';

export type Authentication =
  | { readonly kind: 'simple-password'; readonly keyId: number; readonly password: Uint8Array }
  | {
      readonly kind: 'keyed-md5' | 'meticulous-keyed-md5';
      readonly keyId: number;
      /** Zero on transmit (RFC 5880 §4.3), kept as received. */
      readonly reserved: number;
      readonly sequence: number;
      readonly digest: Uint8Array;
    }
  | {
      readonly kind: 'keyed-sha1' | 'meticulous-keyed-sha1';
      readonly keyId: number;
      readonly reserved: number;
      readonly sequence: number;
      readonly hash: Uint8Array;
    }
  /** Auth Type 0 (reserved) and 6..255: the bytes after Key ID, as they came. */
  | { readonly kind: 'unknown'; readonly authType: number; readonly keyId: number; readonly data: Uint8Array };

export type AuthenticationKind = Authentication['kind'];

const TYPE_CODES: Readonly<Record<Exclude<AuthenticationKind, 'unknown'>, number>> = {
  'simple-password': 1,
  'keyed-md5': 2,
  'meticulous-keyed-md5': 3,
  'keyed-sha1': 4,
  'meticulous-keyed-sha1': 5,
};
const MD5_SECTION_LENGTH = 24;
const SHA1_SECTION_LENGTH = 28;

export function authenticationLength(auth: Authentication): number {
  switch (auth.kind) {
    case 'simple-password':
      return 3 + auth.password.length;
    case 'keyed-md5':
    case 'meticulous-keyed-md5':
      return MD5_SECTION_LENGTH;
    case 'keyed-sha1':
    case 'meticulous-keyed-sha1':
      return SHA1_SECTION_LENGTH;
    case 'unknown':
      return 3 + auth.data.length;
  }
}

/** Writes the section at `offset`; returns the offset after it. */
export function writeAuthentication(auth: Authentication, buf: Uint8Array, offset: number): number {
  const length = authenticationLength(auth);
  buf[offset] = auth.kind === 'unknown' ? auth.authType : TYPE_CODES[auth.kind];
  buf[offset + 1] = length;
  buf[offset + 2] = auth.keyId;
  switch (auth.kind) {
    case 'simple-password':
      buf.set(auth.password, offset + 3);
      break;
    case 'unknown':
      buf.set(auth.data, offset + 3);
      break;
    case 'keyed-md5':
    case 'meticulous-keyed-md5':
      writeSequenced(auth.reserved, auth.sequence, auth.digest, 16, buf, offset);
      break;
    case 'keyed-sha1':
    case 'meticulous-keyed-sha1':
      writeSequenced(auth.reserved, auth.sequence, auth.hash, 20, buf, offset);
      break;
  }
  return offset + length;
}

function writeSequenced(reserved: number, sequence: number, digest: Uint8Array, digestLength: number, buf: Uint8Array, offset: number): void {
  if (digest.length !== digestLength) throw new RangeError(`authentication digest is ${digest.length} bytes, the section holds ${digestLength}`);
  buf[offset + 3] = reserved;
  new DataView(buf.buffer, buf.byteOffset, buf.byteLength).setUint32(offset + 4, sequence);
  buf.set(digest, offset + 8);
}

/** Checks that encode can write `auth`; returns what is wrong or undefined. */
export function authenticationProblem(auth: Authentication): string | undefined {
  if (!isByte(auth.keyId)) return `Key ID ${auth.keyId} is not a byte`;
  switch (auth.kind) {
    case 'simple-password':
      return auth.password.length >= 1 && auth.password.length <= 16 ? undefined : `a simple password is 1 to 16 bytes, not ${auth.password.length}`;
    case 'unknown':
      if (!isByte(auth.authType) || (auth.authType >= 1 && auth.authType <= 5)) return `Auth Type ${auth.authType} is not an unknown type (0 or 6..255)`;
      return auth.data.length <= 252 ? undefined : `unknown authentication data of ${auth.data.length} bytes does not fit in a packet`;
    case 'keyed-md5':
    case 'meticulous-keyed-md5':
    case 'keyed-sha1':
    case 'meticulous-keyed-sha1':
      if (!isByte(auth.reserved)) return `Reserved ${auth.reserved} is not a byte`;
      return Number.isInteger(auth.sequence) && auth.sequence >= 0 && auth.sequence <= 0xffffffff ? undefined : `sequence ${auth.sequence} is not a 32-bit unsigned integer`;
  }
}

function isByte(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 255;
}

/**
 * Reads the section that starts at `offset` and must end by `end` (the end of the packet as its
 * Length field says). Copies every byte array it returns.
 */
export function readAuthentication(buf: Uint8Array, offset: number, end: number): { auth: Authentication; end: number } | BfdDecodeError {
  if (end - offset < 2) return new BfdDecodeError('bad-length', offset, `the A bit is set but only ${end - offset} bytes follow the mandatory section`);
  const type = buf[offset] as number;
  const length = buf[offset + 1] as number;
  if (length < 3 || offset + length > end) {
    return new BfdDecodeError('bad-length', offset + 1, `Auth Len ${length} does not fit: the section needs 3 bytes at least and the packet leaves ${end - offset}`);
  }
  const keyId = buf[offset + 2] as number;
  const sectionEnd = offset + length;
  switch (type) {
    case 1:
      if (length < 4 || length > 19) return new BfdDecodeError('bad-authentication', offset + 1, `simple password Auth Len ${length}, must be 4..19`);
      return { auth: { kind: 'simple-password', keyId, password: buf.slice(offset + 3, sectionEnd) }, end: sectionEnd };
    case 2:
    case 3:
      if (length !== MD5_SECTION_LENGTH) return new BfdDecodeError('bad-authentication', offset + 1, `keyed MD5 Auth Len ${length}, must be 24`);
      return { auth: { kind: type === 2 ? 'keyed-md5' : 'meticulous-keyed-md5', keyId, ...readSequenced(buf, offset), digest: buf.slice(offset + 8, sectionEnd) }, end: sectionEnd };
    case 4:
    case 5:
      if (length !== SHA1_SECTION_LENGTH) return new BfdDecodeError('bad-authentication', offset + 1, `keyed SHA1 Auth Len ${length}, must be 28`);
      return { auth: { kind: type === 4 ? 'keyed-sha1' : 'meticulous-keyed-sha1', keyId, ...readSequenced(buf, offset), hash: buf.slice(offset + 8, sectionEnd) }, end: sectionEnd };
    default:
      return { auth: { kind: 'unknown', authType: type, keyId, data: buf.slice(offset + 3, sectionEnd) }, end: sectionEnd };
  }
}

function readSequenced(buf: Uint8Array, offset: number): { reserved: number; sequence: number } {
  const sequence = (((buf[offset + 4] as number) << 24) | ((buf[offset + 5] as number) << 16) | ((buf[offset + 6] as number) << 8) | (buf[offset + 7] as number)) >>> 0;
  return { reserved: buf[offset + 3] as number, sequence };
}
