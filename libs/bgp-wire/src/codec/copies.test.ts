import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vectorsDir } from '@lb/testdata';
import { attributeCode } from './attributes.js';
import { fromHex, toHex } from './bytes.js';
import { decode } from './message.js';

// Decoded values must not share memory with the input: a Node Buffer's `slice` is a view, so a
// decoder using it handed out fields that changed when the caller reused its receive buffer.

const messages = [
  ...(JSON.parse(readFileSync(resolve(vectorsDir(), 'bgp.json'), 'utf8')) as { vectors: { name: string; hex: string }[] }).vectors,
  ...(JSON.parse(readFileSync(resolve(import.meta.dirname, '../../test/corpus/malformed.json'), 'utf8')) as { cases: { name: string; hex: string }[] }).cases,
].map((v) => ({ name: v.name, bytes: fromHex(v.hex) as Uint8Array }));

/** Every Uint8Array inside a decoded value, with where it was found. */
function byteFields(value: unknown, path = '$', out: Array<[string, Uint8Array]> = []): Array<[string, Uint8Array]> {
  if (value instanceof Uint8Array) out.push([path, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => byteFields(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) byteFields(v, `${path}.${k}`, out);
  return out;
}

/** A decoded value as text: bytes in hex, so that it can be compared after the input changed. */
const snapshot = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v));

describe('decode copies what it returns', () => {
  const inputs: Array<[string, (bytes: Uint8Array) => Uint8Array]> = [
    ['Buffer', (bytes) => Buffer.from(bytes)],
    ['Uint8Array', (bytes) => Uint8Array.from(bytes)],
    ['Buffer view into a larger pool', (bytes) => Buffer.concat([Buffer.alloc(7, 0xee), Buffer.from(bytes)]).subarray(7)],
  ];

  it.each(inputs)('from a %s: zeroing the input after decode changes nothing decoded', (_kind, make) => {
    expect(messages.length).toBeGreaterThan(0);
    let fields = 0;
    for (const { name, bytes } of messages) {
      const input = make(bytes);
      const result = decode(input, 0, input.length);
      const decoded = result.ok ? result.value : result.error;
      const before = snapshot(decoded);
      for (const [path, field] of byteFields(decoded)) {
        fields++;
        expect(Buffer.isBuffer(field), `${name} ${path} is a Buffer`).toBe(false);
        expect(field.buffer === input.buffer, `${name} ${path} shares the input's memory`).toBe(false);
      }
      input.fill(0);
      expect(snapshot(decoded), name).toBe(before);
    }
    // The messages carry byte fields: unknown capabilities and attributes, extended communities,
    // VPN routes, NOTIFICATION data, error data.
    expect(fields).toBeGreaterThan(20);
  });
});

describe('decoded attributes carry their type code', () => {
  it('on every attribute of every UPDATE, equal to the code the type encodes as', () => {
    let checked = 0;
    for (const { bytes } of messages) {
      const result = decode(bytes);
      if (!result.ok || result.value.type !== 'update') continue;
      for (const attribute of result.value.attributes) {
        expect(attribute.code).toBe(attributeCode(attribute));
        expect(bytes.includes(attribute.code)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });
});
