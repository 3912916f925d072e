// BGP messages out of a tcpdump capture: TCP streams reassembled per flow, each message stamped
// with the capture time of the segment that completed it.
import { type PcapRecord } from '@lb/netlab';
import { decode, endOfRibFamily, messageLength } from '../src/index.js';

export interface FlowSummary {
  readonly flow: string;
  /** UPDATEs carrying routes (End-of-RIB markers not counted). */
  readonly updates: number;
  readonly firstUpdateNs: bigint | undefined;
  /** The End-of-RIB, or the last UPDATE when the sender sent none. */
  readonly lastNs: bigint | undefined;
  readonly endOfRib: boolean;
  readonly bytes: number;
  /** Bytes the capture missed (tcpdump drops under load); messages across a gap are skipped. */
  readonly missingBytes: number;
}

interface Segment {
  readonly seq: number;
  readonly payload: Uint8Array;
  readonly timeNs: bigint;
}

function tcpSegment(frame: Uint8Array): { flow: string; seq: number; payload: Uint8Array } | undefined {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const etherType = view.getUint16(12);
  let at = 14;
  let src: string;
  let dst: string;
  let end: number;
  if (etherType === 0x0800) {
    if (frame[at + 9] !== 6) return undefined;
    src = Array.from(frame.subarray(at + 12, at + 16)).join('.');
    dst = Array.from(frame.subarray(at + 16, at + 20)).join('.');
    end = at + view.getUint16(at + 2);
    at += ((frame[at] as number) & 0x0f) * 4;
  } else if (etherType === 0x86dd) {
    if (frame[at + 6] !== 6) return undefined;
    const hex = (from: number): string => Array.from(frame.subarray(from, from + 16), (b) => b.toString(16).padStart(2, '0')).join('');
    src = hex(at + 8);
    dst = hex(at + 24);
    end = at + 40 + view.getUint16(at + 4);
    at += 40;
  } else {
    return undefined;
  }
  const sport = view.getUint16(at);
  const dport = view.getUint16(at + 2);
  const seq = view.getUint32(at + 4);
  const dataAt = at + ((frame[at + 12] as number) >> 4) * 4;
  return { flow: `${src}:${sport}>${dst}:${dport}`, seq, payload: frame.subarray(dataAt, Math.min(end, frame.length)) };
}

/** Summaries of every flow towards `port` (the receiving router's BGP port). */
export function summarizeBgpCapture(records: readonly PcapRecord[], port = 179): FlowSummary[] {
  const flows = new Map<string, Segment[]>();
  for (const record of records) {
    const segment = tcpSegment(record.frame);
    if (!segment || !segment.flow.endsWith(`:${port}`) || segment.payload.length === 0) continue;
    const list = flows.get(segment.flow) ?? [];
    list.push({ seq: segment.seq, payload: segment.payload, timeNs: record.timeNs });
    flows.set(segment.flow, list);
  }
  return [...flows].map(([flow, segments]) => summarizeFlow(flow, segments));
}

function summarizeFlow(flow: string, segments: Segment[]): FlowSummary {
  const base = (segments[0] as Segment).seq;
  // Offsets relative to the first data byte, so sequence-number wrap-around does not matter.
  const placed = segments.map((s) => ({ ...s, offset: (s.seq - base) >>> 0 })).sort((a, b) => a.offset - b.offset);
  const chunks: { start: number; end: number; timeNs: bigint }[] = [];
  const gaps: { start: number; end: number }[] = [];
  let length = 0;
  for (const s of placed) {
    if (s.offset + s.payload.length <= length) continue; // retransmission
    if (s.offset > length) gaps.push({ start: length, end: s.offset });
    const from = Math.max(length, s.offset);
    chunks.push({ start: from, end: s.offset + s.payload.length, timeNs: s.timeNs });
    length = s.offset + s.payload.length;
  }
  const stream = new Uint8Array(length);
  for (const s of placed) stream.set(s.payload, s.offset);
  const crossesGap = (start: number, end: number): boolean => gaps.some((g) => g.start < end && g.end > start);
  const missingBytes = gaps.reduce((n, g) => n + g.end - g.start, 0);
  const timeOf = (offset: number): bigint => {
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((chunks[mid] as { end: number }).end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return (chunks[lo] as { timeNs: bigint }).timeNs;
  };
  let updates = 0;
  let firstUpdateNs: bigint | undefined;
  let lastNs: bigint | undefined;
  let endOfRib = false;
  for (let offset = 0; ; ) {
    const size = messageLength(stream, offset);
    if (size === undefined || offset + 19 > stream.length) break;
    if (size < 19 || offset + size > stream.length || crossesGap(offset, offset + size) || !isMarker(stream, offset)) {
      // Lost bytes: resynchronise on the next marker after this point.
      offset = nextMarker(stream, offset + 1);
      if (offset < 0) break;
      continue;
    }
    if (stream[offset + 18] === 2) {
      const message = decode(stream, offset, offset + size);
      const when = timeOf(offset + size - 1);
      if (message.ok && message.value.type === 'update' && endOfRibFamily(message.value)) {
        endOfRib = true;
        lastNs = when;
      } else {
        updates++;
        firstUpdateNs ??= timeOf(offset);
        if (!endOfRib) lastNs = when;
      }
    }
    offset += size;
  }
  return { flow, updates, firstUpdateNs, lastNs, endOfRib, bytes: stream.length, missingBytes };
}

function isMarker(stream: Uint8Array, at: number): boolean {
  for (let i = 0; i < 16; i++) if (stream[at + i] !== 0xff) return false;
  return true;
}

/** Offset of the next BGP marker (16 x 0xff followed by a plausible length), or -1. */
function nextMarker(stream: Uint8Array, from: number): number {
  for (let at = from; at + 19 <= stream.length; at++) {
    if (!isMarker(stream, at)) continue;
    // A marker can be followed by more 0xff (a run inside a prefix); take the last one of the run.
    let start = at;
    while (start + 19 < stream.length && stream[start + 16] === 0xff) start++;
    const length = ((stream[start + 16] as number) << 8) | (stream[start + 17] as number);
    if (length >= 19 && length <= 65535 && (stream[start + 18] as number) >= 1 && (stream[start + 18] as number) <= 5) return start;
    at = start;
  }
  return -1;
}
