import { describe, expect, it } from 'vitest';
import { formatCommunity, formatExtendedCommunity, parseCommunity, parseLargeCommunity, routeTarget } from './communities.js';
import { parsePrefix } from './nlri.js';

// Address text itself is @lb/ip's, tested there.
describe('prefixes', () => {
  it('parses prefixes and refuses bad lengths', () => {
    expect(parsePrefix('10.0.0.0/8')).toMatchObject({ family: 'IPv4', length: 8 });
    expect(parsePrefix('2001:db8::/129')).toBeUndefined();
    expect(parsePrefix('10.0.0.0/33')).toBeUndefined();
    expect(parsePrefix('10.0.0.0')).toBeUndefined();
    expect(parsePrefix('10.0.0.0/-1')).toBeUndefined();
  });
});

describe('communities', () => {
  const cases: [string, number | undefined][] = [
    ['65000:100', 65000 * 65536 + 100],
    ['no-export', 0xffffff01],
    ['NO_ADVERTISE', 0xffffff02],
    ['blackhole', 0xffff029a],
    ['65536:1', undefined],
    ['1:2:3', undefined],
    ['x', undefined],
  ];
  it.each(cases)('%s', (text, value) => {
    expect(parseCommunity(text)).toBe(value);
    if (value !== undefined && text.includes(':')) expect(formatCommunity(value)).toBe(text);
  });

  it('parses large communities with or without the MetalLB prefix', () => {
    expect(parseLargeCommunity('large:65000:1:2')).toEqual({ globalAdmin: 65000, localData1: 1, localData2: 2 });
    expect(parseLargeCommunity('4294967295:0:1')).toEqual({ globalAdmin: 4294967295, localData1: 0, localData2: 1 });
    expect(parseLargeCommunity('4294967296:0:1')).toBeUndefined();
    expect(parseLargeCommunity('1:2')).toBeUndefined();
  });

  it('writes route targets in all three forms', () => {
    expect(formatExtendedCommunity(routeTarget(64497, 1))).toBe('RT:64497:1');
    expect(formatExtendedCommunity(routeTarget('192.0.2.1', 7))).toBe('RT:192.0.2.1:7');
    expect(formatExtendedCommunity(routeTarget(4200000000, 7))).toBe('RT:4200000000:7');
  });
});
