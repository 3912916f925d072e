import { describe, expect, it } from 'vitest';
import { echoIpv4Packet, ipv4HeaderChecksum, neighborMac } from './echo-frame.js';

describe('echo packets', () => {
  it('computes the IPv4 header checksum (a worked example: 0xb861)', () => {
    const header = Uint8Array.from(Buffer.from('450000730000400040110000c0a80001c0a800c7', 'hex'));
    expect(ipv4HeaderChecksum(header)).toBe(0xb861);
  });

  it('builds a packet from and to our own address, TTL 255, UDP to the echo port, payload last', () => {
    const payload = Uint8Array.from([1, 2, 3, 4]);
    const packet = echoIpv4Packet('192.0.2.7', payload, { port: 3785, id: 9 });
    expect(packet.length).toBe(20 + 8 + 4);
    expect(Buffer.from(packet.subarray(12, 20)).toString('hex')).toBe('c0000207c0000207');
    expect(packet[8]).toBe(255);
    expect(packet[9]).toBe(17);
    expect((packet[22]! << 8) | packet[23]!).toBe(3785);
    expect((packet[24]! << 8) | packet[25]!).toBe(12);
    expect(ipv4HeaderChecksum(packet)).toBe((packet[10]! << 8) | packet[11]!);
    expect(Array.from(packet.subarray(28))).toEqual([1, 2, 3, 4]);
  });

  it('reads the peer MAC from the kernel ARP table, complete entries on the right device only', () => {
    const table = [
      'IP address       HW type     Flags       HW address            Mask     Device',
      '10.77.0.101      0x1         0x2         02:aa:bb:cc:dd:01     *        tofrr',
      '10.77.0.102      0x1         0x0         00:00:00:00:00:00     *        tofrr',
      '10.77.0.101      0x1         0x2         02:aa:bb:cc:dd:02     *        other',
    ].join('\n');
    expect(Array.from(neighborMac('10.77.0.101', 'tofrr', () => table) ?? [])).toEqual([2, 0xaa, 0xbb, 0xcc, 0xdd, 1]);
    expect(neighborMac('10.77.0.102', 'tofrr', () => table)).toBeUndefined();
    expect(neighborMac('10.77.0.103', 'tofrr', () => table)).toBeUndefined();
  });
});
