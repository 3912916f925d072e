import { describe, expect, it } from 'vitest';
import { PcapAnnouncer, type AnnouncerOptions } from './announcer.js';
import { type Capture, type CaptureOptions } from './capture.js';
import { IFF_BROADCAST, IFF_UP, type LinkInfo } from './discovery.js';
import { type FastPathAddon } from './fastpath.js';

// Which path answers ARP, and what the announcer says about it, when the native fast path is
// missing, turned off or refuses an interface. With the addon present and working, see
// test/fastpath.test.ts (namespaces, arping, tcpdump: one reply per request, so the capture left
// ARP to the fast path).
const ETH0: LinkInfo = { name: 'eth0', index: 2, mac: '02:00:00:00:00:0a', flags: IFF_UP | IFF_BROADCAST, type: 1, enslaved: false };

function announcer(options: Partial<AnnouncerOptions>): { announcer: PcapAnnouncer; filters: Array<string | undefined>; errors: string[]; infos: string[] } {
  const filters: Array<string | undefined> = [];
  const errors: string[] = [];
  const infos: string[] = [];
  const openCapture = (iface: string, capture: CaptureOptions): Capture => {
    filters.push(capture.filter);
    return { interface: iface, send: () => undefined, close: () => undefined };
  };
  const a = new PcapAnnouncer({ listLinks: () => [ETH0], openCapture, onError: (m) => errors.push(m), onInfo: (m) => infos.push(m), ...options });
  a.scan();
  return { announcer: a, filters, errors, infos };
}

describe('PcapAnnouncer: the ARP path', () => {
  const cases: Array<{ name: string; options: Partial<AnnouncerOptions>; error?: RegExp; info?: RegExp }> = [
    {
      name: 'the addon is not installed',
      options: { loadFastPathAddon: () => ({ error: "Cannot find module '@lb/arp-fastpath'" }) },
      error: /native ARP fast path is unavailable \(Cannot find module '@lb\/arp-fastpath'\); ARP is answered through libpcap in Node/,
    },
    { name: 'the fast path is turned off', options: { arpFastPath: false }, info: /ARP is answered through libpcap in Node \(the native fast path is turned off\)/ },
    {
      name: 'the fast path does not open on the interface',
      options: {
        loadFastPathAddon: () => ({
          addon: {
            open: () => {
              throw new Error('opening the ARP fast path on eth0: socket(AF_PACKET): Operation not permitted');
            },
          } as unknown as FastPathAddon,
        }),
      },
      error: /the ARP fast path did not open on eth0 \(.*Operation not permitted\); ARP there is answered through libpcap in Node/,
    },
  ];

  it.each(cases)('falls back to libpcap for ARP and says so when $name', ({ options, error, info }) => {
    expect(cases.length).toBeGreaterThan(0);
    const { announcer: a, filters, errors, infos } = announcer(options);
    try {
      expect(filters).toEqual([undefined]); // the full filter: ARP and NDP through libpcap
      expect(a.interfaces()).toMatchObject([{ name: 'eth0', open: true, arpPath: 'libpcap' }]);
      if (error) expect(errors).toContainEqual(expect.stringMatching(error));
      else expect(errors).toEqual([]);
      if (info) expect(infos).toContainEqual(expect.stringMatching(info));
    } finally {
      a.close();
    }
  });
});

describe('PcapAnnouncer: a burst of announcements', () => {
  it('installs the fast path table once per turn of the event loop, then sends every first announcement', async () => {
    const tables: number[] = [];
    const sent: string[] = [];
    const addon = {
      open: () => ({}),
      setTable: (_handle: unknown, table: { addresses: Uint8Array }) => {
        tables.push(table.addresses.length / 4);
        return { answered: [], sendErrors: 0 };
      },
      send: () => {
        // Every first announcement leaves after the table that answers for it is in.
        sent.push(`after ${tables.length} tables`);
      },
      takeCounts: () => ({ answered: [], sendErrors: 0 }),
      close: () => undefined,
    } as unknown as FastPathAddon;
    const { announcer: a, errors } = announcer({ loadFastPathAddon: () => ({ addon }), announceSchedule: [0] });
    try {
      const installedAtOpen = tables.length;
      for (let i = 0; i < 1000; i++) expect(a.announce(`10.1.${i >> 8}.${i & 255}`).ok).toBe(true);
      a.withdraw('10.1.0.0');
      expect(tables.length).toBe(installedAtOpen);
      await new Promise((resolve) => setImmediate(resolve));
      expect(tables.slice(installedAtOpen)).toEqual([999]);
      expect(sent.length).toBeGreaterThanOrEqual(999);
      expect(new Set(sent)).toEqual(new Set([`after ${installedAtOpen + 1} tables`]));
      expect(errors).toEqual([]);
    } finally {
      a.close();
    }
  });
});
