import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DecodeContext } from './attributes.js';
import { fromHex, toHex } from './bytes.js';
import { decode, encode } from './message.js';
import { vectorsDir } from '@lb/testdata';

const seeds: Uint8Array[] = [
  ...(JSON.parse(readFileSync(resolve(vectorsDir(), 'bgp.json'), 'utf8')) as { vectors: { hex: string }[] }).vectors,
  ...(JSON.parse(readFileSync(resolve(import.meta.dirname, '../../test/corpus/malformed.json'), 'utf8')) as { cases: { hex: string }[] }).cases,
].map((v) => fromHex(v.hex) as Uint8Array);

const contexts: DecodeContext[] = [
  {},
  { fourOctetAs: false },
  { addPath: { ipv4Unicast: true, ipv6Unicast: true } },
  { extendedMessage: true, internal: true },
  { internal: false },
];

/** Decoding must return a message or a BgpError and never throw; accepted input re-encodes exactly. */
function check(bytes: Uint8Array): void {
  for (const ctx of contexts) {
    const result = decode(bytes, 0, bytes.length, ctx);
    if (!result.ok) {
      expect(result.error.code).toBeGreaterThan(0);
      expect(result.error.offset).toBeGreaterThanOrEqual(0);
      expect(result.error.offset).toBeLessThanOrEqual(bytes.length);
      continue;
    }
    if (result.value.type === 'update' && result.value.discarded) continue;
    expect(toHex(encode(result.value))).toBe(toHex(bytes.subarray(0, result.length)));
  }
}

/** Random bytes behind a valid marker, so the decoder gets past the header and into the bodies. */
const framed = fc.tuple(fc.integer({ min: 1, max: 5 }), fc.uint8Array({ maxLength: 300 })).map(([type, body]) => {
  const out = new Uint8Array(19 + body.length);
  out.fill(0xff, 0, 16);
  out[16] = out.length >> 8;
  out[17] = out.length & 0xff;
  out[18] = type;
  out.set(body, 19);
  return out;
});

/** A seed message with a few bytes overwritten, inserted or removed (length field kept honest or not). */
const mutated = fc
  .tuple(
    fc.constantFrom(...seeds),
    fc.array(fc.tuple(fc.nat(), u8()), { minLength: 1, maxLength: 4 }),
    fc.constantFrom('overwrite', 'truncate', 'extend', 'fix-length'),
  )
  .map(([seed, edits, mode]) => {
    let out = seed.slice();
    for (const [at, value] of edits) out[at % out.length] = value;
    if (mode === 'truncate') out = out.slice(0, Math.max(0, out.length - 1 - ((edits[0]?.[0] ?? 0) % 8)));
    if (mode === 'extend') out = Uint8Array.from([...out, ...edits.map(([, v]) => v)]);
    if (mode === 'fix-length' && out.length >= 19) {
      out.fill(0xff, 0, 16);
      out[16] = out.length >> 8;
      out[17] = out.length & 0xff;
    }
    return out;
  });

function u8(): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: 255 });
}

describe('fuzz', () => {
  it('has seeds', () => {
    expect(seeds.length).toBeGreaterThan(0);
  });

  it('survives random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 2000 });
  });

  it('survives random bodies behind a valid header', () => {
    fc.assert(fc.property(framed, check), { numRuns: 5000 });
  });

  it('survives mutated real messages', () => {
    fc.assert(fc.property(mutated, check), { numRuns: 20000 });
  });

  it('reads nothing outside [offset, end)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.integer({ min: 0, max: 40 }), (seed, cut) => {
        // Poison the bytes around the window: a decoder that strays past `end` sees garbage.
        const padded = new Uint8Array(seed.length + 20).fill(0x5a);
        padded.set(seed, 10);
        const end = 10 + Math.max(0, seed.length - cut);
        const inWindow = decode(padded, 10, end);
        const alone = decode(seed.slice(0, end - 10));
        expect(!inWindow.ok ? inWindow.error.message.replace(/(offset|byte) \d+/g, '') : toHex(encode(inWindow.value))).toBe(
          !alone.ok ? alone.error.message.replace(/(offset|byte) \d+/g, '') : toHex(encode(alone.value)),
        );
      }),
      { numRuns: 2000 },
    );
  });
});
