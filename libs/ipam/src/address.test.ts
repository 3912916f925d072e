import { describe, expect, it } from 'vitest';
import { countBuggyIps, formatAddress, isBuggyIp, parseAddress, parseAddressRange } from './address.js';

const canonicalIp = (text: string): string | undefined => {
  const ip = parseAddress(text);
  return ip && formatAddress(ip.family, ip.value);
};

describe('parseAddress / formatAddress', () => {
  const cases: Array<[string, string | undefined]> = [
    ['10.0.0.1', '10.0.0.1'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['010.0.0.1', undefined],
    ['10.0.0.256', undefined],
    ['0x0a.0.0.1', undefined],
    ['fc00:f853:0ccd:e799::', 'fc00:f853:ccd:e799::'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['fe80::1%eth0', undefined],
    ['not-an-ip', undefined],
    ['', undefined],
  ];
  it.each(cases)('%s → %s', (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });
  it('round-trips IPv6 values through bigint', () => {
    const ip = parseAddress('2001:db8:85a3::8a2e:370:7334');
    expect(ip?.value).toBe(0x20010db885a3000000008a2e03707334n);
    expect(formatAddress('IPv6', ip?.value as bigint)).toBe('2001:db8:85a3::8a2e:370:7334');
  });
});

describe('parseAddressRange', () => {
  const ok: Array<[string, string, string, string]> = [
    ['192.168.10.0/24', 'IPv4', '192.168.10.0', '192.168.10.255'],
    ['10.0.0.5/24', 'IPv4', '10.0.0.0', '10.0.0.255'],
    ['192.168.9.1-192.168.9.5', 'IPv4', '192.168.9.1', '192.168.9.5'],
    ['10.220.2.214-10.220.2.214', 'IPv4', '10.220.2.214', '10.220.2.214'],
    ['192.168.1.200 - 192.168.1.250', 'IPv4', '192.168.1.200', '192.168.1.250'],
    ['fc00:f853:0ccd:e799::/124', 'IPv6', 'fc00:f853:ccd:e799::', 'fc00:f853:ccd:e799::f'],
    ['2002:2:2::1-2002:2:2::100', 'IPv6', '2002:2:2::1', '2002:2:2::100'],
    ['10.1.1.1', 'IPv4', '10.1.1.1', '10.1.1.1'],
    ['10.1.1.1/32', 'IPv4', '10.1.1.1', '10.1.1.1'],
    ['2001:db8::/64', 'IPv6', '2001:db8::', '2001:db8::ffff:ffff:ffff:ffff'],
  ];
  it.each(ok)('%s', (text, family, first, last) => {
    const parsed = parseAddressRange(text);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.family).toBe(family);
    expect(formatAddress(parsed.value.family, parsed.value.first)).toBe(first);
    expect(formatAddress(parsed.value.family, parsed.value.last)).toBe(last);
  });

  const bad: Array<[string, RegExp]> = [
    ['172.16.16.150-172.16.16.20', /starts after it ends \(172\.16\.16\.150 > 172\.16\.16\.20\)/],
    ['10.0.0.0/33', /prefix length must be a number from 0 to 32/],
    ['fc00::/129', /from 0 to 128/],
    ['10.0.0.0/abc', /prefix length/],
    ['10.0.0.300/24', /'10\.0\.0\.300' is not an IP address/],
    ['10.0.0.1-fc00::1', /mixes an IPv4 and an IPv6 address/],
    ['10.0.0.1-', /end '' is not an IP address/],
    ['hello', /'hello' is not an IP address, CIDR or range/],
    ['', /empty/],
  ];
  it.each(bad)('%s is refused', (text, message) => {
    const parsed = parseAddressRange(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.message).toMatch(message);
  });
});

describe('buggy IPs', () => {
  it.each([
    ['10.0.0.0', true],
    ['10.0.0.255', true],
    ['10.0.0.1', false],
    ['10.0.1.254', false],
  ])('%s → %s', (text, expected) => {
    const ip = parseAddress(text);
    expect(isBuggyIp('IPv4', ip?.value as bigint)).toBe(expected);
  });
  it('IPv6 has no buggy addresses', () => {
    expect(isBuggyIp('IPv6', 0n)).toBe(false);
    expect(countBuggyIps('IPv6', 0n, 1000n)).toBe(0n);
  });
  it.each([
    ['10.0.0.0/24', 2n],
    ['10.0.0.0/16', 512n],
    ['10.0.0.0/25', 1n],
    ['10.0.0.128/25', 1n],
    ['10.0.0.64/26', 0n],
    ['10.0.0.250-10.0.1.5', 2n],
    ['10.0.0.255-10.0.1.0', 2n],
  ])('%s contains %d', (text, expected) => {
    const parsed = parseAddressRange(text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(countBuggyIps('IPv4', parsed.value.first, parsed.value.last)).toBe(expected);
  });
});
