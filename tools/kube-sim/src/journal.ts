// The on-disk form of the store's changes, for --data-dir: a record per put, removal or dropped
// resource, each framed as [u32 length][u32 CRC-32][payload] so that a record cut short by a crash
// (or damaged) is recognised and everything before it kept. The payload is a one-line JSON header
// and, for a put, the object's stored JSON after a newline (never re-encoded: it is the string the
// store serves). Pure codec: records in, bytes out, and back; never throws on input.
import { crc32 } from 'node:zlib';
import { type Labels } from '@lb/labels';
import { type StoredObject } from './store.js';

export type JournalRecord =
  | { readonly op: 'put'; readonly resource: string; readonly object: StoredObject }
  | { readonly op: 'remove'; readonly resource: string; readonly key: string; readonly resourceVersion: number }
  | { readonly op: 'drop'; readonly resource: string; readonly resourceVersion: number }
  /** The store's resourceVersion when a snapshot was taken (its first record). */
  | { readonly op: 'version'; readonly resourceVersion: number };

const FRAME_HEADER = 8;

interface PutHeader {
  o: 'p';
  r: string;
  k: string;
  ns: string;
  n: string;
  u: string;
  v: number;
  l?: Labels;
  f?: Readonly<Record<string, string>>;
}

function payloadOf(record: JournalRecord): string {
  switch (record.op) {
    case 'put': {
      const o = record.object;
      const header: PutHeader = { o: 'p', r: record.resource, k: o.key, ns: o.namespace, n: o.name, u: o.uid, v: o.resourceVersion };
      if (o.labels) header.l = o.labels;
      if (o.fields) header.f = o.fields;
      return `${JSON.stringify(header)}\n${o.json}`;
    }
    case 'remove':
      return JSON.stringify({ o: 'r', r: record.resource, k: record.key, v: record.resourceVersion });
    case 'drop':
      return JSON.stringify({ o: 'd', r: record.resource, v: record.resourceVersion });
    case 'version':
      return JSON.stringify({ o: 'v', v: record.resourceVersion });
  }
}

export function encodeRecord(record: JournalRecord): Buffer {
  const payload = payloadOf(record);
  const length = Buffer.byteLength(payload);
  const buf = Buffer.allocUnsafe(FRAME_HEADER + length);
  buf.write(payload, FRAME_HEADER, 'utf8');
  buf.writeUInt32BE(length, 0);
  buf.writeUInt32BE(crc32(buf.subarray(FRAME_HEADER)), 4);
  return buf;
}

function decodePayload(text: string): JournalRecord | undefined {
  const newline = text.indexOf('\n');
  let header: unknown;
  try {
    header = JSON.parse(newline >= 0 ? text.slice(0, newline) : text);
  } catch {
    return undefined;
  }
  if (typeof header !== 'object' || header === null) return undefined;
  const h = header as Record<string, unknown>;
  const v = h['v'];
  if (typeof v !== 'number') return undefined;
  switch (h['o']) {
    case 'p': {
      if (newline < 0 || typeof h['r'] !== 'string' || typeof h['k'] !== 'string') return undefined;
      const object: StoredObject = {
        key: h['k'],
        namespace: String(h['ns'] ?? ''),
        name: String(h['n'] ?? ''),
        uid: String(h['u'] ?? ''),
        resourceVersion: v,
        json: text.slice(newline + 1),
        labels: (h['l'] as Labels | undefined) ?? undefined,
        fields: (h['f'] as Record<string, string> | undefined) ?? undefined,
      };
      return { op: 'put', resource: h['r'], object };
    }
    case 'r':
      return typeof h['r'] === 'string' && typeof h['k'] === 'string' ? { op: 'remove', resource: h['r'], key: h['k'], resourceVersion: v } : undefined;
    case 'd':
      return typeof h['r'] === 'string' ? { op: 'drop', resource: h['r'], resourceVersion: v } : undefined;
    case 'v':
      return { op: 'version', resourceVersion: v };
    default:
      return undefined;
  }
}

export interface DecodedJournal {
  readonly records: JournalRecord[];
  /** Bytes of whole, intact records from the start; what follows (if anything) is to be cut off. */
  readonly validBytes: number;
  /** Why decoding stopped before the end: a torn or damaged record. */
  readonly stoppedBecause?: string;
}

/** Every intact record from the start of `buf`, up to the first torn or damaged one. */
export function decodeRecords(buf: Buffer): DecodedJournal {
  const records: JournalRecord[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < FRAME_HEADER) return { records, validBytes: at, stoppedBecause: `a record header cut short at byte ${at}` };
    const length = buf.readUInt32BE(at);
    const end = at + FRAME_HEADER + length;
    if (end > buf.length) return { records, validBytes: at, stoppedBecause: `a record cut short at byte ${at}` };
    const payload = buf.subarray(at + FRAME_HEADER, end);
    if (crc32(payload) !== buf.readUInt32BE(at + 4)) return { records, validBytes: at, stoppedBecause: `a damaged record (checksum) at byte ${at}` };
    const record = decodePayload(payload.toString('utf8'));
    if (!record) return { records, validBytes: at, stoppedBecause: `an unreadable record at byte ${at}` };
    records.push(record);
    at = end;
  }
  return { records, validBytes: at };
}
