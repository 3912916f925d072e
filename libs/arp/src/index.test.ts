import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

describe('@lb/arp entry point', () => {
  it('loads no native module (cap stays behind @lb/arp/pcap)', async () => {
    const api = await import('./index.js');
    expect(typeof api.ethernetFrame.decode).toBe('function');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((path) => path.endsWith('.node') || path.includes('/node_modules/cap/'))).toEqual([]);
  });
});
