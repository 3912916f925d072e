import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommunity } from './community.js';

describe('parseCommunity', () => {
  const valid: Array<[string, string]> = [
    ['65535:65282', '65535:65282'],
    ['0:0', '0:0'],
    ['007:1', '7:1'],
    ['large:4294967295:0:1', 'large:4294967295:0:1'],
  ];
  it.each(valid)('%s reads as %s', (text, canonical) => {
    const result = parseCommunity(text);
    expect(result.ok && result.value.text).toBe(canonical);
  });

  it('gives a standard community its 32-bit value', () => {
    const result = parseCommunity('65535:65282');
    expect(result.ok && result.value.kind === 'standard' && result.value.value).toBe(0xffffff02);
  });

  const invalid: Array<[string, RegExp, boolean]> = [
    ['65536:1', /first part '65536' must be a number from 0 to 65535/, false],
    ['1:65536', /second part/, false],
    ['-1:1', /first part/, false],
    ['1:', /second part ''/, false],
    ['large:4294967296:0:0', /'4294967296' must be a number from 0 to 4294967295/, false],
    ['big:1:2:3', /must start with 'large:'/, false],
    ['NO_ADVERTISE', /neither a community .* nor a known alias/, true],
    ['large:1:2', /neither/, true],
  ];
  it.each(invalid)('%s is refused', (text, message, alias) => {
    const result = parseCommunity(text);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.message).toMatch(message);
      expect(result.error.kind === 'maybe-alias').toBe(alias);
    }
  });
  it('ran every case', () => expect(valid.length + invalid.length).toBeGreaterThan(0));

  it('reads back any standard community it prints', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (high, low) => {
        const result = parseCommunity(`${high}:${low}`);
        return result.ok && result.value.kind === 'standard' && result.value.value === high * 0x10000 + low;
      }),
    );
  });
});
