import { describe, expect, it } from 'vitest';
import { readPcap } from './pcap-file.js';

function file(magic: number, little: boolean, records: Array<[number, number, number[]]>): Uint8Array {
  const parts: number[] = [];
  const u32 = (v: number): void => {
    const b = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    parts.push(...(little ? b.reverse() : b));
  };
  u32(magic);
  for (let i = 0; i < 5; i++) u32(0);
  for (const [sec, frac, bytes] of records) {
    u32(sec);
    u32(frac);
    u32(bytes.length);
    u32(bytes.length);
    parts.push(...bytes);
  }
  return Uint8Array.from(parts);
}

describe('readPcap', () => {
  const cases = [
    { name: 'nanosecond, little-endian', magic: 0xa1b23c4d, little: true, timeNs: 5_000_000_123n },
    { name: 'nanosecond, big-endian', magic: 0xa1b23c4d, little: false, timeNs: 5_000_000_123n },
    { name: 'microsecond, little-endian', magic: 0xa1b2c3d4, little: true, timeNs: 5_000_123_000n },
  ];
  it.each(cases)('$name', ({ magic, little, timeNs }) => {
    const records = readPcap(file(magic, little, [[5, 123, [1, 2, 3]], [6, 0, [4]]]));
    expect(records).toHaveLength(2);
    expect(records[0]).toEqual({ timeNs, frame: Uint8Array.of(1, 2, 3) });
    expect(records[1]?.frame).toEqual(Uint8Array.of(4));
  });
  it('leaves out a record cut short', () => {
    const whole = file(0xa1b23c4d, true, [[1, 0, [1, 2]], [2, 0, [3, 4, 5]]]);
    expect(readPcap(whole.subarray(0, whole.length - 1))).toHaveLength(1);
  });
  it('rejects what is not a pcap file', () => {
    expect(() => readPcap(new Uint8Array(30))).toThrow('not a pcap file');
    expect(() => readPcap(new Uint8Array(3))).toThrow('no 24-byte header');
  });
});
