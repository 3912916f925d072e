import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// The addon on its own: the decision on hand-written frames and the argument checks. How it
// behaves on a real interface (threads, fanout, counts, no duplicate replies) is tested in
// @lb/arp against arping in network namespaces, next to the responder it must agree with.
const addon = createRequire(import.meta.url)('@lb/arp-fastpath') as typeof import('@lb/arp-fastpath');

const OURS = '02000000000a';
const CLIENT = '02000000000b';
const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const table = (vlan = -1, addresses = [10, 0, 0, 100, 10, 0, 0, 7]): { mac: Buffer; vlan: number; addresses: Uint8Array } => ({
  mac: hex(OURS),
  vlan,
  addresses: Uint8Array.from(addresses),
});
/** Ethernet/IPv4 ARP: htype 1, ptype 0x0800, lengths 6/4, then op and the two address pairs. */
const arp = (op: string, sha: string, spa: string, tha: string, tpa: string): string => `0001 0800 06 04 ${op} ${sha} ${spa} ${tha} ${tpa}`;
const request = arp('0001', CLIENT, '0a000002', '000000000000', '0a000064');

describe('decide', () => {
  const cases: Array<{ name: string; vlan?: number; frame: string; reply: string | null }> = [
    {
      name: 'answers a broadcast request for a table address, to the asker',
      frame: `ffffffffffff ${CLIENT} 0806 ${request}`,
      reply: `${CLIENT} ${OURS} 0806 ${arp('0002', OURS, '0a000064', CLIENT, '0a000002')}`,
    },
    {
      name: 'ignores padding after the ARP payload',
      frame: `ffffffffffff ${CLIENT} 0806 ${request} ${'00'.repeat(18)}`,
      reply: `${CLIENT} ${OURS} 0806 ${arp('0002', OURS, '0a000064', CLIENT, '0a000002')}`,
    },
    {
      name: 'answers on its VLAN with the request\'s priority and without drop eligibility',
      vlan: 20,
      frame: `ffffffffffff ${CLIENT} 8100 b014 0806 ${request}`,
      reply: `${CLIENT} ${OURS} 8100 a014 0806 ${arp('0002', OURS, '0a000064', CLIENT, '0a000002')}`,
    },
    {
      name: 'answers a zero sender hardware address at the frame source',
      frame: `ffffffffffff ${CLIENT} 0806 ${arp('0001', '000000000000', '00000000', '000000000000', '0a000007')}`,
      reply: `${CLIENT} ${OURS} 0806 ${arp('0002', OURS, '0a000007', '000000000000', '00000000')}`,
    },
    { name: 'leaves a request for another address', frame: `ffffffffffff ${CLIENT} 0806 ${arp('0001', CLIENT, '0a000002', '000000000000', '0a000065')}`, reply: null },
    { name: 'leaves our own request', frame: `ffffffffffff ${OURS} 0806 ${request}`, reply: null },
    { name: 'leaves a request unicast to another MAC', frame: `02000000000c ${CLIENT} 0806 ${request}`, reply: null },
    { name: 'leaves a tagged request on an untagged interface', frame: `ffffffffffff ${CLIENT} 8100 0014 0806 ${request}`, reply: null },
    { name: 'leaves another VLAN', vlan: 21, frame: `ffffffffffff ${CLIENT} 8100 0014 0806 ${request}`, reply: null },
    { name: 'leaves a reply', frame: `ffffffffffff ${CLIENT} 0806 ${arp('0002', CLIENT, '0a000002', '000000000000', '0a000064')}`, reply: null },
    { name: 'leaves ARP for another protocol', frame: `ffffffffffff ${CLIENT} 0806 0001 86dd 06 04 0001 ${CLIENT} 0a000002 000000000000 0a000064`, reply: null },
    { name: 'leaves a truncated request', frame: `ffffffffffff ${CLIENT} 0806 ${request}`.replace(/\s+/g, '').slice(0, 80), reply: null },
    { name: 'leaves a frame shorter than an Ethernet header', frame: 'ffffffffffff', reply: null },
  ];

  it.each(cases)('$name', ({ vlan, frame, reply }) => {
    expect(cases.length).toBeGreaterThan(0);
    const got = addon.decide(table(vlan), hex(frame));
    expect(got === null ? null : got.toString('hex')).toBe(reply === null ? null : hex(reply).toString('hex'));
  });

  it('finds any address of a large table', () => {
    const addresses: number[] = [];
    for (let i = 0; i < 1000; i++) addresses.push(10, 1, i >> 8, i & 0xff);
    const big = table(-1, addresses);
    const ask = (last: string): Buffer | null => addon.decide(big, hex(`ffffffffffff ${CLIENT} 0806 ${arp('0001', CLIENT, '0a000002', '000000000000', `0a01${last}`)}`));
    expect(ask('0000')).not.toBeNull();
    expect(ask('03e7')).not.toBeNull();
    expect(ask('03e8')).toBeNull();
  });
});

describe('argument checks name what is wrong', () => {
  const frame = hex(`ffffffffffff ${CLIENT} 0806 ${request}`);
  const bad: Array<{ name: string; call: () => unknown; message: RegExp }> = [
    { name: 'table not an object', call: () => addon.decide(null as never, frame), message: /the table must be an object/ },
    { name: 'short MAC', call: () => addon.decide({ ...table(), mac: Buffer.alloc(5) }, frame), message: /table.mac must be a Uint8Array of 6 bytes/ },
    { name: 'VLAN out of range', call: () => addon.decide(table(4096), frame), message: /table.vlan must be an integer in 0..4095, or -1/ },
    { name: 'addresses not whole', call: () => addon.decide({ ...table(), addresses: new Uint8Array(6) }, frame), message: /4 bytes each/ },
    { name: 'frame not bytes', call: () => addon.decide(table(), 'x' as never), message: /the frame must be a Uint8Array/ },
    { name: 'interface name too long', call: () => addon.open('a'.repeat(16), () => undefined), message: /1..15 characters/ },
    { name: 'no callback', call: () => addon.open('lo', undefined as never), message: /onEvent a function/ },
    { name: 'bad priority', call: () => addon.open('lo', () => undefined, { realtimePriority: 100 }), message: /realtimePriority must be an integer in 0..99/ },
    { name: 'not a handle', call: () => addon.setTable({} as never, table()), message: /a handle returned by open\(\)/ },
    { name: 'unknown interface', call: () => addon.open('nosuch0', () => undefined), message: /opening the ARP fast path on nosuch0: if_nametoindex: No such device/ },
  ];

  it.each(bad)('$name', ({ call, message }) => {
    expect(bad.length).toBeGreaterThan(0);
    expect(call).toThrow(message);
  });
});
