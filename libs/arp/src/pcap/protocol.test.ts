import { describe, expect, it } from 'vitest';
import { Layer2Counters } from '../counters.js';
import { Layer2 } from './supervisor.js';
import { packAddresses, unpackAddresses, type ToWorker } from './protocol.js';

describe('packed addresses', () => {
  const cases: Array<{ name: string; ips: string[]; bytes: number }> = [
    { name: 'none', ips: [], bytes: 0 },
    { name: 'IPv4', ips: ['192.0.2.1', '10.210.39.16'], bytes: 10 },
    { name: 'IPv6', ips: ['2001:db8::1'], bytes: 17 },
    { name: 'both, order kept', ips: ['2001:db8::1', '192.0.2.1', 'fe80::1'], bytes: 39 },
  ];
  for (const c of cases) {
    it(`${c.name}: round trip in ${c.bytes} bytes`, () => {
      const packed = packAddresses(c.ips);
      expect(packed.length).toBe(c.bytes);
      expect(unpackAddresses(packed)).toEqual(c.ips);
    });
  }

  it('refuses a text that is not an address', () => {
    expect(() => packAddresses(['192.0.2.300'])).toThrow(/"192.0.2.300" is not an IP address/);
  });

  it('stops at a truncated or odd entry rather than reading past it', () => {
    expect(unpackAddresses(Uint8Array.of(4, 192, 0, 2, 1, 4, 10))).toEqual(['192.0.2.1']);
    expect(unpackAddresses(Uint8Array.of(7, 1, 2, 3))).toEqual([]);
  });
});

describe('Layer2Counters.takeChanges', () => {
  it('carries only what was counted since the last call', () => {
    const counters = new Layer2Counters();
    counters.recordRequest('192.0.2.1');
    counters.recordSent({ ip: '192.0.2.1', purpose: 'response' });
    counters.recordAnswered('192.0.2.2', 3, 2);
    counters.recordDrop('own-frame', 'eth0');
    expect(counters.takeChanges()).toEqual({
      drops: { 'own-frame': 1 },
      dropsByInterface: { eth0: { 'own-frame': 1 } },
      ips: { '192.0.2.1': { requestsReceived: 1, responsesSent: 1, gratuitousSent: 0 }, '192.0.2.2': { requestsReceived: 3, responsesSent: 2, gratuitousSent: 0 } },
    });
    counters.recordSent({ ip: '192.0.2.2', purpose: 'gratuitous' });
    expect(counters.takeChanges()).toEqual({ drops: {}, dropsByInterface: {}, ips: { '192.0.2.2': { requestsReceived: 0, responsesSent: 0, gratuitousSent: 1 } } });
    expect(counters.takeChanges()).toEqual({ drops: {}, dropsByInterface: {}, ips: {} });
    // The totals are untouched.
    expect(counters.snapshot().ips['192.0.2.2']).toEqual({ requestsReceived: 3, responsesSent: 2, gratuitousSent: 1 });
  });
});

describe('Layer2 batching', () => {
  /** A Layer2 whose worker is a recorder of the messages it would get. */
  function recorded(): { layer2: Layer2; sent: ToWorker[] } {
    const layer2 = new Layer2();
    const sent: ToWorker[] = [];
    (layer2 as unknown as { child: unknown }).child = { connected: true, send: (m: ToWorker) => sent.push(m) };
    return { layer2, sent };
  }
  const flushed = () => new Promise<void>((resolve) => queueMicrotask(resolve));

  it('a burst of announcements and withdrawals is one message, grouped by interfaces', async () => {
    const { layer2, sent } = recorded();
    for (let i = 1; i <= 1000; i++) layer2.announce(`10.0.${i >> 8}.${i & 255}`);
    layer2.announce('2001:db8::1', { interfaces: ['eth1'] });
    layer2.withdraw('192.0.2.9');
    await flushed();
    expect(sent).toHaveLength(1);
    const message = sent[0] as Extract<ToWorker, { type: 'changes' }>;
    expect(message.type).toBe('changes');
    expect(message.changes.announce.map((g) => [g.interfaces, unpackAddresses(g.addresses).length])).toEqual([
      [[], 1000],
      [['eth1'], 1],
    ]);
    expect(unpackAddresses(message.changes.withdraw)).toEqual(['192.0.2.9']);
    expect(layer2.announced()).toHaveLength(1001);
  });

  it('keeps the order of two changes of one address, and sends queued changes before a status request', async () => {
    const { layer2, sent } = recorded();
    layer2.announce('192.0.2.1');
    layer2.withdraw('192.0.2.1');
    layer2.announce('192.0.2.1');
    layer2.rescan();
    expect(sent.map((m) => m.type)).toEqual(['changes', 'changes', 'changes', 'scan']);
    expect(sent.map((m) => (m.type === 'changes' ? [m.changes.announce.length, unpackAddresses(m.changes.withdraw)] : m.type))).toEqual([
      [1, []],
      [0, ['192.0.2.1']],
      [1, []],
      'scan',
    ]);
    await flushed();
    expect(sent).toHaveLength(4);
  });
});
