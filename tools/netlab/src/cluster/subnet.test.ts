import { describe, expect, it } from 'vitest';
import { hostAddress, overlaps, parseSubnet } from './subnet.js';

describe('parseSubnet', () => {
  const cases: Array<[string, string | undefined]> = [
    ['172.30.0.0/24', '172.30.0.0/24'],
    ['172.30.0.77/24', '172.30.0.0/24'],
    ['10.220.2.214', '10.220.2.214/32'],
    ['fc00:f853:0ccd:e799::/64', 'fc00:f853:ccd:e799::/64'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['fd30::11/128', 'fd30::11/128'],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0/', undefined],
    ['10.0.0.0/24/1', undefined],
    ['010.0.0.0/8', undefined],
    ['eth0', undefined],
  ];
  it.each(cases)('%s → %s', (text, want) => {
    expect(parseSubnet(text)?.text).toBe(want);
  });
});

describe('hostAddress and overlaps', () => {
  it('numbers hosts inside a subnet, and refuses one outside', () => {
    expect(hostAddress(parseSubnet('172.30.0.0/24')!, 11n)).toBe('172.30.0.11');
    expect(hostAddress(parseSubnet('fd30::/64')!, 0x11n)).toBe('fd30::11');
    expect(() => hostAddress(parseSubnet('10.0.0.0/30')!, 4n)).toThrow('does not fit in 10.0.0.0/30');
  });
  const cases: Array<[string, string, boolean]> = [
    ['10.0.0.0/8', '10.254.3.0/24', true],
    ['10.254.3.0/24', '10.254.4.0/24', false],
    ['192.168.1.0/24', '192.168.1.200/32', true],
    ['fd54:0:0:3::/64', 'fd54::/16', true],
    ['10.0.0.0/8', 'fd00::/8', false],
  ];
  it.each(cases)('%s and %s overlap: %s', (a, b, want) => {
    expect(overlaps(parseSubnet(a)!, parseSubnet(b)!)).toBe(want);
    expect(overlaps(parseSubnet(b)!, parseSubnet(a)!)).toBe(want);
  });
});
