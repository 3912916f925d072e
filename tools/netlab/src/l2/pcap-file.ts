/** One record of a pcap file: capture time in nanoseconds since the epoch, and the frame. */
export interface PcapRecord {
  readonly timeNs: bigint;
  readonly frame: Uint8Array;
}

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;

/**
 * Reads a classic pcap file (what `tcpdump -w` writes), in either byte order, with microsecond or
 * nanosecond (`--time-stamp-precision=nano`) timestamps. A record cut short at the end of the
 * file (tcpdump killed mid-write) is left out.
 */
export function readPcap(data: Uint8Array): PcapRecord[] {
  if (data.length < 24) throw new Error(`pcap file of ${data.length} bytes has no 24-byte header`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let little = true;
  let magic = view.getUint32(0, true);
  if (magic !== MAGIC_MICRO && magic !== MAGIC_NANO) {
    little = false;
    magic = view.getUint32(0, false);
  }
  if (magic !== MAGIC_MICRO && magic !== MAGIC_NANO) throw new Error(`not a pcap file (magic 0x${view.getUint32(0, true).toString(16)})`);
  const fractionNs = magic === MAGIC_NANO ? 1n : 1000n;
  const records: PcapRecord[] = [];
  for (let at = 24; at + 16 <= data.length; ) {
    const seconds = BigInt(view.getUint32(at, little));
    const fraction = BigInt(view.getUint32(at + 4, little));
    const captured = view.getUint32(at + 8, little);
    if (at + 16 + captured > data.length) break;
    records.push({ timeNs: seconds * 1_000_000_000n + fraction * fractionNs, frame: data.slice(at + 16, at + 16 + captured) });
    at += 16 + captured;
  }
  return records;
}
