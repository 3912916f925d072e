import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type DecodeContext } from './attributes.js';
import { fromHex, toHex } from './bytes.js';
import { decode } from './message.js';

interface Case {
  name: string;
  hex: string;
  why: string;
  context?: DecodeContext;
  expect:
    | { code: number; subcode: number; action: string; data?: string }
    | { discarded: number; attributes: string[] };
}

const corpus = (JSON.parse(readFileSync(resolve(import.meta.dirname, '../../test/corpus/malformed.json'), 'utf8')) as { cases: Case[] }).cases;

describe('malformed message corpus', () => {
  it('has cases', () => {
    expect(corpus.length).toBeGreaterThan(0);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const bytes = fromHex(c.hex) as Uint8Array;
    const result = decode(bytes, 0, bytes.length, c.context ?? {});
    if ('code' in c.expect) {
      expect(result.ok, c.why).toBe(false);
      if (result.ok) return;
      const error = result.error;
      expect({ code: error.code, subcode: error.subcode, action: error.action }).toEqual({
        code: c.expect.code,
        subcode: c.expect.subcode,
        action: c.expect.action,
      });
      if (c.expect.data !== undefined) expect(toHex(error.data)).toBe(c.expect.data);
      // The text names what was wrong and where.
      expect(error.message).toMatch(/at offset \d+$/);
      expect(error.offset).toBeLessThanOrEqual(bytes.length);
      if (error.action === 'treat-as-withdraw') expect(error.withdrawn.length).toBeGreaterThan(0);
    } else {
      expect(result.ok, c.why).toBe(true);
      if (!result.ok || result.value.type !== 'update') throw new Error('expected an UPDATE');
      expect(result.value.discarded?.length ?? 0).toBe(c.expect.discarded);
      expect(result.value.attributes.map((a) => a.type)).toEqual(c.expect.attributes);
    }
  });
});
