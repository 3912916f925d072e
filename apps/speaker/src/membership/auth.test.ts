import { describe, expect, it } from 'vitest';
import { AuthError, Keyring, open, seal, TAG_LENGTH, type OpenResult } from './auth.js';
import { DecodeError } from './errors.js';
import { type Message } from './messages.js';

const secret = (text: string) => new TextEncoder().encode(text);
const refusal = (result: OpenResult): unknown => (result.ok ? undefined : result.error);
const message: Message = {
  header: { sender: 'a', recipient: 'b', epoch: 1, sequence: 1, timestamp: 2, incarnation: 0, holdDownMs: 0 },
  body: { type: 'heartbeat', digest: 5 },
  updates: [],
};

describe('seal and open', () => {
  const keyring = new Keyring([secret('current')]);

  it('opens what it sealed', () => {
    const bytes = seal(message, keyring);
    expect(open(bytes, keyring)).toEqual({ ok: true, value: message });
  });

  it('refuses every single-bit flip, in the message and in the tag', () => {
    const bytes = seal(message, keyring);
    let flips = 0;
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const forged = bytes.slice();
        forged[i] = (forged[i] as number) ^ (1 << bit);
        expect(refusal(open(forged, keyring))).toBeInstanceOf(AuthError);
        flips += 1;
      }
    }
    expect(flips).toBe(bytes.length * 8);
  });

  const cases: Array<[string, Uint8Array]> = [
    ['another key', seal(message, new Keyring([secret('other')]))],
    ['no tag', seal(message, keyring).subarray(0, -TAG_LENGTH)],
    ['too short to hold a tag', new Uint8Array(TAG_LENGTH)],
  ];
  it.each(cases)('refuses a datagram sealed with %s', (_name, bytes) => {
    expect(refusal(open(bytes, keyring))).toBeInstanceOf(AuthError);
  });

  it('accepts any key of the ring and signs with the first (key rotation)', () => {
    const rotated = new Keyring([secret('next'), secret('current')]);
    expect(open(seal(message, keyring), rotated)).toEqual({ ok: true, value: message });
    expect(open(seal(message, rotated), new Keyring([secret('next')]))).toEqual({ ok: true, value: message });
    expect(refusal(open(seal(message, rotated), keyring))).toBeInstanceOf(AuthError);
  });

  it('reports a malformed but authentic message as a decode error', () => {
    const body = new Uint8Array([9, 9, 9]);
    const tagged = new Uint8Array(body.length + TAG_LENGTH);
    tagged.set(body);
    tagged.set(keyring.sign(tagged, 0, body.length), body.length);
    expect(refusal(open(tagged, keyring))).toBeInstanceOf(DecodeError);
  });

  it('refuses to run without a key', () => {
    expect(() => new Keyring([])).toThrow(/at least one secret/);
    expect(() => new Keyring([new Uint8Array(0)])).toThrow(/key 0 is empty/);
  });
});
