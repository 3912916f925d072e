import { describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecord, type JournalRecord } from './journal.js';

const put: JournalRecord = {
  op: 'put',
  resource: 'configmaps',
  object: { key: 'ns/a', namespace: 'ns', name: 'a', uid: 'u-1', resourceVersion: 7, json: '{"apiVersion":"v1","kind":"ConfigMap","data":{"é":"\\n"}}', labels: { app: 'x' }, fields: undefined },
};
const records: JournalRecord[] = [{ op: 'version', resourceVersion: 5 }, put, { op: 'remove', resource: 'configmaps', key: 'ns/a', resourceVersion: 8 }, { op: 'drop', resource: 'things.x.io', resourceVersion: 9 }];

describe('journal records', () => {
  it('round-trip', () => {
    const buf = Buffer.concat(records.map(encodeRecord));
    expect(decodeRecords(buf)).toEqual({ records, validBytes: buf.length });
  });

  it('keeps every whole record before a tear, wherever the tear is', () => {
    const frames = records.map(encodeRecord);
    const buf = Buffer.concat(frames);
    let boundary = 0;
    let whole = 0;
    for (let cut = 0; cut < buf.length; cut++) {
      while (whole < frames.length && boundary + (frames[whole] as Buffer).length <= cut) boundary += (frames[whole++] as Buffer).length;
      const decoded = decodeRecords(buf.subarray(0, cut));
      expect(decoded.records).toEqual(records.slice(0, whole));
      expect(decoded.validBytes).toBe(boundary);
      expect(decoded.stoppedBecause === undefined).toBe(cut === boundary);
    }
  });

  it('stops at a damaged record', () => {
    const frames = records.map(encodeRecord);
    const damaged = Buffer.from(frames[1] as Buffer);
    damaged.writeUInt8((damaged.at(-3) ?? 0) ^ 0xff, damaged.length - 3);
    const decoded = decodeRecords(Buffer.concat([frames[0] as Buffer, damaged, frames[2] as Buffer]));
    expect(decoded.records).toEqual([records[0]]);
    expect(decoded.stoppedBecause).toMatch(/damaged record \(checksum\) at byte \d+/);
  });
});
