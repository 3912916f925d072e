import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bigIntToBytes, bytesToBigInt, canonicalIp, formatIp, formatIPv4, formatIPv6, ipFamily, parseIp, writeIPv4 } from './address.js';

describe('canonicalIp', () => {
  const cases: Array<[string, string | undefined]> = [
    ['10.0.0.1', '10.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['fe80:0:0:0:a00:27ff:fe46:e884', 'fe80::a00:27ff:fe46:e884'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:1:1:1:1:0', '2001:db8:1:1:1:1:1:0'],
    ['fc00:f853:0ccd:e799::', 'fc00:f853:ccd:e799::'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
    ['2001:0:0:1:0:0:0:0', '2001:0:0:1::'],
    ['1:0:3:4:5:6:7:8', '1:0:3:4:5:6:7:8'],
    ['g::1', undefined],
    // refused
    ['', undefined],
    ['10.0.0.256', undefined],
    ['010.0.0.1', undefined],
    ['10.0.0', undefined],
    ['10.0.0.1.', undefined],
    ['0x0a.0.0.1', undefined],
    [' 10.0.0.1', undefined],
    ['fe80::1%eth0', undefined],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['1:2:3:4:5:6:7::8', undefined],
    ['12345::', undefined],
    ['::1.2.3', undefined],
    ['hello', undefined],
  ];
  it.each(cases)('%j -> %j', (input, canonical) => {
    expect(canonicalIp(input)).toBe(canonical);
    expect(ipFamily(input)).toBe(canonical === undefined ? undefined : canonical.includes(':') ? 'IPv6' : 'IPv4');
  });

  it('formats any 16 bytes to text that parses back to them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        const text = formatIPv6(raw);
        expect(parseIp(text)).toEqual(raw);
        expect(canonicalIp(text)).toBe(text);
      }),
    );
  });

  it('formats any 4 bytes to text that parses back to them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), (raw) => {
        expect(parseIp(formatIPv4(raw))).toEqual(raw);
      }),
    );
  });

  it('reads and writes at an offset', () => {
    const buf = new Uint8Array(10);
    expect(writeIPv4('192.0.2.7', buf, 3)).toBe(true);
    expect(formatIPv4(buf, 3)).toBe('192.0.2.7');
  });
});

describe('bigint conversions', () => {
  it.each([
    ['0.0.0.0', 0n],
    ['10.0.0.1', 0x0a000001n],
    ['255.255.255.255', 0xffffffffn],
    ['::', 0n],
    ['2001:db8::1', 0x20010db8000000000000000000000001n],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 2n ** 128n - 1n],
  ])('%s <-> %d', (text, value) => {
    const bytes = parseIp(text) as Uint8Array;
    expect(bytesToBigInt(bytes)).toBe(value);
    expect(formatIp(bigIntToBytes(value, bytes.length === 4 ? 'IPv4' : 'IPv6'))).toBe(canonicalIp(text));
  });
});
