import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { controlPacket } from './control-packet.js';

interface MalformedCase {
  name: string;
  hex: string;
  reason: string;
  offset: number;
}
const corpus = (JSON.parse(readFileSync(new URL('../../test/corpus/malformed.json', import.meta.url), 'utf8')) as { cases: MalformedCase[] }).cases;

describe('malformed corpus', () => {
  it('has cases', () => expect(corpus.length).toBeGreaterThan(0));

  it.each(corpus)('$name → $reason at byte $offset', ({ hex, reason, offset }) => {
    const result = controlPacket.decode(Uint8Array.from(Buffer.from(hex.replace(/\s+/g, ''), 'hex')));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect({ reason: result.error.reason, offset: result.error.offset }).toEqual({ reason, offset });
    expect(result.error.message.length).toBeGreaterThan(10);
  });
});
