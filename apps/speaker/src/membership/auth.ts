// Authentication of membership datagrams: HMAC-SHA-256 over the whole encoded message, truncated to
// 128 bits (as IPsec's HMAC-SHA-256-128) and appended. The key comes from a Secret, as MetalLB's
// memberlist key does; several keys may be configured so that a key can be rotated without a
// flag day: the first signs, any verifies.
import { createHmac, createSecretKey, hkdfSync, timingSafeEqual, type KeyObject } from 'node:crypto';
import { membershipMessage } from './codec.js';
import { type DecodeError } from './errors.js';
import { type Message } from './messages.js';

export const TAG_LENGTH = 16;
const KEY_INFO = 'lb-speaker membership v1';

/**
 * The secret's bytes as written in the Secret (any length) become a 256-bit HMAC key through HKDF,
 * so that a short or structured secret still yields a uniform key bound to this protocol.
 */
export function deriveKey(secret: Uint8Array): KeyObject {
  return createSecretKey(Buffer.from(hkdfSync('sha256', secret, new Uint8Array(0), KEY_INFO, 32)));
}

export class Keyring {
  private readonly keys: readonly KeyObject[];

  /** Throws on an empty list or an empty secret: a speaker must not run unauthenticated. */
  constructor(secrets: readonly Uint8Array[]) {
    if (secrets.length === 0) throw new RangeError('the membership needs at least one secret key');
    secrets.forEach((secret, i) => {
      if (secret.length === 0) throw new RangeError(`membership secret key ${i} is empty`);
    });
    this.keys = secrets.map(deriveKey);
  }

  /** The tag of `bytes[start, end)` under the signing key. */
  sign(bytes: Uint8Array, start: number, end: number): Buffer {
    return tag(this.keys[0] as KeyObject, bytes, start, end);
  }

  /** Whether `expected` is the tag of `bytes[start, end)` under any configured key. */
  verify(bytes: Uint8Array, start: number, end: number, expected: Uint8Array): boolean {
    return this.keys.some((key) => timingSafeEqual(tag(key, bytes, start, end), expected));
  }
}

function tag(key: KeyObject, bytes: Uint8Array, start: number, end: number): Buffer {
  return createHmac('sha256', key).update(bytes.subarray(start, end)).digest().subarray(0, TAG_LENGTH);
}

/** A message encoded and tagged, ready for the wire. */
export function seal(message: Message, keyring: Keyring): Uint8Array {
  const length = membershipMessage.encodingLength(message);
  const out = new Uint8Array(length + TAG_LENGTH);
  membershipMessage.encode(message, out, 0);
  out.set(keyring.sign(out, 0, length), length);
  return out;
}

export class AuthError {
  readonly kind = 'bad-tag' as const;
  constructor(readonly message: string) {}
  toString(): string {
    return `${this.kind}: ${this.message}`;
  }
}

/** An authentic, well-formed message, or why the datagram was refused. */
export type OpenResult = { readonly ok: true; readonly value: Message } | { readonly ok: false; readonly error: AuthError | DecodeError };

/**
 * Checks the tag, then decodes. Nothing of an unauthenticated datagram is parsed beyond its length,
 * so a forger learns nothing and costs one HMAC.
 */
export function open(bytes: Uint8Array, keyring: Keyring): OpenResult {
  if (bytes.length < TAG_LENGTH + 1) return { ok: false, error: new AuthError(`${bytes.length} bytes cannot hold a message and its ${TAG_LENGTH}-byte tag`) };
  const end = bytes.length - TAG_LENGTH;
  if (!keyring.verify(bytes, 0, end, bytes.subarray(end))) return { ok: false, error: new AuthError('the HMAC does not match any configured key') };
  const decoded = membershipMessage.decode(bytes, 0, end);
  return decoded.ok ? { ok: true, value: decoded.value } : decoded;
}
