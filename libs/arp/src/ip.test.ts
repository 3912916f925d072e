import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalAddress, formatIPv6, isLinkLocalIPv6, ipv6Bytes, solicitedNodeAddress, solicitedNodeMac } from './ip.js';
import { formatMac, isMulticastMac, normalizeMac, parseMac } from './mac.js';

describe('canonicalAddress', () => {
  const cases: Array<[string, string]> = [
    ['10.0.0.1', '10.0.0.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::0:1', '2001:db8::1'],
    ['fe80:0:0:0:a00:27ff:fe46:e884', 'fe80::a00:27ff:fe46:e884'],
    ['::', '::'],
    ['::1', '::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['2001:db8::1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:1:1:1:1:1:0', '2001:db8:1:1:1:1:1:0'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
  ];
  it.each(cases)('%s -> %s', (input, canonical) => expect(canonicalAddress(input)).toMatchObject({ ok: true, value: { ip: canonical } }));

  it.each(['', '10.0.0.256', 'fe80::1%eth0', 'hello', '1::2::3'])('rejects %j naming it', (input) => {
    expect(canonicalAddress(input, 'announce')).toEqual({ ok: false, error: `announce: "${input}" is not an IPv4 or IPv6 address` });
  });

  it('formats any 16 bytes to text that parses back to them (RFC 5952 round trip)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (raw) => {
        const text = formatIPv6(raw);
        expect(ipv6Bytes(text)).toEqual(raw);
        expect(canonicalAddress(text)).toMatchObject({ ok: true, value: { ip: text } });
      }),
    );
  });
});

describe('solicited-node groups', () => {
  const cases: Array<[string, string, string]> = [
    ['fe80::a00:27ff:fe46:e884', 'ff02::1:ff46:e884', '33:33:ff:46:e8:84'],
    ['2001:db8::1', 'ff02::1:ff00:1', '33:33:ff:00:00:01'],
    ['fe80::546f:f7ff:fee1:f', 'ff02::1:ffe1:f', '33:33:ff:e1:00:0f'],
  ];
  it.each(cases)('%s -> %s / %s', (ip, group, mac) => {
    expect(solicitedNodeAddress(ip)).toBe(group);
    expect(solicitedNodeMac(ip)).toBe(mac);
  });
  it('knows link-local addresses', () => {
    expect(isLinkLocalIPv6('fe80::1')).toBe(true);
    expect(isLinkLocalIPv6('febf::1')).toBe(true);
    expect(isLinkLocalIPv6('fec0::1')).toBe(false);
    expect(isLinkLocalIPv6('2001:db8::1')).toBe(false);
  });
});

describe('MAC addresses', () => {
  it.each([
    ['02:00:00:00:00:01', '02:00:00:00:00:01'],
    ['02-AB-00-00-00-01', '02:ab:00:00:00:01'],
  ])('normalizes %s', (input, out) => expect(normalizeMac(input)).toBe(out));
  it.each(['', '02:00:00:00:00', '02:00:00:00:00:0g', '0200.0000.0001'])('rejects %j', (input) => {
    expect(() => normalizeMac(input)).toThrow(`"${input}" is not a MAC address`);
  });
  it('round-trips bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 6, maxLength: 6 }), (raw) => {
        expect(parseMac(formatMac(raw))).toEqual(raw);
      }),
    );
  });
  it('knows multicast', () => {
    expect(isMulticastMac('33:33:00:00:00:01')).toBe(true);
    expect(isMulticastMac('ff:ff:ff:ff:ff:ff')).toBe(true);
    expect(isMulticastMac('02:00:00:00:00:01')).toBe(false);
  });
});
