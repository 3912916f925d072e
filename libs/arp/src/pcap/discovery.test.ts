import { describe, expect, it } from 'vitest';
import { eligibility, parseIfInet6, type LinkInfo } from './discovery.js';

const base: LinkInfo = { name: 'eth0', index: 2, mac: '02:00:00:00:00:0a', flags: 0x1003, type: 1, enslaved: false, linkLocal: 'fe80::1' };

describe('eligibility follows MetalLB rules', () => {
  const cases: Array<{ name: string; link: Partial<LinkInfo>; noLinkLocal?: boolean; exclude?: RegExp; arp: boolean; ndp: boolean; because?: string }> = [
    { name: 'UP, BROADCAST, link-local', link: {}, arp: true, ndp: true },
    { name: 'no link-local', link: {}, noLinkLocal: true, arp: true, ndp: false },
    { name: 'no BROADCAST', link: { flags: 0x1001 }, arp: false, ndp: true },
    { name: 'down', link: { flags: 0x1002 }, arp: false, ndp: false, because: 'not UP' },
    { name: 'NOARP', link: { flags: 0x1083 }, arp: false, ndp: false, because: 'NOARP' },
    { name: 'enslaved to a bridge', link: { enslaved: true }, arp: false, ndp: false, because: 'enslaved to a master' },
    { name: 'loopback', link: { name: 'lo', flags: 0x9, type: 772 }, noLinkLocal: true, arp: false, ndp: false, because: 'link type 772 is not Ethernet' },
    { name: 'excluded by name', link: { name: 'cali1234' }, exclude: /^cali/, arp: false, ndp: false, because: 'name matches /^cali/' },
    { name: 'neither', link: { flags: 0x1001 }, noLinkLocal: true, arp: false, ndp: false, because: 'neither BROADCAST nor an IPv6 link-local address' },
  ];
  it.each(cases)('$name', ({ link, noLinkLocal, exclude, arp, ndp, because }) => {
    const { linkLocal, ...rest } = { ...base, ...link };
    const full: LinkInfo = noLinkLocal || linkLocal === undefined ? rest : { ...rest, linkLocal };
    expect(eligibility(full, exclude)).toEqual(because ? { arp, ndp, excludedBecause: because } : { arp, ndp });
  });
});

describe('parseIfInet6', () => {
  it('takes the first link-local address of each interface', () => {
    const text = [
      'fd090000000000000000000000000001 0c 40 00 82      tqa',
      'fe80000000000000f8b24cfffe03828d 0c 40 20 80      tqa',
      'fe800000000000000000000000000002 0c 40 20 80      tqa',
      '00000000000000000000000000000001 01 80 10 80       lo',
      'garbage',
    ].join('\n');
    expect([...parseIfInet6(text)]).toEqual([['tqa', 'fe80::f8b2:4cff:fe03:828d']]);
  });
});
